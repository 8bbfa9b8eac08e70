// Sign-in approval in Chromium, two and three devices through the browser host against the real
// server: turning it on, approve, deny, the wrong number, expiry, a recovery code, no device online
// (not said: a wrong password's request would tell it too) then one comes online, and two devices answering at once. Screenshots of every new screen; axe on each.
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { expect, expectNoViolations, liveRegion, PASSWORD, shot, signIn, signInAlerts, test, type Device, type Lab } from './fixtures.js';

const prompt = (page: Page) => page.getByRole('dialog');

/** A creates the account and turns approval on from the devices window; returns the recovery codes shown. */
async function accountWithApproval(lab: Lab, options: { screenshots?: boolean } = {}): Promise<{ a: Device; codes: string[] }> {
  const a = await lab.device('Work laptop');
  await signIn(a.page, { email: lab.email, create: true });
  await expect(a.page.getByText(`Signed in as ${lab.email}`)).toBeVisible();
  const devices = await a.openDevicesWindow();
  const section = devices.getByRole('region', { name: 'Sign-in approval' });
  await expect(section.getByText('Off. Your password alone signs in a new device.')).toBeVisible();
  await section.getByRole('button', { name: 'Turn on…' }).click();
  await expect(section.getByLabel('Password')).toBeFocused();
  await section.getByLabel('Password').fill('not the password');
  await section.getByRole('button', { name: 'Turn on sign-in approval' }).click();
  await expect(section.getByText('That password is not right.')).toBeVisible();
  await section.getByLabel('Password').fill(PASSWORD);
  await devices.keyboard.press('Enter');
  await expect(section.getByRole('heading', { name: 'Your recovery codes' })).toBeFocused();
  const codes = await section.locator('.code-list code').allTextContents();
  expect(codes).toHaveLength(10);
  if (options.screenshots) {
    await shot(devices, '30-recovery-codes');
    await expectNoViolations(devices, 'recovery codes');
    // Copied, or saved as a file, as they are shown.
    await a.context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await section.getByRole('button', { name: 'Copy' }).click();
    await expect(section.getByRole('status')).toHaveText(/^Copied\./);
    expect(await devices.evaluate<string>('navigator.clipboard.readText()')).toBe(codes.join('\n'));
    const [download] = await Promise.all([devices.waitForEvent('download'), section.getByRole('link', { name: 'Save as a file' }).click()]);
    expect(download.suggestedFilename()).toBe('latch-recovery-codes.txt');
    const saved = readFileSync((await download.path())!, 'utf8');
    for (const code of codes) expect(saved).toContain(code);
  }
  await section.getByRole('button', { name: 'I have saved them' }).click();
  await expect(section.getByText('On. A new device needs a yes from one of your devices, or a recovery code. 10 recovery codes left.')).toBeVisible();
  await devices.close();
  return { a, codes };
}

/** B sends email and password and waits; returns the number it shows. */
async function waitOnB(lab: Lab, b: Device): Promise<number> {
  await signIn(b.page, { email: lab.email });
  await expect(b.page.getByRole('heading', { name: 'Approve this sign-in on another device' })).toBeVisible();
  const shown = await b.page.locator('.big-number').textContent();
  return Number(shown);
}

