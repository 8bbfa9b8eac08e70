// Runs a suite once per store: SQLite in a temp folder and a real PostgreSQL.
import { readFileSync } from 'node:fs';
import { after, describe } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { StoreConfig } from '../../server/config/config.js';
import { startPostgres, type TestPostgres } from '../../kit/postgres.js';
import { tempSqlite, type StoreKind } from './server.js';

/** A session's current, previous and pending token, by hash. */
export interface TokenColumns {
  token_hash: string;
  prev_token_hash: string | null;
  next_token_hash: string | null;
}

export class StoreContext {
  private postgres: TestPostgres | undefined;
  private readonly disposers: Array<() => void | Promise<void>> = [];

  /** `ownPostgres`: a PostgreSQL of this suite's alone, which it may stop and restart (not the run's shared one). */
  constructor(
    readonly kind: StoreKind,
    private readonly options: { ownPostgres?: boolean } = {},
  ) {}

  /** A fresh, empty store of this kind. */
  async newStore(): Promise<StoreConfig> {
    if (this.kind === 'sqlite') {
      const sqlite = tempSqlite();
      this.disposers.push(sqlite.dispose);
      return sqlite.store;
    }
    this.postgres ??= await startPostgres({ own: this.options.ownPostgres === true });
    return { kind: 'postgres', url: await this.postgres.newDatabase() };
  }

  get pg(): TestPostgres {
    if (!this.postgres) throw new Error('no PostgreSQL started yet');
    return this.postgres;
  }

  /** Everything the store holds on disk or in its tables, as text, to search for secrets. */
  async dumpStore(store: StoreConfig): Promise<string> {
    if (store.kind === 'sqlite') {
      return ['', '-wal', '-shm']
        .map((suffix) => {
          try {
            return readFileSync(store.file + suffix).toString('latin1');
          } catch {
            return '';
          }
        })
        .join('\n');
    }
    const client = new pg.Client({ connectionString: store.url });
    await client.connect();
    try {
      const tables = ['users', 'sessions', 'security_events', 'retired_tokens'];
      const dumps = [];
      // One query at a time: a pg client runs them in turn anyway, and warns when asked for more.
      for (const table of tables) dumps.push((await client.query(`select * from ${table}`)).rows);
      return JSON.stringify(dumps);
    } finally {
      await client.end();
    }
  }

  /** One session row's token columns, read straight from the store (hashes only). */
  async tokenColumns(store: StoreConfig, sessionId: string): Promise<TokenColumns | undefined> {
    const query = 'select token_hash, prev_token_hash, next_token_hash from sessions where id = ';
    if (store.kind === 'sqlite') {
      const file = new Database(store.file, { readonly: true });
      try {
        return file.prepare(`${query}?`).get(sessionId) as TokenColumns | undefined;
      } finally {
        file.close();
      }
    }
    const client = new pg.Client({ connectionString: store.url });
    await client.connect();
    try {
      return (await client.query(`${query}$1`, [sessionId])).rows[0];
    } finally {
      await client.end();
    }
  }

  async dispose(): Promise<void> {
    for (const dispose of this.disposers.reverse()) await dispose();
    await this.postgres?.close();
  }
}

export function forEachStore(title: string, body: (ctx: StoreContext) => void, kinds: StoreKind[] = ['sqlite', 'postgres']): void {
  for (const kind of kinds) {
    describe(`${title} [${kind}]`, () => {
      const ctx = new StoreContext(kind);
      after(() => ctx.dispose());
      body(ctx);
    });
  }
}

/** The authenticator columns of an account without codes, for a row a test writes or hands the server itself. */
export { CODES_OFF as NO_AUTHENTICATOR } from '../../server/storage/schema.js';
