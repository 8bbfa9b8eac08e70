// Sessions: creation, validation on every request, listing and revocation.
// Revocation state lives here, in the store; sockets only hear about it.
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { sql } from 'kysely';
import type { DeviceInfo, SessionView, SignedOutSessionView, SignOutReason, UsedFrom } from '../../shared/api.js';
import { platformOf, SIGNED_OUT_LIMIT } from '../../shared/api.js';
import { ApiError } from '../common/api-error.js';
import { type Clock } from '../common/clock.js';
import { CLOCK, CONFIG } from '../common/di-tokens.js';
import { addressKey } from '../common/http-edge.js';
import type { AuthContext, ClientInfo, UserIdentity } from '../common/request-context.js';
import type { ServerConfig } from '../config/config.js';
import type { Db, SessionsTable, UsersTable } from '../storage/schema.js';
import { Store, type UnitOfWork } from '../storage/store.js';
import { SecurityEventsService } from './security-events.service.js';
import { Locator } from './locations.js';
import { SessionCache } from './session-cache.js';
import { TokenRotation } from './token-rotation.js';
import { hashToken, looksLikeToken, newSessionId, newToken } from './tokens.js';

/** The columns a session's view is made of; listing reads only these (never the token hash). */
const VIEW_COLUMNS = ['id', 'device_name', 'platform', 'os', 'app_version', 'ip', 'created_at', 'last_seen_at', 'idle_expires_at', 'expires_at', 'online_until'] as const;
type SessionViewRow = Pick<SessionsTable, (typeof VIEW_COLUMNS)[number]>;

export function toSessionView(row: SessionViewRow, currentId: string | undefined, now: number, locator: Locator): SessionView {
  return {
    id: row.id,
    deviceName: row.device_name,
    platform: platformOf(row.platform),
    ...(row.os ? { os: row.os } : {}),
    appVersion: row.app_version,
    ip: row.ip,
    location: locator.locate(row.ip),
    createdAt: new Date(row.created_at).toISOString(),
    lastSeenAt: new Date(row.last_seen_at).toISOString(),
    expiresAt: new Date(Math.min(row.idle_expires_at, row.expires_at)).toISOString(),
    current: row.id === currentId,
    online: row.online_until !== null && row.online_until > now,
  };
}

const unauthenticated = () => new ApiError(401, 'unauthenticated', 'Sign in to continue.');

interface Revocation {
  reason: SignOutReason;
  /** The session that did it, when a device did. */
  by?: SessionsTable;
  /** For `token_reused`: where the old token came from, and where the newer one was first used. */
  usedFrom?: UsedFrom;
  alsoFrom?: UsedFrom;
}

@Injectable()
export class SessionsService implements OnModuleDestroy {
  private readonly cache: SessionCache;

  constructor(
    @Inject(Store) private readonly store: Store,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: ServerConfig,
    @Inject(SecurityEventsService) private readonly securityEvents: SecurityEventsService,
    @Inject(Locator) private readonly locator: Locator,
    @Inject(TokenRotation) private readonly rotation: TokenRotation,
  ) {
    this.cache = new SessionCache(store.bus);
  }

  /** A session as the API shows it. */
  view(row: SessionViewRow, currentId: string | undefined, now: number): SessionView {
    return toSessionView(row, currentId, now, this.locator);
  }

  onModuleDestroy(): void {
    this.cache.close();
  }

  private get policy() {
    return this.config.sessions;
  }

  /** Starts a session inside the caller's transaction; evicts past the cap. */
  async create(unit: UnitOfWork, user: UsersTable, device: DeviceInfo, client: ClientInfo): Promise<{ token: string; session: SessionsTable }> {
    const now = this.clock.now();
    const token = newToken();
    const session: SessionsTable = {
      id: newSessionId(),
      user_id: user.id,
      token_hash: hashToken(token),
      prev_token_hash: null,
      next_token_hash: null,
      rotation_nonce: null,
      next_nonce: null,
      rotated_at: now,
      token_from_ip: client.ip,
      device_name: device.name,
      platform: device.platform,
      os: device.os ?? null,
      app_version: device.appVersion,
      ip: client.ip,
      user_agent: client.userAgent,
      created_at: now,
      last_seen_at: now,
      idle_expires_at: Math.min(now + this.policy.idleTimeoutMs, now + this.policy.lifetimeMs),
      expires_at: now + this.policy.lifetimeMs,
      revoked_at: null,
      revoke_reason: null,
      revoked_by: null,
      reused_from_ip: null,
      // Signing in is entering the password: destructive actions are open for a while.
      reauth_at: now,
      online_until: null,
      online_by: null,
    };
    await unit.db.insertInto('sessions').values(session).execute();
    await this.evictBeyondCap(unit, session, now);
    unit.publish({ kind: 'session.created', userId: user.id, session: this.view(session, undefined, now) });
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
    const active = await this.activeQuery(unit.db, newest.user_id, now)
      .select(['id', 'device_name'])
      .where('id', '!=', newest.id)
      .orderBy(sql`case when online_until > ${now} then 1 else 0 end`)
      .orderBy('last_seen_at', 'asc')
      .orderBy('created_at', 'asc')
      .execute();
    const excess = active.length + 1 - this.policy.maxSessionsPerUser;
    if (excess <= 0) return;
    const victims = active.slice(0, excess);
    const evicted = await this.markRevoked(unit, newest.user_id, victims.map((v) => v.id), { reason: 'evicted', by: newest }, now);
    for (const victim of victims.filter((v) => evicted.includes(v.id))) {
      await this.securityEvents.recordBy(unit.db, newest, { type: 'session_evicted', at: now, ip: newest.ip, targetDeviceName: victim.device_name });
    }
  }

