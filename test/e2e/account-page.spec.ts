// The account page the server serves, in Chromium against the real server, next to desktop devices held by
// the browser host: signing in, the devices with presence, signing a desktop device out (it shows its
// notice), being signed out from the desktop (the page shows it), the cookie no script can read, requests
// from another origin refused, the headers, axe, and 360 px and 1280 px.
import { expect, expectNoViolations, noticeOf, PASSWORD, shot, signedInPair, test, type Lab, signOutDevice } from './fixtures.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from '@playwright/test';

async function signInOnPage(lab: Lab, page: Page): Promise<void> {
  await expect(page.getByRole('heading', { name: 'Sign in to your Latch account' })).toBeVisible();
  await expect(page.getByLabel('Server')).toHaveCount(0);
  await page.getByLabel('Email').fill(lab.email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Signed-in devices' })).toBeVisible();
}

test('sign in on the page: the devices with presence; signing a desktop device out tells it at once', async ({ lab }) => {
  const { a, b } = await signedInPair(lab);
  const { page, context } = await lab.accountPage();
  await shot(page, '40-account-sign-in-1280');
  await expectNoViolations(page, 'account page, signed out');
  await signInOnPage(lab, page);
  await expect(page.getByText(`This browser is signed in as ${lab.email}`)).toBeVisible();
  const thisBrowser = page.locator('ul.sessions > li.current');
  await expect(thisBrowser).toContainText('Web browser, on the account page');
  await expect(page.getByRole('listitem', { name: 'Home desktop' })).toContainText('online now');
  await shot(page, '41-account-devices-1280');
  await expectNoViolations(page, 'account page, signed in');

  // The session is in a cookie no script can read, kept to this site.
  const [cookie] = await context.cookies();
  expect([cookie?.name, cookie?.httpOnly, cookie?.sameSite, cookie?.path]).toEqual(['latch_session', true, 'Strict', '/']);
  expect(await page.evaluate('document.cookie')).toBe('');

  await signOutDevice(page, 'Home desktop');
  await expect(page.getByRole('listitem', { name: 'Home desktop' })).toHaveCount(0);
  await expect(noticeOf(b.page)).toContainText("Signed out from 'Chrome on Linux'");
  await expect(a.page.getByText(`Signed in as ${lab.email}`)).toBeVisible();
});

test('a wrong code in the confirm-address banner is an error in the banner, not a sign-out: only a 401 for the session ends it', async ({ lab }) => {
  await signedInPair(lab);
  lab.unconfirmEmail();
  const { page } = await lab.accountPage();
  await signInOnPage(lab, page);
  const banner = page.getByRole('region', { name: 'Confirm your email address' });
  await banner.getByRole('button', { name: 'Send a new code' }).click();
  await expect(banner).toContainText(`A new code is on its way to ${lab.email}.`);
  await banner.getByLabel('Code').fill('000000');
  await banner.getByRole('button', { name: 'Confirm' }).click();
  await expect(banner).toContainText('That code is not right');
  await expect(page.getByRole('heading', { name: 'Signed-in devices' })).toBeVisible();
  await expect(page.getByText(`This browser is signed in as ${lab.email}`)).toBeVisible();
});

test('signed out from the desktop, the page says so at once and asks to sign in again', async ({ lab }) => {
  const { a } = await signedInPair(lab);
  const { page } = await lab.accountPage();
  await signInOnPage(lab, page);
  const devices = await a.openDevicesWindow();
  const row = devices.locator('ul.sessions > li').filter({ hasText: 'Web browser, on the account page' });
  await row.getByRole('button', { name: /^Sign out / }).click();
  await row.getByRole('button', { name: /^Yes, sign out / }).click();
  await expect(noticeOf(page)).toContainText("'Work laptop'");
  await expect(noticeOf(page), 'the notice has the focus, so it is read first').toBeFocused();
  await expect(page).toHaveTitle('Signed out – Latch account');
  await expect(page.getByRole('heading', { name: 'Sign in to your Latch account' })).toBeVisible();
  await shot(page, '42-account-signed-out-by-desktop');
});

test('signed out from the desktop while the page was closed: opened again, it says who and when, as the app would', async ({ lab }) => {
  const { a } = await signedInPair(lab);
  const { page, context } = await lab.accountPage();
  await signInOnPage(lab, page);
  const address = page.url();
  await page.close();
  const devices = await a.openDevicesWindow();
  const row = devices.locator('ul.sessions > li').filter({ hasText: 'Web browser, on the account page' });
  await row.getByRole('button', { name: /^Sign out / }).click();
  await row.getByRole('button', { name: /^Yes, sign out / }).click();
  await expect(row).toHaveCount(0);

  const again = await context.newPage();
  await again.goto(address);
  await expect(noticeOf(again)).toContainText("Signed out from 'Work laptop'");
  await expect(again.getByRole('heading', { name: 'Sign in to your Latch account' })).toBeVisible();
  // A browser that never signed in here is told nothing: no session is no news.
  const { page: stranger } = await lab.accountPage();
  await expect(stranger.getByRole('heading', { name: 'Sign in to your Latch account' })).toBeVisible();
  await expect(noticeOf(stranger)).toHaveCount(0);
});

test('with its live connection refused, the page still learns it was signed out, and why', async ({ lab }) => {
  const { a } = await signedInPair(lab);
  const { page } = await lab.accountPage();
  await signInOnPage(lab, page);
  // From now on every connection the page opens is closed at once, as a proxy that drops WebSockets would.
  await page.routeWebSocket('**/v1/events', (ws) => ws.close());
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Signed-in devices' })).toBeVisible();
  const devices = await a.openDevicesWindow();
  const row = devices.locator('ul.sessions > li').filter({ hasText: 'Web browser, on the account page' });
  await row.getByRole('button', { name: /^Sign out / }).click();
  await row.getByRole('button', { name: /^Yes, sign out / }).click();
  await expect(noticeOf(page)).toContainText("Signed out from 'Work laptop'", { timeout: 15_000 });
});

test('the server unreachable when the page loads: it says so and tries again, rather than offer a second sign-in', async ({ lab }) => {
  await signedInPair(lab);
  const { page } = await lab.accountPage();
  await signInOnPage(lab, page);
  await page.route('**/v1/auth/session', (route) => route.abort());
  await page.reload();
  await expect(page.getByRole('status').filter({ hasText: 'The server cannot be reached. Trying again…' })).toBeVisible();
  await expect(page.getByLabel('Email')).toHaveCount(0);
  await page.unroute('**/v1/auth/session');
  await expect(page.getByRole('heading', { name: 'Signed-in devices' })).toBeVisible();
  await expect(page).toHaveTitle('Signed-in devices – Latch account');

  // Signed out, then the server unreachable at sign-in: the form says so.
  await page.getByRole('button', { name: 'Sign out of this browser' }).click();
  await expect(noticeOf(page), 'its own sign-out is no news to it').toHaveCount(0);
  await expect(page.getByLabel('Email'), 'ready to sign in again').toBeFocused();
  await page.route('**/v1/web/session', (route) => route.abort());
  await page.getByLabel('Email').fill(lab.email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.keyboard.press('Enter');
  await expect(page.getByText('The server cannot be reached. Check your connection and try again.')).toBeVisible();
  await expect(page.getByLabel('Password'), 'the focus does not fall to the page while it waits').toBeFocused();
});

test('"Sign out of this browser" with the server unreachable signs out here at once, and ends the session when the server is back, even after the page was closed', async ({ lab }) => {
  await signedInPair(lab);
  const { page, context } = await lab.accountPage();
  await signInOnPage(lab, page);
  const sessionHere = async () => (await context.request.get(`${lab.serverUrl}/v1/auth/session`, { headers: { 'x-latch-page': '1' } })).status();

  // The page stays open: it keeps asking until the server hears it.
  await page.route('**/v1/web/session', (route) => route.abort());
  await page.getByRole('button', { name: 'Sign out of this browser' }).click();
  const waiting = page.getByRole('status').filter({ hasText: 'the server could not be reached to sign this browser out' });
  await expect(waiting).toBeVisible();
  await expect(page.getByLabel('Email'), 'signed out here, ready to sign in again').toBeFocused();
  await expect(page).toHaveTitle('Sign in – Latch account');
  await shot(page, '73-page-sign-out-unreachable');
  expect(await sessionHere(), 'the server has not heard yet').toBe(200);
  await page.unroute('**/v1/web/session');
  await expect(page.getByRole('status').filter({ hasText: 'Done: the server has signed this browser out.' })).toBeVisible();
  expect(await sessionHere()).toBe(401);

  // The page is closed before the server can be told: the next page of this browser tells it first.
  await signInOnPage(lab, page);
  await page.route('**/v1/web/session', (route) => route.abort());
  await page.getByRole('button', { name: 'Sign out of this browser' }).click();
  await expect(waiting).toBeVisible();
  await page.close();
  expect(await sessionHere()).toBe(200);
  const later = await context.newPage();
  await later.goto(`${lab.serverUrl}/account`);
  await expect(later.getByRole('status').filter({ hasText: 'Done: the server has signed this browser out.' })).toBeVisible();
  await expect(later.getByRole('heading', { name: 'Signed-in devices' })).toHaveCount(0);
  expect(await sessionHere()).toBe(401);
});

test('"Sign out of this browser" in one tab with the server unreachable: the other tab of this browser signs out at once and asks the server itself, so closing the first changes nothing', async ({ lab }) => {
  await signedInPair(lab);
  const { page: first, context } = await lab.accountPage();
  await signInOnPage(lab, first);
  const second = await context.newPage();
  await second.goto(`${lab.serverUrl}/account`);
  await expect(second.getByRole('heading', { name: 'Signed-in devices' })).toBeVisible();
  const sessionHere = async () => (await context.request.get(`${lab.serverUrl}/v1/auth/session`, { headers: { 'x-latch-page': '1' } })).status();

  await first.route('**/v1/web/session', (route) => route.abort());
  await first.getByRole('button', { name: 'Sign out of this browser' }).click();
  await expect(first.getByRole('status').filter({ hasText: 'the server could not be reached to sign this browser out' })).toBeVisible();
  await first.close();
  await expect(second.getByRole('status').filter({ hasText: 'Done: the server has signed this browser out.' })).toBeVisible();
  await expect(second.getByRole('heading', { name: 'Sign in to your Latch account' })).toBeVisible();
  await expect(noticeOf(second), 'signed out by this browser: no news').toHaveCount(0);
  expect(await sessionHere()).toBe(401);
});

test('the page comes with a strict policy: no inline script, never framed, HTML never cached, assets cached under their hash', async ({ lab }) => {
  const { page } = await lab.accountPage();
  const response = await page.goto(`${lab.serverUrl}/account`);
  const headers = response!.headers();
  expect(headers['content-security-policy']).toContain("script-src 'self'");
  expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(headers['content-security-policy']).not.toContain('unsafe-inline');
  expect(headers['cache-control']).toBe('no-store');
  expect(headers['referrer-policy']).toBe('no-referrer');
  expect(headers['strict-transport-security'], 'plain http: no HSTS').toBeUndefined();
  const viaHttps = await page.request.get(`${lab.serverUrl}/account`, { headers: { 'x-forwarded-proto': 'https' } });
  expect(viaHttps.headers()['strict-transport-security'], 'https through the trusted proxy').toBe('max-age=31536000');
  const script = await page.locator('script[src]').first().getAttribute('src');
  const asset = await page.request.get(new URL(script!, `${lab.serverUrl}/account`).toString());
  expect(asset.headers()['cache-control']).toBe('public, max-age=31536000, immutable');
  expect((await page.request.get(`${lab.serverUrl}/assets/..%2F..%2Fpackage.json`)).status()).toBe(404);
});

test('another site cannot act with the page’s cookie: its form post and its fetch are refused', async ({ lab }) => {
  await signedInPair(lab);
  const { page, context } = await lab.accountPage();
  await signInOnPage(lab, page);
  // Another origin on the same host (another port): same-site, so the cookie goes along and only the
  // Origin check and the page's header stand in the way.
  const hostileSite = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end(`<!doctype html><title>Free prizes</title><form method="post" action="${lab.serverUrl}/v1/sessions/revoke-others"><button>Claim</button></form>`);
  });
  await new Promise<void>((resolve) => hostileSite.listen(0, '127.0.0.1', resolve));
  try {
    const hostile = await context.newPage();
    await hostile.goto(`http://127.0.0.1:${(hostileSite.address() as AddressInfo).port}/`);
    const fetched = await hostile.evaluate(`fetch(${JSON.stringify(`${lab.serverUrl}/v1/sessions/revoke-others`)}, { method: 'POST', credentials: 'include', headers: { 'x-latch-page': '1' } })
      .then((response) => 'status ' + response.status, () => 'blocked')`);
    expect(fetched, 'a fetch with the header needs CORS, which the server never allows').toBe('blocked');
    // A form can send no JSON, so it is refused before its Origin is even looked at (the server test checks
    // the Origin and header with JSON bodies).
    await hostile.getByRole('button', { name: 'Claim' }).click();
    await expect(hostile.locator('body')).toContainText('"error"');
    await page.reload();
    await expect(page.getByRole('listitem', { name: 'Home desktop' })).toBeVisible();
  } finally {
    hostileSite.close();
  }
});

