// The devices window as a demanding user meets it: where and what each device
// is, one alert for many sign-ins shared by both windows, 50 devices, the
// devices signed out lately, focus after every action, what the live region
// says, and dates in another locale. Chromium against the real server.
import type { Page } from '@playwright/test';
import { messagesFor } from '../../shared/messages.js';
import { connectionPill, expect, liveRegion, noticeOf, PASSWORD, shot, signedInPair, signIn, signInAlerts, test, signOutDevice } from './fixtures.js';

/** The focused element as "tag:accessible label or text". */
const focused = (page: Page) =>
  page.evaluate<string>(`(() => {
    const el = document.activeElement;
    return el ? el.tagName.toLowerCase() + ':' + (el.getAttribute('aria-label') ?? el.textContent.trim().slice(0, 60)) : 'none';
  })()`);

test('each device says where it is and what it runs: the list, the alert and recent activity', async ({ lab }) => {
  const { a } = await signedInPair(lab);
  await lab.seed('London laptop', { from: '81.2.69.142', os: 'macOS 15.2', platform: 'darwin' });
  const alert = signInAlerts(a.page);
  await expect(alert).toContainText("'London laptop' (macOS 15.2) from London, United Kingdom, 81.2.69.142");
  await expect(alert.locator('time'), 'the alert says when').toHaveAttribute('datetime', /^\d{4}-\d{2}-\d{2}T/);
  const devices = await a.openDevicesWindow();
  const row = devices.getByRole('listitem', { name: 'London laptop' });
  await expect(row).toContainText('macOS 15.2');
  await expect(row).toContainText('London, United Kingdom');
  await expect(devices.getByRole('listitem', { name: 'Home desktop' })).toContainText('This computer');
  await expect(devices.locator('.activity')).toContainText('London, United Kingdom · 81.2.69.142');
  await expect(devices.getByText('IP Geolocation by DB-IP')).toBeVisible();
  await shot(devices, '20-devices-places');
});

test('a device’s details: what, where, since when and how it signed in, when last active, and what it did, live; by keyboard alone', async ({ lab }) => {
  const { a } = await signedInPair(lab);
  const london = await lab.seed('London laptop', { from: '81.2.69.142', os: 'macOS 15.2', platform: 'darwin' });
  const devices = await a.openDevicesWindow();
  const row = devices.getByRole('listitem', { name: 'London laptop' });
  const toggle = row.getByRole('button', { name: "Details for 'London laptop'" });
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await toggle.focus();
  await devices.keyboard.press('Enter');
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  const details = row.locator('.session-details');
  const fact = (term: string) => details.locator('dt', { hasText: term }).locator('xpath=following-sibling::dd[1]');
  await expect(fact('System')).toHaveText('macOS 15.2');
  await expect(fact('App')).toHaveText(/^Latch \d/);
  await expect(fact('Place')).toHaveText('London, United Kingdom');
  await expect(fact('Address')).toHaveText('81.2.69.142');
  await expect(fact('How')).toHaveText('With the password');
  await expect(fact('Last active')).toHaveText('just now');
  await expect(fact('Signed in').locator('time')).toHaveAttribute('datetime', london.session.createdAt);
  // With its date, even today.
  await expect(fact('Signed in')).toHaveText(/^[A-Z][a-z]{2} \d{1,2}, \d{1,2}:\d{2}\s[AP]M$/);
  await expect(details).toHaveAttribute('role', 'group');
  await expect(details.getByRole('heading', { name: "What 'London laptop' did" })).toBeVisible();
  await expect(details.getByRole('listitem')).toHaveText([/Signed in on 'London laptop'/]);
  // What it does while its details are open shows there at once.
  const home = devices.getByRole('listitem', { name: 'Home desktop' });
  expect((await fetch(new URL(`/v1/sessions/${(await lab.seed('Old phone')).session.id}`, lab.server.url), { method: 'DELETE', headers: { authorization: `Bearer ${london.token}` } })).status).toBe(204);
  await expect(details.getByRole('listitem')).toHaveText([/'London laptop' signed out 'Old phone'/, /Signed in on 'London laptop'/]);
  await details.scrollIntoViewIfNeeded();
  await shot(devices, '21-device-details');
  // This device: created the account here; Space closes the details again.
  const mine = devices.getByRole('listitem', { name: 'Work laptop' });
  await mine.getByRole('button', { name: "Details for 'Work laptop'" }).focus();
  await devices.keyboard.press('Space');
  await expect(mine.locator('.session-details dd').filter({ hasText: 'By creating the account' })).toBeVisible();
  await expect(mine.locator('.session-details')).toContainText('active now');
  await devices.keyboard.press('Space');
  await expect(mine.locator('.session-details')).toHaveCount(0);
  await expect(home).toBeVisible();
});

