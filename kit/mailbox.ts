// Reading what a Latch server mailed, as its owner would: from the local mailbox (one .eml file a message,
// server/mail/outbox.ts) or from a real SMTP server (test/support/smtp.ts). Parsed with mailparser.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';

export interface ReceivedMail {
  to: string;
  from: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
}

/** The local mailbox of each server started by the tests, by its URL (test/support/server.ts fills it). */
export const mailboxes = new Map<string, string>();

export async function parseMail(raw: Buffer | string): Promise<ReceivedMail> {
  const parsed = await simpleParser(raw);
  const to = Array.isArray(parsed.to) ? parsed.to.map((a) => a.text).join(', ') : (parsed.to?.text ?? '');
  return { to, from: parsed.from?.text ?? '', subject: parsed.subject ?? '', text: parsed.text ?? '', html: typeof parsed.html === 'string' ? parsed.html : '', messageId: parsed.messageId ?? '' };
}

/** Every message in a local mailbox, oldest first. */
export async function mailboxContents(dir: string): Promise<ReceivedMail[]> {
  if (!existsSync(dir)) return [];
  const files = readdirSync(dir).filter((name) => name.endsWith('.eml')).sort();
  return Promise.all(files.map((name) => parseMail(readFileSync(join(dir, name)))));
}

/** Waits for the first message that `matches` (already there or still to come), re-reading as files arrive. */
export async function waitForMail(read: () => Promise<ReceivedMail[]>, matches: (mail: ReceivedMail) => boolean, timeoutMs = 10_000): Promise<ReceivedMail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await read()).find(matches);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no matching mail within ${timeoutMs} ms (have: ${(await read()).map((m) => `${m.to}: ${m.subject}`).join('; ') || 'none'})`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The six-digit code in a mail's subject. */
export function codeIn(mail: ReceivedMail): string {
  const code = mail.subject.match(/\b(\d{6})\b/)?.[1];
  if (!code) throw new Error(`no code in "${mail.subject}"`);
  return code;
}

/** The code of the newest mail to `to` whose subject has `about` (a reset code, say), from the server's local mailbox. */
export async function mailedCode(serverUrl: string, to: string, about: RegExp, after = 0): Promise<string> {
  const dir = mailboxes.get(serverUrl);
  if (!dir) throw new Error(`no local mailbox is known for ${serverUrl}`);
  let seen = 0;
  const mail = await waitForMail(
    () => mailboxContents(dir),
    (m) => m.to.includes(to) && about.test(m.subject) && seen++ >= after,
  );
  return codeIn(mail);
}
