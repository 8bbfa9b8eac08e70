// Which sessions hold a live connection, kept in the store so every instance,
// the session list and eviction see the same. A session's first socket on an
// instance marks it online and its last one marks it offline (both told to the
// account's devices as `session.presence`); a heartbeat, once a
// presenceInterval, renews the mark and advances last_seen (and the idle
// expiry) of every session connected here, off the request path. An instance
// that dies without a word leaves marks that lapse after three intervals.
// A session's writes apply in the order they were asked for (`inOrder`): an
// online mark held up behind a busy database must not land after the offline
// mark that followed it, nor a heartbeat after the offline mark of a socket
// that closed while it was on its way; either would show a closed device
// online for three intervals.
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import { type Clock } from '../common/clock.js';
import { CLOCK, CONFIG, LOGGER } from '../common/di-tokens.js';
import { lifespan, type ServerConfig } from '../config/config.js';
import { Store } from '../storage/store.js';

const BATCH = 500;

@Injectable()
export class Presence implements OnApplicationShutdown {
  /** This instance, as `online_by` names it. */
  readonly instanceId = randomUUID();
  private timer: NodeJS.Timeout | undefined;
  /** The last write asked for each session, while it runs: the next one for that session waits for it. */
  private readonly writing = new Map<string, Promise<void>>();

  constructor(
    @Inject(Store) private readonly store: Store,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: ServerConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  private get lapse(): number {
    return this.clock.now() + 3 * this.config.presenceIntervalMs;
  }

  /** Renews presence for the sessions `connected()` returns, every presenceInterval. */
  start(connected: () => string[]): void {
    this.timer = setInterval(() => {
      const ids = connected();
      void this.inOrder(ids, () => this.beat(ids));
    }, this.config.presenceIntervalMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** The first socket of a session on this instance. */
  online(userId: string, sessionId: string): Promise<void> {
    return this.inOrder([sessionId], () => this.mark(userId, sessionId, true));
  }

  /** The last socket of a session on this instance has closed. */
  offline(userId: string, sessionId: string): Promise<void> {
    return this.inOrder([sessionId], () => this.mark(userId, sessionId, false));
  }

  /**
   * Runs `write` (which never throws) once every write asked before for these sessions is done; at once
   * when there is none, which is nearly always.
   */
  private inOrder(sessionIds: readonly string[], write: () => Promise<void>): Promise<void> {
    const before = new Set<Promise<void>>();
    for (const id of sessionIds) {
      const pending = this.writing.get(id);
      if (pending) before.add(pending);
    }
    const done = before.size === 0 ? write() : Promise.all(before).then(write);
    for (const id of sessionIds) this.writing.set(id, done);
    void done.then(() => {
      for (const id of sessionIds) if (this.writing.get(id) === done) this.writing.delete(id);
    });
    return done;
  }

  private async mark(userId: string, sessionId: string, online: boolean): Promise<void> {
    try {
      await this.store.transaction(async (unit) => {
        let update = unit.db
          .updateTable('sessions')
          .set(online ? { online_until: this.lapse, online_by: this.instanceId } : { online_until: null, online_by: null })
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

  /** Connected sessions: still online, and seen now (last_seen and the idle expiry slide as on a request). */
  async beat(sessionIds: string[]): Promise<void> {
    const now = this.clock.now();
    // A browser's idle timeout is its own (a day): an account page left open, then closed, must not leave
    // its cookie valid for the app's two weeks.
    const idleExpiry = now + lifespan(this.config.sessions, 'app').idleTimeoutMs;
    const browserIdleExpiry = now + lifespan(this.config.sessions, 'browser').idleTimeoutMs;
    try {
      for (let i = 0; i < sessionIds.length; i += BATCH) {
        await this.store.lightly((db) =>
          db
            .updateTable('sessions')
            .set({
              online_until: this.lapse,
              online_by: this.instanceId,
              last_seen_at: now,
              idle_expires_at: sql<number>`case when kind = 'browser' then case when expires_at < ${browserIdleExpiry} then expires_at else ${browserIdleExpiry} end
                when expires_at < ${idleExpiry} then expires_at else ${idleExpiry} end`,
            })
            .where('id', 'in', sessionIds.slice(i, i + BATCH))
            .where('revoked_at', 'is', null)
            .where('idle_expires_at', '>', now)
            .execute(),
        );
      }
    } catch (error) {
      this.log.warn({ err: (error as Error).message }, 'could not renew presence; will retry');
    }
  }
}
