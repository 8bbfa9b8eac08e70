// Latch in German, chosen from the OS (the desktop windows) or the browser (the account page): every
// screen a person walks through shows no English sentence, label or button, which proves that every word
// comes from shared/messages.ts.
import type { Page } from '@playwright/test';
import { en, messagesFor } from '../../shared/messages.js';
import { codeMailedTo } from '../../kit/mailbox.js';
import { SIGN_UP_SUBJECT } from '../../kit/http.js';
import { PASSWORD, expect, expectNoViolations, shot, test, type Lab } from './fixtures.js';

const de = messagesFor(['de-DE']);
const LOCALE = 'de-DE';

/** Every fixed English word or sentence that German says otherwise (four letters or more). */
function englishOnly(english: unknown, german: unknown, out = new Set<string>()): Set<string> {
  if (typeof english === 'string') {
    if (english !== german && english.length >= 4) out.add(english);
  } else if (english && typeof english === 'object') {
    for (const [key, value] of Object.entries(english)) englishOnly(value, (german as Record<string, unknown> | undefined)?.[key], out);
  }
  return out;
}
const ENGLISH = englishOnly(en, de);
// What the templates (functions) add around names and numbers: words German never uses.
// Case counts: German nouns are capitalised ("Minute" is German, "minute" is not).
const ENGLISH_WORD =
  /\b(the|your|you|this|that|device|devices|signed|password|approve|approved|cancel|dismiss|close|recent|ago|minutes?|hours?|yesterday|today)\b|\b(The|Your|You|This|That|Sign|Signed|Cancel|Dismiss|Close|Recent|Device|Devices|Password|New sign-in)\b/;

/** The page's text, with the names and hints only a screen reader hears. */
const everythingSaid = (page: Page) =>
  page.evaluate<string>(`(() => {
    const said = [document.title, document.body.innerText];
    for (const element of document.querySelectorAll('[aria-label], [title], [placeholder], [alt], [aria-description]')) {
      for (const name of ['aria-label', 'title', 'placeholder', 'alt', 'aria-description']) {
        const value = element.getAttribute(name);
        if (value) said.push(value);
      }
    }
    return said.join('\\n');
  })()`);

async function expectGerman(page: Page, screen: string): Promise<void> {
  await expect(page.locator('html')).toHaveAttribute('lang', 'de');
  const text = await everythingSaid(page);
  expect([...ENGLISH].filter((english) => text.includes(english)), `${screen}: English words`).toEqual([]);
  expect(text.match(ENGLISH_WORD)?.[0], `${screen}: an English word in\n${text}`).toBeUndefined();
}

async function createAccount(lab: Lab, page: Page): Promise<void> {
  await page.getByRole('button', { name: de.signIn.switchToCreate }).click();
  await page.getByLabel(de.signIn.email).fill(lab.email);
  await page.getByLabel(de.common.password, { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: de.signIn.create, exact: true }).click();
  await expect(page.getByRole('heading', { name: de.signIn.signUpCodeTitle })).toBeVisible();
  await expectGerman(page, 'the code from the mail');
  await page.getByLabel(de.signIn.code).fill(await codeMailedTo(lab.email, SIGN_UP_SUBJECT));
  await page.getByRole('button', { name: de.signIn.signUpCodeSubmit, exact: true }).click();
  await expect(page.getByText(`${de.home.signedInAs} ${lab.email}`)).toBeVisible();
}

