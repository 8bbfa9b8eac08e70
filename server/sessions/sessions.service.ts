// Sessions' use cases: signing in (with eviction past the cap), listing, renaming, signing out one or
// all others, recent authentication, and upkeep. The check every request makes is authenticator.ts;
// rows and their events are session-repository.ts. Revocation state lives in the store; sockets only
// hear about it.
import { Inject, Injectable } from '@nestjs/common';
import { sql, type CompiledQuery } from 'kysely';
import type { DeviceInfo, SessionView, SignedOutSessionView, SignInMethod, SignOutReason } from '../../shared/api.js';
import { SIGNED_OUT_LIMIT } from '../../shared/api.js';
import { accountDisabled, ApiError } from '../common/api-error.js';
import { type Clock } from '../common/clock.js';
import { CLOCK, CONFIG } from '../common/di-tokens.js';
import { addressKey } from '../http/http-edge.js';
import type { AuthContext, ClientInfo } from '../http/request-context.js';
import { lifespan, type ServerConfig } from '../config/config.js';
import type { Db, SessionKind, SessionsTable, UsersTable } from '../storage/schema.js';
import { Store, type UnitOfWork } from '../storage/store.js';
import { SessionAuthenticator } from './authenticator.js';
import { Locator } from './locations.js';
import { SecurityEventsService } from './security-events.service.js';
import { endOpenRequests } from './sign-in-requests.js';
import { SessionRepository, unauthenticated } from './session-repository.js';
import { deviceColumns, deviceFacts, VIEW_COLUMNS, type SessionViewRow } from './session-view.js';
import { TokenRotation } from './token-rotation.js';
import { hashToken, newSessionId, newToken } from './tokens.js';

/** The expiry sweep's next batch: active sessions past their idle expiry. Its plan on SQLite is tested (query-plans.test.ts). */
export const expiredBatch = (db: Db, now: number) =>
  db.selectFrom('sessions').select(['id', 'user_id']).where('revoked_at', 'is', null).where('idle_expires_at', '<=', now).limit(500);

/** Sessions ended before `cutoff`, which the purge deletes (their retired tokens with them). */
export const endedBefore = (db: Db, cutoff: number) => db.deleteFrom('sessions').where('revoked_at', '<', cutoff);

/** How a session begins, kept with it; an approval names the session that said yes (its id for the event, its name to show). */
export interface SignedInHow {
  method: SignInMethod;
  approvedBy?: { sessionId: string; name: string };
}

@Injectable()
export class SessionsService {
  constructor(
    @Inject(Store) private readonly store: Store,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: ServerConfig,
    @Inject(SecurityEventsService) private readonly securityEvents: SecurityEventsService,
    @Inject(Locator) private readonly locator: Locator,
    @Inject(TokenRotation) private readonly rotation: TokenRotation,
    @Inject(SessionRepository) private readonly repo: SessionRepository,
    @Inject(SessionAuthenticator) private readonly authenticator: SessionAuthenticator,
  ) {}

  /** A session as the API shows it. */
  view(row: SessionViewRow, currentId: string | undefined, now: number): SessionView {
    return this.repo.view(row, currentId, now);
  }

  /** Of these session ids, the ones no longer valid, with why (for sockets to drop). */
  findEnded(ids: string[]) {
    return this.repo.findEnded(ids);
  }

  /** The list's SQL, built once: a request only puts its account and time in (Kysely built it anew each time). */
  private listSql: CompiledQuery<SessionViewRow> | undefined;

  private listQuery(userId: string, now: number): CompiledQuery<SessionViewRow> {
    const [someone, sometime] = ['\u0000account', -1];
    this.listSql ??= this.repo.activeQuery(this.store.db, someone, sometime).select(VIEW_COLUMNS).orderBy('last_seen_at', 'desc').orderBy('id').compile();
    // By value, not by place: whatever order the SQL takes them in.
    return { ...this.listSql, parameters: this.listSql.parameters.map((p) => (p === someone ? userId : p === sometime ? now : p)) };
  }

  private get policy() {
    return this.config.sessions;
  }