test('with sign-in approval on, the page waits for a device: A picks its number, and the page is signed in', async ({ lab }) => {
  const { a } = await signedInPair(lab);
  const spare = await lab.seed('Spare laptop');
  const on = await fetch(`${lab.serverUrl}/v1/account/sign-in-approval`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${spare.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ required: true, password: PASSWORD }),
  });
  expect(on.status).toBe(200);
  const { page } = await lab.accountPage();
  await page.getByLabel('Email').fill(lab.email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Approve this sign-in on another device' })).toBeVisible();
  const number = Number(await page.locator('.big-number').textContent());
  await shot(page, '44-account-waiting-for-approval');
  await expectNoViolations(page, 'account page, waiting for approval');
  const dialog = a.page.getByRole('dialog');
  await expect(dialog.getByRole('heading', { name: "Is this you signing in on 'Chrome on Linux'?" })).toBeVisible();
  await dialog.getByRole('button', { name: `Pick ${number}` }).click();
  await expect(page.getByRole('heading', { name: 'Signed-in devices' })).toBeVisible();
  await expect(page.locator('ul.sessions > li.current')).toContainText('Web browser, on the account page');
});

test('a recovery code instead of a device’s answer signs the page in, and it says how many are left', async ({ lab }) => {
  await signedInPair(lab);
  const spare = await lab.seed('Spare laptop');
  const on = await fetch(`${lab.serverUrl}/v1/account/sign-in-approval`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${spare.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ required: true, password: PASSWORD }),
  });
  const { recoveryCodes } = (await on.json()) as { recoveryCodes: string[] };
  const { page } = await lab.accountPage();
  await page.getByLabel('Email').fill(lab.email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
  await page.getByLabel('Recovery code', { exact: true }).fill(recoveryCodes[0]!);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Signed-in devices' })).toBeVisible();
  await expect(page.locator('ul.sessions > li.current')).toContainText('Web browser, on the account page');
  await expect(page.getByRole('status').filter({ hasText: 'Signed in with a recovery code. 9 codes are left.' })).toBeVisible();
});

