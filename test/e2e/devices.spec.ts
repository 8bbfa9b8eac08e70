// Two devices, one account, driven the way a person would, in Chromium.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { keychainEntry } from '../support/devices.js';
import { connectionPill, expect, noticeOf, PASSWORD, shot, signedInPair, signIn, signInAlerts, test, signOutDevice } from './fixtures.js';

test('create an account on A, sign in on B: A sees both, itself first as "This device"', async ({ lab }) => {
  const a = await lab.device('Work laptop');
  await expect(a.page.getByRole('heading', { name: 'Sign in to Latch' })).toBeVisible();
  await shot(a.page, '01-sign-in');
  await signIn(a.page, { email: lab.email, create: true });
  await expect(a.page.getByText(`Signed in as ${lab.email}`)).toBeVisible();
  await expect(connectionPill(a.page, 'Online')).toBeVisible();
  await expect(a.page.getByText('The key that keeps you signed in is saved in the system keyring.')).toBeVisible();
  await shot(a.page, '02-home');

  await a.page.getByRole('button', { name: 'Signed-in devices…' }).click();
  await expect.poll(() => a.host.devicesWindowRequests).toBe(1);

  const b = await lab.device('Home desktop');
  await signIn(b.page, { email: lab.email });
  await expect(b.page.getByText(`Signed in as ${lab.email}`)).toBeVisible();

  const devices = await a.openDevicesWindow();
  const rows = devices.getByRole('listitem').filter({ has: devices.locator('.device-name') });
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toContainText('Work laptop');
  await expect(rows.nth(0)).toContainText('This device');
  await expect(rows.nth(1)).toContainText('Home desktop');
  await expect(rows.nth(1)).toContainText('online now');
  await expect(devices.getByRole('heading', { name: 'Recent activity' })).toBeVisible();
  await expect(devices.getByText("Signed in on 'Home desktop'")).toBeVisible();
  await shot(devices, '03-devices');
});

test('the list shows who is online now, live both ways: B quits and A sees it at once', async ({ lab }) => {
  const { a, b } = await signedInPair(lab);
  const devices = await a.openDevicesWindow();
  const row = devices.getByRole('listitem', { name: 'Home desktop' });
  await expect(row).toContainText('online now');
  await b.host.close();
  await expect(row).toContainText('last active just now');
  await expect(row).not.toContainText('online now');
});

test('A signs out B: B shows who did it with no action of its own, and forgets its token', async ({ lab }) => {
  const { a, b } = await signedInPair(lab);
  expect(await keychainEntry(b.account)).toBeTruthy();

  const devices = await a.openDevicesWindow();
  await signOutDevice(devices, 'Home desktop');

  const notice = noticeOf(b.page);
  await expect(notice).toContainText("Signed out from 'Work laptop' at ");
  await expect(b.page.getByRole('heading', { name: 'Sign in to Latch' })).toBeVisible();
  await shot(b.page, '04-forced-sign-out-notice');
  expect(await keychainEntry(b.account)).toBeNull();
  await expect(devices.getByText('No other device is signed in.')).toBeVisible();
  await shot(devices, '05-only-session');

  // The notice is keyboard-dismissable.
  await b.page.getByRole('button', { name: 'Dismiss' }).focus();
  await b.page.keyboard.press('Enter');
  await expect(notice).toHaveCount(0);
});

test('B signs in again and A grows live; "Sign out all other devices" asks first, then B is told', async ({ lab }) => {
  const a = await lab.device('Work laptop');
  await signIn(a.page, { email: lab.email, create: true });
  const devices = await a.openDevicesWindow();
  await expect(devices.getByText('No other device is signed in.')).toBeVisible();

  const b = await lab.device('Home desktop');
  await signIn(b.page, { email: lab.email });
  await expect(devices.getByRole('listitem', { name: 'Home desktop', exact: true })).toBeVisible();
  const c = await lab.device('Tablet');
  await signIn(c.page, { email: lab.email });
  await expect(devices.getByRole('listitem', { name: 'Tablet', exact: true })).toBeVisible();

  await devices.getByRole('button', { name: 'Sign out all other devices' }).click();
  await expect(devices.getByText('Are you sure? This signs out 2 other devices.')).toBeVisible();
  await shot(devices, '06-confirm-sign-out-others');
  await devices.getByRole('button', { name: 'Yes, sign out 2' }).click();

  for (const other of [b, c]) await expect(noticeOf(other.page)).toContainText("Signed out from 'Work laptop'");
  await expect(devices.getByText('No other device is signed in.')).toBeVisible();
  await expect(devices.getByText("'Work laptop' signed out 2 other devices")).toBeVisible();
});

