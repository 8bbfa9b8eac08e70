// Opens the store named by the config: a SQLite file (default) or PostgreSQL.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql, type SqliteDatabase, type SqliteStatement } from 'kysely';
import pg from 'pg';
import type { StoreConfig } from '../config/config.js';
import { migrateToLatest } from './migrations.js';
import type { Database } from './schema.js';

export interface OpenedDatabase {
  db: Kysely<Database>;
  kind: StoreConfig['kind'];
  /** Resolves when the store answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

const INT8_OID = 20;
const STATEMENT_CACHE_SIZE = 256;

/**
 * Kysely's SQLite driver prepares every statement anew; on the session check
 * that was a third of the server's CPU. Statements are reused here instead
 * (better-sqlite3 statements are reusable, and the driver runs one at a time).
 */
export function withStatementCache(database: SQLite.Database, size = STATEMENT_CACHE_SIZE): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => database.close(),
    prepare(text: string): SqliteStatement {
      let statement = cache.get(text);
      if (!statement) {
        statement = database.prepare(text) as unknown as SqliteStatement;
        // Queries with IN (...) lists vary in text; keep the cache bounded.
        if (cache.size >= size) cache.delete(cache.keys().next().value!);
        cache.set(text, statement);
      }
      return statement;
    },
  };
}

/** A pg pool whose bigint columns come back as numbers (all ours are epoch ms). */
export function createPgPool(url: string, max = 10): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis: 5_000,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // A client losing its connection (a Postgres restart) must not crash the server: idle
  // clients report through the pool, checked-out ones between queries through themselves.
  // Broken clients are discarded on release; the query in flight fails with 503.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

export async function openDatabase(store: StoreConfig): Promise<OpenedDatabase> {
  let db: Kysely<Database>;
  if (store.kind === 'sqlite') {
    if (store.file !== ':memory:') mkdirSync(dirname(store.file), { recursive: true, mode: 0o700 });
    const file = new SQLite(store.file);
    file.pragma('journal_mode = WAL');
    file.pragma('foreign_keys = ON');
    file.pragma('busy_timeout = 5000');
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(file) }) });
  } else {
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: createPgPool(store.url) }) });
  }
  await migrateToLatest(db as Kysely<unknown>);
  return {
    db,
    kind: store.kind,
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}
