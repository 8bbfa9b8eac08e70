// Codes from an authenticator app in Chromium, through the browser host against the real server: set up from
// the devices window (the spec reads the key from the page, as a person types it into an app), then a second
// device signs in with the password and a code; a wrong code is said on the field; a recovery code works
// instead; at 360 px, light and dark, the setup fits and passes axe. Screenshots of each new screen.
import type { Page } from '@playwright/test';
import { Secret, TOTP } from 'otpauth';
import { expect, expectNoViolations, PASSWORD, shot, signIn, test, type Device, type Lab } from './fixtures.js';

/** The code an app shows for `key` at `at` (ms), or `steps` of 30 s after now. */
const codeFor = (key: string, steps = 0) => new TOTP({ secret: Secret.fromBase32(key), digits: 6, period: 30, algorithm: 'SHA1' }).generate({ timestamp: Date.now() + steps * 30_000 });

const card = (page: Page) => page.getByRole('region', { name: 'Authenticator app' });

/** A creates the account and sets an app up from the devices window; the key, the recovery codes, and the window. */
async function accountWithCodes(lab: Lab, options: { screenshots?: boolean; width?: number; colorScheme?: 'light' | 'dark' } = {}) {
  const a = await lab.device('Work laptop', options.colorScheme ? { colorScheme: options.colorScheme } : {});
  await signIn(a.page, { email: lab.email, create: true });
  await expect(a.page.getByText(`Signed in as ${lab.email}`)).toBeVisible();
  const devices = await a.openDevicesWindow();
  if (options.width) await devices.setViewportSize({ width: options.width, height: 740 });
  const section = card(devices);
  await expect(section.getByText('Off. No code from an app is asked for.')).toBeVisible();
  await section.getByRole('button', { name: 'Set up…' }).click();
  await expect(section.getByLabel('Password')).toBeFocused();
  await section.getByLabel('Password').fill(PASSWORD);
  await devices.keyboard.press('Enter');
  await expect(section.getByRole('heading', { name: 'Scan this QR code with your authenticator app' })).toBeFocused();
  await expect(section.getByRole('img', { name: 'QR code of the key for your authenticator app' })).toBeVisible();
  const key = ((await section.locator('.authenticator-key').textContent()) ?? '').replace(/\s/g, '');
  expect(key).toMatch(/^[A-Z2-7]{32}$/);
  if (options.screenshots) {
    await shot(devices, '82-authenticator-setup');
    await expectNoViolations(devices, 'authenticator setup');
  }
  if (options.width) {
    const box = await section.boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= options.width).toBe(true);
    await expectNoViolations(devices, `authenticator setup, ${options.width} px, ${options.colorScheme ?? 'light'}`);
    await shot(devices, `84-authenticator-setup-${options.width}-${options.colorScheme ?? 'light'}`);
  }
  // A code from some other key: said on the field, which keeps the focus; codes stay off.
  const field = section.getByLabel('Code the app shows');
  await field.fill(codeFor('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'));
  await section.getByRole('button', { name: 'Check the code and turn on' }).click();
  await expect(section.getByRole('alert')).toContainText('That code is not the one your authenticator app shows now.');
  await expect(field).toBeFocused();
  await field.fill(codeFor(key));
  await devices.keyboard.press('Enter');
  await expect(section.getByRole('heading', { name: 'Your recovery codes' })).toBeFocused();
  const codes = await section.locator('.code-list code').allTextContents();
  expect(codes).toHaveLength(10);
  await section.getByRole('button', { name: 'I have saved them' }).click();
  await expect(section.getByText('On. Signing in with the password also needs the 6-digit code your app shows, or a recovery code. 10 recovery codes left.')).toBeVisible();
  await expect(section.getByRole('button', { name: 'Turn off…' })).toBeFocused();
  return { a, key, codes, devices };
}

/** B signs in with the password and reaches the code step. */
async function toCodeStep(lab: Lab, name = 'Home desktop'): Promise<Device> {
  const b = await lab.device(name);
  await signIn(b.page, { email: lab.email });
  await expect(b.page.getByRole('heading', { name: 'Enter a code from your authenticator app' })).toBeVisible();
  await expect(b.page.getByLabel('Code from the app')).toBeFocused();
  return b;
}

test('set up from the devices window with a code from the app; then B signs in with the password and a code, and A’s list says how', async ({ lab }) => {
  const { key, devices } = await accountWithCodes(lab, { screenshots: true });
  await expect(devices.getByText("Authenticator app codes turned on on 'Work laptop'")).toBeVisible();

  const b = await toCodeStep(lab);
  await shot(b.page, '83-authenticator-code-step');
  await expectNoViolations(b.page, 'authenticator code step');
  await b.page.getByLabel('Code from the app').fill('000000');
  await b.page.keyboard.press('Enter');
  await expect(b.page.getByRole('alert').filter({ hasText: 'That code is not right, or was used already.' })).toBeVisible();
  await expect(b.page.getByLabel('Code from the app')).toBeFocused();
  // The next step's code: the one setting up spent this step's.
  await b.page.getByLabel('Code from the app').fill(codeFor(key, 1));
  await b.page.keyboard.press('Enter');
  await expect(b.page.getByText(`Signed in as ${lab.email}`)).toBeVisible();

  const row = devices.getByRole('listitem', { name: 'Home desktop' });
  await expect(row).toBeVisible();
  await row.getByRole('button', { name: /Details/ }).click();
  await expect(devices.getByText('With the password and a code from an authenticator app')).toBeVisible();
});

