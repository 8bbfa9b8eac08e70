// Token rotation (docs/architecture.md, "Token rotation"). Each session has a
// current token; a device asks for a replacement on every (re)connect and at
// least daily. The replacement is pending until it is first presented, then
// becomes current and the old token becomes the previous one, accepted for
// a short grace. Older tokens are retired: presenting one, or the previous
// token after the grace, means two copies of the sign-in are in use.
// Only hashes of tokens are stored; the salts kept beside them derive nothing
// without the token they key.
import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { ApiError } from '../common/api-error.js';
import { type Clock } from '../common/clock.js';
import { CLOCK, CONFIG } from '../common/di-tokens.js';
import type { ServerConfig } from '../config/config.js';
import type { Db, SessionsTable } from '../storage/schema.js';
import { Store } from '../storage/store.js';
import { deriveToken, hashToken, newNonce } from './tokens.js';

/** Retired token hashes kept per session, newest first (docs/architecture.md says what older ones do). */
export const RETIRED_TOKENS_KEPT = 1_000;

/**
 * How many times a pending replacement may be replaced (asked for with another claim) before the current
 * token is used again: a device that restarted before its answer arrived needs one; more are a second holder
 * asking again and again, which would otherwise push the older tokens out of those kept.
 */
export const MAX_SUPERSEDES = 3;

/**
 * How a token that was not a current one relates to a session: its pending replacement, its previous
 * token, an older one, or (promoted since it was looked for) its current one after all.
 */
export type TokenStanding = { kind: 'current' | 'next' | 'previous' | 'retired'; sessionId: string };

const conflict = () => new ApiError(409, 'conflict', { key: 'rotation_conflict' });

@Injectable()
export class TokenRotation {
  constructor(
    @Inject(Store) private readonly store: Store,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: ServerConfig,
  ) {}

  get graceMs(): number {
    return this.config.sessions.rotationGraceMs;
  }

  /** For a token that was not found as a current one: whose pending, previous or retired token it is. */
  async find(tokenHash: string): Promise<TokenStanding | undefined> {
    // The current token too: a concurrent first use may have promoted this one since it was looked for.
    const row = await this.store.db
      .selectFrom('sessions')
      .select(['id', 'token_hash', 'next_token_hash'])
      .where((eb) => eb.or([eb('token_hash', '=', tokenHash), eb('next_token_hash', '=', tokenHash), eb('prev_token_hash', '=', tokenHash)]))
      .executeTakeFirst();
    if (row) return { kind: row.token_hash === tokenHash ? 'current' : row.next_token_hash === tokenHash ? 'next' : 'previous', sessionId: row.id };
    const retired = await this.store.db.selectFrom('retired_tokens').select('session_id').where('token_hash', '=', tokenHash).executeTakeFirst();
    return retired && { kind: 'retired', sessionId: retired.session_id };
  }

  /**
   * The pending token was presented: it becomes current, the current one becomes the previous one
   * (its grace starts now) and the previous one is retired. Every instance drops cached checks of
   * the account, and sockets opened with the older tokens close (docs/architecture.md). Only the first of
   * concurrent presentations changes anything. `ip` is where it was presented from.
   */
  async promote(session: SessionsTable, tokenHash: string, ip: string): Promise<void> {
    const now = this.clock.now();
    await this.store.transaction(async (unit) => {
      const updated = await unit.db
        .updateTable('sessions')
        .set({
          prev_token_hash: sql.ref('token_hash'),
          token_hash: tokenHash,
          next_token_hash: null,
          rotation_nonce: sql.ref('next_nonce'),
          next_nonce: null,
          superseded: 0,
          next_from_ip: null,
          rotated_at: now,
          token_from_ip: ip,
        })
        .where('id', '=', session.id)
        .where('next_token_hash', '=', tokenHash)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      if (updated.numUpdatedRows === 0n) return;
      // Read before the update; it cannot have changed since, as only this promotion could change it.
      if (session.prev_token_hash) await retire(unit.db, session.id, session.prev_token_hash, now);
      unit.publish({
        kind: 'session.rotated',
        userId: session.user_id,
        sessionId: session.id,
        replacedHash: session.token_hash,
        ...(session.prev_token_hash ? { retiredHash: session.prev_token_hash } : {}),
      });
    });
  }

