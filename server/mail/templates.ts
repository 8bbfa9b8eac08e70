// The mail Latch sends, each from one template: a subject and paragraphs (words in shared/messages.ts),
// made into plain text and into HTML alike. docs/architecture.md, "Mail".
import type { SecurityEvent } from '../../shared/api.js';
import { en as messages } from '../../shared/messages.js';

/** What a message of each template carries in the outbox (JSON). */
export type MailData =
  | { template: 'sign_up_code'; code: string; minutes: number }
  | { template: 'already_registered'; email: string }
  | { template: 'reset_code'; code: string; minutes: number }
  /** A reset code the server's operator had sent (the owner did not ask): a link opens the account page at the code's form. */
  | { template: 'operator_reset'; code: string; minutes: number; id: string; email: string }
  | { template: 'verify_code'; code: string; minutes: number }
  | { template: 'step_up_code'; code: string; minutes: number }
  | { template: 'security'; email: string; events: SecurityEvent[] };

export type MailTemplate = MailData['template'];

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

interface Parts {
  subject: string;
  paragraphs: string[];
  code?: string;
  after?: readonly string[];
  link?: { text: string; href: string };
  /** Shown after everything else, in a smaller hand. */
  note?: string;
}

const m = messages.mail;

function parts(data: MailData, serverUrl: string): Parts {
  switch (data.template) {
    case 'sign_up_code':
      return { subject: m.signUpCode.subject(data.code), paragraphs: m.signUpCode.lines(m.minutes(data.minutes)), code: data.code, after: m.signUpCode.after };
    case 'already_registered':
      return { subject: m.alreadyRegistered.subject, paragraphs: m.alreadyRegistered.lines(data.email) };
    case 'reset_code':
      return { subject: m.resetCode.subject(data.code), paragraphs: m.resetCode.lines(m.minutes(data.minutes)), code: data.code, after: m.resetCode.after };
    case 'operator_reset':
      return {
        subject: m.resetCode.subject(data.code),
        paragraphs: m.operatorReset.lines(m.minutes(data.minutes)),
        code: data.code,
        after: [...m.resetCode.after, m.operatorReset.inApp],
        link: { text: m.operatorReset.link, href: `${serverUrl}/account#reset=${encodeURIComponent(data.id)}&email=${encodeURIComponent(data.email)}` },
      };
    case 'verify_code':
      return { subject: m.verifyCode.subject(data.code), paragraphs: m.verifyCode.lines(m.minutes(data.minutes)), code: data.code };
    case 'step_up_code':
      return { subject: m.stepUpCode.subject(data.code), paragraphs: m.stepUpCode.lines(m.minutes(data.minutes)), code: data.code, after: m.stepUpCode.after };
    case 'security': {
      const lines = data.events.map((event) => m.security.line(messages.activity.describe(event), when(event.at), messages.place(event.location), event.ip));
      const first = data.events[0] ? messages.activity.describe(data.events[0]) : '';
      const anySignIn = data.events.some((event) => event.type === 'signed_in');
      return {
        subject: m.security.subject(data.events.length, first),
        paragraphs: [m.security.intro(data.email), ...lines, m.security.notMe],
        // The link carries no token: it opens the account page, which asks to sign in.
        link: { text: m.security.notMeLink, href: `${serverUrl}/account#devices` },
        ...(anySignIn ? { note: m.security.turnOff } : {}),
      };
    }
  }
}

/** "Sunday 6 December 2026, 19:55 UTC": mail is read anywhere, so the zone is said. */
function when(iso: string): string {
  return new Intl.DateTimeFormat(messages.lang, {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone: 'UTC',
    timeZoneName: 'short',
  }).format(new Date(iso));
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function render(data: MailData, serverUrl: string): RenderedMail {
  const p = parts(data, serverUrl);
  const footer = m.footer(serverUrl);
  const text = [
    ...p.paragraphs,
    ...(p.code ? [`    ${p.code}`] : []),
    ...(p.after ?? []),
    ...(p.link ? [`${p.link.text}: ${p.link.href}`] : []),
    ...(p.note ? [p.note] : []),
    '--',
    footer,
  ].join('\n\n');
  const paragraph = (line: string) => `<p style="margin:0 0 16px">${escapeHtml(line)}</p>`;
  const html = [
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="color-scheme" content="light dark">',
    `<title>${escapeHtml(p.subject)}</title></head>`,
    '<body style="font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;font-size:16px;line-height:1.5;max-width:560px;margin:0 auto;padding:24px">',
    ...p.paragraphs.map(paragraph),
    ...(p.code ? [`<p style="margin:0 0 16px;font-size:32px;font-weight:700;letter-spacing:6px;font-family:ui-monospace,monospace">${escapeHtml(p.code)}</p>`] : []),
    ...(p.after ?? []).map(paragraph),
    ...(p.link ? [`<p style="margin:0 0 16px"><a href="${escapeHtml(p.link.href)}" style="font-weight:600">${escapeHtml(p.link.text)}</a></p>`] : []),
    ...(p.note ? [`<p style="margin:0 0 16px;font-size:14px">${escapeHtml(p.note)}</p>`] : []),
    `<hr style="border:none;border-top:1px solid #8886;margin:24px 0"><p style="font-size:13px;margin:0">${escapeHtml(footer)}</p>`,
    '</body></html>',
  ].join('\n');
  return { subject: p.subject, text, html };
}
