// What a person on a keyboard, on a narrow window, or with a long device name
// notices: a focus ring they can see, destructive steps that need a deliberate
// answer, and nothing that scrolls sideways.
import type { Page } from '@playwright/test';
import { expect, noticeOf, shot, signedInPair, signIn, signInAlerts, test, signOutDevice } from './fixtures.js';

const LONG_NAME = 'Workstation-'.padEnd(64, 'x');

/** The page never scrolls sideways. */
async function expectNoSidewaysScroll(page: Page): Promise<void> {
  const { scrollWidth, clientWidth } = await page.evaluate<{ scrollWidth: number; clientWidth: number }>(
    '({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth })',
  );
  expect(scrollWidth, 'the page scrolls sideways').toBeLessThanOrEqual(clientWidth);
}

/** WCAG contrast ratio of two rgb() colours. */
function contrast(a: string, b: string): number {
  const luminance = (rgb: string) => {
    const [r, g, b] = (rgb.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((v) => Number(v) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

test('a 64-character name without spaces wraps at 360 px: home, new sign-in alert, devices list, activity and the sign-out notice', async ({ lab }) => {
  const a = await lab.device('Work laptop');
  await a.page.setViewportSize({ width: 360, height: 740 });
  await signIn(a.page, { email: lab.email, create: true });
  // The account exists before B signs in to it.
  await expect(a.page.getByText(`Signed in as ${lab.email}`)).toBeVisible();
  const b = await lab.device(LONG_NAME);
  await signIn(b.page, { email: lab.email });
  await expect(signInAlerts(a.page)).toContainText(LONG_NAME);
  await expectNoSidewaysScroll(a.page);
  await shot(a.page, '16-long-name-360');

  await b.page.setViewportSize({ width: 360, height: 740 });
  await expect(b.page.getByText(LONG_NAME)).toBeVisible();
  await expectNoSidewaysScroll(b.page);

  const devices = await a.openDevicesWindow();
  await devices.setViewportSize({ width: 360, height: 740 });
  await expect(devices.getByRole('listitem', { name: LONG_NAME })).toBeVisible();
  await expect(devices.getByText(`Signed in on '${LONG_NAME}'`)).toBeVisible();
  await expectNoSidewaysScroll(devices);
  await shot(devices, '17-devices-long-name-360');

  await signOutDevice(devices, LONG_NAME);
  await expect(noticeOf(b.page)).toBeVisible();
  await expectNoSidewaysScroll(b.page);
});

test('the keyboard focus ring stands out at least 3:1 from the page, in light and dark', async ({ lab }) => {
  for (const colorScheme of ['light', 'dark'] as const) {
    const device = await lab.device(`Laptop ${colorScheme}`, { colorScheme });
    await device.page.keyboard.press('Tab');
    const { outline, background } = await device.page.evaluate<{ outline: string; background: string }>(
      '({ outline: getComputedStyle(document.activeElement).outlineColor, background: getComputedStyle(document.body).backgroundColor })',
    );
    expect(contrast(outline, background), `${colorScheme}: ${outline} on ${background}`).toBeGreaterThanOrEqual(3);
  }
});

test('the filter box’s placeholder is readable, 4.5:1 against its field, in light and dark', async ({ lab }) => {
  for (const colorScheme of ['light', 'dark'] as const) {
    const device = await lab.device(`Laptop ${colorScheme}`, { colorScheme });
    await signIn(device.page, { email: lab.email, create: colorScheme === 'light' });
    await expect(device.page.getByText(`Signed in as ${lab.email}`)).toBeVisible();
    if (colorScheme === 'light') for (let i = 1; i <= 8; i++) await lab.seed(`Device ${i}`);
    const devices = await device.openDevicesWindow();
    await expect(devices.getByLabel('Filter devices')).toBeVisible();
    const { text, field, page } = await devices.evaluate<{ text: string; field: string; page: string }>(`(() => {
      const el = document.getElementById('device-filter');
      return { text: getComputedStyle(el, '::placeholder').color, field: getComputedStyle(el).backgroundColor, page: getComputedStyle(document.body).backgroundColor };
    })()`);
    const behind = field === 'rgba(0, 0, 0, 0)' ? page : field;
    expect(contrast(text, behind), `${colorScheme}: ${text} on ${behind}`).toBeGreaterThanOrEqual(4.5);
  }
});

test('"Sign out all other devices" focuses Cancel: Enter twice signs nobody out, Escape cancels, focus comes back', async ({ lab }) => {
  const { a, b } = await signedInPair(lab);
  const devices = await a.openDevicesWindow();
  const opener = devices.getByRole('button', { name: 'Sign out all other devices' });
  await opener.focus();
  await devices.keyboard.press('Enter');
  await expect(devices.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await devices.keyboard.press('Enter');
  await expect(opener).toBeFocused();
  await devices.keyboard.press('Enter');
  await devices.keyboard.press('Escape');
  await expect(devices.getByRole('group', { name: 'Confirm signing out all other devices' })).toHaveCount(0);
  await expect(opener).toBeFocused();
  await expect(b.page.getByText(`Signed in as ${lab.email}`)).toBeVisible();
  await expect(devices.getByRole('listitem', { name: 'Home desktop' })).toBeVisible();
});

test('Escape closes the password form', async ({ lab }) => {
  const { a } = await signedInPair(lab);
  const alert = signInAlerts(a.page);
  await alert.getByRole('button', { name: "That wasn't me" }).click();
  await expect(a.page.getByLabel('Current password')).toBeFocused();
  await a.page.keyboard.press('Escape');
  await expect(a.page.getByRole('heading', { name: 'Change password' })).toHaveCount(0);
});
