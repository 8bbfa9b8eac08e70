// Which sessions hold a live connection, kept in the store so every instance,
// the session list and eviction see the same. A session's first socket on an
// instance marks it online and its last one marks it offline (both told to the
// account's devices as `session.presence`); a heartbeat, once a
// presenceInterval, renews the mark and advances last_seen (and the idle
// expiry) of every session connected here, off the request path. An instance
// that dies without a word leaves marks that lapse after three intervals.
// A session's mark is written for what the instance holds when the write
// starts, not for the event that asked for it: marks asked while one is on its
// way collapse into one more, so a late write cannot land after a newer one and
// a socket that connects and closes in a loop costs one entry, not a queue. A
// mark waits for a heartbeat batch on its way that holds its session, and a
// batch that overtakes a mark on its way has that mark written once more after
// it. Either order, a closed device could otherwise show online for three
// intervals.
import { randomUUID } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import { type Clock } from '../common/clock.js';
import { CLOCK, CONFIG, LOGGER } from '../common/di-tokens.js';
import { lifespan, type ServerConfig } from '../config/config.js';
import type { Db } from '../storage/schema.js';
import { Store } from '../storage/store.js';

const BATCH = 500;

/**
 * `online_until` moved to `until` unless this instance's own mark already lies beyond: a write whose
 * time was read before a later one of this instance landed (on PostgreSQL, a mark and a heartbeat on two
 * connections) cannot shorten it, which for a moment would count a connected device as gone, and
 * eviction could take it. Another instance's mark is replaced, so its clock's skew is not kept.
 */
const later = (until: number, by: string) =>
  sql<number>`case when online_by = ${by} and online_until > ${until} then online_until else ${until} end`;

/**
 * A heartbeat's batch: still online, seen now, idle expiry slid (by the browser's own day for a browser).
 * Its plan on SQLite is tested (query-plans.test.ts): by the primary key.
 */
export const renewal = (
  db: Db,
  ids: string[],
  at: { until: number; by: string; now: number; idleExpiry: number; browserIdleExpiry: number },
) =>
  db
    .updateTable('sessions')
    .set({
      online_until: later(at.until, at.by),
      online_by: at.by,
      last_seen_at: at.now,
      idle_expires_at: sql<number>`case when kind = 'browser' then case when expires_at < ${at.browserIdleExpiry} then expires_at else ${at.browserIdleExpiry} end
        when expires_at < ${at.idleExpiry} then expires_at else ${at.idleExpiry} end`,
    })
    .where('id', 'in', ids)
    .where('revoked_at', 'is', null)
    .where('idle_expires_at', '>', at.now);

@Injectable()
export class Presence implements OnApplicationShutdown {
  /** This instance, as `online_by` names it. */
  readonly instanceId = randomUUID();
  private timer: NodeJS.Timeout | undefined;
  /** Whether this instance holds a socket of the session now (the connection registry). */
  private holds: (sessionId: string) => boolean = () => false;
  /** Sessions with a mark on its way; `again` when another was asked meanwhile. */
  private readonly marking = new Map<string, { userId: string; again: boolean }>();
  /** The heartbeat batch being written now. */
  private beating: { ids: ReadonlySet<string>; done: Promise<void> } | undefined;
  private beatRunning = false;

  constructor(
    @Inject(Store) private readonly store: Store,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: ServerConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  private get lapse(): number {
    return this.clock.now() + 3 * this.config.presenceIntervalMs;
  }

  /** Renews presence for the sessions `connected()` returns, every presenceInterval; `holds` says if one still is. */
  start(connected: () => string[], holds: (sessionId: string) => boolean): void {
    this.holds = holds;
    this.timer = setInterval(() => void this.beat(connected()), this.config.presenceIntervalMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** The first socket of a session on this instance has opened, or its last one has closed. */
  changed(userId: string, sessionId: string): void {
    const pending = this.marking.get(sessionId);
    if (pending) {
      pending.again = true;
      return;
    }
    const entry = { userId, again: false };
    this.marking.set(sessionId, entry);
    void this.markUntilSettled(sessionId, entry);
  }

  private async markUntilSettled(sessionId: string, entry: { userId: string; again: boolean }): Promise<void> {
    try {
      do {
        entry.again = false;
        // A heartbeat batch on its way with this session could land after this mark: it goes first.
        // Each batch is waited for once: one already landed must not be awaited again in a loop of
        // microtasks, which would hold the event loop for good.
        for (let batch = this.beating; batch?.ids.has(sessionId); batch = this.beating === batch ? undefined : this.beating) await batch.done;
        await this.mark(entry.userId, sessionId, this.holds(sessionId));
      } while (entry.again);
    } finally {
      this.marking.delete(sessionId);
    }
  }

  private async mark(userId: string, sessionId: string, online: boolean): Promise<void> {
    try {
      await this.store.transaction(async (unit) => {
        let update = unit.db
          .updateTable('sessions')
          .set(online ? { online_until: later(this.lapse, this.instanceId), online_by: this.instanceId } : { online_until: null, online_by: null })
          .where('id', '=', sessionId)
          .where('revoked_at', 'is', null);
        // Going offline here must not undo a reconnect that another instance has already marked.
        if (!online) update = update.where('online_by', '=', this.instanceId);
        const changed = await update.executeTakeFirst();
        if (changed.numUpdatedRows > 0n) unit.publish({ kind: 'session.presence', userId, sessionId, online });
        // Presence lapses on its own (online_until): a mark lost in a power cut costs nothing.
      }, { lightly: true });
    } catch (error) {
      this.log.warn({ err: (error as Error).message }, 'could not record presence');
    }
  }

  /**
   * Connected sessions: still online, and seen now (last_seen and the idle expiry slide as on a request).
   * Skipped while the one before is still running; sessions gone since are left out of each batch.
   */
  async beat(sessionIds: string[]): Promise<void> {
    if (this.beatRunning) return;
    this.beatRunning = true;
    const now = this.clock.now();
    // A browser's idle timeout is its own (a day): an account page left open, then closed, must not leave
    // its cookie valid for the app's two weeks.
    const idleExpiry = now + lifespan(this.config.sessions, 'app').idleTimeoutMs;
    const browserIdleExpiry = now + lifespan(this.config.sessions, 'browser').idleTimeoutMs;
    try {
      for (let i = 0; i < sessionIds.length; i += BATCH) {
        const ids = sessionIds.slice(i, i + BATCH).filter((id) => this.holds(id));
        if (ids.length === 0) continue;
        // A mark on its way could be overtaken by this batch: it is written once more, after the batch.
        for (const id of ids) {
          const marking = this.marking.get(id);
          if (marking) marking.again = true;
        }
        const write = this.store.lightly((db) => renewal(db, ids, { until: this.lapse, by: this.instanceId, now, idleExpiry, browserIdleExpiry }).execute());
        this.beating = { ids: new Set(ids), done: write.then(() => undefined, () => undefined) };
        await write;
        this.beating = undefined;
        // On SQLite a batch runs without a real wait: without a turn of the event loop between batches,
        // every session check waited for the whole heartbeat (37 ms for 7,800 devices among a million rows).
        if (i + BATCH < sessionIds.length) await nextTurn();
      }
    } catch (error) {
      this.log.warn({ err: (error as Error).message }, 'could not renew presence; will retry');
    } finally {
      this.beating = undefined;
      this.beatRunning = false;
    }
  }
}
