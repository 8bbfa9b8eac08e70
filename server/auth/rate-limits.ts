// Password attempts are counted before they are checked. Every path that checks
// a password (sign-in, registration, password change, re-authentication) is
// admitted here first, so however many requests arrive at once, no more than
// the limits ever reach argon2. The counters live in the store: instances on
// one PostgreSQL share them, and a restart does not reset them. The policy in
// words is in docs/api.md ("Rate limits"). Their commits do not wait for the disk
// (Store.lightly): a flood of attempts must not queue the server behind syncs, and
// counts lost in a power cut only give back a few attempts.
import { Inject, Injectable } from '@nestjs/common';
import { sql, type Transaction } from 'kysely';
import { ApiError, secondsUntil, tryAgainIn } from '../common/api-error.js';
import { type Clock } from '../common/clock.js';
import { CLOCK, CONFIG } from '../common/di-tokens.js';
import { addressKey } from '../http/http-edge.js';
import { StepUpRequired } from '../common/step-up.js';
import { Turns } from '../common/turns.js';
import type { RateLimitPolicy, ServerConfig } from '../config/config.js';
import type { Database } from '../storage/schema.js';
import { Store } from '../storage/store.js';
import { serverBusy } from '../passwords/passwords.js';

interface Count {
  count: number;
  prevAt: number | null;
  resetAt: number;
}

/** An admitted attempt: say how it ended, so legitimate attempts are not held against anyone. */
export interface Attempt {
  /** The password was right: the pair starts afresh and the attempt is given back. */
  succeeded(): Promise<void>;
  /** The password was never checked (the server was too busy): the attempt is given back. */
  withdrawn(): Promise<void>;
}

export const rateLimited = (seconds: number, what: 'too_many_attempts' | 'too_many_accounts' = 'too_many_attempts') => tryAgainIn(seconds, { key: what, seconds });

@Injectable()
export class RateLimits {
  /** Attempts are counted a few per turn of the event loop: a burst of them cannot hold up other requests. */
  private readonly turns = new Turns(serverBusy);

  constructor(
    @Inject(Store) private readonly store: Store,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: ServerConfig,
  ) {}

  private get policy(): RateLimitPolicy {
    return this.config.rateLimit;
  }

  /**
   * Admits one password attempt at `account` from `ip`, or throws 429.
   * Addresses count by `addressKey` (an IPv6 host by its /64).
   * - per address: attempts in the window (the address's own budget; refused ones count too);
   * - per (account, address): a few free failures, then a delay that doubles with every attempt;
   * - a ceiling over every address together, per account for a sign-in (an
   *   address the account has already signed in from does not hit it, so
   *   nobody elsewhere can lock the owner out of a place they use; any other
   *   address past it throws StepUpRequired), and per
   *   session for a password entered on a signed-in device (`ceiling`), which
   *   nobody without that device's token can spend.
   */
  async admit(account: string, ip: string, isKnownAddress: () => Promise<boolean>, ceiling = `acct:${account}`): Promise<Attempt> {
    await this.turns.next();
    const now = this.clock.now();
    const policy = this.policy;
    const address = addressKey(ip);
    const addressCounter = `ip:${address}`;
    const pairKey = `pair:${address}|${account}`;

    // The three counters in one transaction; a refusal is thrown only after it commits, so what it
    // counted stays counted. Always in this order (address, pair, ceiling): concurrent attempts lock
    // the rows they share in the same order.
    const counted = await this.store.lightly(async (trx): Promise<ApiError | Count> => {
      const refusal = await this.checkAddress(trx, addressCounter, now);
      if (refusal) return refusal;
      const pair = await this.hit(trx, pairKey, policy.windowMs, now);
      const beyondFree = pair.count - policy.freeFailuresPerPair;
      if (beyondFree > 0) {
        const required = Math.min(policy.firstDelayMs * 2 ** (beyondFree - 1), policy.windowMs);
        if (pair.prevAt !== null && now - pair.prevAt < required) {
          // This refused attempt counts too: the next one waits twice as long, measured from now.
          return rateLimited(Math.ceil(Math.min(policy.firstDelayMs * 2 ** beyondFree, policy.windowMs) / 1000));
        }
      }
      return this.hit(trx, ceiling, policy.accountWindowMs, now);
    });
    if (counted instanceof ApiError) throw counted;

    if (counted.count > policy.maxFailuresPerAccount && !(await isKnownAddress())) {
      // Not a checked guess: the ceiling is not spent by it.
      await this.giveBack([ceiling]);
      // At sign-in, a code by mail instead of a refusal; on a signed-in device, whose token is the proof, 429.
      if (ceiling.startsWith('acct:')) throw new StepUpRequired();
      throw rateLimited(secondsUntil(counted.resetAt, now));
    }

    return {
      succeeded: async () => {
        await this.giveBack([addressCounter, pairKey, ceiling], [pairKey]);
      },
      withdrawn: async () => {
        await this.giveBack([addressCounter, pairKey, ceiling]);
      },
    };
  }

