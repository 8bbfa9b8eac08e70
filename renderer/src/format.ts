// How times, dates and devices read. Sentences come from shared/messages.ts;
// relative times are in the UI's language, absolute dates and clock times in
// the OS locale (which chooses the 12- or 24-hour clock).
import type { Location, Platform } from '../../shared/api.js';
import { messages } from '../../shared/messages.js';

const relative = new Intl.RelativeTimeFormat(messages.lang, { numeric: 'auto' });
const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 86_400_000],
  ['month', 30 * 86_400_000],
  ['week', 7 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/** "just now", "3 minutes ago", "yesterday", in the UI's language. */
export function timeAgo(iso: string, now = Date.now()): string {
  const elapsed = now - Date.parse(iso);
  for (const [unit, ms] of UNITS) {
    if (elapsed >= ms) return relative.format(-Math.floor(elapsed / ms), unit);
  }
  return messages.common.justNow;
}

/** The OS locale, for dates and clock times (and the `lang` of the elements that show them). */
export const osLocale = new Intl.DateTimeFormat().resolvedOptions().locale;
export const formatDate = (iso: string) => new Date(iso).toLocaleDateString(osLocale, { year: 'numeric', month: 'short', day: 'numeric' });
export const formatDateTime = (iso: string) => new Date(iso).toLocaleString(osLocale, { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });

export const PLATFORM_NAMES: Record<Platform, string> = messages.platformNames;

/** "Ubuntu 24.04", "macOS 15.2": the OS the device sent, else its platform ("Linux"). */
export const systemOf = (device: { platform: Platform; os?: string | undefined }) => device.os || PLATFORM_NAMES[device.platform];

/** "London, United Kingdom", "This computer"; undefined when nothing is known. */
export const placeOf = (location: Location | undefined, inSentence = false) => messages.place(location, inSentence);