test('"Show older activity", in the account’s list and in a device’s details, adds the next page once', async ({ lab }) => {
  const a = await lab.device('Work laptop');
  await signIn(a.page, { email: lab.email, create: true });
  await expect(a.page.getByText(`Signed in as ${lab.email}`)).toBeVisible();
  // The phone signs out 25 devices, one after another: with its own sign-in, 26 things it did. The app asks 20 at a time.
  const phone = await lab.seed('Phone');
  for (let i = 1; i <= 25; i++) {
    const old = await lab.seed(`Old ${i}`);
    const reply = await fetch(new URL(`/v1/sessions/${old.session.id}`, lab.server.url), { method: 'DELETE', headers: { authorization: `Bearer ${phone.token}` } });
    expect(reply.status).toBe(204);
  }
  const devices = await a.openDevicesWindow();
  const account = devices.locator('.activity');
  await expect(account.getByRole('listitem')).toHaveCount(20);
  await account.getByRole('button', { name: 'Show older activity' }).click();
  await expect(account.getByRole('listitem')).toHaveCount(40);

  const row = devices.getByRole('listitem', { name: 'Phone' });
  await row.getByRole('button', { name: "Details for 'Phone'" }).click();
  const mine = row.locator('.device-activity > li');
  await expect(mine).toHaveCount(20);
  await row.getByRole('button', { name: 'Show older activity' }).click();
  await expect(mine).toHaveCount(26);
  await expect(mine.last()).toContainText("Signed in on 'Phone'");
  await expect(row.getByRole('button', { name: 'Show older activity' })).toHaveCount(0);
});

