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

/** What each server started by the tests or benchmarks has mailed, by its URL: its local mailbox, or the SMTP server it sends to. */
export const mailboxes = new Map<string, () => Promise<ReceivedMail[]>>();

/** `serverUrl`'s mail is in the local mailbox `dir`. */
export const useLocalMailbox = (serverUrl: string, dir: string): void => void mailboxes.set(serverUrl, () => mailboxContents(dir));

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

/** Whether `mail` went to `address` (the server keeps addresses in lower case). */
export const sentTo = (mail: ReceivedMail, address: string): boolean => mail.to.toLowerCase().includes(address.toLowerCase());

/** The six-digit code in a mail's subject. */
export function codeIn(mail: ReceivedMail): string {
  const code = mail.subject.match(/\b(\d{6})\b/)?.[1];
  if (!code) throw new Error(`no code in "${mail.subject}"`);
  return code;
}

/** The code of the first mail to `to` whose subject has `about`, in any local mailbox of a server the tests started. */
export async function codeMailedTo(to: string, about: RegExp): Promise<string> {
  const read = async () => (await Promise.all([...new Set(mailboxes.values())].map((mail) => mail()))).flat();
  return codeIn(await waitForMail(read, (m) => sentTo(m, to) && about.test(m.subject)));
}

/** The code of the first mail to `to` whose subject has `about` (a reset code, say), or of the one after `after` such mails, from the server's local mailbox. */
export async function mailedCode(serverUrl: string, to: string, about: RegExp, after = 0): Promise<string> {
  const read = mailboxes.get(serverUrl);
  if (!read) throw new Error(`no mailbox is known for ${serverUrl}`);
  // The mails are counted afresh at each look (a count kept across looks found the first mail again).
  const later = async () => (await read()).filter((m) => sentTo(m, to) && about.test(m.subject)).slice(after);
  return codeIn(await waitForMail(later, () => true));
}
