// The session check every request and socket upgrade makes: the one code path that decides whether a
// token is a live session (docs/architecture.md, "A request"), with its cache, and what an old token
// after a rotation sets off (docs/architecture.md, "Token rotation").
import { Inject, Injectable } from '@nestjs/common';
import { platformOf } from '../../shared/api.js';
import { type ApiError } from '../common/api-error.js';
import { type Clock } from '../common/clock.js';
import { CLOCK, CONFIG } from '../common/di-tokens.js';
import type { AuthContext, UserIdentity } from '../http/request-context.js';
import { lifespan, type ServerConfig } from '../config/config.js';
import type { SessionKind, SessionsTable } from '../storage/schema.js';
import { Metrics } from '../metrics/metrics.js';
import { Store } from '../storage/store.js';
import { SecurityEventsService } from './security-events.service.js';
import { SessionCache } from './session-cache.js';
import { SessionRepository, unauthenticated } from './session-repository.js';
import { TokenRotation } from './token-rotation.js';
import { hashToken, looksLikeToken } from './tokens.js';

@Injectable()
export class SessionAuthenticator {
  constructor(
    @Inject(Store) private readonly store: Store,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: ServerConfig,
    @Inject(SessionRepository) private readonly sessions: SessionRepository,
    @Inject(TokenRotation) private readonly rotation: TokenRotation,
    @Inject(SecurityEventsService) private readonly securityEvents: SecurityEventsService,
    @Inject(SessionCache) private readonly cache: SessionCache,
    @Inject(Metrics) private readonly metrics: Metrics,
  ) {}

  /**
   * The checks of one token (and kind) now at the store, whose answer the checks of it that arrive meanwhile
   * share: when a cached session falls due to be marked as seen, the checks that arrived together each read
   * and wrote its row (docs/performance.md, "The check when a session falls due"). Only while the cache is
   * live and has forgotten nothing since the look began: a revocation committed after the look began, here
   * or on another instance, is seen by the checks that come after. Only a valid answer is shared: a check
   * that would get an error makes its own look, so who ended a session and from where is told as before
   * (docs/architecture.md, "Token rotation").
   */
  private readonly atStore = new Map<string, { lookup: Promise<AuthContext>; epoch: number }>();

  private get policy() {
    return this.config.sessions;
  }

  /**
   * Validates a bearer token: the session and user, or a 401 that says why. `clientIp` is asked
   * for only when an old token is presented (docs/architecture.md, "Token rotation"): the session
   * ends, and the account's other devices are told where the copy was used from.
   */
  authenticate(token: string | undefined, clientIp: () => string, kind: SessionKind = 'app'): AuthContext | Promise<AuthContext> {
    const checks = this.metrics.sessionChecks;
    let answer: AuthContext | Promise<AuthContext>;
    try {
      answer = this.check(token, clientIp, kind);
    } catch (error) {
      checks.unauthenticated++;
      throw error;
    }
    // Counted with plain additions: most checks end in the cache, at once (docs/performance.md).
    if (!(answer instanceof Promise)) return (checks.valid++, answer);
    return answer.then(
      (auth) => (checks.valid++, auth),
      (error: unknown) => {
        const code = (error as ApiError).code;
        if (code === 'session_revoked' || code === 'session_expired' || code === 'unauthenticated') checks[code]++;
        throw error;
      },
    );
  }

  /** `shared`: a check at the store joins one of the same token already there (false inside that one). */
  private check(token: string | undefined, clientIp: () => string, kind: SessionKind, shared = true): AuthContext | Promise<AuthContext> {
    if (!token || !looksLikeToken(token)) throw unauthenticated();
    const tokenHash = hashToken(token);
    const now = this.clock.now();
    const cached = this.cache.get(tokenHash);
    // A desktop app's token counts only as a bearer header, a browser's only in its cookie, whatever else holds.
    if (cached && cached.session.kind !== kind) throw unauthenticated();
    // A cached session still needs its clocks checked; one due to expire or to be touched goes to the store.
    // The answer from the cache is given at once, not as a promise: most checks end here (docs/performance.md).
    if (cached && cached.session.idle_expires_at > now && now - cached.session.last_seen_at < this.policy.touchIntervalMs) return cached;
    if (!shared || !this.cache.live) return this.fromStore(token, tokenHash, now, clientIp, kind);
    const key = `${kind} ${tokenHash}`;
    const epoch = this.cache.epoch;
    const pending = this.atStore.get(key);
    if (pending?.epoch === epoch) return pending.lookup.catch(() => this.fromStore(token, tokenHash, now, clientIp, kind));
    const lookup = this.fromStore(token, tokenHash, now, clientIp, kind).finally(() => {
      if (this.atStore.get(key)?.lookup === lookup) this.atStore.delete(key);
    });
    this.atStore.set(key, { lookup, epoch });
    return lookup;
  }

