// Passkeys in Chromium with its virtual authenticator (the DevTools protocol's WebAuthn domain), through the
// browser host against the real server: added from the devices window, a second device signs in with it and no
// email typed, recent authentication with it instead of the password, removed; on the account page too. A page
// at 127.0.0.1 is told to use localhost; a page the server does not list is refused; a copy whose counter went
// back is flagged on every device; a window without WebAuthn says why. axe at 360 px, light and dark.
import type { CDPSession, Page } from '@playwright/test';
import { ManualClock } from '../support/clock.js';
import { expect, expectNoViolations, liveRegion, PASSWORD, shot, signIn, test, type Device, type Lab } from './fixtures.js';

/** A passkey the virtual authenticator keeps, as the protocol gives it (private key included). */
interface Credential {
  credentialId: string;
  isResidentCredential: boolean;
  rpId?: string;
  privateKey: string;
  userHandle?: string;
  signCount: number;
}

/** A platform authenticator for `page` that verifies its user at once (a fingerprint always recognised). */
async function authenticatorOn(page: Page) {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', ctap2Version: 'ctap2_1', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  return {
    credentials: async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials as Credential[],
    /** Another authenticator's passkey, as a provider syncs it (or as a thief copies it). */
    add: async (credential: Credential) => void (await cdp.send('WebAuthn.addCredential', { authenticatorId, credential })),
  };
}

const card = (page: Page) => page.getByRole('region', { name: 'Passkeys' });
const rows = (page: Page) => card(page).getByRole('list', { name: 'Your passkeys' }).getByRole('listitem');

/** A device on `localhost`, its pages able to use passkeys. */
const passkeyDevice = (lab: Lab, name: string, colorScheme?: 'light' | 'dark') => lab.device(name, { hostname: 'localhost', ...(colorScheme ? { colorScheme } : {}) });

/** A creates the account and adds a passkey from the devices window; the window and its authenticator. */
async function accountWithPasskey(lab: Lab, a: Device, options: { screenshots?: boolean; width?: number } = {}) {
  await signIn(a.page, { email: lab.email, create: true });
  await expect(a.page.getByText(`Signed in as ${lab.email}`)).toBeVisible();
  const devices = await a.openDevicesWindow();
  if (options.width) await devices.setViewportSize({ width: options.width, height: 740 });
  const authenticator = await authenticatorOn(devices);
  await expect(card(devices).getByText(/^None yet\. A passkey signs in with no password/)).toBeVisible();
  await card(devices).getByRole('button', { name: 'Add a passkey…' }).click();
  const name = card(devices).getByLabel('Name for this passkey');
  await expect(name).toBeFocused();
  await expect(name, 'named after this device to begin with').toHaveValue('Work laptop');
  if (options.screenshots) {
    await shot(devices, '87-passkey-add');
    await expectNoViolations(devices, 'add a passkey');
  }
  await name.fill('Laptop fingerprint');
  await devices.keyboard.press('Enter');
  // Even just after signing in, the password again: a copied sign-in alone adds no passkey.
  const password = card(devices).getByRole('textbox', { name: 'Password' });
  await expect(password).toBeFocused();
  await expect(card(devices).getByText(/^Enter your password to add a passkey, even right after signing in/)).toBeVisible();
  await password.fill(PASSWORD);
  await devices.keyboard.press('Enter');
  await expect(liveRegion(devices)).toHaveText("Passkey 'Laptop fingerprint' added.");
  await expect(card(devices).getByRole('button', { name: 'Add a passkey…' })).toBeFocused();
  await expect(rows(devices)).toHaveCount(1);
  await expect(rows(devices).first()).toContainText('Laptop fingerprint');
  await expect(rows(devices).first()).toContainText('not used yet');
  await expect(card(devices).getByText('1 passkey signs in to your account with no password and no code.')).toBeVisible();
  const [credential] = await authenticator.credentials();
  expect(credential?.isResidentCredential, 'a discoverable credential').toBe(true);
  return { devices, authenticator, credential: credential! };
}

test('added from the devices window; B signs in with it and no email typed; A’s list says how, and the passkey was used', async ({ lab }) => {
  const a = await passkeyDevice(lab, 'Work laptop');
  const b = await passkeyDevice(lab, 'Home desktop');
  await lab.allowPasskeysFrom([a, b]);
  const { devices, credential } = await accountWithPasskey(lab, a, { screenshots: true });
  await shot(devices, '88-passkeys-list');
  await expectNoViolations(devices, 'passkeys list');

  // B holds the same passkey, as a provider syncs it to the owner's other computer.
  await (await authenticatorOn(b.page)).add(credential);
  await expect(b.page.getByRole('button', { name: 'Sign in with a passkey' })).toBeEnabled();
  await shot(b.page, '89-sign-in-with-passkey');
  await b.page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expect(b.page.getByText(`Signed in as ${lab.email}`)).toBeVisible();

  const row = devices.getByRole('listitem', { name: 'Home desktop' });
  await expect(row).toBeVisible();
  await row.getByRole('button', { name: /Details/ }).click();
  await expect(devices.getByText('With a passkey', { exact: true })).toBeVisible();
  await expect(rows(devices).first()).toContainText('last used');
});