  /**
   * A password found right after the attempt was counted as a failure: with sign-in approval on, the
   * answer to a right password looks like the answer to a wrong one until a device approves, so the
   * attempt counts until then (docs/architecture.md, "Sign-in approval"). Approved, it counts as a success.
   */
  async forgive(account: string, ip: string): Promise<void> {
    const address = addressKey(ip);
    await this.giveBack([`ip:${address}`, `pair:${address}|${account}`, `acct:${account}`], [`pair:${address}|${account}`]);
  }

  /**
   * Admits one registration from `ip`: it spends the same per-address budget as
   * a sign-in (so an address blocked from guessing passwords cannot probe for
   * accounts by signing up either), and accounts created per address
   * are limited on their own.
   */
  async admitRegistration(ip: string): Promise<Attempt> {
    await this.turns.next();
    const now = this.clock.now();
    const address = addressKey(ip);
    const addressCounter = `ip:${address}`;
    const createdCounter = `reg:${address}`;
    const refusal = await this.store.lightly(async (trx) => {
      const tooMany = await this.checkAddress(trx, addressCounter, now);
      if (tooMany) return tooMany;
      const created = await this.hit(trx, createdCounter, this.policy.registrationWindowMs, now);
      if (created.count > this.policy.maxRegistrationsPerAddress) return rateLimited(secondsUntil(created.resetAt, now), 'too_many_accounts');
      return undefined;
    });
    if (refusal) throw refusal;
    return {
      succeeded: () => this.giveBack([addressCounter]),
      // Never created (the server was too busy): neither the attempt nor the account counts.
      withdrawn: async () => {
        await this.giveBack([addressCounter, createdCounter]);
      },
    };
  }

  /**
   * Admits one request that mails or checks a code (sign-up's code, a reset, confirming an address) from
   * `ip`: it spends the address's budget, as a password attempt does, and is not given back.
   */
  async admitCode(ip: string): Promise<void> {
    await this.turns.next();
    const now = this.clock.now();
    const refusal = await this.store.lightly((trx) => this.checkAddress(trx, `ip:${addressKey(ip)}`, now));
    if (refusal) throw refusal;
  }

  /**
   * Admits the options of a passkey sign-in from `ip`: counted on a budget of the address's own for passkeys, as
   * large as the password's but never shared with it, and given back once the ceremony's assertion verifies
   * (`passkeyVerified`), so the owners behind one address signing in with passkeys lock no one out.
   */
  async admitPasskey(ip: string): Promise<void> {
    await this.turns.next();
    const now = this.clock.now();
    const refusal = await this.store.lightly((trx) => this.checkAddress(trx, `pk:${addressKey(ip)}`, now));
    if (refusal) throw refusal;
  }

  async passkeyVerified(ip: string): Promise<void> {
    await this.giveBack([`pk:${addressKey(ip)}`]);
  }

  /** Drops counters whose window has passed. */
  async purge(now = this.clock.now()): Promise<void> {
    await this.store.lightly((db) => db.deleteFrom('attempt_counters').where('reset_at', '<=', now).execute());
  }

  /** Counts an attempt from an address; the refusal, if it is over its budget. */
  private async checkAddress(trx: Transaction<Database>, key: string, now: number): Promise<ApiError | undefined> {
    const address = await this.hit(trx, key, this.policy.windowMs, now);
    return address.count > this.policy.maxAttemptsPerAddress ? rateLimited(secondsUntil(address.resetAt, now)) : undefined;
  }

  /** One more attempt under `key`, in one atomic statement (in `trx`): a window that has passed starts again at 1. */
  private async hit(trx: Transaction<Database>, key: string, windowMs: number, now: number): Promise<Count> {
    const expired = sql<boolean>`attempt_counters.reset_at <= ${now}`;
    const row = await trx
      .insertInto('attempt_counters')
      .values({ key, count: 1, last_at: now, prev_at: null, reset_at: now + windowMs })
      .onConflict((conflict) =>
        conflict.column('key').doUpdateSet({
          count: sql<number>`case when ${expired} then 1 else attempt_counters.count + 1 end`,
          prev_at: sql<number | null>`case when ${expired} then null else attempt_counters.last_at end`,
          reset_at: sql<number>`case when ${expired} then ${now + windowMs} else attempt_counters.reset_at end`,
          last_at: now,
        }),
      )
      .returning(['count', 'prev_at', 'reset_at'])
      .executeTakeFirstOrThrow();
    return { count: Number(row.count), prevAt: row.prev_at === null ? null : Number(row.prev_at), resetAt: Number(row.reset_at) };
  }

  /**
   * Gives back one attempt under each of `keys` (never below zero), in one light transaction and in
   * the order given, which is the order `admit` takes the rows in (address, pair, ceiling); a key also
   * in `clear` starts afresh instead (a right password clears its pair).
   */
  private async giveBack(keys: string[], clear: string[] = []): Promise<void> {
    await this.store.lightly(async (trx) => {
      for (const key of keys) {
        if (clear.includes(key)) await trx.deleteFrom('attempt_counters').where('key', '=', key).execute();
        else await trx.updateTable('attempt_counters').set({ count: sql<number>`count - 1` }).where('key', '=', key).where('count', '>', 0).execute();
      }
    });
  }
}