  /** The check against the store: the session's row, by its current token or an old one. */
  private async fromStore(token: string, tokenHash: string, now: number, clientIp: () => string, kind: SessionKind): Promise<AuthContext> {
    const epoch = this.cache.epoch;

    const current = await this.sessions.row(this.store.db, 'sessions.token_hash', tokenHash);
    const found = current ? undefined : await this.rotation.find(tokenHash);
    const old = found?.kind === 'current' ? undefined : found;
    const row = current ?? (found && (await this.sessions.row(this.store.db, 'sessions.id', found.sessionId)));
    if (!row) throw unauthenticated();
    const { email, user_created_at, email_verified_at, revoker_device_name, ...session } = row;
    if (session.kind !== kind) throw unauthenticated();
    const user: UserIdentity = { id: session.user_id, email, created_at: user_created_at, email_verified_at };

    // Who ended it and from where is told only to a holder of the current token or of its pending replacement
    // (the device in the milliseconds between storing a new token and first using it), not of an old copy.
    const newest = !old || old.kind === 'next';
    if (session.revoked_at !== null) throw this.sessions.endedError(session, newest ? revoker_device_name : null, { whereFrom: newest });
    if (session.idle_expires_at <= now) {
      await this.store.transaction((unit) => this.sessions.markRevoked(unit, session.user_id, [session.id], { reason: 'expired' }, now));
      throw this.sessions.endedError({ ...session, revoke_reason: 'expired', revoked_at: session.idle_expires_at }, null);
    }
    if (old?.kind === 'next') {
      // The first use of a replacement makes it current; then it is checked like any current token, not
      // shared (it would join this very look, and wait for itself when no event bumped the epoch).
      await this.rotation.promote(session, tokenHash, clientIp());
      return this.check(token, clientIp, kind, false);
    }
    const inGrace = old?.kind === 'previous' && now - session.rotated_at <= this.rotation.graceMs;
    if (old && !inGrace) throw await this.endForReuse(session, clientIp(), now);

    if (now - session.last_seen_at >= this.policy.touchIntervalMs) {
      const idleExpiresAt = Math.min(now + lifespan(this.policy, session.kind).idleTimeoutMs, session.expires_at);
      // Lost in a power cut, it only shortens the idle window by one touch interval.
      const touched = await this.store.lightly((db) =>
        db
          .updateTable('sessions')
          .set({ last_seen_at: now, idle_expires_at: idleExpiresAt })
          .where('id', '=', session.id)
          .where('revoked_at', 'is', null)
          .executeTakeFirst(),
      );
      session.last_seen_at = now;
      session.idle_expires_at = idleExpiresAt;
      // Revoked between the read and this write: this request was already under way, the next one is refused.
      if (touched.numUpdatedRows === 0n) return { user, session };
    }
    if (inGrace) return { user, session, viaPreviousToken: true };
    const auth = { user, session };
    // The kept copy, so that this check and the next ones hand on the same object (auth.service.ts reuses its answer).
    return this.cache.set(tokenHash, auth, epoch) ?? auth;
  }

  /**
   * An old token of a live session was presented: two copies of its sign-in are in use. The
   * session ends (every socket of it is told), the event is recorded, and the account's other
   * devices are told which device's sign-in was copied and where it was used. Returns the 401.
   * Also for a rotation asked by a second holder (token-rotation.ts).
   */
  async endForReuse(session: SessionsTable, ip: string, now: number): Promise<ApiError> {
    // The other holder: where the pending replacement was asked from, when another address asked for it
    // (a replaced replacement presented by its first asker), else where the current token was first used.
    const other = session.next_token_hash !== null && session.next_from_ip !== null && session.next_from_ip !== ip ? session.next_from_ip : session.token_from_ip;
    const where = this.sessions.whereFrom(other, ip);
    const ended = await this.store.transaction(async (unit) => {
      const revoked = await this.sessions.markRevoked(unit, session.user_id, [session.id], { reason: 'token_reused', ...where }, now);
      if (revoked.length === 0) return false;
      await this.securityEvents.recordBy(unit.db, session, { type: 'token_reused', at: now, ip });
      unit.publish({
        kind: 'session.token_reused',
        userId: session.user_id,
        sessionId: session.id,
        deviceName: session.device_name,
        platform: platformOf(session.platform),
        ...where,
        at: now,
      });
      return true;
    });
    if (ended) return this.sessions.endedError({ ...session, revoked_at: now, revoke_reason: 'token_reused', reused_from_ip: ip, token_from_ip: other }, null);
    // Ended some other way meanwhile: say how.
    const row = await this.sessions.row(this.store.db, 'sessions.id', session.id);
    return row ? this.sessions.endedError(row, row.revoker_device_name) : unauthenticated();
  }
}