test('recent authentication with the passkey instead of the password, then removed; it no longer signs in', async ({ lab }) => {
  const a = await passkeyDevice(lab, 'Work laptop');
  const b = await passkeyDevice(lab, 'Home desktop');
  const clock = new ManualClock();
  await lab.allowPasskeysFrom([a, b], { clock });
  const { devices, credential } = await accountWithPasskey(lab, a);
  // The sign-in is more than ten minutes old: removing asks for the password, or a passkey.
  clock.advance(11 * 60_000);
  await rows(devices).first().getByRole('button', { name: "Remove passkey 'Laptop fingerprint'" }).click();
  await expect(rows(devices).first().getByRole('button', { name: 'Remove the passkey' })).toBeFocused();
  await devices.keyboard.press('Enter');
  await expect(rows(devices).first().getByRole('textbox', { name: 'Password' })).toBeFocused();
  await shot(devices, '90-passkey-reauth');
  await expectNoViolations(devices, 'remove a passkey: recent authentication');
  await rows(devices).first().getByRole('button', { name: 'Use a passkey instead' }).click();
  await expect(liveRegion(devices)).toHaveText("Passkey 'Laptop fingerprint' removed.");
  await expect(card(devices).getByText(/^None yet\./)).toBeVisible();
  // Its row went with the focused button: the focus is on what stays.
  await expect(card(devices).getByRole('button', { name: 'Add a passkey…' })).toBeFocused();

  await (await authenticatorOn(b.page)).add(credential);
  await b.page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expect(b.page.getByRole('alert')).toHaveText('That passkey does not sign in here: it is not one of an account on this server, or it was removed.');
  await expect(b.page.getByRole('button', { name: 'Sign in with a passkey' })).toBeFocused();
});