test('turned on with the password; B waits showing a number, A picks it in a dialog, B is signed in and A’s dialog goes', async ({ lab }) => {
  const { a } = await accountWithApproval(lab, { screenshots: true });
  const b = await lab.device('Home desktop');
  const number = await waitOnB(lab, b);
  await expect(b.page.getByText(`Signing in as ${lab.email}.`)).toBeVisible();
  await shot(b.page, '31-waiting-for-approval');
  await expectNoViolations(b.page, 'waiting for approval');

  const dialog = prompt(a.page);
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('heading', { name: "Is this you signing in on 'Home desktop'?" })).toBeFocused();
  // A prompt missed: B asks again, once in 15 s, and says so; the focus stays on the button.
  const askAgain = b.page.getByRole('button', { name: 'Ask my devices again' });
  await askAgain.click();
  await expect(b.page.getByRole('status').filter({ hasText: 'Asked again: your signed-in devices show the request now.' })).toBeVisible();
  await askAgain.click();
  await expect(b.page.getByRole('status').filter({ hasText: /Your devices were asked a moment ago\. Ask again in \d+ seconds\./ })).toBeVisible();
  await expect(askAgain).toBeFocused();
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('group').getByRole('button')).toHaveCount(3);
  await shot(a.page, '32-approval-prompt');
  await expectNoViolations(a.page, 'approval prompt');
  // Escape does not answer: the question still stands.
  await a.page.keyboard.press('Escape');
  await expect(dialog).toBeVisible();
  // By keyboard: Tab to the right number, Enter.
  await dialog.getByRole('button', { name: `Pick ${number}` }).focus();
  await a.page.keyboard.press('Enter');
  await expect(b.page.getByText(`Signed in as ${lab.email}`)).toBeVisible();
  await expect(dialog).toHaveCount(0);
  await expect(a.page.getByRole('heading', { name: 'Latch' }), 'the focus does not fall to the page when the dialog goes').toBeFocused();
  // The sign-in A just approved is no news to A: listed, with no "New sign-in… That wasn't me" alert.
  const devices = await a.openDevicesWindow();
  const row = devices.getByRole('listitem', { name: 'Home desktop' });
  await expect(row).toBeVisible();
  await expect(signInAlerts(devices)).toHaveCount(0);
  await expect(signInAlerts(a.page)).toHaveCount(0);
  // Its details say how it got in, and who let it.
  await row.getByRole('button', { name: "Details for 'Home desktop'" }).click();
  await expect(row.locator('.session-details dd').filter({ hasText: "With the password, approved on 'Work laptop'" })).toBeVisible();
});

test('A says no: B says it was denied on A; A offers to change the password; a wrong number is forgiven once, and the second refuses', async ({ lab }) => {
  const clock = await lab.useManualClock();
  const { a } = await accountWithApproval(lab);
  const devices = await a.openDevicesWindow();
  const b = await lab.device('Home desktop');
  await waitOnB(lab, b);
  await prompt(a.page).getByRole('button', { name: 'No, deny' }).click();
  await expect(prompt(devices), 'answered in one window, gone from the other').toHaveCount(0);
  await expect(devices.getByRole('region', { name: 'Recent activity' }), 'activity grows without reopening').toContainText("'Work laptop' denied 'Home desktop' signing in");
  await expect(b.page.getByRole('region', { name: 'Sign-in denied' })).toContainText("'Work laptop' denied this sign-in.");
  await expect(b.page.getByLabel('Email'), 'the address stays, to try again').toHaveValue(lab.email);
  await shot(b.page, '33-sign-in-denied');
  await expectNoViolations(b.page, 'sign-in denied');
  const refused = prompt(a.page);
  await expect(refused.getByRole('heading', { name: 'Sign-in denied: Home desktop' })).toBeFocused();
  await shot(a.page, '34-denied-change-password');
  await refused.getByRole('button', { name: 'Change password now' }).click();
  await expect(a.page.getByLabel('Current password')).toBeFocused();

  // After a no, new requests wait a while; then the wrong number refuses as well.
  await b.page.getByRole('button', { name: 'Dismiss' }).click();
  await signIn(b.page, { email: lab.email });
  await expect(b.page.getByRole('alert')).toContainText(/New sign-ins to this account are paused for [12]?\d seconds/);
  clock.advance(30_000);
  const number = await waitOnB(lab, b);
  const wrong = (await prompt(a.page).getByRole('group').getByRole('button').allTextContents()).map(Number).find((n) => n !== number)!;
  // A slip is forgiven once: both devices say so, and the question stands.
  await prompt(a.page).getByRole('button', { name: `Pick ${wrong}` }).click();
  await expect(prompt(a.page).getByRole('alert')).toContainText("That was not the number 'Home desktop' shows (picked on 'Work laptop'). Look at it again");
  await expect(prompt(a.page).getByRole('heading', { name: "Is this you signing in on 'Home desktop'?" })).toBeFocused();
  await expect(b.page.getByRole('alert')).toContainText("A different number was picked on 'Work laptop'. Pick the number shown here: one more try is left.");
  await expect(b.page.locator('.big-number')).toHaveText(String(number));
  await expect(b.page.getByRole('button', { name: 'Type the password again' }), 'a device answered: the password was right').toHaveCount(0);
  await shot(a.page, '75-wrong-number-once-prompt');
  await shot(b.page, '76-wrong-number-once-waiting');
  await expectNoViolations(a.page, 'the prompt after a wrong number');
  // The two wrong choices were drawn anew; a wrong one again refuses.
  const again = (await prompt(a.page).getByRole('group').getByRole('button').allTextContents()).map(Number);
  expect(again).toContain(number);
  await prompt(a.page).getByRole('button', { name: `Pick ${again.find((n) => n !== number)!}` }).click();
  await expect(b.page.getByRole('region', { name: 'Sign-in not approved' })).toContainText("The wrong number was picked on 'Work laptop'");
  await expect(b.page.getByLabel('Email')).toHaveValue(lab.email);
  await expect(prompt(a.page).getByRole('heading', { name: 'Sign-in not approved: Home desktop' })).toBeVisible();
  await expect(prompt(a.page)).toContainText('Not approved: the wrong number was picked twice. If it was you, sign in again on that device');
  await prompt(a.page).getByRole('button', { name: 'Close' }).click();
  await expect(prompt(a.page)).toHaveCount(0);
  // The focus goes back where it was when the question came: the password form opened after the first no.
  await expect(a.page.getByLabel('Current password'), 'closing the dialog gives the focus back, not to the page').toBeFocused();
});

