// Getting back in, in Chromium against the real server, with each mail read from the server's local mailbox as
// its owner would: "Forgot password?" on the desktop and on the account page, the code a sign-in needs after many
// wrong passwords from elsewhere, confirming the address, and the mail setting. axe on each step, 360 px too.
import { DEFAULT_RATE_LIMIT } from '../../server/config/config.js';
import { Http, device as deviceInfo, register } from '../../kit/http.js';
import { mailedCode } from '../../kit/mailbox.js';
import { expect, expectNoViolations, liveRegion, noticeOf, PASSWORD, shot, signedInPair, signIn, test } from './fixtures.js';

const NEW_PASSWORD = 'a new passphrase after the loss';

test('"Forgot password?" on the desktop: a code by mail and a new password sign this device in and every other one out', async ({ lab }) => {
  const { a, b } = await signedInPair(lab);
  const c = await lab.device('Borrowed laptop');
  await c.page.getByRole('button', { name: 'Forgot password?' }).click();
  await expect(c.page.getByRole('heading', { name: 'Reset your password' })).toBeFocused();
  await c.page.getByLabel('Email').fill(lab.email);
  await shot(c.page, '60-reset-ask');
  await expectNoViolations(c.page, 'reset, asking for a code');
  await c.page.getByRole('button', { name: 'Send code' }).click();
  await expect(c.page.getByRole('status').filter({ hasText: `If ${lab.email} has a Latch account` })).toBeVisible();
  const codeField = c.page.getByLabel('Code from the mail');
  await expect(codeField, 'the code field has the focus').toBeFocused();
  await expect(codeField).toHaveAttribute('autocomplete', 'one-time-code');

  // A wrong code is said at the field, which keeps the focus.
  await codeField.fill('000000');
  await c.page.getByLabel('New password').fill(NEW_PASSWORD);
  await c.page.getByRole('button', { name: 'Set password and sign in' }).click();
  const code = await mailedCode(lab.server.url, lab.email, /password reset code/);
  if (code !== '000000') await expect(c.page.getByText('That code is not right')).toBeVisible();
  await shot(c.page, '61-reset-code');
  await expectNoViolations(c.page, 'reset, code and new password');

  // Pasted as some mail shows it, with a space.
  await codeField.fill(`${code.slice(0, 3)} ${code.slice(3)}`);
  await c.page.getByRole('button', { name: 'Set password and sign in' }).click();
  await expect(c.page.getByText(`Signed in as ${lab.email}`)).toBeVisible();
  for (const other of [a, b]) await expect(noticeOf(other.page)).toContainText("Your password was reset by email on 'Borrowed laptop'");
  await shot(a.page, '62-reset-notice-on-other-device');
});

test('with sign-in approval on, a reset waits for a signed-in device: approved there, the new password is set and every other device signed out', async ({ lab }) => {
  const { a } = await signedInPair(lab);
  const owner = await new Http(lab.server.url).post('/v1/auth/login', { email: lab.email, password: PASSWORD, device: deviceInfo('Script') });
  await new Http(lab.server.url).request('PUT', '/v1/account/sign-in-approval', { json: { required: true, password: PASSWORD }, token: owner.body.token });
  const c = await lab.device('Borrowed laptop');
  await c.page.getByRole('button', { name: 'Forgot password?' }).click();
  await c.page.getByLabel('Email').fill(lab.email);
  await c.page.keyboard.press('Enter');
  const code = await mailedCode(lab.server.url, lab.email, /password reset code/);
  await c.page.getByLabel('Code from the mail').fill(code);
  await c.page.getByLabel('New password').fill(NEW_PASSWORD);
  await c.page.getByRole('button', { name: 'Set password and sign in' }).click();
  await expect(c.page.getByRole('heading', { name: 'Approve this password reset on another device' })).toBeFocused();
  await expect(c.page.getByText(`Resetting the password of ${lab.email}.`)).toBeVisible();
  await expect(c.page.getByText('The password may be wrong'), 'no hint about a wrong password: none was typed').toHaveCount(0);
  const number = Number(await c.page.locator('.big-number').textContent());
  await shot(c.page, '63-reset-waits-for-approval');
  await expectNoViolations(c.page, 'reset waiting for approval');

  const dialog = a.page.getByRole('dialog');
  await expect(dialog.getByRole('heading', { name: "Is this you resetting your password on 'Borrowed laptop'?" })).toBeFocused();
  await expect(dialog).toContainText('Approving sets the new password and signs every other device out, this one included.');
  await shot(a.page, '68-reset-approval-prompt');
  await expectNoViolations(a.page, 'reset approval prompt');
  await dialog.getByRole('button', { name: `Pick ${number}` }).press('Enter');
  await expect(c.page.getByText(`Signed in as ${lab.email}`)).toBeVisible();
  await expect(noticeOf(a.page)).toContainText('reset by email');
});

