// Validated sessions, kept between requests so the check on every request
// need not read the store. The store stays the authority (DESIGN rule 6): an
// entry lives only until anything is committed about its account (revoked,
// renamed, a new sign-in, a password change), forgotten at once for this
// instance's own commits and as soon as the bus brings another instance's.
// It is used only while the bus is live: on Postgres, while this instance's
// LISTEN connection is up and answering, and emptied when it comes back,
// since notifications sent in between are lost.
import type { OnModuleDestroy } from '@nestjs/common';
import type { AuthContext } from '../http/request-context.js';
import { DEFAULT_SESSION_CACHE_SIZE } from '../config/config.js';
import type { SessionEventBus } from '../events/bus.js';
import { changesNoSession } from '../events/session-events.js';

export class SessionCache implements OnModuleDestroy {
  /** Keyed by token hash; Map order is insertion order, oldest first. */
  private readonly entries = new Map<string, AuthContext>();
  private readonly hashesByUser = new Map<string, Set<string>>();
  private readonly unsubscribe: Array<() => void>;
  private forgets = 0;

  constructor(
    private readonly bus: SessionEventBus,
    /** At most this many entries, the oldest forgotten first; 0 keeps none (every check reads the store). */
    private readonly size = DEFAULT_SESSION_CACHE_SIZE,
  ) {
    this.unsubscribe = [
      bus.onLocalCommit((events) => events.forEach((event) => changesNoSession(event) || this.forgetUser(event.userId))),
      bus.subscribe((signal) => (signal.kind === 'resync' ? this.clear() : changesNoSession(signal) || this.forgetUser(signal.userId))),
    ];
  }

  /**
   * Taken before reading a session from the store, and handed back to `set`:
   * if anything was forgotten in between, the row read may already be stale
   * (a revocation committed after the read) and is not kept.
   */
  get epoch(): number {
    return this.forgets;
  }

  /** Whether it keeps sessions now: it is on, and the bus that tells it what to forget is live. */
  get live(): boolean {
    return this.size > 0 && this.bus.live;
  }

  /**
   * The cached context (frozen: it is shared by every request that finds it, so no copy is made
   * per request), or undefined when there is none or the bus is not live.
   */
  get(tokenHash: string): AuthContext | undefined {
    if (!this.bus.live) {
      if (this.entries.size > 0) this.clear();
      return undefined;
    }
    return this.entries.get(tokenHash);
  }

  /** Keeps a frozen copy of `auth` and returns it (the object later checks will get), or undefined when it is not kept. */
  set(tokenHash: string, auth: AuthContext, epoch: number): AuthContext | undefined {
    if (!this.live || epoch !== this.forgets) return undefined;
    if (this.entries.size >= this.size && !this.entries.has(tokenHash)) {
      const [oldest, context] = this.entries.entries().next().value!;
      this.forget(oldest, context.user.id);
    }
    const kept: AuthContext = Object.freeze({ user: Object.freeze({ ...auth.user }), session: Object.freeze({ ...auth.session }) });
    this.entries.set(tokenHash, kept);
    let hashes = this.hashesByUser.get(auth.user.id);
    if (!hashes) this.hashesByUser.set(auth.user.id, (hashes = new Set()));
    hashes.add(tokenHash);
    return kept;
  }

  forgetUser(userId: string): void {
    this.forgets++;
    const hashes = this.hashesByUser.get(userId);
    if (!hashes) return;
    for (const hash of hashes) this.entries.delete(hash);
    this.hashesByUser.delete(userId);
  }

  clear(): void {
    this.forgets++;
    this.entries.clear();
    this.hashesByUser.clear();
  }

  get count(): number {
    return this.entries.size;
  }

  onModuleDestroy(): void {
    this.close();
  }

  close(): void {
    this.unsubscribe.forEach((unsubscribe) => unsubscribe());
    this.clear();
  }

  private forget(tokenHash: string, userId: string): void {
    this.entries.delete(tokenHash);
    const hashes = this.hashesByUser.get(userId);
    hashes?.delete(tokenHash);
    if (hashes?.size === 0) this.hashesByUser.delete(userId);
  }
}