test('a mistyped password waits like a right one, but the screen says plainly it may be wrong; "Type the password again" keeps the address and focuses the password', async ({ lab }) => {
  const { a } = await accountWithApproval(lab);
  const b = await lab.device('Home desktop');
  await signIn(b.page, { email: lab.email, password: 'correct horse battery stapel' });
  await expect(b.page.getByRole('heading', { name: 'Approve this sign-in on another device' })).toBeVisible();
  const hint = b.page.getByText('Nothing on your devices after a few seconds? The password may be wrong.');
  await expect(hint).toBeVisible();
  expect(await hint.evaluate((el) => el.classList.contains('muted')), 'not a grey aside').toBe(false);
  await expect(prompt(a.page), 'a wrong password reaches no device').toHaveCount(0);
  await b.page.getByRole('button', { name: 'Type the password again' }).click();
  await expect(b.page.getByLabel('Email')).toHaveValue(lab.email);
  await expect(b.page.getByLabel('Password', { exact: true })).toBeFocused();
  await b.page.keyboard.type(PASSWORD);
  await b.page.keyboard.press('Enter');
  await expect(prompt(a.page)).toBeVisible();
});

test('nobody answers in two minutes: B says the request expired', async ({ lab }) => {
  const clock = await lab.useManualClock();
  await accountWithApproval(lab);
  const b = await lab.device('Home desktop');
  await waitOnB(lab, b);
  clock.advance(2 * 60_000);
  await expect(b.page.getByRole('region', { name: 'Sign-in request expired' })).toContainText('No device answered within two minutes.');
  await shot(b.page, '35-request-expired');
});

test('a recovery code instead: B is signed in and told how many codes are left; A hears of it; a used code is refused', async ({ lab }) => {
  const { a, codes } = await accountWithApproval(lab);
  const b = await lab.device('Home desktop');
  await waitOnB(lab, b);
  await b.page.getByRole('button', { name: 'Use a recovery code instead' }).click();
  const field = b.page.getByLabel('Recovery code', { exact: true });
  await expect(field).toBeFocused();
  await field.fill('nope');
  await b.page.getByRole('button', { name: 'Sign in with this code' }).click();
  await expect(b.page.getByText('A recovery code is 10 letters and digits')).toBeVisible();
  await shot(b.page, '36-recovery-code');
  await expectNoViolations(b.page, 'recovery code form');
  await field.fill(codes[0]!.toUpperCase());
  await b.page.keyboard.press('Enter');
  await expect(b.page.getByText(`Signed in as ${lab.email}`)).toBeVisible();
  await expect(b.page.getByRole('status').filter({ hasText: 'Signed in with a recovery code. 9 codes are left.' })).toBeVisible();
  await expect(liveRegion(a.page)).toHaveText("'Home desktop' signed in with a recovery code.");
  const devices = await a.openDevicesWindow();
  const row = devices.getByRole('listitem', { name: 'Home desktop' });
  await row.getByRole('button', { name: "Details for 'Home desktop'" }).click();
  await expect(row.locator('.session-details dd').filter({ hasText: 'With the password and a recovery code' })).toBeVisible();

  const c = await lab.device('Spare laptop');
  await waitOnB(lab, c);
  await c.page.getByRole('button', { name: 'Use a recovery code instead' }).click();
  await c.page.getByLabel('Recovery code', { exact: true }).fill(codes[0]!);
  await c.page.keyboard.press('Enter');
  await expect(c.page.getByText('That recovery code is not right, or it has been used.')).toBeVisible();
});