  /**
   * Starts a session inside the caller's transaction; evicts past the cap. Never for an account the operator
   * disabled, read again here under the account's lock: a sign-in that read the account before it was
   * disabled makes no session after.
   */
  async create(
    unit: UnitOfWork,
    user: UsersTable,
    device: DeviceInfo,
    client: ClientInfo,
    kind: SessionKind,
    how: SignedInHow,
  ): Promise<{ token: string; session: SessionsTable }> {
    await this.store.lockAccount(unit.db, user.id);
    const account = await unit.db.selectFrom('users').select('disabled_at').where('id', '=', user.id).executeTakeFirst();
    if (account?.disabled_at != null) throw accountDisabled();
    const now = this.clock.now();
    const { idleTimeoutMs, lifetimeMs } = lifespan(this.policy, kind);
    const token = newToken();
    const session: SessionsTable = {
      id: newSessionId(),
      user_id: user.id,
      token_hash: hashToken(token),
      prev_token_hash: null,
      next_token_hash: null,
      rotation_nonce: null,
      next_nonce: null,
      superseded: 0,
      next_from_ip: null,
      rotated_at: now,
      token_from_ip: client.ip,
      ...deviceColumns(device, client),
      created_at: now,
      last_seen_at: now,
      idle_expires_at: Math.min(now + idleTimeoutMs, now + lifetimeMs),
      expires_at: now + lifetimeMs,
      revoked_at: null,
      revoke_reason: null,
      revoked_by: null,
      reused_from_ip: null,
      // Signing in is entering the password: destructive actions are open for a while.
      reauth_at: now,
      reentered_at: null,
      online_until: null,
      online_by: null,
      kind,
      signed_in_with: how.method,
      approved_on: how.approvedBy?.name ?? null,
      approved_by: how.approvedBy?.sessionId ?? null,
    };
    await unit.db.insertInto('sessions').values(session).execute();
    await this.evictBeyondCap(unit, session, now);
    unit.publish({ kind: 'session.created', userId: user.id, session: this.view(session, undefined, now), ...(how.approvedBy ? { approvedBy: how.approvedBy.sessionId } : {}) });
    unit.publish({ kind: 'sessions.changed', userId: user.id });
    return { token, session };
  }

  /**
   * Past the cap, the longest-idle sessions without a live connection make
   * room; only when every other session is connected does the longest-idle of
   * those go. Never the one signing in. The evicted device is told which
   * sign-in took its place.
   */
  private async evictBeyondCap(unit: UnitOfWork, newest: SessionsTable, now: number): Promise<void> {
    const active = await this.repo.activeQuery(unit.db, newest.user_id, now)
      .select(['id', 'device_name'])
      .where('id', '!=', newest.id)
      .orderBy(sql`case when online_until > ${now} then 1 else 0 end`)
      .orderBy('last_seen_at', 'asc')
      .orderBy('created_at', 'asc')
      .execute();
    const excess = active.length + 1 - this.policy.maxSessionsPerUser;
    if (excess <= 0) return;
    const victims = active.slice(0, excess);
    const evicted = await this.repo.markRevoked(unit, newest.user_id, victims.map((v) => v.id), { reason: 'evicted', by: newest }, now);
    for (const victim of victims.filter((v) => evicted.includes(v.id))) {
      await this.securityEvents.recordBy(unit.db, newest, { type: 'session_evicted', at: now, ip: newest.ip, targetDeviceName: victim.device_name });
    }
  }

  /**
   * The token that replaces the caller's (docs/architecture.md, "Token rotation"). A request that shows
   * a second holder of the sign-in ends the session as any reuse does, and gets its 401.
   */
  async rotate(auth: AuthContext, token: string, claim: string, client: ClientInfo): Promise<string> {
    const rotated = await this.rotation.rotate(auth.session.id, token, claim, client.ip);
    if (rotated === 'reused') throw await this.authenticator.endForReuse(auth.session, client.ip, this.clock.now());
    return rotated.token;
  }

  /** Active sessions: the current one first, then the most recently seen. */
  async list(auth: AuthContext): Promise<SessionView[]> {
    const now = this.clock.now();
    const { rows } = await this.store.db.executeQuery(this.listQuery(auth.user.id, now));
    const views = rows.map((row) => this.view(row, auth.session.id, now));
    return [...views.filter((v) => v.current), ...views.filter((v) => !v.current)];
  }