test('in German from the OS, no English shows: sign-up, home, an alert, the devices window with a device’s details, the questions, the forced sign-out notice', async ({ lab }) => {
  const a = await lab.device('Arbeitslaptop', { locale: LOCALE });
  await expect(a.page.getByRole('heading', { name: de.signIn.titleSignIn })).toBeVisible();
  await expectGerman(a.page, 'sign-in');
  await a.page.getByRole('button', { name: de.signIn.signIn, exact: true }).click();
  await expect(a.page.getByText(de.fieldRules.enter_email)).toBeVisible();
  await expectGerman(a.page, 'sign-in, refused');
  // An error German once said in English (its words were matched by their English text, and these were never
  // listed): every error now goes by its key.
  const server = a.page.getByLabel(de.signIn.server, { exact: true });
  const address = await server.inputValue();
  await server.fill('http://latch.example.com');
  await a.page.getByLabel(de.signIn.email).fill(lab.email);
  await a.page.getByLabel(de.common.password, { exact: true }).fill(PASSWORD);
  await a.page.getByRole('button', { name: de.signIn.signIn, exact: true }).click();
  await expect(a.page.getByText(de.errors.plain_http_elsewhere({ host: 'latch.example.com', hostname: 'latch.example.com' }))).toBeVisible();
  await expectGerman(a.page, 'sign-in, an address over plain http elsewhere');
  await shot(a.page, '81-german-plain-http');
  await server.fill(address);
  await a.page.getByLabel(de.signIn.email).fill('');
  await a.page.getByLabel(de.common.password, { exact: true }).fill('');
  await createAccount(lab, a.page);
  await expectGerman(a.page, 'home');

  const b = await lab.device('Heimrechner', { locale: LOCALE });
  await b.page.getByLabel(de.signIn.email).fill(lab.email);
  await b.page.getByLabel(de.common.password, { exact: true }).fill('nicht das Passwort');
  await b.page.getByRole('button', { name: de.signIn.signIn, exact: true }).click();
  await expect(b.page.getByRole('alert')).toBeVisible();
  await expectGerman(b.page, 'a wrong password');
  await b.page.getByLabel(de.common.password, { exact: true }).fill(PASSWORD);
  await b.page.getByRole('button', { name: de.signIn.signIn, exact: true }).click();
  await expect(b.page.getByText(`${de.home.signedInAs} ${lab.email}`)).toBeVisible();

  await lab.seed('Telefon', { from: '81.2.69.142', os: 'Android 15' });
  await expect(a.page.getByRole('region', { name: de.alerts.many(2) })).toBeVisible();
  await expectGerman(a.page, 'new sign-in alerts');
  await shot(a.page, '77-german-home');

  const devices = await a.openDevicesWindow();
  await expect(devices.getByRole('listitem', { name: 'Telefon' })).toBeVisible();
  await expectGerman(devices, 'devices window');
  const phone = devices.getByRole('listitem', { name: 'Telefon' });
  await phone.getByRole('button', { name: de.devices.detailsNamed('Telefon') }).click();
  await expect(phone.getByText(de.activity.describe({ id: '', type: 'signed_in', at: '', deviceName: 'Telefon', platform: 'linux', ip: '', location: { kind: 'unknown' } }))).toBeVisible();
  await expectGerman(devices, 'a device’s details');
  await phone.locator('.session-details').scrollIntoViewIfNeeded();
  await shot(devices, '78-german-details');
  await expectNoViolations(devices, 'a device’s details, in German');

  await phone.getByRole('button', { name: de.devices.signOutNamed('Telefon', undefined), exact: true }).click();
  await expect(devices.getByRole('group', { name: de.devices.confirmOneGroup('Telefon') })).toBeVisible();
  await expectGerman(devices, 'signing one device out');
  await devices.getByRole('button', { name: de.devices.confirmOneYes('Telefon') }).click();
  await expect(phone).toHaveCount(0);
  await devices.getByText(de.devices.recentSummary(undefined)).click();
  await expect(devices.getByText(de.devices.recentSummary(1))).toBeVisible();
  await expect(devices.locator('.recent').getByRole('listitem', { name: 'Telefon' })).toBeVisible();
  await expectGerman(devices, 'recently signed out');

  await devices.getByRole('button', { name: de.devices.signOutOthers }).click();
  await expect(devices.getByRole('group', { name: de.devices.confirmGroup })).toBeVisible();
  await expectGerman(devices, 'signing every other device out');
  await devices.getByRole('button', { name: de.devices.confirmYes(1) }).click();
  await expect(b.page.getByRole('region', { name: de.notice.title('revoked_by_user') })).toBeVisible();
  await expectGerman(b.page, 'the forced sign-out notice');
  await shot(b.page, '79-german-notice');

  const approval = devices.getByRole('region', { name: de.approval.settingTitle });
  await approval.getByRole('button', { name: de.approval.turnOn }).click();
  await approval.getByLabel(de.common.password, { exact: true }).fill('nicht das Passwort');
  await approval.getByRole('button', { name: de.approval.confirmOn }).click();
  await expect(approval.getByText(de.errors.password_wrong)).toBeVisible();
  await expectGerman(devices, 'a wrong password to turn approval on');
  await approval.getByLabel(de.common.password, { exact: true }).fill(PASSWORD);
  await approval.getByRole('button', { name: de.approval.confirmOn }).click();
  await expect(approval.getByRole('heading', { name: de.approval.codesTitle })).toBeVisible();
  await expectGerman(devices, 'recovery codes');
  await approval.getByRole('button', { name: de.approval.codesSaved }).click();
  await expect(approval.getByText(de.approval.settingOnText(10))).toBeVisible();
  await expectGerman(devices, 'sign-in approval on');
});

test('the account page in German from the browser: sign-in, a wrong password, the devices', async ({ lab }) => {
  const a = await lab.device('Work laptop');
  await a.page.getByRole('button', { name: en.signIn.switchToCreate }).click();
  await a.page.getByLabel(en.signIn.email).fill(lab.email);
  await a.page.getByLabel(en.common.password, { exact: true }).fill(PASSWORD);
  await a.page.getByRole('button', { name: en.signIn.create, exact: true }).click();
  await a.page.getByLabel(en.signIn.code).fill(await codeMailedTo(lab.email, SIGN_UP_SUBJECT));
  await a.page.getByRole('button', { name: en.signIn.signUpCodeSubmit, exact: true }).click();
  await expect(a.page.getByText(`${en.home.signedInAs} ${lab.email}`)).toBeVisible();

  const { page } = await lab.accountPage({ locale: LOCALE, width: 360 });
  await expect(page.getByRole('heading', { name: de.page.signInTitle })).toBeVisible();
  await expectGerman(page, 'account page, sign-in');
  await page.getByLabel(de.signIn.email).fill(lab.email);
  await page.getByLabel(de.common.password, { exact: true }).fill('nicht das Passwort');
  await page.getByRole('button', { name: de.signIn.signIn, exact: true }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await expectGerman(page, 'account page, a wrong password');
  await page.getByLabel(de.common.password, { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: de.signIn.signIn, exact: true }).click();
  await expect(page.getByRole('listitem', { name: 'Work laptop' })).toBeVisible();
  // The browser is named in the page's language, by the server, from Accept-Language.
  await expect(page.getByRole('listitem', { name: /^[A-Za-z]+ unter Linux$/ })).toBeVisible();
  await expectGerman(page, 'account page, devices');
  await shot(page, '80-german-account-page-360');
  await expectNoViolations(page, 'the account page in German at 360 px');
});
