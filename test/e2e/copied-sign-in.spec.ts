// A copied sign-in as people see it: the device whose token was copied says
// why it was signed out and where the copy was used; every other device shows
// whose sign-in it was and where, in every window, with the way to a new
// password. The copy is read out of the real keychain and used over HTTP from
// another address, as a thief would.
import { KEYCHAIN_SERVICE, loadKeytar } from '../../electron/core/token-vault.js';
import { Http, newClaim } from '../../kit/http.js';
import { expect, expectNoViolations, liveRegion, noticeOf, PASSWORD, shot, signedInPair, signIn, test } from './fixtures.js';

const GRACE = 60_000;
const LONDON = '81.2.69.142';

test('a copied sign-in ends that device, and every other device says whose and where, and leads to a new password', async ({ lab }) => {
  test.setTimeout(60_000);
  const clock = await lab.useManualClock();
  const { a, b } = await signedInPair(lab);
  const devicesWindow = await a.openDevicesWindow();
  const keytar = await loadKeytar();
  const stolen = (await keytar.getPassword(KEYCHAIN_SERVICE, b.account))!;
  expect(stolen).toMatch(/^lt_/);

  // The owner's laptop reconnects after a while and replaces its token; then uses the new one.
  clock.advance(GRACE);
  await b.restart();
  await expect.poll(() => keytar.getPassword(KEYCHAIN_SERVICE, b.account)).not.toBe(stolen);
  const renewed = (await keytar.getPassword(KEYCHAIN_SERVICE, b.account))!;
  const http = new Http(lab.server.url);
  expect((await http.get('/v1/auth/session', renewed)).status).toBe(200);

  // Later the thief uses the copy from London.
  clock.advance(GRACE + 1);
  const used = await http.request('GET', '/v1/sessions', { token: stolen, headers: { 'x-forwarded-for': LONDON } });
  expect(used.status).toBe(401);

  const notice = noticeOf(b.page);
  await expect(notice).toContainText(`the key that kept this device signed in was in use in two places at once, ${LONDON} (London, United Kingdom) and 127.0.0.1 (this computer): one of them is a copy.`);
  await expect(notice).toContainText('Sign in again, then change your password.');
  await shot(b.page, 'copied-sign-in-notice');

  const title = "'Home desktop' was signed out to protect your account";
  const alert = a.page.getByRole('region', { name: title });
  await expect(alert.getByRole('heading', { name: title })).toBeVisible();
  await expect(alert).toContainText(`${LONDON} (London, United Kingdom)`);
  await expect(alert).toContainText("Latch signed 'Home desktop' out, so no copy works any more. Change your password now");
  await expect(liveRegion(a.page)).toHaveText("Security alert: someone used a copy of the key that kept 'Home desktop' signed in. Latch signed it out. Change your password.");
  await expect(devicesWindow.getByRole('region', { name: title })).toBeVisible();
  await expect(devicesWindow.getByRole('listitem', { name: 'Home desktop' })).toHaveCount(0);
  await shot(a.page, 'copied-sign-in-alert');
  await a.page.setViewportSize({ width: 360, height: 740 });
  await shot(a.page, 'copied-sign-in-alert-360');
  for (const colorScheme of ['light', 'dark'] as const) {
    await a.page.emulateMedia({ colorScheme });
    await expectNoViolations(a.page, `the alert, ${colorScheme}`);
  }

  // By keyboard: Change password now opens the form with the focus in it, also when it is open already.
  await alert.getByRole('button', { name: 'Change password now' }).focus();
  await a.page.keyboard.press('Enter');
  await expect(a.page.getByLabel('Current password')).toBeFocused();
  await alert.getByRole('button', { name: 'Change password now' }).focus();
  await a.page.keyboard.press('Enter');
  await expect(a.page.getByLabel('Current password')).toBeFocused();
  // Dismiss takes the alert away in every window.
  await alert.getByRole('button', { name: "Dismiss the alert about 'Home desktop'" }).focus();
  await a.page.keyboard.press('Enter');
  await expect(alert).toHaveCount(0);
  await expect(a.page.getByRole('heading', { level: 1 })).toBeFocused();
  await expect(devicesWindow.getByRole('region', { name: title })).toHaveCount(0);
});

test('changing the password is what the alert asks for, so it goes away then', async ({ lab }) => {
  const clock = await lab.useManualClock();
  const a = await lab.device('Work laptop');
  await signIn(a.page, { email: lab.email, create: true });
  await expect(a.page.getByText(`Signed in as ${lab.email}`)).toBeVisible();
  const tablet = await lab.seed('Old tablet');
  const http = new Http(lab.server.url);
  clock.advance(GRACE);
  const renewed = (await http.post('/v1/auth/rotate', { claim: newClaim() }, tablet.token)).body.token as string;
  expect((await http.get('/v1/auth/session', renewed)).status).toBe(200);
  clock.advance(GRACE + 1);
  await http.request('GET', '/v1/sessions', { token: tablet.token, headers: { 'x-forwarded-for': LONDON } });

  const alert = a.page.getByRole('region', { name: "'Old tablet' was signed out to protect your account" });
  await alert.getByRole('button', { name: 'Change password now' }).click();
  await a.page.getByLabel('Current password').fill(PASSWORD);
  await a.page.getByLabel('New password').fill('a much longer new password');
  await a.page.getByRole('region', { name: 'Change password' }).getByRole('button', { name: 'Change password', exact: true }).click();
  await expect(a.page.getByRole('status').filter({ hasText: /Password changed/ })).toBeVisible();
  await expect(alert).toHaveCount(0);
});

test('a form refused before sending puts the focus on the first field it names', async ({ lab }) => {
  const a = await lab.device('Work laptop');
  await a.page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(a.page.getByLabel('Email')).toBeFocused();
  await expect(a.page.getByLabel('Email')).toHaveAccessibleDescription('Enter your email');
});
