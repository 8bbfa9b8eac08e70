import type { Platform, SecurityEvent } from '../../shared/api.js';

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 86_400_000],
  ['month', 30 * 86_400_000],
  ['week', 7 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/** "just now", "3 minutes ago", "yesterday". */
export function timeAgo(iso: string, now = Date.now()): string {
  const elapsed = now - Date.parse(iso);
  if (elapsed < 60_000) return 'just now';
  for (const [unit, ms] of UNITS) {
    if (elapsed >= ms) return relative.format(-Math.floor(elapsed / ms), unit);
  }
  return 'just now';
}

export const formatDate = (iso: string) => new Date(iso).toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
export const formatDateTime = (iso: string) =>
  new Date(iso).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

export const PLATFORM_NAMES: Record<Platform, string> = { darwin: 'macOS', win32: 'Windows', linux: 'Linux', other: 'Other' };

export function describeActivity(event: SecurityEvent): string {
  const by = `'${event.deviceName}'`;
  switch (event.type) {
    case 'account_created':
      return `Account created on ${by}`;
    case 'signed_in':
      return `Signed in on ${by}`;
    case 'signed_out':
      return `${by} signed out`;
    case 'session_revoked':
      return `${by} signed out '${event.targetDeviceName ?? 'a device'}'`;
    case 'other_sessions_revoked':
      return `${by} signed out ${event.count ?? 0} other device${event.count === 1 ? '' : 's'}`;
    case 'password_changed':
      return event.count ? `Password changed on ${by}; ${event.count} other device${event.count === 1 ? '' : 's'} signed out` : `Password changed on ${by}`;
    case 'session_evicted':
      return `'${event.targetDeviceName ?? 'A device'}' signed out: too many devices when ${by} signed in`;
  }
}