  /**
   * Sessions of the account that ended within the retention (30 days; older
   * rows are purged), the most recently ended first. A session that ran out
   * of time without being marked yet counts as expired at its expiry.
   */
  async signedOut(auth: AuthContext): Promise<SignedOutSessionView[]> {
    const now = this.clock.now();
    const since = now - this.policy.retentionMs;
    // Two range reads the indexes answer in order (ended rows by revoked_at; unmarked expired ones, at most
    // the cap of active sessions), merged here: one OR'd query would read and sort every row of the account.
    const columns = [
      'sessions.id',
      'sessions.device_name',
      'sessions.platform',
      'sessions.os',
      'sessions.ip',
      'sessions.created_at',
      'sessions.last_seen_at',
      'sessions.revoked_at',
      'sessions.revoke_reason',
      'sessions.idle_expires_at',
      'revoker.device_name as revoker_device_name',
    ] as const;
    const base = () =>
      this.store.db.selectFrom('sessions').leftJoin('sessions as revoker', 'revoker.id', 'sessions.revoked_by').select(columns).where('sessions.user_id', '=', auth.user.id);
    const [marked, unmarked] = await Promise.all([
      base().where('sessions.revoked_at', '>', since).orderBy('sessions.revoked_at', 'desc').orderBy('sessions.id').limit(SIGNED_OUT_LIMIT).execute(),
      base()
        .where('sessions.revoked_at', 'is', null)
        .where('sessions.idle_expires_at', '<=', now)
        .where('sessions.idle_expires_at', '>', since)
        .orderBy('sessions.idle_expires_at', 'desc')
        .limit(SIGNED_OUT_LIMIT)
        .execute(),
    ]);
    // A session that ran out of time ended at its expiry, whenever the sweep got to marking it.
    const endedAt = (row: (typeof marked)[number]) =>
      row.revoked_at === null || row.revoke_reason === 'expired' ? Math.min(row.revoked_at ?? Infinity, row.idle_expires_at) : row.revoked_at;
    return [...marked, ...unmarked]
      .sort((a, b) => endedAt(b) - endedAt(a) || a.id.localeCompare(b.id))
      .slice(0, SIGNED_OUT_LIMIT)
      .map((row) => ({
        ...deviceFacts(row, this.locator),
        lastSeenAt: new Date(row.last_seen_at).toISOString(),
        signedOutAt: new Date(endedAt(row)).toISOString(),
        reason: row.revoke_reason ?? 'expired',
        ...(row.revoker_device_name ? { by: { deviceName: row.revoker_device_name } } : {}),
      }));
  }

  async rename(auth: AuthContext, deviceName: string): Promise<SessionView> {
    const session = await this.store.transaction(async (unit) => {
      const updated = await unit.db
        .updateTable('sessions')
        .set({ device_name: deviceName })
        .where('id', '=', auth.session.id)
        .where('revoked_at', 'is', null)
        .returningAll()
        .executeTakeFirst();
      if (!updated) throw unauthenticated();
      unit.publish({ kind: 'sessions.changed', userId: auth.user.id });
      return updated;
    });
    return this.view(session, auth.session.id, this.clock.now());
  }

  /** Whether this account has had a session from this address, or its IPv6 /64 (kept rows included). */
  async hasSignedInFrom(userId: string | undefined, ip: string): Promise<boolean> {
    if (!userId) return false;
    const rows = await this.store.db.selectFrom('sessions').select('ip').distinct().where('user_id', '=', userId).limit(1_000).execute();
    const key = addressKey(ip);
    return rows.some((row) => addressKey(row.ip) === key);
  }

  async markReauthenticated(db: Db, sessionId: string, at: number): Promise<void> {
    await db.updateTable('sessions').set({ reauth_at: at, reentered_at: at }).where('id', '=', sessionId).execute();
  }

  /**
   * Signing other devices out needs the password entered on this session
   * recently, so a copied token alone cannot throw the owner out. Read from the
   * store, not the session cache: another instance may have taken the password.
   */
  async requireRecentAuth(auth: AuthContext, options: { reentered?: boolean } = {}): Promise<void> {
    const row = await this.store.db.selectFrom('sessions').select(['reauth_at', 'reentered_at']).where('id', '=', auth.session.id).executeTakeFirst();
    // `reentered`: the sign-in itself does not count, only the password or a passkey entered again since (adding a
    // passkey: a copied sign-in in its first minutes must not make itself a way back in).
    const at = (options.reentered ? row?.reentered_at : row?.reauth_at) ?? null;
    if (at === null || this.clock.now() - at > this.config.recentAuthMs) {
      const minutes = Math.max(1, Math.round(this.config.recentAuthMs / 60_000));
      throw new ApiError(403, 'reauth_required', { key: 'reauth_needed', minutes });
    }
  }

