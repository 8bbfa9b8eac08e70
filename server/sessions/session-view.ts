// A session row as the API shows it.
import type { DeviceInfo, SessionView, User } from '../../shared/api.js';
import { platformOf } from '../../shared/api.js';
import type { SessionsTable, UsersTable } from '../storage/schema.js';
import type { Locator } from './locations.js';

/** The columns a session's view is made of; listing reads only these (never the token hash). */
export const VIEW_COLUMNS = ['id', 'device_name', 'platform', 'os', 'app_version', 'ip', 'created_at', 'last_seen_at', 'idle_expires_at', 'expires_at', 'online_until', 'kind', 'signed_in_with', 'approved_on', 'approved_by'] as const;
export type SessionViewRow = Pick<SessionsTable, (typeof VIEW_COLUMNS)[number]>;

/** An account as the API shows it. */
export const userView = (user: Pick<UsersTable, 'id' | 'email' | 'created_at' | 'email_verified_at'>): User => ({
  id: user.id,
  email: user.email,
  createdAt: new Date(user.created_at).toISOString(),
  emailVerified: user.email_verified_at !== null,
});

/** The columns that say what a device is and where it signed in from, as a session and a sign-in request store them. */
export function deviceColumns(device: DeviceInfo, client: { ip: string; userAgent: string }) {
  return { device_name: device.name, platform: device.platform, os: device.os ?? null, app_version: device.appVersion, ip: client.ip, user_agent: client.userAgent };
}

/**
 * What every view of a device shows the same way (a session, a signed-out session, a sign-in request):
 * its id, name, platform, OS, address with its place, and when it started. `toSessionView` writes the same
 * fields out itself, without a spread (it is on the list's hot path): a change here goes there too.
 */
export function deviceFacts(
  row: { id: string; device_name: string; platform: string; os: string | null; ip: string; created_at: number },
  locator: Locator,
): Pick<SessionView, 'id' | 'deviceName' | 'platform' | 'os' | 'ip' | 'location' | 'createdAt'> {
  return {
    id: row.id,
    deviceName: row.device_name,
    platform: platformOf(row.platform),
    ...(row.os ? { os: row.os } : {}),
    ip: row.ip,
    location: locator.locate(row.ip),
    createdAt: new Date(row.created_at).toISOString(),
  };
}

/**
 * One object literal of one shape, with no spread: a list builds one per session, and the spreads it was built
 * with before allocated an object more each, which the list's young-generation collections then promoted
 * (docs/performance.md, "The session list"). An absent OS or browser mark is `undefined`, which JSON leaves out,
 * so the answer is the same as before, key for key and in the same order.
 */
export function toSessionView(row: SessionViewRow, currentId: string | undefined, now: number, locator: Locator): SessionView {
  return {
    id: row.id,
    deviceName: row.device_name,
    platform: platformOf(row.platform),
    os: row.os || undefined,
    ip: row.ip,
    location: locator.locate(row.ip),
    createdAt: new Date(row.created_at).toISOString(),
    appVersion: row.app_version,
    lastSeenAt: new Date(row.last_seen_at).toISOString(),
    expiresAt: new Date(Math.min(row.idle_expires_at, row.expires_at)).toISOString(),
    current: row.id === currentId,
    online: row.online_until !== null && row.online_until > now,
    browser: row.kind === 'browser' ? true : undefined,
    signedInWith: row.signed_in_with ?? undefined,
    approvedOn: row.approved_on ?? undefined,
    approvedBy: row.approved_by ?? undefined,
  };
}
