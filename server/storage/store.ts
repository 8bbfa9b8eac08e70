// The store as the rest of the server sees it: the database plus the rule
// that session events leave only with the transaction that caused them.
import type { Kysely, Transaction } from 'kysely';
import type { SessionEventBus } from '../events/bus.js';
import type { SessionEvent } from '../events/session-events.js';
import type { OpenedDatabase } from './database.js';
import type { Database, Db } from './schema.js';

export interface UnitOfWork {
  db: Transaction<Database>;
  /** Queue an event; it is published only if the transaction commits. */
  publish(event: SessionEvent): void;
  /** Run `then` once the transaction has committed (never if it rolls back). */
  afterCommit(then: () => void): void;
}

export class Store {
  constructor(
    private readonly opened: OpenedDatabase,
    readonly bus: SessionEventBus,
  ) {}

  get db(): Kysely<Database> {
    return this.opened.db;
  }

  get kind(): OpenedDatabase['kind'] {
    return this.opened.kind;
  }

  /** A transaction whose commit need not wait for the disk (OpenedDatabase.lightly): counters, presence, last seen. */
  lightly<T>(work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    return this.opened.lightly(work);
  }

  /**
   * Holds the account's row until the transaction of `db` ends (PostgreSQL; SQLite runs one writer at a time
   * anyway), so what acts on one account takes turns: making, collecting or recovering a sign-in request and
   * ending them (a password change, "sign out all others"), and mail that must see what the last one queued.
   */
  async lockAccount(db: Db, userId: string): Promise<void> {
    // FOR NO KEY UPDATE: callers take turns with each other, yet a transaction that has inserted a row
    // referencing the account (which holds FOR KEY SHARE on it) and locks it late does not deadlock with another.
    if (this.kind === 'postgres') await db.selectFrom('users').select('id').where('id', '=', userId).forNoKeyUpdate().execute();
  }

  ping(): Promise<void> {
    return this.opened.ping();
  }

  /** Stops the bus, then closes the database. */
  async close(): Promise<void> {
    await this.bus.stop();
    await this.opened.close();
  }

  /** `lightly`: a commit that need not wait for the disk (presence); every other one is durable when this returns. */
  async transaction<T>(work: (unit: UnitOfWork) => Promise<T>, options: { lightly?: boolean } = {}): Promise<T> {
    const events: SessionEvent[] = [];
    const committed: Array<() => void> = [];
    const run = async (trx: Transaction<Database>) => {
      const value = await work({ db: trx, publish: (event) => events.push(event), afterCommit: (then) => committed.push(then) });
      await this.bus.beforeCommit(trx, events);
      return value;
    };
    const result = options.lightly ? await this.lightly(run) : await this.db.transaction().execute(run);
    this.bus.afterCommit(events);
    for (const then of committed) then();
    return result;
  }
}