  /**
   * The token that replaces `token`, derived from it and the device's `claim`; or `reused` when this
   * request shows a second holder of the sign-in (the caller ends the session). Asked again with the same
   * claim before the replacement is used, or with the previous token and its claim inside the grace, it is
   * the same token (a lost answer costs nothing). Asked with another claim:
   * - while the replacement is pending, a new one takes its place and the old one is retired, so whichever
   *   holder presents the superseded one is caught (a device that restarted before its answer arrived has
   *   none to present);
   * - with the previous token inside the grace, it is reuse: the replacement is in use, and the device that
   *   uses it asked with this claim. A copy cannot follow the owner's rotations.
   * A token younger than the grace is returned as it is, so reconnecting in a loop cannot grow the history.
   * Past MAX_SUPERSEDES replaced replacements, another claim is reuse too. `ip` is where it was asked from.
   */
  async rotate(sessionId: string, token: string, claim: string, ip: string): Promise<{ token: string } | 'reused'> {
    const presented = hashToken(token);
    for (let attempt = 0; attempt < 2; attempt++) {
      const row = await this.store.db
        .selectFrom('sessions')
        .select(['token_hash', 'prev_token_hash', 'next_token_hash', 'rotation_nonce', 'next_nonce', 'superseded', 'rotated_at', 'revoked_at'])
        .where('id', '=', sessionId)
        .executeTakeFirst();
      if (!row || row.revoked_at !== null) throw conflict();
      if (presented === row.prev_token_hash) {
        const current = row.rotation_nonce === null ? undefined : deriveToken(token, row.rotation_nonce, claim);
        return current !== undefined && hashToken(current) === row.token_hash ? { token: current } : 'reused';
      }
      if (presented !== row.token_hash) throw conflict();
      if (row.next_nonce !== null) {
        const pending = deriveToken(token, row.next_nonce, claim);
        if (hashToken(pending) === row.next_token_hash) return { token: pending };
        if (row.superseded >= MAX_SUPERSEDES) return 'reused';
      } else if (this.clock.now() - row.rotated_at < this.graceMs) {
        return { token };
      }
      const replacement = await this.replacePending(sessionId, presented, row.next_nonce, row.next_token_hash, token, claim, ip);
      if (replacement !== undefined) return { token: replacement };
      // A concurrent rotation or first use changed the row between the read and the write: judge again.
    }
    throw conflict();
  }

  /**
   * Hands out a new pending replacement for the current token `presented`, in place of the one with salt
   * `pendingNonce` (null: none), which is retired. Undefined when the row changed since it was read.
   */
  private async replacePending(
    sessionId: string,
    presented: string,
    pendingNonce: string | null,
    pendingHash: string | null,
    token: string,
    claim: string,
    ip: string,
  ): Promise<string | undefined> {
    const nonce = newNonce();
    const next = deriveToken(token, nonce, claim);
    return this.store.transaction(async (unit) => {
      const claimed = await unit.db
        .updateTable('sessions')
        .set((eb) => ({
          next_token_hash: hashToken(next),
          next_nonce: nonce,
          next_from_ip: ip,
          superseded: pendingNonce === null ? 0 : eb('superseded', '+', 1),
        }))
        .where('id', '=', sessionId)
        .where('token_hash', '=', presented)
        .where('next_nonce', pendingNonce === null ? 'is' : '=', pendingNonce)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      if (claimed.numUpdatedRows !== 1n) return undefined;
      if (pendingHash !== null) await retire(unit.db, sessionId, pendingHash, this.clock.now());
      return next;
    });
  }
}

/** A token of the session that must never be presented again: kept (the newest RETIRED_TOKENS_KEPT) so its use is caught. */
async function retire(db: Db, sessionId: string, tokenHash: string, now: number): Promise<void> {
  await db.insertInto('retired_tokens').values({ token_hash: tokenHash, session_id: sessionId, retired_at: now }).onConflict((c) => c.column('token_hash').doNothing()).execute();
  // Past the newest RETIRED_TOKENS_KEPT, in one order with no ties (rows of one millisecond included).
  const oldestKept = await db
    .selectFrom('retired_tokens')
    .select(['retired_at', 'token_hash'])
    .where('session_id', '=', sessionId)
    .orderBy('retired_at', 'desc')
    .orderBy('token_hash', 'desc')
    .offset(RETIRED_TOKENS_KEPT - 1)
    .limit(1)
    .executeTakeFirst();
  if (oldestKept) {
    await db
      .deleteFrom('retired_tokens')
      .where('session_id', '=', sessionId)
      .where((eb) => eb.or([eb('retired_at', '<', oldestKept.retired_at), eb.and([eb('retired_at', '=', oldestKept.retired_at), eb('token_hash', '<', oldestKept.token_hash)])]))
      .execute();
  }
}