  /** Sign out one session of the caller's account; another account's id is not found. */
  async revoke(auth: AuthContext, sessionId: string, client: ClientInfo): Promise<void> {
    if (sessionId !== auth.session.id) await this.requireRecentAuth(auth);
    const now = this.clock.now();
    await this.store.transaction(async (unit) => {
      // Turns with a collect (which takes the same lock): an approval this session gave is not collected after it ends.
      await this.store.lockAccount(unit.db, auth.user.id);
      const target = await this.repo.activeQuery(unit.db, auth.user.id, now).select(['id', 'device_name']).where('id', '=', sessionId).executeTakeFirst();
      const isSelf = sessionId === auth.session.id;
      // Decided by what the UPDATE changed, not by the read above: a concurrent
      // revoke of the same session may commit in between (Postgres, read committed).
      const revoked = target
        ? await this.repo.markRevoked(unit, auth.user.id, [target.id], isSelf ? { reason: 'signed_out' } : { reason: 'revoked_by_user', by: auth.session }, now)
        : [];
      if (revoked.length === 0 && isSelf) {
        // The caller's own session ended while this request was under way (a second logout).
        const ended = await unit.db.selectFrom('sessions').selectAll().where('id', '=', sessionId).executeTakeFirstOrThrow();
        throw this.repo.endedError(ended, null);
      }
      if (revoked.length === 0 || !target) throw new ApiError(404, 'not_found', { key: 'no_such_session' });
      await this.securityEvents.recordBy(unit.db, auth.session, {
        type: isSelf ? 'signed_out' : 'session_revoked',
        at: now,
        ip: client.ip,
        ...(isSelf ? {} : { targetDeviceName: target.device_name }),
      });
    });
  }

  async logout(auth: AuthContext, client: ClientInfo): Promise<void> {
    await this.revoke(auth, auth.session.id, client);
  }

  /**
   * Ends every other active session of the caller's account inside the caller's transaction (no event of
   * its own), and the account's open sign-in requests: none made or approved before completes after.
   */
  async endOtherSessions(
    unit: UnitOfWork,
    auth: { user: { id: string }; session: SessionsTable },
    reason: Extract<SignOutReason, 'revoked_by_user' | 'password_changed' | 'password_reset'>,
  ): Promise<number> {
    const now = this.clock.now();
    // Requests first, under the account's lock: a collect under way finishes before (and its new session is
    // among the others read next) or finds its request ended.
    await this.store.lockAccount(unit.db, auth.user.id);
    await endOpenRequests(unit, auth.user.id, now);
    const others = await this.repo.activeQuery(unit.db, auth.user.id, now).select('id').where('id', '!=', auth.session.id).execute();
    const revoked = await this.repo.markRevoked(unit, auth.user.id, others.map((o) => o.id), { reason, by: auth.session }, now);
    return revoked.length;
  }

  /** The revoke-others route: every other session, recorded as one security event (none when nothing changed). */
  async revokeOtherSessions(auth: AuthContext, client: ClientInfo): Promise<number> {
    await this.requireRecentAuth(auth);
    return this.store.transaction(async (unit) => {
      const count = await this.endOtherSessions(unit, auth, 'revoked_by_user');
      if (count === 0) return 0;
      await this.securityEvents.recordBy(unit.db, auth.session, { type: 'other_sessions_revoked', at: this.clock.now(), ip: client.ip, count });
      return count;
    });
  }

  /**
   * Periodic upkeep: sessions past their expiry are marked expired (so their
   * devices are told), and rows ended longer ago than the retention are purged
   * (their retired tokens with them).
   */
  async maintain(): Promise<{ expired: number; purged: number }> {
    const now = this.clock.now();
    let expired = 0;
    for (;;) {
      const batch = await expiredBatch(this.store.db, now).execute();
      if (batch.length === 0) break;
      const idsByUser = new Map<string, string[]>();
      for (const row of batch) idsByUser.set(row.user_id, [...(idsByUser.get(row.user_id) ?? []), row.id]);
      await this.store.transaction(async (unit) => {
        for (const [userId, ids] of idsByUser) {
          expired += (await this.repo.markRevoked(unit, userId, ids, { reason: 'expired' }, now)).length;
        }
      });
    }
    const cutoff = now - this.policy.retentionMs;
    const purged = await endedBefore(this.store.db, cutoff).executeTakeFirst();
    return { expired, purged: Number(purged.numDeletedRows) };
  }
}