test('no device online: B offers a code without saying whether any device is online; A comes online within the two minutes, is asked, and approves', async ({ lab }) => {
  const { a } = await accountWithApproval(lab);
  await a.host.close();
  const b = await lab.device('Home desktop');
  const number = await waitOnB(lab, b);
  await expect(b.page.getByText('No device at hand? Open Latch on one of your signed-in devices, or use a recovery code.')).toBeVisible();
  await expect(b.page.getByText(/online/)).toHaveCount(0);
  await expect(b.page.getByRole('button', { name: 'Use a recovery code instead' })).toBeVisible();
  await shot(b.page, '37-no-device-online');
  await a.restart();
  await prompt(a.page).getByRole('button', { name: `Pick ${number}` }).click();
  await expect(b.page.getByText(`Signed in as ${lab.email}`)).toBeVisible();
});

test('two devices answer at once: one answer counts, B is signed in, and both dialogs go', async ({ lab }) => {
  const { a, codes } = await accountWithApproval(lab);
  const c = await lab.device('Office desktop');
  await waitOnB(lab, c);
  await c.page.getByRole('button', { name: 'Use a recovery code instead' }).click();
  await c.page.getByLabel('Recovery code', { exact: true }).fill(codes[1]!);
  await c.page.keyboard.press('Enter');
  await expect(c.page.getByText(`Signed in as ${lab.email}`)).toBeVisible();

  const b = await lab.device('Home desktop');
  const number = await waitOnB(lab, b);
  const pickOnA = prompt(a.page).getByRole('button', { name: `Pick ${number}` });
  const pickOnC = prompt(c.page).getByRole('button', { name: `Pick ${number}` });
  await expect(pickOnA).toBeVisible();
  await expect(pickOnC).toBeVisible();
  // Both at once: neither click waits for the other's answer to arrive.
  await Promise.all([pickOnA.evaluate((button) => (button as { click(): void }).click()), pickOnC.evaluate((button) => (button as { click(): void }).click())]);
  await expect(b.page.getByText(`Signed in as ${lab.email}`)).toBeVisible();
  await expect(prompt(a.page)).toHaveCount(0);
  await expect(prompt(c.page)).toHaveCount(0);
});

for (const colorScheme of ['light', 'dark'] as const) {
  test(`at 360 px, ${colorScheme}: the waiting screen and the prompt fit, pass axe, and a 64-character device name wraps`, async ({ lab }) => {
    const { a } = await accountWithApproval(lab);
    await a.page.emulateMedia({ colorScheme });
    await a.page.setViewportSize({ width: 360, height: 740 });
    const name = 'A'.repeat(30) + ' ' + 'B'.repeat(33);
    const b = await lab.device(name, { colorScheme });
    await b.page.setViewportSize({ width: 360, height: 740 });
    await waitOnB(lab, b);
    await expectNoViolations(b.page, `waiting, 360 px, ${colorScheme}`);
    await shot(b.page, `38-waiting-360-${colorScheme}`);
    const dialog = prompt(a.page);
    await expect(dialog).toBeVisible();
    const box = await dialog.boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= 360).toBe(true);
    await expectNoViolations(a.page, `prompt, 360 px, ${colorScheme}`);
    await shot(a.page, `39-prompt-360-${colorScheme}`);
  });
}
