// One way to write a date or a time, everywhere a person reads one: the
// windows, the account page, the forced sign-out notice and the OS
// notifications. Dates and clock times follow the locale of the OS or the
// browser (its own 12- or 24-hour habit, its own order of day and month), in
// the language of the words (shared/messages.ts), as is "3 minutes ago".
import { messages } from './messages.js';

/**
 * The locale dates and clock times are written in (also the `lang` of the elements that show them): the OS's
 * or the browser's, or, when Latch speaks another language than that locale's, that language in the locale's
 * region ("de-US" on an American system with German preferred), so month names never change language mid-sentence.
 */
export const dateLocale = (() => {
  const system = new Intl.Locale(new Intl.DateTimeFormat().resolvedOptions().locale);
  if (system.language === messages.lang) return system.baseName;
  return new Intl.DateTimeFormat(system.region ? `${messages.lang}-${system.region}` : messages.lang).resolvedOptions().locale;
})();

const clock = new Intl.DateTimeFormat(dateLocale, { hour: 'numeric', minute: '2-digit' });
const dayThisYear = new Intl.DateTimeFormat(dateLocale, { month: 'short', day: 'numeric' });
const day = new Intl.DateTimeFormat(dateLocale, { year: 'numeric', month: 'short', day: 'numeric' });
const momentThisYear = new Intl.DateTimeFormat(dateLocale, { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });
const moment = new Intl.DateTimeFormat(dateLocale, { year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });

/** "Dec 6", or "Dec 6, 2025" before this year: the day something happened. */
export function dateOf(iso: string, now: Date = new Date()): string {
  const at = new Date(iso);
  return (at.getFullYear() === now.getFullYear() ? dayThisYear : day).format(at);
}

/**
 * When something happened: "4:35 PM" today, "Dec 6, 4:35 PM" before, "Dec 6, 2025, 4:35 PM" before this year.
 * A notice read days later must not pass for today's, so the date shows whenever it is not today.
 */
export function timeOf(iso: string, now: Date = new Date()): string {
  const at = new Date(iso);
  return at.toDateString() === now.toDateString() ? clock.format(at) : momentOf(iso, now);
}

/** "Dec 6, 4:35 PM" (the year before this one) whatever the day: where a date must show even today. */
export function momentOf(iso: string, now: Date = new Date()): string {
  const at = new Date(iso);
  return (at.getFullYear() === now.getFullYear() ? momentThisYear : moment).format(at);
}

const relative = new Intl.RelativeTimeFormat(messages.lang, { numeric: 'auto' });
const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 86_400_000],
  ['month', 30 * 86_400_000],
  ['week', 7 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/** "just now", "3 minutes ago", "yesterday", in the language of the words. */
export function timeAgo(iso: string, now = Date.now()): string {
  const elapsed = now - Date.parse(iso);
  for (const [unit, ms] of UNITS) {
    if (elapsed >= ms) return relative.format(-Math.floor(elapsed / ms), unit);
  }
  return messages.common.justNow;
}
