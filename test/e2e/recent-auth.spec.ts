// Signing other devices out needs a password entered within 10 minutes, so a
// copied sign-in alone cannot throw the owner out. In Chromium, against a
// server on a clock the test moves: the app asks in place and then finishes.
import { MINUTE } from '../support/clock.js';
import { expect, noticeOf, PASSWORD, shot, signedInPair, signInAlerts, test, signOutDevice } from './fixtures.js';

test('signing out another device after 10 minutes asks for the password in place, then signs it out', async ({ lab }) => {
  const clock = await lab.useManualClock();
  const { a, b } = await signedInPair(lab);
  clock.advance(10 * MINUTE + 1_000);
  const devices = await a.openDevicesWindow();
  await signOutDevice(devices, 'Home desktop');

  const form = devices.getByRole('form', { name: "Confirm with your password to sign out 'Home desktop'" });
  await expect(form).toContainText("To sign out 'Home desktop', enter your password: you last entered it more than 10 minutes ago.");
  await expect(form.getByLabel('Password')).toBeFocused();
  await expect(devices.getByRole('button', { name: "Sign out 'Home desktop'", exact: true })).toHaveCount(0);
  await shot(devices, '15-password-again');
  await devices.keyboard.press('Escape');
  await expect(form).toHaveCount(0);
  await expect(devices.getByRole('button', { name: "Sign out 'Home desktop'", exact: true })).toBeFocused();
  // Enter asks which device first, with Cancel focused; Shift+Tab reaches Yes.
  await devices.keyboard.press('Enter');
  await expect(devices.getByRole('group', { name: "Confirm signing out 'Home desktop'" }).getByRole('button', { name: 'Cancel' })).toBeFocused();
  await devices.keyboard.press('Shift+Tab');
  await devices.keyboard.press('Enter');
  await expect(form.getByLabel('Password')).toBeFocused();

  await form.getByLabel('Password').fill('not my password');
  await devices.keyboard.press('Enter');
  await expect(form.getByText('That password is not right.')).toBeVisible();
  await expect(form.getByLabel('Password')).toHaveAttribute('aria-invalid', 'true');
  await expect(b.page.getByText(`Signed in as ${lab.email}`)).toBeVisible();

  await form.getByLabel('Password').fill(PASSWORD);
  await devices.keyboard.press('Enter');
  await expect(noticeOf(b.page)).toContainText("Signed out from 'Work laptop'");
  await expect(devices.getByText('No other device is signed in.')).toBeVisible();
});

test('"Sign out all other devices" asks for the password too; Escape cancels and nothing is signed out', async ({ lab }) => {
  const clock = await lab.useManualClock();
  const { a, b } = await signedInPair(lab);
  clock.advance(10 * MINUTE + 1_000);
  const devices = await a.openDevicesWindow();
  await devices.getByRole('button', { name: 'Sign out all other devices' }).click();
  await devices.getByRole('button', { name: 'Yes, sign out 1' }).click();
  const form = devices.getByRole('form', { name: 'Confirm with your password to sign out 1 other device' });
  await expect(form).toContainText('To sign out 1 other device, enter your password: you last entered it more than 10 minutes ago.');
  await expect(form.getByLabel('Password')).toBeFocused();
  await devices.keyboard.press('Escape');
  await expect(form).toHaveCount(0);
  await expect(devices.getByRole('button', { name: 'Sign out all other devices' })).toBeVisible();
  await expect(b.page.getByText(`Signed in as ${lab.email}`)).toBeVisible();

  await devices.getByRole('button', { name: 'Sign out all other devices' }).click();
  await devices.getByRole('button', { name: 'Yes, sign out 1' }).click();
  await form.getByLabel('Password').fill(PASSWORD);
  await form.getByRole('button', { name: 'Sign out 1' }).click();
  await expect(noticeOf(b.page)).toContainText("Signed out from 'Work laptop'");
  await expect(devices.getByText('No other device is signed in.')).toBeVisible();
});

test('"That wasn\'t me" on an old alert asks for the password, then signs the stranger out', async ({ lab }) => {
  const clock = await lab.useManualClock();
  const { a, b } = await signedInPair(lab);
  clock.advance(10 * MINUTE + 1_000);
  const alert = signInAlerts(a.page);
  await alert.getByRole('button', { name: "That wasn't me" }).click();
  await alert.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await alert.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(noticeOf(b.page)).toContainText("Signed out from 'Work laptop'");
  await expect(a.page.getByRole('heading', { name: 'Change password' })).toBeVisible();
});