test('"Sign out all other devices" on the page signs out every desktop, each saying so', async ({ lab }) => {
  const { a, b } = await signedInPair(lab);
  const { page } = await lab.accountPage();
  await signInOnPage(lab, page);
  await page.getByRole('button', { name: 'Sign out all other devices' }).click();
  await page.getByRole('button', { name: 'Yes, sign out 2' }).click();
  for (const device of [a, b]) await expect(noticeOf(device.page)).toContainText("'Chrome on Linux'");
  await expect(page.locator('ul.sessions > li')).toHaveCount(1);
});

test('changing the password on the page signs every other device out, and they say why', async ({ lab }) => {
  const { a, b } = await signedInPair(lab);
  const { page } = await lab.accountPage();
  await signInOnPage(lab, page);
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.getByLabel('Current password').fill(PASSWORD);
  await page.getByLabel('New password').fill('a much newer passphrase');
  // Unreachable first: the error is said, and the focus stays on the form to try again.
  await page.route('**/v1/auth/password', (route) => route.abort());
  const submit = page.getByRole('region', { name: 'Change password' }).getByRole('button', { name: 'Change password' });
  await submit.click();
  await expect(page.getByRole('alert')).toContainText('The server cannot be reached');
  await expect(submit, 'the focus does not fall to the page').toBeFocused();
  await page.unroute('**/v1/auth/password');
  await page.keyboard.press('Enter');
  for (const device of [a, b]) await expect(noticeOf(device.page)).toContainText("'Chrome on Linux'");
  await expect(page.locator('ul.sessions > li')).toHaveCount(1);
});

for (const colorScheme of ['light', 'dark'] as const) {
  test(`at 360 px, ${colorScheme}: signed in, the page fits and passes axe`, async ({ lab }) => {
    await signedInPair(lab);
    const { page } = await lab.accountPage({ width: 360, colorScheme });
    await signInOnPage(lab, page);
    const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow).toBe(0);
    await shot(page, `43-account-360-${colorScheme}`);
    await expectNoViolations(page, `account page at 360 px, ${colorScheme}`);
  });
}