test('no phone at hand: a recovery code in the same field signs in, once', async ({ lab }) => {
  const { codes } = await accountWithCodes(lab);
  const b = await toCodeStep(lab);
  await b.page.getByLabel('Code from the app').fill(codes[0]!.toUpperCase());
  await b.page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(b.page.getByText(`Signed in as ${lab.email}`)).toBeVisible();
  const c = await toCodeStep(lab, 'Tablet');
  await c.page.getByLabel('Code from the app').fill(codes[0]!);
  await c.page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(c.page.getByRole('alert').filter({ hasText: 'That code is not right, or was used already.' })).toBeVisible();
});

test('turned off with the password: the password alone signs in again', async ({ lab }) => {
  const { devices } = await accountWithCodes(lab);
  const section = card(devices);
  await section.getByRole('button', { name: 'Turn off…' }).click();
  await section.getByLabel('Password').fill(PASSWORD);
  await section.getByRole('button', { name: 'Turn off authenticator codes' }).click();
  await expect(section.getByText('Off. No code from an app is asked for.')).toBeVisible();
  await expect(section.getByRole('button', { name: 'Set up…' })).toBeFocused();
  const b = await lab.device('Home desktop');
  await signIn(b.page, { email: lab.email });
  await expect(b.page.getByText(`Signed in as ${lab.email}`)).toBeVisible();
});

test('on the account page: the password, then a code, signs the browser in, and the setting is there too', async ({ lab }) => {
  const { key } = await accountWithCodes(lab);
  const { page } = await lab.accountPage({ width: 360 });
  await page.getByLabel('Email').fill(lab.email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Enter a code from your authenticator app' })).toBeVisible();
  await expect(page.getByLabel('Code from the app')).toBeFocused();
  await expectNoViolations(page, 'account page, code step, 360 px');
  await shot(page, '85-account-authenticator-code-360');
  await page.getByLabel('Code from the app').fill(codeFor(key, 1));
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Signed-in devices' })).toBeVisible();
  await expect(card(page).getByText(/^On\. Signing in with the password/)).toBeVisible();
});

test('Escape leaves the setup; past its ten minutes it says so and starts again from the password; with sign-in approval on too, the card says approval decides and the saved codes stay', async ({ lab }) => {
  const clock = await lab.useManualClock();
  const a = await lab.device('Work laptop');
  await signIn(a.page, { email: lab.email, create: true });
  await expect(a.page.getByText(`Signed in as ${lab.email}`)).toBeVisible();
  const devices = await a.openDevicesWindow();
  const section = card(devices);
  const begin = async () => {
    await section.getByRole('button', { name: /^(Set up…|Start again…)$/ }).click();
    await section.getByLabel('Password').fill(PASSWORD);
    await devices.keyboard.press('Enter');
    await expect(section.getByRole('heading', { name: 'Scan this QR code with your authenticator app' })).toBeFocused();
    return ((await section.locator('.authenticator-key').textContent()) ?? '').replace(/\s/g, '');
  };
  await begin();
  await devices.keyboard.press('Escape');
  await expect(section.getByRole('button', { name: 'Set up…' })).toBeFocused();

  await begin();
  clock.advance(10 * 60_000 + 1_000);
  await section.getByLabel('Code the app shows').fill('123456');
  await devices.keyboard.press('Enter');
  await expect(section.getByRole('alert')).toHaveText('This setup has ended. Delete the Latch entry your app just made, then start again.');
  await expect(section.getByRole('button', { name: 'Start again…' })).toBeFocused();
  await expectNoViolations(devices, 'authenticator setup ended');
  const key = await begin();
  // The server's clock is ahead of this one by the ten minutes: the app's code is of its time.
  await section.getByLabel('Code the app shows').fill(new TOTP({ secret: Secret.fromBase32(key) }).generate({ timestamp: clock.now() }));
  await devices.keyboard.press('Enter');
  await expect(section.getByRole('heading', { name: 'Your recovery codes' })).toBeFocused();
  await section.getByRole('button', { name: 'I have saved them' }).click();

  const approval = devices.getByRole('region', { name: 'Sign-in approval' });
  await approval.getByRole('button', { name: 'Turn on…' }).click();
  await approval.getByLabel('Password').fill(PASSWORD);
  await devices.keyboard.press('Enter');
  await expect(approval.getByText('On. A new device needs a yes from one of your devices, or a recovery code. 10 recovery codes left.')).toBeVisible();
  await expect(devices.getByRole('heading', { name: 'Your recovery codes' }), 'the set saved at setup stays').toHaveCount(0);
  await expect(section.getByText(/^On, but while sign-in approval is on it decides/)).toBeVisible();
  await shot(devices, '86-authenticator-with-approval');
});

for (const colorScheme of ['light', 'dark'] as const) {
  test(`at 360 px, ${colorScheme}: the setup fits and passes axe`, async ({ lab }) => {
    await accountWithCodes(lab, { width: 360, colorScheme });
  });
}