  private activeQuery(db: Db, userId: string, now: number) {
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
  private async markRevoked(unit: UnitOfWork, userId: string, ids: string[], revocation: Revocation, now: number): Promise<string[]> {
    if (ids.length === 0) return [];
    const updated = await unit.db
      .updateTable('sessions')
      .set({ revoked_at: now, revoke_reason: revocation.reason, revoked_by: revocation.by?.id ?? null, reused_from_ip: revocation.usedFrom?.ip ?? null })
      .where('user_id', '=', userId)
      .where('id', 'in', ids)
      .where('revoked_at', 'is', null)
      .returning('id')
      .execute();
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

  /**
   * Validates a bearer token: the session and user, or a 401 that says why. `clientIp` is asked
   * for only when an old token is presented (docs/architecture.md, "Token rotation"): the session
   * ends, and the account's other devices are told where the copy was used from.
   */
  async authenticate(token: string | undefined, clientIp: () => string): Promise<AuthContext> {
    if (!token || !looksLikeToken(token)) throw unauthenticated();
    const tokenHash = hashToken(token);
    const now = this.clock.now();
    const cached = this.cache.get(tokenHash);
    // A cached session still needs its clocks checked; one due to expire or to be touched goes to the store.
    if (cached && cached.session.idle_expires_at > now && now - cached.session.last_seen_at < this.policy.touchIntervalMs) return cached;
    const epoch = this.cache.epoch;

    const current = await this.sessionRow(this.store.db, 'sessions.token_hash', tokenHash);
    const found = current ? undefined : await this.rotation.find(tokenHash);
    const old = found?.kind === 'current' ? undefined : found;
    const row = current ?? (found && (await this.sessionRow(this.store.db, 'sessions.id', found.sessionId)));
    if (!row) throw unauthenticated();
    const { email, user_created_at, revoker_device_name, ...session } = row;
    const user: UserIdentity = { id: session.user_id, email, created_at: user_created_at };

    // Who ended it and from where is told only to a holder of the current token, not of an old copy.
    if (session.revoked_at !== null) throw this.revokedError(session, old ? null : revoker_device_name, { whereFrom: !old });
    if (session.idle_expires_at <= now) {
      await this.store.transaction((unit) => this.markRevoked(unit, session.user_id, [session.id], { reason: 'expired' }, now));
      throw this.revokedError({ ...session, revoke_reason: 'expired', revoked_at: session.idle_expires_at }, null);
    }
    if (old?.kind === 'next') {
      // The first use of a replacement makes it current; then it is checked like any current token.
      await this.rotation.promote(session, tokenHash, clientIp());
      return this.authenticate(token, clientIp);
    }
    const inGrace = old?.kind === 'previous' && now - session.rotated_at <= this.rotation.graceMs;
    if (old && !inGrace) throw await this.endForReuse(session, clientIp(), now);

    if (now - session.last_seen_at >= this.policy.touchIntervalMs) {
      const idleExpiresAt = Math.min(now + this.policy.idleTimeoutMs, session.expires_at);
      const touched = await this.store.db
        .updateTable('sessions')
        .set({ last_seen_at: now, idle_expires_at: idleExpiresAt })
        .where('id', '=', session.id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      session.last_seen_at = now;
      session.idle_expires_at = idleExpiresAt;
      // Revoked between the read and this write: this request was already under way, the next one is refused.
      if (touched.numUpdatedRows === 0n) return { user, session };
    }
    if (inGrace) return { user, session, viaPreviousToken: true };
    const auth = { user, session };
    this.cache.set(tokenHash, auth, epoch);
    return auth;
  }

  /** A session with its account and the name of the device that ended it, if any. */
  private sessionRow(db: Db, column: 'sessions.token_hash' | 'sessions.id', value: string) {
    return db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .leftJoin('sessions as revoker', 'revoker.id', 'sessions.revoked_by')
      .selectAll('sessions')
      .select(['users.email', 'users.created_at as user_created_at', 'revoker.device_name as revoker_device_name'])
      .where(column, '=', value)
      .executeTakeFirst();
  }

  /**
   * An old token of a live session was presented: two copies of its sign-in are in use. The
   * session ends (every socket of it is told), the event is recorded, and the account's other
   * devices are told which device's sign-in was copied and where it was used. Returns the 401.
   */
  private async endForReuse(session: SessionsTable, ip: string, now: number): Promise<ApiError> {
    const usedFrom: UsedFrom = { ip, location: this.locator.locate(ip) };
    const alsoFrom = this.alsoFrom(session, ip);
    const ended = await this.store.transaction(async (unit) => {
      const revoked = await this.markRevoked(unit, session.user_id, [session.id], { reason: 'token_reused', usedFrom, ...(alsoFrom ? { alsoFrom } : {}) }, now);
      if (revoked.length === 0) return false;
      await this.securityEvents.recordBy(unit.db, session, { type: 'token_reused', at: now, ip });
      unit.publish({
        kind: 'session.token_reused',
        userId: session.user_id,
        sessionId: session.id,
        deviceName: session.device_name,
        platform: platformOf(session.platform),
        usedFrom,
        ...(alsoFrom ? { alsoFrom } : {}),
        at: now,
      });
      return true;
    });
    if (ended) return this.revokedError({ ...session, revoked_at: now, revoke_reason: 'token_reused', reused_from_ip: ip }, null);
    // Ended some other way meanwhile: say how.
    const row = await this.sessionRow(this.store.db, 'sessions.id', session.id);
    return row ? this.revokedError(row, row.revoker_device_name) : unauthenticated();
  }

  /** For a session ended as `token_reused`: where the old token was used, and where the newer one was. */
  private whereFrom(session: Pick<SessionsTable, 'token_from_ip' | 'reused_from_ip'>): { usedFrom?: UsedFrom; alsoFrom?: UsedFrom } {
    if (session.reused_from_ip === null) return {};
    const alsoFrom = this.alsoFrom(session);
    return { usedFrom: { ip: session.reused_from_ip, location: this.locator.locate(session.reused_from_ip) }, ...(alsoFrom ? { alsoFrom } : {}) };
  }

  /** Where the session's current token was first used from, when that is not where the old one was just used. */
  private alsoFrom(session: Pick<SessionsTable, 'token_from_ip' | 'reused_from_ip'>, ip = session.reused_from_ip): UsedFrom | undefined {
    if (!session.token_from_ip || session.token_from_ip === ip) return undefined;
    return { ip: session.token_from_ip, location: this.locator.locate(session.token_from_ip) };
  }

  /** The token that replaces the caller's (docs/architecture.md, "Token rotation"). */
  rotate(auth: AuthContext, token: string): Promise<string> {
    return this.rotation.rotate(auth.session.id, token);
  }

  private revokedError(session: SessionsTable, revokerDeviceName: string | null | undefined, options = { whereFrom: true }): ApiError {
    // A row that ended without being marked can only have run out of time.
    const reason = session.revoke_reason ?? 'expired';
    const revokedAt = new Date(session.revoked_at ?? session.idle_expires_at).toISOString();
    const extra = {
      reason,
      revokedAt,
      ...(revokerDeviceName ? { revokedBy: { deviceName: revokerDeviceName } } : {}),
      ...(reason === 'token_reused' && options.whereFrom && session.reused_from_ip !== null ? this.whereFrom(session) : {}),
    };
    if (reason === 'expired') return new ApiError(401, 'session_expired', 'This session has expired. Sign in again.', extra);
    if (reason === 'token_reused') {
      return new ApiError(401, 'session_revoked', 'This sign-in was used somewhere else, so it was signed out to protect the account.', extra);
    }
    return new ApiError(401, 'session_revoked', 'This session was signed out.', extra);
  }

  /** Active sessions: the current one first, then the most recently seen. */
  async list(auth: AuthContext): Promise<SessionView[]> {
    const now = this.clock.now();
    const rows = await this.activeQuery(this.store.db, auth.user.id, now)
      .select(VIEW_COLUMNS)
      .orderBy('last_seen_at', 'desc')
      .orderBy('id')
      .execute();
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
        id: row.id,
        deviceName: row.device_name,
        platform: platformOf(row.platform),
        ...(row.os ? { os: row.os } : {}),
        ip: row.ip,
        location: this.locator.locate(row.ip),
        createdAt: new Date(row.created_at).toISOString(),
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
    await db.updateTable('sessions').set({ reauth_at: at }).where('id', '=', sessionId).execute();
  }

  /**
   * Signing other devices out needs the password entered on this session
   * recently, so a copied token alone cannot throw the owner out. Read from the
   * store, not the session cache: another instance may have taken the password.
   */
  async requireRecentAuth(auth: AuthContext): Promise<void> {
    const row = await this.store.db.selectFrom('sessions').select('reauth_at').where('id', '=', auth.session.id).executeTakeFirst();
    const at = row?.reauth_at ?? null;
    if (at === null || this.clock.now() - at > this.config.recentAuthMs) {
      const minutes = Math.round(this.config.recentAuthMs / 60_000);
      throw new ApiError(403, 'reauth_required', `Enter your password to continue: signing out other devices needs it from the last ${minutes} minutes.`);
    }
  }

  /** Sign out one session of the caller's account; another account's id is not found. */
  async revoke(auth: AuthContext, sessionId: string, client: ClientInfo): Promise<void> {
    if (sessionId !== auth.session.id) await this.requireRecentAuth(auth);
    const now = this.clock.now();
    await this.store.transaction(async (unit) => {
      const target = await this.activeQuery(unit.db, auth.user.id, now).select(['id', 'device_name']).where('id', '=', sessionId).executeTakeFirst();
      const isSelf = sessionId === auth.session.id;
      // Decided by what the UPDATE changed, not by the read above: a concurrent
      // revoke of the same session may commit in between (Postgres, read committed).
      const revoked = target
        ? await this.markRevoked(unit, auth.user.id, [target.id], isSelf ? { reason: 'signed_out' } : { reason: 'revoked_by_user', by: auth.session }, now)
        : [];
      if (revoked.length === 0 && isSelf) {
        // The caller's own session ended while this request was under way (a second logout).
        const ended = await unit.db.selectFrom('sessions').selectAll().where('id', '=', sessionId).executeTakeFirstOrThrow();
        throw this.revokedError(ended, null);
      }
      if (revoked.length === 0 || !target) throw new ApiError(404, 'not_found', 'No active session with that id.');
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

  /** Ends every other active session of the caller's account inside the caller's transaction (no event of its own). */
  async endOtherSessions(
    unit: UnitOfWork,
    auth: AuthContext,
    reason: Extract<SignOutReason, 'revoked_by_user' | 'password_changed'>,
  ): Promise<number> {
    const now = this.clock.now();
    const others = await this.activeQuery(unit.db, auth.user.id, now).select('id').where('id', '!=', auth.session.id).execute();
    const revoked = await this.markRevoked(unit, auth.user.id, others.map((o) => o.id), { reason, by: auth.session }, now);
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

  /** Of these session ids, the ones no longer valid, with why (for sockets to drop). */
  async findEnded(
    ids: string[],
  ): Promise<Array<{ id: string; userId: string; reason: SignOutReason; at: number; byDeviceName: string | null; usedFrom?: UsedFrom; alsoFrom?: UsedFrom }>> {
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
      ])
      .where('sessions.id', 'in', ids)
      .where((eb) => eb.or([eb('sessions.revoked_at', 'is not', null), eb('sessions.idle_expires_at', '<=', now)]))
      .execute();
    return rows.map((r) => ({
      id: r.id,
      userId: r.user_id,
      reason: r.revoke_reason ?? 'expired',
      at: r.revoked_at ?? r.idle_expires_at,
      byDeviceName: r.revoker_device_name,
      ...(r.revoke_reason === 'token_reused' ? this.whereFrom(r) : {}),
    }));
  }

  /**
   * Periodic upkeep: sessions past their expiry are marked expired (so their
   * devices are told), and rows ended longer ago than the retention are purged.
   */
  async maintain(): Promise<{ expired: number; purged: number }> {
    const now = this.clock.now();
    let expired = 0;
    for (;;) {
      const batch = await this.store.db
        .selectFrom('sessions')
        .select(['id', 'user_id'])
        .where('revoked_at', 'is', null)
        .where('idle_expires_at', '<=', now)
        .limit(500)
        .execute();
      if (batch.length === 0) break;
      const idsByUser = new Map<string, string[]>();
      for (const row of batch) idsByUser.set(row.user_id, [...(idsByUser.get(row.user_id) ?? []), row.id]);
      await this.store.transaction(async (unit) => {
        for (const [userId, ids] of idsByUser) {
          expired += (await this.markRevoked(unit, userId, ids, { reason: 'expired' }, now)).length;
        }
      });
    }
    const cutoff = now - this.policy.retentionMs;
    const purged = await this.store.db.deleteFrom('sessions').where('revoked_at', '<', cutoff).executeTakeFirst();
    await this.store.db.deleteFrom('security_events').where('at', '<', cutoff).execute();
    return { expired, purged: Number(purged.numDeletedRows) };
  }
}
