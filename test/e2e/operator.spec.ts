// What a person sees of the operator's tool (docs/operations.md, "The operator's tool"), in Chromium against the
// real server, the tool run as an operator runs it: a device signed out by the operator says who and when; a
// disabled account's sign-in says why; the reset mail the operator had sent opens the account page at its code.
import { mailboxes, sentTo, waitForMail, codeIn } from '../../kit/mailbox.js';
import { expect, expectNoViolations, noticeOf, shot, signedInPair, signIn, test } from './fixtures.js';

test('signed out by the operator, then disabled: each device says who did it; sign-in says why; the operator’s mail opens the reset form', async ({ lab }) => {
  const { a, b } = await signedInPair(lab);
  const listed = JSON.parse(await lab.admin('sessions', 'list', lab.email, '--json')) as { sessions: Array<{ id: string; deviceName: string }> };
  const desktop = listed.sessions.find((s) => s.deviceName === 'Home desktop')!;
  await lab.admin('sessions', 'end', lab.email, desktop.id);
  await expect(noticeOf(b.page)).toContainText("Signed out by the server's operator at");
  await expect(a.page.getByText(`Signed in as ${lab.email}`)).toBeVisible();
  await shot(b.page, '69-signed-out-by-operator');
  await expectNoViolations(b.page, 'signed out by the operator');

  await lab.admin('account', 'disable', lab.email);
  await expect(noticeOf(a.page)).toContainText("The server's operator disabled this account at");
  await signIn(a.page, { email: lab.email });
  await expect(a.page.getByText("This account is disabled by the server's operator, so it cannot sign in. Ask them to enable it.")).toBeVisible();
  await shot(a.page, '70-sign-in-disabled');
  await expectNoViolations(a.page, 'sign-in of a disabled account');

  await lab.admin('account', 'enable', lab.email);
  await lab.admin('reset', 'send', lab.email);
  const mail = await waitForMail(mailboxes.get(lab.server.url)!, (m) => sentTo(m, lab.email) && /password reset code/.test(m.subject));
  const link = /(http\S+\/account#reset=\S+)/.exec(mail.text)![1]!;
  const { page } = await lab.accountPage({ width: 360 });
  await page.goto(link);
  await expect(page.getByRole('status').filter({ hasText: lab.email })).toBeVisible();
  const codeField = page.getByLabel('Code from the mail');
  await expect(codeField, 'the code field has the focus').toBeFocused();
  expect(new URL(page.url()).hash, 'the link is used once').toBe('');
  await codeField.fill(codeIn(mail));
  await page.getByLabel('New password').fill('a new passphrase from the operator');
  await shot(page, '71-account-reset-from-operator-mail-360');
  await expectNoViolations(page, 'account page, reset from the operator’s mail');
  await page.getByRole('button', { name: 'Set password and sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Signed-in devices' })).toBeVisible();
});