test('many sign-ins make one alert, shared by both windows: "3 new sign-ins", each named, dismissed everywhere at once', async ({ lab }) => {
  const { a } = await signedInPair(lab);
  const devices = await a.openDevicesWindow();
  // The alert for Home desktop is there already; two more arrive.
  await lab.seed('Phone', { from: '1.1.1.1', os: 'Android 15' });
  await lab.seed('Tablet', { from: '8.8.8.8' });
  for (const page of [a.page, devices]) {
    await expect(signInAlerts(page)).toHaveCount(1);
    await expect(signInAlerts(page).locator('#alerts-title')).toHaveText('3 new sign-ins');
  }
  // Said once: one by one if they came apart, together if they came close (within 400 ms).
  await expect(liveRegion(a.page)).toHaveText(/^New sign-in: 'Tablet' from Mountain View, United States\.$|^2 new sign-ins\. They are listed at the top of the window\.$/);
  // On the main window the alerts come right after the heading that has the focus.
  await a.page.getByRole('heading', { name: 'Latch' }).focus();
  await a.page.keyboard.press('Tab');
  await expect(a.page.getByRole('button', { name: 'Show them' })).toBeFocused();
  await devices.getByRole('button', { name: 'Show them' }).click();
  await expect(devices.getByRole('button', { name: /^That wasn't me: sign out / })).toHaveText(["That wasn't me", "That wasn't me", "That wasn't me"]);
  await expect(devices.getByRole('button', { name: "That wasn't me: sign out 'Phone'" })).toBeVisible();
  await shot(devices, '21-grouped-alerts');

  await devices.getByRole('button', { name: "Dismiss the alert about 'Phone'" }).click();
  await expect(signInAlerts(a.page)).toContainText('2 new sign-ins');
  await devices.getByRole('button', { name: 'Dismiss all' }).click();
  await expect(signInAlerts(devices)).toHaveCount(0);
  await expect(signInAlerts(a.page)).toHaveCount(0);
  await expect(devices.getByRole('heading', { name: 'Signed-in devices' })).toBeFocused();
});

test('50 devices: sign out all others early in Tab order, a filter, sorting, and devices of the same name told apart', async ({ lab }) => {
  test.setTimeout(120_000);
  const a = await lab.device('Work laptop');
  await signIn(a.page, { email: lab.email, create: true });
  await expect(a.page.getByText(`Signed in as ${lab.email}`)).toBeVisible();
  // Every announcement the main window's live region makes while 49 devices sign in.
  await a.page.evaluate(`(() => {
    const region = document.querySelector('[aria-live="polite"][role="status"]');
    window.said = [];
    new MutationObserver(() => window.said.push(region.textContent)).observe(region, { childList: true, subtree: true, characterData: true });
  })()`);
  // The window's clock stands still while they arrive, however slowly this machine sends them: sign-ins
  // heard less than 400 ms apart are said together.
  await a.page.clock.install();
  await a.page.clock.pauseAt(Date.now() + 1_000);
  await lab.seed('Laptop', { from: '81.2.69.142', os: 'Windows 11', platform: 'win32' });
  await lab.seed('Laptop', { from: '193.99.144.80', os: 'Ubuntu 24.04' });
  for (let i = 3; i <= 49; i++) await lab.seed(`Device ${String(i).padStart(2, '0')}`, { from: i % 2 ? '1.1.1.1' : '8.8.8.8' });
  await expect(signInAlerts(a.page)).toContainText('49 new sign-ins');
  await a.page.clock.runFor(1_000);
  await expect(liveRegion(a.page)).toHaveText('49 new sign-ins. They are listed at the top of the window.');
  const said = await a.page.evaluate<string[]>('window.said.filter(Boolean)');
  expect(said, '49 sign-ins close together are said once, not 49 times').toEqual(['49 new sign-ins. They are listed at the top of the window.']);
  await a.page.clock.resume();
  const devices = await a.openDevicesWindow();
  await expect(devices.locator('ul.sessions > li')).toHaveCount(50);
  await shot(devices, '22-devices-50');

  // From the top of the window: the alert's controls, then the one button that matters.
  await devices.getByRole('button', { name: 'Dismiss all' }).click();
  await devices.keyboard.press('Tab');
  await expect(devices.getByRole('button', { name: 'Sign out all other devices' })).toBeFocused();

  const filter = devices.getByLabel('Filter devices');
  await filter.fill('london');
  await expect(devices.locator('ul.sessions > li')).toHaveCount(2); // this device stays first, and the London laptop
  await expect(devices.getByText('1 of 49 other devices match')).toBeVisible();
  await filter.fill('nowhere at all');
  await expect(devices.getByText('No other device matches “nowhere at all”.')).toBeVisible();
  await filter.fill('');

  await devices.getByLabel('Sort by').selectOption('name');
  const names = await devices.locator('ul.sessions > li .device-name').allTextContents();
  expect(names.slice(0, 4)).toEqual(['Work laptop', 'Device 03', 'Device 04', 'Device 05']);
  expect(names.slice(-2)).toEqual(['Laptop', 'Laptop']);

  // Two devices called Laptop: their buttons say which is which.
  await expect(devices.getByRole('button', { name: /^Sign out 'Laptop' \(Windows 11, London, United Kingdom, signed in / })).toHaveCount(1);
  await expect(devices.getByRole('button', { name: /^Sign out 'Laptop' \(Ubuntu 24\.04, Hanover, Germany, signed in / })).toHaveCount(1);
});

test('signing one device out asks first, naming it with its place and last activity; "pixel 7" does not find a Pixel 8 by its address', async ({ lab }) => {
  const a = await lab.device('Work laptop');
  await signIn(a.page, { email: lab.email, create: true });
  await expect(a.page.getByText(`Signed in as ${lab.email}`)).toBeVisible();
  await lab.seed('Pixel 7', { from: '81.2.69.142', os: 'Android 15', platform: 'linux' });
  await lab.seed('Pixel 8', { from: '203.0.113.77', os: 'Android 15', platform: 'linux' });
  for (let i = 1; i <= 7; i++) await lab.seed(`Device ${i}`, { from: '8.8.8.8' });
  const devices = await a.openDevicesWindow();
  await devices.getByRole('button', { name: 'Dismiss all' }).click();

  // Digits alone match names, systems and places, never the inside of an address.
  const filter = devices.getByLabel('Filter devices');
  await filter.fill('pixel 7');
  await expect(devices.getByText('1 of 9 other devices match')).toBeVisible();
  await expect(devices.getByRole('listitem', { name: 'Pixel 8' })).toHaveCount(0);
  // Text that looks like an address finds the device by it.
  await filter.fill('203.0.113');
  await expect(devices.getByRole('listitem', { name: 'Pixel 8' })).toBeVisible();
  await expect(devices.getByRole('listitem', { name: 'Pixel 7' })).toHaveCount(0);

  // Enter twice from the filter's first match signs nobody out: the question has Cancel focused.
  await filter.fill('pixel 7');
  const signOut7 = devices.getByRole('button', { name: "Sign out 'Pixel 7'", exact: true });
  await signOut7.focus();
  await devices.keyboard.press('Enter');
  const question = devices.getByRole('group', { name: "Confirm signing out 'Pixel 7'" });
  await expect(question).toContainText("Sign out 'Pixel 7'?");
  await expect(question).toContainText('London, United Kingdom · last active just now · 81.2.69.142');
  await expect(question.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await shot(devices, '72-sign-out-one-asks');
  await devices.keyboard.press('Enter');
  await expect(question).toHaveCount(0);
  await expect(signOut7, 'Cancel gives the focus back').toBeFocused();
  await devices.keyboard.press('Enter');
  await devices.keyboard.press('Escape');
  await expect(question).toHaveCount(0);
  await expect(signOut7, 'so does Escape').toBeFocused();
  await expect(devices.getByText('1 of 9 other devices match')).toBeVisible();

  // Yes signs that device out, and only that one.
  await devices.keyboard.press('Enter');
  await devices.keyboard.press('Shift+Tab');
  await expect(question.getByRole('button', { name: "Yes, sign out 'Pixel 7'" })).toBeFocused();
  await devices.keyboard.press('Enter');
  await expect(liveRegion(devices)).toHaveText("'Pixel 7' signed out.");
  await filter.fill('');
  await expect(devices.locator('ul.sessions > li')).toHaveCount(9);
  await expect(devices.getByRole('listitem', { name: 'Pixel 8' })).toBeVisible();
});

test('focus goes somewhere sensible after every action', async ({ lab }) => {
  const a = await lab.device('Work laptop');
  await signIn(a.page, { email: lab.email, create: true });
  await expect(a.page.getByRole('heading', { name: 'Latch' }), 'after signing in').toBeFocused();

  await lab.seed('Phone');
  await lab.seed('Tablet');
  const devices = await a.openDevicesWindow();
  await devices.getByRole('button', { name: 'Show them' }).click();
  await devices.getByRole('button', { name: "Dismiss the alert about 'Tablet'" }).click();
  expect(await focused(devices), 'after dismissing an alert, the next one').toBe("button:That wasn't me: sign out 'Phone'");
  await devices.getByRole('button', { name: "Dismiss the alert about 'Phone'" }).click();
  await expect(devices.getByRole('heading', { name: 'Signed-in devices' }), 'after dismissing the last alert').toBeFocused();

  await signOutDevice(devices, 'Tablet');
  await expect(devices.getByRole('listitem', { name: 'Tablet' })).toHaveCount(0);
  expect(await focused(devices), 'after signing a device out, the next device').toBe("button:Sign out 'Phone'");

  await devices.getByRole('button', { name: 'Rename' }).click();
  await devices.getByLabel('Device name').press('Escape');
  await expect(devices.getByRole('button', { name: 'Rename' }), 'after Escape in rename').toBeFocused();

  await devices.getByRole('button', { name: 'Sign out all other devices' }).click();
  await devices.getByRole('button', { name: 'Yes, sign out 1' }).click();
  await expect(devices.getByText('No other device is signed in.')).toBeVisible();
  await expect(devices.getByRole('heading', { name: 'Signed-in devices' }), 'after Yes on the confirm step').toBeFocused();
  await expect(liveRegion(devices)).toHaveText('1 other device signed out.');

  // Signed out from elsewhere: the notice has the focus, so it is read whole; Dismiss hands it to Email.
  const b = await lab.device('Home desktop');
  await signIn(b.page, { email: lab.email });
  await expect(b.page.getByRole('heading', { name: 'Latch' })).toBeFocused();
  await signOutDevice(devices, 'Home desktop');
  await expect(noticeOf(b.page)).toBeFocused();
  await noticeOf(b.page).getByRole('button', { name: 'Dismiss' }).click();
  await expect(b.page.getByLabel('Email'), 'after dismissing the notice').toBeFocused();
});

test('a device signed out elsewhere while its password form is open: the focus goes to the heading, and it is said', async ({ lab }) => {
  const clock = await lab.useManualClock();
  const { a } = await signedInPair(lab);
  const stranger = await lab.seed('Stranger');
  const devices = await a.openDevicesWindow();
  clock.advance(11 * 60_000);
  await signOutDevice(devices, 'Stranger');
  const password = devices.getByRole('listitem', { name: 'Stranger' }).getByLabel('Password', { exact: true });
  await expect(password).toBeFocused();
  // The stranger signs itself out meanwhile.
  await fetch(new URL('/v1/auth/logout', lab.server.url), { method: 'POST', headers: { authorization: `Bearer ${stranger.token}` } });
  await expect(devices.getByRole('listitem', { name: 'Stranger' })).toHaveCount(0);
  await expect(devices.getByRole('heading', { name: 'Signed-in devices' })).toBeFocused();
  await expect(liveRegion(devices)).toHaveText("'Stranger' was signed out.");
});

test('the live region says what happened, here and elsewhere, and the connection changes only when they happen', async ({ lab }) => {
  const { a } = await signedInPair(lab);
  const devices = await a.openDevicesWindow();
  await expect(liveRegion(devices)).toHaveText('');
  await signOutDevice(devices, 'Home desktop');
  await expect(liveRegion(devices)).toHaveText("'Home desktop' signed out.");
  await lab.seed('Phone');
  await expect(liveRegion(devices)).toHaveText(/'Phone' signed in\.|New sign-in: 'Phone'/);
  await devices.getByRole('button', { name: 'Rename' }).click();
  await devices.getByLabel('Device name').fill('Desk');
  await devices.getByRole('button', { name: 'Save' }).click();
  await expect(liveRegion(devices)).toHaveText("This device is now called 'Desk'.");
  await lab.stopServer();
  await expect(connectionPill(devices, 'Offline').or(connectionPill(devices, 'Reconnecting…'))).toBeVisible();
  await expect(liveRegion(devices)).toHaveText(/Lost the connection|offline/);
  await lab.restartServer();
  await expect(liveRegion(devices)).toHaveText('Connected to the server again.');
});

test('field errors are tied to their fields', async ({ lab }) => {
  const a = await lab.device('Work laptop');
  await a.page.getByRole('button', { name: 'Sign in', exact: true }).click();
  const email = a.page.getByLabel('Email');
  await expect(email).toHaveAttribute('aria-invalid', 'true');
  await expect(email).toHaveAccessibleDescription('Enter your email');
  await signIn(a.page, { email: lab.email, create: true });
  const devices = await a.openDevicesWindow();
  await devices.getByRole('button', { name: 'Rename' }).click();
  await devices.getByLabel('Device name').fill('   ');
  await devices.getByRole('button', { name: 'Save' }).click();
  await expect(devices.getByLabel('Device name')).toHaveAttribute('aria-invalid', 'true');
  await expect(devices.getByLabel('Device name')).toHaveAccessibleDescription('Enter a name');
  await devices.getByLabel('Device name').fill('x'.repeat(65));
  await devices.getByRole('button', { name: 'Save' }).click();
  await expect(devices.getByLabel('Device name')).toHaveAccessibleDescription('Device name must be at most 64 characters');
});

test('Recently signed out lists who signed each device out and why, and grows live', async ({ lab }) => {
  const { a } = await signedInPair(lab);
  const devices = await a.openDevicesWindow();
  await signOutDevice(devices, 'Home desktop');
  await devices.getByText('Recently signed out').click();
  const ended = devices.locator('.recent').getByRole('listitem', { name: 'Home desktop' });
  await expect(ended).toContainText("Signed out from 'Work laptop', just now");
  await expect(devices.getByText('Recently signed out (1)')).toBeVisible();
  const phone = await lab.seed('Phone');
  await fetch(new URL('/v1/auth/logout', lab.server.url), { method: 'POST', headers: { authorization: `Bearer ${phone.token}` } });
  await expect(devices.locator('.recent').getByRole('listitem', { name: 'Phone' })).toContainText('Signed out on the device itself');
  await shot(devices, '23-recently-signed-out');
});

for (const [locale, clockPattern, datePattern] of [
  ['de-DE', /^\d{1,2}:\d{2}$/, /^\d{1,2}\. [A-Z][a-zä]+\.?$/],
  ['en-GB', /^\d{1,2}:\d{2}$/, /^\d{1,2} [A-Z][a-z]+$/],
  ['en-US', /^\d{1,2}:\d{2}\s[AP]M$/, /^[A-Z][a-z]+ \d{1,2}$/],
] as const) {
  test(`in ${locale}: the words in its language, dates and the clock in its own way`, async ({ lab, browser }) => {
    const words = messagesFor([locale]);
    const clock = await lab.useManualClock();
    const context = await browser.newContext({ locale, timezoneId: 'Europe/Berlin', viewport: { width: 800, height: 600 } });
    const a = await lab.device('Work laptop');
    await signIn(a.page, { email: lab.email, create: true });
    await expect(a.page.getByText(`Signed in as ${lab.email}`)).toBeVisible();
    // Phone was last seen three hours ago.
    clock.advance(-3 * 3_600_000);
    await lab.seed('Phone');
    clock.advance(3 * 3_600_000);
    const page = await context.newPage();
    await page.goto(`${a.host.url}#/devices`);
    await expect(page.locator('html')).toHaveAttribute('lang', words.lang);
    const ago = new Intl.RelativeTimeFormat(words.lang, { numeric: 'auto' }).format(-3, 'hour');
    const phone = page.getByRole('listitem', { name: 'Phone' });
    await expect(phone).toContainText(words.devices.lastActive(ago));
    // Today's events by the clock alone; a day by its date.
    const when = page.locator('.activity time').first();
    await expect(when).toHaveText(clockPattern);
    await expect(when).toHaveAttribute('lang', locale);
    await expect(phone.locator('time')).toHaveText(datePattern);
    await context.close();
  });
}

test('a browser signed in on the account page is listed as one, and signing it out here ends its session', async ({ lab }) => {
  const { a } = await signedInPair(lab);
  const origin = new URL(lab.serverUrl).origin;
  const page = { origin, 'x-latch-page': '1', 'content-type': 'application/json', 'user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0' };
  const signedIn = await fetch(`${origin}/v1/web/session`, { method: 'POST', headers: page, body: JSON.stringify({ email: lab.email, password: PASSWORD }) });
  expect(signedIn.status).toBe(200);
  const cookie = (signedIn.headers.get('set-cookie') ?? '').split(';')[0]!;
  const devices = await a.openDevicesWindow();
  const row = devices.getByRole('listitem', { name: 'Firefox on Windows' });
  await expect(row).toContainText('Windows 10');
  await expect(row).toContainText('Web browser, on the account page');
  await expect(row.locator('.platform-icon'), 'a browser shown as one, not by its OS').toHaveAttribute('title', 'Web browser');
  await shot(devices, '23-browser-session');
  await signOutDevice(row, 'Firefox on Windows');
  await expect(row).toHaveCount(0);
  expect((await fetch(`${origin}/v1/sessions`, { headers: { cookie } })).status).toBe(401);
});
