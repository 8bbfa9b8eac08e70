// Session rows: reading them (with their account), the active ones of an account, marking them ended
// (queueing the events that tell their devices), and the answers an ended session gets.
import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import type { SessionView, SignOutReason, UsedFrom } from '../../shared/api.js';
import { ApiError } from '../common/api-error.js';
import { type Clock } from '../common/clock.js';
import { CLOCK } from '../common/di-tokens.js';
import { SESSION_COLUMNS, type Db, type SessionsTable } from '../storage/schema.js';
import { Store, type UnitOfWork } from '../storage/store.js';
import { Metrics } from '../metrics/metrics.js';
import { Locator } from './locations.js';
import { toSessionView, type SessionViewRow } from './session-view.js';

export const unauthenticated = () => new ApiError(401, 'unauthenticated', { key: 'sign_in_needed' });

export interface Revocation {
  reason: SignOutReason;
  /** The session that did it, when a device did. */
  by?: SessionsTable;
  /** For `token_reused`: where the old token came from, and where the newer one was first used. */
  usedFrom?: UsedFrom;
  alsoFrom?: UsedFrom;
}

@Injectable()
export class SessionRepository {
  constructor(
    @Inject(Store) private readonly store: Store,
    @Inject(Locator) private readonly locator: Locator,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(Metrics) private readonly metrics: Metrics,
  ) {
    metrics.gauge('latch_sessions_active', 'Sessions signed in now (not ended, not past their idle expiry), every instance together.', async () => {
      const row = await this.store.db
        .selectFrom('sessions')
        .select(sql<number>`count(*)`.as('n'))
        .where('revoked_at', 'is', null)
        .where('idle_expires_at', '>', this.clock.now())
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    });
  }

  /** A session as the API shows it. */
  view(row: SessionViewRow, currentId: string | undefined, now: number): SessionView {
    return toSessionView(row, currentId, now, this.locator);
  }

  activeQuery(db: Db, userId: string, now: number) {
    return db
      .selectFrom('sessions')
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .where('idle_expires_at', '>', now);
  }

  /**
   * Marks sessions revoked (only those still active) and queues one
   * `session.revoked` per session actually revoked. Returns their ids.
   */
  async markRevoked(unit: UnitOfWork, userId: string, ids: string[], revocation: Revocation, now: number): Promise<string[]> {
    if (ids.length === 0) return [];
    const updated = await unit.db
      .updateTable('sessions')
      .set({
        revoked_at: now,
        revoke_reason: revocation.reason,
        revoked_by: revocation.by?.id ?? null,
        reused_from_ip: revocation.usedFrom?.ip ?? null,
        // The other holder's address, kept where later answers about this end read it (endedError, findEnded).
        ...(revocation.alsoFrom ? { token_from_ip: revocation.alsoFrom.ip } : {}),
      })
      .where('user_id', '=', userId)
      .where('id', 'in', ids)
      .where('revoked_at', 'is', null)
      .returning('id')
      .execute();
    if (updated.length > 0) this.metrics.revocations.inc({ reason: revocation.reason }, updated.length);
    const by = revocation.by ? { deviceName: revocation.by.device_name, location: this.locator.locate(revocation.by.ip) } : undefined;
    for (const { id } of updated) {
      unit.publish({
        kind: 'session.revoked',
        userId,
        sessionId: id,
        reason: revocation.reason,
        at: now,
        ...(by ? { by } : {}),
        ...(revocation.usedFrom ? { usedFrom: revocation.usedFrom } : {}),
        ...(revocation.alsoFrom ? { alsoFrom: revocation.alsoFrom } : {}),
      });
    }
    if (updated.length > 0) unit.publish({ kind: 'sessions.changed', userId });
    return updated.map((u) => u.id);
  }

  /** A session with its account and the name of the device that ended it, if any. */
  row(db: Db, column: 'sessions.token_hash' | 'sessions.id', value: string) {
    return db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .leftJoin('sessions as revoker', 'revoker.id', 'sessions.revoked_by')
      .select(SESSION_COLUMNS.map((column) => `sessions.${column}` as const))
      .select(['users.email', 'users.created_at as user_created_at', 'users.email_verified_at', 'revoker.device_name as revoker_device_name'])
      .where(column, '=', value)
      .executeTakeFirst();
  }

  /**
   * Where a copied sign-in was used: the address an old token came from, and the address the current
   * token was first used from, when that is another one.
   */
  whereFrom(tokenFromIp: string, reusedFromIp: string): { usedFrom: UsedFrom; alsoFrom?: UsedFrom } {
    const at = (ip: string): UsedFrom => ({ ip, location: this.locator.locate(ip) });
    return { usedFrom: at(reusedFromIp), ...(tokenFromIp && tokenFromIp !== reusedFromIp ? { alsoFrom: at(tokenFromIp) } : {}) };
  }

  endedError(session: SessionsTable, revokerDeviceName: string | null | undefined, options = { whereFrom: true }): ApiError {
    // A row that ended without being marked can only have run out of time.
    const reason = session.revoke_reason ?? 'expired';
    const revokedAt = new Date(session.revoked_at ?? session.idle_expires_at).toISOString();
    const extra = {
      reason,
      revokedAt,
      ...(revokerDeviceName ? { revokedBy: { deviceName: revokerDeviceName } } : {}),
      ...(reason === 'token_reused' && options.whereFrom && session.reused_from_ip !== null ? this.whereFrom(session.token_from_ip, session.reused_from_ip) : {}),
    };
    if (reason === 'expired') return new ApiError(401, 'session_expired', { key: 'session_expired' }, extra);
    if (reason === 'token_reused') {
      return new ApiError(401, 'session_revoked', { key: 'token_copied' }, extra);
    }
    return new ApiError(401, 'session_revoked', { key: 'signed_out' }, extra);
  }

  /** Of these session ids, the ones no longer valid, with why (for sockets to drop). */
  async findEnded(
    ids: string[],
  ): Promise<Array<{ id: string; userId: string; reason: SignOutReason; at: number; by?: { deviceName: string; location: ReturnType<Locator['locate']> }; usedFrom?: UsedFrom; alsoFrom?: UsedFrom }>> {
    if (ids.length === 0) return [];
    const now = this.clock.now();
    const rows = await this.store.db
      .selectFrom('sessions')
      .leftJoin('sessions as revoker', 'revoker.id', 'sessions.revoked_by')
      .select([
        'sessions.id',
        'sessions.user_id',
        'sessions.revoked_at',
        'sessions.revoke_reason',
        'sessions.idle_expires_at',
        'sessions.reused_from_ip',
        'sessions.token_from_ip',
        'revoker.device_name as revoker_device_name',
        'revoker.ip as revoker_ip',
      ])
      .where('sessions.id', 'in', ids)
      .where((eb) => eb.or([eb('sessions.revoked_at', 'is not', null), eb('sessions.idle_expires_at', '<=', now)]))
      .execute();
    return rows.map((r) => ({
      id: r.id,
      userId: r.user_id,
      reason: r.revoke_reason ?? 'expired',
      at: r.revoked_at ?? r.idle_expires_at,
      // Told as the live push tells it (markRevoked above): the device's name and where it signed in.
      ...(r.revoker_device_name !== null && r.revoker_ip !== null ? { by: { deviceName: r.revoker_device_name, location: this.locator.locate(r.revoker_ip) } } : {}),
      ...(r.revoke_reason === 'token_reused' && r.reused_from_ip !== null ? this.whereFrom(r.token_from_ip, r.reused_from_ip) : {}),
    }));
  }
}