test('after many wrong passwords from elsewhere, a sign-in from a new place asks for the mailed code, and gets in with it', async ({ lab }) => {
  await lab.stopServer();
  await lab.restartServer({ config: { rateLimit: DEFAULT_RATE_LIMIT } });
  const http = new Http(lab.server.url);
  // The account was made elsewhere: this machine's address is new to it.
  await register(http, lab.email, 'Phone', { 'x-forwarded-for': '192.0.2.10' });
  for (let i = 0; i < DEFAULT_RATE_LIMIT.maxFailuresPerAccount; i++) {
    await http.request('POST', '/v1/auth/login', { json: { email: lab.email, password: `guess ${i}`, device: deviceInfo('X') }, headers: { 'x-forwarded-for': `203.0.113.${i + 1}` } });
  }
  const c = await lab.device('Work laptop');
  await c.page.getByLabel('Email').fill(lab.email);
  await c.page.getByLabel('Password').fill(PASSWORD);
  await c.page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(c.page.getByRole('heading', { name: 'Enter the code from your mail' })).toBeVisible();
  const codeField = c.page.getByLabel('Code from the mail');
  await expect(codeField).toBeFocused();
  await shot(c.page, '64-step-up');
  await expectNoViolations(c.page, 'step-up');
  const code = await mailedCode(lab.server.url, lab.email, /finishes your Latch sign-in/);
  await codeField.fill(code);
  await c.page.getByLabel('Password').fill(PASSWORD);
  await c.page.getByRole('button', { name: 'Sign in with the code' }).click();
  await expect(c.page.getByText(`Signed in as ${lab.email}`)).toBeVisible();
});

test('an account made before addresses were confirmed: the banner confirms it with a mailed code; new sign-in mail can be turned off', async ({ lab }) => {
  const { b } = await signedInPair(lab);
  await expect(b.page.getByRole('region', { name: 'Confirm your email address' }), 'an account made by the code has its address confirmed').toHaveCount(0);
  lab.unconfirmEmail();
  const a = await lab.device('Work laptop');
  await signIn(a.page, { email: lab.email });
  const banner = a.page.getByRole('region', { name: 'Confirm your email address' });
  await expect(banner).toContainText(lab.email);
  await banner.getByRole('button', { name: 'Send a new code' }).click();
  await expect(banner).toContainText(`A new code is on its way to ${lab.email}.`);
  await expect(banner.getByLabel('Code'), 'the code field has the focus').toBeFocused();
  await shot(a.page, '65-confirm-email-banner');
  await expectNoViolations(a.page, 'home with the confirm banner');
  const code = await mailedCode(lab.server.url, lab.email, /confirms your email/);
  await banner.getByLabel('Code').fill(code);
  await banner.getByRole('button', { name: 'Confirm' }).click();
  await expect(banner).toHaveCount(0);
  await expect(liveRegion(a.page)).toHaveText('Your email address is confirmed.');

  const devices = await a.openDevicesWindow();
  const box = devices.getByRole('checkbox', { name: 'Email me when a device signs in' });
  await expect(box).toBeChecked();
  await box.press('Space');
  await expect(box).not.toBeChecked();
  await expect(liveRegion(devices)).toHaveText('Sign-in alerts by email are off.');
  await devices.reload();
  await expect(devices.getByRole('checkbox', { name: 'Email me when a device signs in' })).not.toBeChecked();
  await devices.getByRole('heading', { name: 'Email alerts' }).scrollIntoViewIfNeeded();
  await shot(devices, '66-mail-setting');
});

for (const colorScheme of ['light', 'dark'] as const) {
  test(`at 360 px, ${colorScheme}: "Forgot password?" on the account page fits, passes axe, and signs the browser in`, async ({ lab }) => {
    await signedInPair(lab);
    const { page } = await lab.accountPage({ width: 360, colorScheme });
    await page.getByRole('button', { name: 'Forgot password?' }).click();
    await expect(page.getByRole('heading', { name: 'Reset your password' })).toBeFocused();
    await expect(page.getByLabel('Server')).toHaveCount(0);
    await page.getByLabel('Email').fill(lab.email);
    await page.getByRole('button', { name: 'Send code' }).click();
    const code = await mailedCode(lab.server.url, lab.email, /password reset code/);
    await page.getByLabel('Code from the mail').fill(code);
    await page.getByLabel('New password').fill(NEW_PASSWORD);
    expect(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'), 'nothing wider than the page').toBe(0);
    await shot(page, `67-account-reset-360-${colorScheme}`);
    await expectNoViolations(page, `account page reset, 360 px ${colorScheme}`);
    await page.getByRole('button', { name: 'Set password and sign in' }).click();
    await expect(page.getByRole('heading', { name: 'Signed-in devices' })).toBeVisible();
  });
}