test('a new sign-in alert appears on A, and "That wasn\'t me" signs B out and opens password change', async ({ lab }) => {
  const a = await lab.device('Work laptop');
  await signIn(a.page, { email: lab.email, create: true });
  await expect(a.page.getByText(`Signed in as ${lab.email}`)).toBeVisible();
  const b = await lab.device('Strange PC');
  await signIn(b.page, { email: lab.email });

  const alert = signInAlerts(a.page);
  await expect(alert).toContainText("'Strange PC'");
  await expect(alert).toContainText('from this computer, 127.0.0.1');
  await shot(a.page, '07-new-sign-in-alert');
  await alert.getByRole('button', { name: "That wasn't me" }).click();

  await expect(noticeOf(b.page)).toContainText("Signed out from 'Work laptop'");
  await expect(a.page.getByRole('heading', { name: 'Change password' })).toBeVisible();
  await expect(a.page.getByLabel('Current password')).toBeFocused();
});

test('a password change on A signs B out with the password-changed words', async ({ lab }) => {
  const { a, b } = await signedInPair(lab);

  await a.page.getByRole('button', { name: 'Change password' }).click();
  await a.page.getByLabel('Current password').fill('not my password');
  await a.page.getByLabel('New password').fill('a brand new passphrase');
  await a.page.getByRole('button', { name: 'Change password' }).last().click();
  await expect(a.page.getByText('The current password is not right.')).toBeVisible();
  await shot(a.page, '08-password-change-error');

  await a.page.getByLabel('Current password').fill(PASSWORD);
  await a.page.getByRole('button', { name: 'Change password' }).last().click();
  await expect(a.page.getByRole('status').filter({ hasText: 'Password changed.' })).toContainText('1 other device was signed out.');
  await expect(noticeOf(b.page)).toContainText("Your password was changed on another device ('Work laptop')");
  await shot(b.page, '09-password-changed-notice');
});

test('with the server stopped B says offline and stays signed in; revoked meanwhile, it shows the notice on reconnect', async ({ lab }) => {
  const { a, b } = await signedInPair(lab);
  await expect(connectionPill(b.page, 'Online')).toBeVisible();

  await lab.stopServer();
  await expect(connectionPill(b.page, 'Offline')).toBeVisible();
  await expect(b.page.getByText(`Signed in as ${lab.email}`)).toBeVisible();
  expect(await keychainEntry(b.account)).toBeTruthy();
  await shot(b.page, '10-offline');

  await lab.restartServer();
  const devices = await a.openDevicesWindow();
  await signOutDevice(devices, 'Home desktop');
  await expect(noticeOf(b.page)).toContainText("Signed out from 'Work laptop'");
  expect(await keychainEntry(b.account)).toBeNull();
});

test('offline, the devices window says why nothing can be signed out, and catches up by itself when the server is back', async ({ lab }) => {
  const { a } = await signedInPair(lab);
  const devices = await a.openDevicesWindow();
  const signOutB = devices.getByRole('button', { name: "Sign out 'Home desktop'", exact: true });
  await expect(signOutB).toBeEnabled();
  const rowB = devices.getByRole('listitem', { name: 'Home desktop' });
  await expect(rowB).toContainText('online now');

  await lab.stopServer();
  await expect(connectionPill(devices, 'Offline')).toBeVisible();
  await expect(signOutB).toBeDisabled();
  await expect(devices.getByRole('button', { name: 'Sign out all other devices' })).toBeDisabled();
  await expect(devices.getByText('Latch is offline, so no device can be signed out right now.')).toBeVisible();
  await expect(signOutB).toHaveAccessibleDescription(/Latch is offline/);
  // Still in the Tab order, so the reason is heard with it; Enter there does nothing.
  await signOutB.focus();
  await expect(signOutB).toBeFocused();
  await devices.keyboard.press('Enter');
  await expect(devices.getByRole('group', { name: "Confirm signing out 'Home desktop'" })).toHaveCount(0);
  // A window opened while offline says so instead of "Loading…" for ever.
  const late = await a.openDevicesWindow();
  await expect(late.getByText('Recent activity cannot load while Latch is offline.')).toBeVisible();
  for (const setting of ['Sign-in approval', 'Email alerts']) {
    await expect(late.getByRole('region', { name: setting }), `${setting}: not "Loading…" for ever`).toContainText('This setting cannot load while Latch is offline.');
  }
  await expect(rowB, 'offline, it cannot know who is online now').not.toContainText('online now');
  await shot(late, '18-devices-offline');

  await lab.restartServer();
  await expect(signOutB).toBeEnabled();
  await expect(late.getByText("Signed in on 'Home desktop'")).toBeVisible();
  await expect(late.getByRole('button', { name: "Sign out 'Home desktop'", exact: true })).toBeEnabled();
});

