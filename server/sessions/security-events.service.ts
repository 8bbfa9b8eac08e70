import { Inject, Injectable } from '@nestjs/common';
import type { SecurityEvent, SecurityEventList, SecurityEventType } from '../../shared/api.js';
import { platformOf } from '../../shared/api.js';
import type { Db, SecurityEventsTable, SessionsTable } from '../storage/schema.js';
import { MailOutbox } from '../mail/outbox.js';
import { Store } from '../storage/store.js';
import { Locator } from './locations.js';
import { newOrderedId } from './tokens.js';

export interface SecurityEventInput {
  userId: string;
  type: SecurityEventType;
  at: number;
  deviceName: string;
  platform: string;
  ip: string;
  targetDeviceName?: string | undefined;
  count?: number | undefined;
  sessionId?: string | undefined;
}

/**
 * Events that are mailed to the account's confirmed address (docs/architecture.md, "Mail"): a new sign-in
 * (unless the owner turned that off), and every change that weakens or tells of a threat to the account.
 */
const MAILED: ReadonlySet<SecurityEventType> = new Set<SecurityEventType>([
  'signed_in',
  'password_changed',
  'password_reset',
  'approval_turned_off',
  'authenticator_turned_off',
  'recovery_codes_regenerated',
  'recovery_code_used',
  'token_reused',
  // Told even as it is turned off: a thief who turns the alerts off is the one they are for.
  'sign_in_mail_changed',
  // What the server's operator did to the account.
  'operator_signed_out',
  'account_disabled',
  'account_enabled',
  'operator_turned_off_codes',
  'passkey_added',
  'passkey_removed',
  'passkey_cloned',
]);

/** The per-user audit trail shown as "Recent activity", and the security mail it sends. */
@Injectable()
export class SecurityEventsService {
  constructor(
    @Inject(Store) private readonly store: Store,
    @Inject(Locator) private readonly locator: Locator,
    @Inject(MailOutbox) private readonly outbox: MailOutbox,
  ) {}

  /**
   * An event done by a session's device: who (and on which account) comes from the session row. `quiet`:
   * no mail (the first sign-in of a new account).
   */
  async recordBy(
    db: Db,
    actor: Pick<SessionsTable, 'user_id' | 'device_name' | 'platform'> & { id?: string },
    event: Pick<SecurityEventInput, 'type' | 'at' | 'ip' | 'targetDeviceName' | 'count'>,
    options: { quiet?: boolean } = {},
  ): Promise<void> {
    await this.record(db, { ...event, userId: actor.user_id, deviceName: actor.device_name, platform: actor.platform, sessionId: actor.id }, options.quiet === true);
  }

  private async record(db: Db, event: SecurityEventInput, quiet: boolean): Promise<void> {
    const row: SecurityEventsTable = {
      id: newOrderedId(event.at),
      user_id: event.userId,
      type: event.type,
      at: event.at,
      device_name: event.deviceName,
      platform: event.platform,
      ip: event.ip,
      target_device_name: event.targetDeviceName ?? null,
      count: event.count ?? null,
      session_id: event.sessionId ?? null,
    };
    await db.insertInto('security_events').values(row).execute();
    if (quiet || !MAILED.has(event.type)) return;
    const user = await db.selectFrom('users').select(['id', 'email', 'email_verified_at', 'mail_new_sign_ins']).where('id', '=', event.userId).executeTakeFirst();
    // Only to an address the owner has proved is theirs.
    if (!user || user.email_verified_at === null) return;
    if (event.type === 'signed_in' && user.mail_new_sign_ins !== 1) return;
    await this.outbox.security(db, user, toSecurityEvent(row, this.locator));
  }

  /** Deletes events older than `before` (the retention, run by the maintenance job). */
  async purge(before: number): Promise<void> {
    await this.store.db.deleteFrom('security_events').where('at', '<', before).execute();
  }

  /**
   * A page of the account's events, newest first; ids sort by time, so `before` continues where a page ended.
   * `session`: only what that session's device did.
   */
  async page(userId: string, query: { before?: string | undefined; limit: number; session?: string | undefined }): Promise<SecurityEventList> {
    let select = this.store.db.selectFrom('security_events').selectAll().where('user_id', '=', userId);
    if (query.before) select = select.where('id', '<', query.before);
    if (query.session) select = select.where('session_id', '=', query.session);
    const rows = await select
      .orderBy('id', 'desc')
      .limit(query.limit + 1)
      .execute();
    const more = rows.length > query.limit;
    const events = rows.slice(0, query.limit).map((row) => toSecurityEvent(row, this.locator));
    return { events, ...(more ? { nextBefore: events[events.length - 1]!.id } : {}) };
  }
}

export function toSecurityEvent(row: SecurityEventsTable, locator: Locator): SecurityEvent {
  return {
    id: row.id,
    type: row.type,
    at: new Date(row.at).toISOString(),
    deviceName: row.device_name,
    platform: platformOf(row.platform),
    ip: row.ip,
    location: locator.locate(row.ip),
    ...(row.target_device_name !== null ? { targetDeviceName: row.target_device_name } : {}),
    ...(row.count !== null ? { count: row.count } : {}),
  };
}