test('on the account page: added after signing in with the password, then the browser signs in with it alone', async ({ lab }) => {
  const a = await passkeyDevice(lab, 'Work laptop');
  await lab.allowPasskeysFrom([a]);
  await signIn(a.page, { email: lab.email, create: true });
  await expect(a.page.getByText(`Signed in as ${lab.email}`)).toBeVisible();
  const { page } = await lab.accountPage({ hostname: 'localhost', width: 360 });
  const authenticator = await authenticatorOn(page);
  await page.getByLabel('Email').fill(lab.email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Signed-in devices' })).toBeVisible();
  await card(page).getByRole('button', { name: 'Add a passkey…' }).click();
  await card(page).getByLabel('Name for this passkey').fill('Phone screen lock');
  await page.keyboard.press('Enter');
  await card(page).getByRole('textbox', { name: 'Password' }).fill(PASSWORD);
  await page.keyboard.press('Enter');
  await expect(rows(page)).toHaveCount(1);
  expect(await authenticator.credentials()).toHaveLength(1);
  await page.getByRole('button', { name: 'Sign out of this browser' }).click();
  await expect(page.getByRole('button', { name: 'Sign in with a passkey' })).toBeVisible();
  await expectNoViolations(page, 'account page sign-in with a passkey, 360 px');
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expect(page.getByRole('heading', { name: 'Signed-in devices' })).toBeVisible();
  await expect(a.page.getByText(`Signed in as ${lab.email}`), 'the desktop stays signed in').toBeVisible();
});

test('a page at 127.0.0.1 is told to use localhost; a page the server does not list is refused; a window without WebAuthn says why', async ({ lab }) => {
  const a = await passkeyDevice(lab, 'Work laptop');
  const unlisted = await passkeyDevice(lab, 'Unlisted');
  const byIp = await lab.device('By address');
  await lab.allowPasskeysFrom([a]);
  const { credential } = await accountWithPasskey(lab, a);

  await authenticatorOn(byIp.page);
  await byIp.page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expect(byIp.page.getByRole('alert')).toContainText('Passkeys of this server do not work at 127.0.0.1:');
  await expect(byIp.page.getByRole('alert')).toContainText('use localhost, not 127.0.0.1');

  await (await authenticatorOn(unlisted.page)).add(credential);
  await unlisted.page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expect(unlisted.page.getByRole('alert')).toHaveText('That passkey does not sign in here: it is not one of an account on this server, or it was removed.');

  // A window whose engine offers no WebAuthn: the button says why, rather than failing when pressed.
  const bare = await a.context.newPage();
  await bare.addInitScript('delete window.PublicKeyCredential');
  await bare.goto(unlisted.host.url);
  await expect(bare.getByRole('button', { name: 'Sign in with a passkey' })).toBeDisabled();
  await expect(bare.getByText('This window cannot use passkeys: its browser engine has no passkey support.')).toBeVisible();
});

test('a copy whose counter went back is refused and flagged: every device hears it, and the list says so', async ({ lab }) => {
  const a = await passkeyDevice(lab, 'Work laptop');
  const b = await passkeyDevice(lab, 'Home desktop');
  const thief = await passkeyDevice(lab, 'Thief');
  await lab.allowPasskeysFrom([a, b, thief]);
  const { devices, credential } = await accountWithPasskey(lab, a);
  // The owner's second computer uses it twice: the counter the server keeps moves on.
  const owners = await authenticatorOn(b.page);
  await owners.add(credential);
  await b.page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expect(b.page.getByText(`Signed in as ${lab.email}`)).toBeVisible();
  await expect(liveRegion(devices)).toHaveText("New sign-in: 'Home desktop' from this computer.");
  // A copy taken before that answers with a counter behind the server's.
  await (await authenticatorOn(thief.page)).add({ ...credential, signCount: 0 });
  await thief.page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expect(thief.page.getByRole('alert')).toHaveText('That passkey does not sign in here: it is not one of an account on this server, or it was removed.');
  await expect(rows(devices).first()).toContainText('Someone used a copy of it: it no longer signs in. Remove it, then add a new one.');
  await expect(liveRegion(devices)).toHaveText("Passkey 'Laptop fingerprint' was copied, and no longer signs in.");
  await shot(devices, '91-passkey-copied');
});

test('with sign-in approval on, a passkey sign-in still waits for a device’s yes, and says whose sign-in it is not', async ({ lab }) => {
  const a = await passkeyDevice(lab, 'Work laptop');
  const b = await passkeyDevice(lab, 'Home desktop');
  await lab.allowPasskeysFrom([a, b]);
  const { devices, credential } = await accountWithPasskey(lab, a);
  const approval = devices.getByRole('region', { name: 'Sign-in approval' });
  await approval.getByRole('button', { name: 'Turn on…' }).click();
  await approval.getByLabel('Password').fill(PASSWORD);
  await devices.keyboard.press('Enter');
  await approval.getByRole('button', { name: 'I have saved them' }).click();
  await expect(approval.getByText(/^On\. A new device needs a yes/)).toBeVisible();

  await (await authenticatorOn(b.page)).add(credential);
  await b.page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expect(b.page.getByRole('heading', { name: 'Approve this sign-in on another device' })).toBeVisible();
  // No email was typed: the screen does not make one up.
  await expect(b.page.getByText(/^Signing in with a passkey\. Sign-in approval is on/)).toBeVisible();
  await expect(b.page.getByRole('button', { name: 'Type the password again' }), 'no password was typed').toHaveCount(0);
  await expect(b.page.getByText(/The password may be wrong/)).toHaveCount(0);
  await expectNoViolations(b.page, 'passkey sign-in waiting for approval');
  const number = (await b.page.locator('.big-number').textContent())?.trim() ?? '';
  const dialog = a.page.getByRole('dialog');
  await expect(dialog).toBeVisible();
  await dialog.getByRole('group').getByRole('button', { name: `Pick ${number}` }).click();
  await expect(b.page.getByText(`Signed in as ${lab.email}`)).toBeVisible();
});

for (const colorScheme of ['light', 'dark'] as const) {
  test(`at 360 px, ${colorScheme}: the list with a 64-character name fits and passes axe`, async ({ lab }) => {
    const a = await passkeyDevice(lab, 'Work laptop', colorScheme);
    await lab.allowPasskeysFrom([a]);
    const { devices } = await accountWithPasskey(lab, a, { width: 360 });
    const long = 'A'.repeat(30) + ' ' + 'B'.repeat(33);
    await rows(devices).first().getByRole('button', { name: "Rename passkey 'Laptop fingerprint'" }).click();
    await rows(devices).first().getByRole('textbox').fill(long);
    await devices.keyboard.press('Enter');
    await expect(rows(devices).first()).toContainText(long);
    const box = await card(devices).boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= 360).toBe(true);
    await expectNoViolations(devices, `passkeys list, 360 px, ${colorScheme}`);
    await shot(devices, `92-passkeys-360-${colorScheme}`);
  });
}