test('"That wasn\'t me" offline: its error is announced, goes when the connection is back, and then it works', async ({ lab }) => {
  const { a } = await signedInPair(lab);
  const alert = signInAlerts(a.page);
  const notMe = alert.getByRole('button', { name: "That wasn't me" });
  await expect(notMe).toBeVisible();
  await lab.stopServer();
  await expect(connectionPill(a.page, 'Offline')).toBeVisible();
  await notMe.click();
  const error = alert.getByRole('alert');
  await expect(error, 'a screen reader hears why nothing happened').not.toBeEmpty();
  await shot(a.page, '74-not-me-offline');

  await lab.restartServer();
  await expect(connectionPill(a.page, 'Online')).toBeVisible();
  await expect(error, 'stale once the connection is back').toHaveCount(0);
  await notMe.click();
  await expect(a.page.getByRole('heading', { name: 'Change password' })).toBeVisible();
});

test('B restarted is still signed in, from the keychain, without a password', async ({ lab }) => {
  const b = await lab.device('Home desktop');
  await signIn(b.page, { email: lab.email, create: true });
  await expect(b.page.getByText(`Signed in as ${lab.email}`)).toBeVisible();
  await b.restart();
  await expect(b.page.getByText(`Signed in as ${lab.email}`)).toBeVisible();
  await expect(connectionPill(b.page, 'Online')).toBeVisible();
});

test('started offline with nothing remembered about the account, it says it is signed in without making one up, and shows it when the server answers', async ({ lab }) => {
  const b = await lab.device('Home desktop');
  await signIn(b.page, { email: lab.email, create: true });
  await expect(b.page.getByText(`Signed in as ${lab.email}`)).toBeVisible();
  await lab.stopServer();
  // What an older version, or a lost profile.json, leaves: the token in the keychain and nothing else.
  rmSync(join(b.appDataDir, 'profiles', b.profile, 'profile.json'));
  await b.restart();
  await expect(b.page.getByText('You are signed in on this device. Your account shows here as soon as Latch reaches the server.')).toBeVisible();
  await expect(connectionPill(b.page, 'Offline')).toBeVisible();
  await expect(b.page.getByRole('button', { name: 'Sign out' })).toBeEnabled();
  await expect(b.page.getByText('your account', { exact: true })).toHaveCount(0);
  await shot(b.page, '10b-resuming');
  const devices = await b.openDevicesWindow();
  await expect(devices.getByText('Your devices cannot load while Latch is offline.')).toBeVisible();
  await shot(devices, '10c-devices-resuming');

  await lab.restartServer();
  await expect(b.page.getByText(`Signed in as ${lab.email}`)).toBeVisible();
  await expect(connectionPill(b.page, 'Online')).toBeVisible();
  await expect(devices.getByRole('heading', { name: 'Signed-in devices' })).toBeVisible();
  await expect(devices.getByText('Home desktop').first()).toBeVisible();
});

test('rename this device inline, by keyboard', async ({ lab }) => {
  const a = await lab.device('Work laptop');
  await signIn(a.page, { email: lab.email, create: true });
  const devices = await a.openDevicesWindow();
  await devices.getByRole('button', { name: 'Rename' }).click();
  await devices.getByLabel('Device name').fill('Ada’s laptop');
  await devices.keyboard.press('Enter');
  await expect(devices.getByRole('listitem').first()).toContainText('Ada’s laptop');
  await expect(a.page.locator('.device-name')).toHaveText('Ada’s laptop');
});

test('wrong password, plain-http remote server and an empty form: clear messages, nothing sent or stored', async ({ lab }) => {
  const a = await lab.device('Work laptop');
  await a.page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(a.page.getByText('Enter your email')).toBeVisible();
  await expect(a.page.getByText('Enter your password')).toBeVisible();
  await shot(a.page, '11-empty-form');

  await signIn(a.page, { email: lab.email, serverUrl: 'http://latch.example.com' });
  await expect(a.page.getByText('Latch only uses plain http on this computer. Use https://latch.example.com to reach latch.example.com.')).toBeVisible();
  await shot(a.page, '12-insecure-server');

  await signIn(a.page, { email: lab.email, serverUrl: lab.serverUrl, password: 'wrong password' });
  await expect(a.page.getByRole('alert')).toHaveText('The email or password is not right.');
  expect(await keychainEntry(a.account)).toBeNull();
  const users = await lab.server.store.db.selectFrom('users').select('id').execute();
  expect(users).toHaveLength(0);
});

test('dark theme follows the OS', async ({ lab }) => {
  const a = await lab.device('Work laptop', { colorScheme: 'dark' });
  await signIn(a.page, { email: lab.email, create: true });
  // The account exists before B signs in to it.
  await expect(a.page.getByText(`Signed in as ${lab.email}`)).toBeVisible();
  const b = await lab.device('Home desktop');
  await signIn(b.page, { email: lab.email });
  const devices = await a.openDevicesWindow();
  await expect(devices.getByRole('listitem', { name: 'Home desktop', exact: true })).toBeVisible();
  const background = await devices.evaluate('getComputedStyle(document.body).backgroundColor');
  expect(background).toBe('rgb(21, 24, 28)');
  await shot(devices, '13-devices-dark');
  await shot(a.page, '14-home-dark');
});
