// axe (WCAG 2.2 A and AA rules) on every screen, in light and dark, at 360 px
// wide: zero violations. Each screen is reached the way a person reaches it.
import { expect, expectNoViolations, noticeOf, PASSWORD, shot, signIn, signInAlerts, test, signOutDevice } from './fixtures.js';

for (const colorScheme of ['light', 'dark'] as const) {
  test(`every screen passes axe, ${colorScheme}, at 360 px`, async ({ lab }) => {
    test.setTimeout(120_000);
    const clock = await lab.useManualClock();
    const a = await lab.device('Work laptop', { colorScheme });
    await a.page.setViewportSize({ width: 360, height: 740 });
    await expectNoViolations(a.page, 'sign-in');
    await a.page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(a.page.getByLabel('Email')).toHaveAttribute('aria-invalid', 'true');
    await expectNoViolations(a.page, 'sign-in with field errors');
    await a.page.getByRole('button', { name: 'Create an account instead' }).click();
    await expectNoViolations(a.page, 'create account');
    await a.page.getByRole('button', { name: 'I have an account' }).click();

    await signIn(a.page, { email: lab.email, create: true });
    await expect(a.page.getByText(`Signed in as ${lab.email}`)).toBeVisible();
    await expectNoViolations(a.page, 'home');
    for (let i = 1; i <= 9; i++) await lab.seed(`Device ${i}`, { from: i % 2 ? '81.2.69.142' : '10.0.0.7', os: 'Windows 11', platform: 'win32' });
    await expect(signInAlerts(a.page)).toContainText('9 new sign-ins');
    await a.page.getByRole('button', { name: 'Show them' }).click();
    await expectNoViolations(a.page, 'home with grouped alerts');
    await a.page.getByRole('button', { name: 'Change password' }).click();
    await a.page.getByRole('button', { name: 'Change password', exact: true }).last().click();
    await expectNoViolations(a.page, 'password change with errors');
    await a.page.keyboard.press('Escape');

    const devices = await a.openDevicesWindow();
    await devices.setViewportSize({ width: 360, height: 740 });
    await expect(devices.getByLabel('Filter devices')).toBeVisible();
    await expectNoViolations(devices, 'devices with 10 devices, filter and alerts');
    await devices.getByRole('button', { name: 'Dismiss all' }).click();
    await devices.getByLabel('Filter devices').fill('zzz');
    await expectNoViolations(devices, 'devices, filter matching nothing');
    await devices.getByLabel('Filter devices').fill('');
    const second = devices.getByRole('listitem', { name: 'Device 2' });
    await second.getByRole('button', { name: "Details for 'Device 2'" }).click();
    await expect(second.locator('.device-activity li')).toHaveCount(1);
    await expectNoViolations(devices, 'a device’s details');
    await second.locator('.session-details').scrollIntoViewIfNeeded();
    await shot(devices, `21-device-details-360-${colorScheme}`);
    await devices.getByRole('button', { name: 'Sign out all other devices' }).click();
    await expectNoViolations(devices, 'confirm step');
    await devices.keyboard.press('Escape');
    clock.advance(11 * 60_000);
    await signOutDevice(devices, 'Device 1');
    await devices.getByRole('button', { name: 'Sign out', exact: true }).click();
    await expect(devices.getByText('Enter your password', { exact: true })).toBeVisible();
    await expectNoViolations(devices, 'password asked again, with its error');
    await devices.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await devices.getByRole('button', { name: 'Sign out', exact: true }).click();
    await expect(devices.getByRole('listitem', { name: 'Device 1' })).toHaveCount(0);
    await devices.getByText('Recently signed out').click();
    await expect(devices.locator('.recent').getByRole('listitem', { name: 'Device 1' })).toBeVisible();
    await expectNoViolations(devices, 'recently signed out');

    await lab.stopServer();
    await expect(devices.getByText('Latch is offline, so no device can be signed out right now.')).toBeVisible({ timeout: 15_000 });
    await expectNoViolations(devices, 'devices offline');
    await expectNoViolations(a.page, 'home offline');
    await lab.restartServer({ clock });

    const b = await lab.device('Home desktop', { colorScheme });
    await b.page.setViewportSize({ width: 360, height: 740 });
    await signIn(b.page, { email: lab.email });
    await expect(b.page.getByText(`Signed in as ${lab.email}`)).toBeVisible();
    await signOutDevice(devices, 'Home desktop');
    await expect(noticeOf(b.page)).toBeVisible();
    await expectNoViolations(b.page, 'sign-in with the forced sign-out notice');
  });
}
