// Opens the store named by the config: a SQLite file (default) or PostgreSQL.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql, type PostgresCursor, type Transaction, type PostgresPool, type PostgresPoolClient, type PostgresQueryResult, type SqliteDatabase, type SqliteStatement } from 'kysely';
import pg from 'pg';
import { DEFAULT_PG_TIMEOUTS, PG_KEEPALIVE_MS, type PostgresTimeouts, type StoreConfig } from '../config/config.js';
import { migrateToLatest } from './migrations.js';
import type { Database } from './schema.js';

export interface OpenedDatabase {
  db: Kysely<Database>;
  kind: StoreConfig['kind'];
  /**
   * Runs `work` in a transaction whose commit does not wait for the disk, for writes that may be lost
   * in a power cut or an OS crash without harm: attempt counters, presence, when a session was last
   * seen. Every other commit is durable once it returns (docs/architecture.md, "Stores"). A process
   * that dies loses neither kind. `work` must use only the transaction it is given: on SQLite the
   * one connection is held meanwhile, and `store.db` would wait for it forever.
   */
  lightly<T>(work: (trx: Transaction<Database>) => Promise<T>): Promise<T>;
  /** Resolves when the store answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

const INT8_OID = 20;
/** At most this many statements are kept prepared per connection, on either store. */
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

/** The SET statements that hold one connection to `timeouts`. */
const sessionTimeouts = (timeouts: PostgresTimeouts): string =>
  `SET statement_timeout = ${Math.trunc(timeouts.statementMs)}; SET lock_timeout = ${Math.trunc(timeouts.lockMs)}; SET idle_in_transaction_session_timeout = ${Math.trunc(timeouts.idleInTransactionMs)}`;

/** Where the PostgreSQL pool reports a connection it lost (the server's log). */
export type PoolLog = (message: string, detail: string) => void;

/** A pg pool whose bigint columns come back as numbers (all ours are epoch ms). */
export function createPgPool(url: string, max = 10, log: PoolLog = () => undefined, timeouts: PostgresTimeouts = DEFAULT_PG_TIMEOUTS): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis: 5_000,
    keepAlive: true,
    keepAliveInitialDelayMillis: PG_KEEPALIVE_MS,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // A client losing its connection (a Postgres restart) must not crash the server: idle
  // clients report through the pool, checked-out ones between queries through themselves.
  // Broken clients are discarded on release; the query in flight fails with 503.
  // Each loss is logged (without the URL, which may hold the password).
  const lost = (error: Error) => log('a PostgreSQL connection was lost; the pool opens another when one is needed', error.message);
  pool.on('error', lost);
  pool.on('connect', (client) => {
    client.on('error', lost);
    // Queued before anything the pool hands this connection out for, so it runs first.
    client.query(sessionTimeouts(timeouts)).catch((error: Error) => log('could not set the timeouts of a PostgreSQL connection', error.message));
  });
  return pool;
}

/**
 * `select *`, `select "sessions".*`, `returning *`, `, *`: a column list that grows when a migration adds a
 * column. `count(*)` is not one.
 */
export const SELECTS_EVERY_COLUMN = /(?:\bselect\s+(?:distinct\s+)?|\breturning\s+|,\s*)(?:"?\w+"?\.)?\*/i;

/**
 * The pg pool as Kysely sees it, with two changes, both measured on the
 * session list (docs/performance.md, "What limits each figure", the list on
 * PostgreSQL, has the figures):
 *
 * - Queries go in pg's callback form. Its promise form attaches the callback
 *   after the query object is built, and then every query's rows survived
 *   V8's young-generation collections, whose pauses made the list's p99.
 * - Each statement is prepared once per connection and then run by name, so
 *   Postgres no longer parses and plans it every time;
 *   past the first STATEMENT_CACHE_SIZE texts, further ones go unnamed.
 *   A statement that returns every column (SELECTS_EVERY_COLUMN) stays unnamed: once a migration adds a
 *   column, its prepared form would fail ("cached plan must not change result type").
 */
export function withPreparedCallbackQueries(pool: pg.Pool): PostgresPool {
  const names = new Map<string, string>();
  const nameOf = (text: string): string | undefined => {
    let name = names.get(text);
    if (name === undefined && names.size < STATEMENT_CACHE_SIZE && !SELECTS_EVERY_COLUMN.test(text)) {
      name = `latch_${names.size}`;
      names.set(text, name);
    }
    return name;
  };
  // One wrapper per pooled client: Kysely keys its connections by the object `connect` returns.
  const wrappers = new WeakMap<pg.PoolClient, CallbackClient>();
  return {
    async connect() {
      const client = await pool.connect();
      let wrapper = wrappers.get(client);
      if (!wrapper) wrappers.set(client, (wrapper = new CallbackClient(client, nameOf)));
      return wrapper;
    },
    end: () => pool.end(),
  };
}

class CallbackClient implements PostgresPoolClient {
  constructor(
    private readonly client: pg.PoolClient,
    private readonly nameOf: (text: string) => string | undefined,
  ) {}

  query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>>;
  query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  query<R>(sqlOrCursor: string | PostgresCursor<R>, parameters?: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
    // Kysely hands cursors here for streamed queries; they go straight through.
    if (typeof sqlOrCursor !== 'string') return this.client.query(sqlOrCursor as never) as PostgresCursor<R>;
    const config: pg.QueryConfig = { text: sqlOrCursor, values: parameters as unknown[], name: this.nameOf(sqlOrCursor) };
    return new Promise((resolve, reject) => {
      this.client.query(config, (error: Error | undefined, result: pg.QueryResult) =>
        error ? reject(error) : resolve(result as unknown as PostgresQueryResult<R>),
      );
    });
  }

  release(): void {
    this.client.release();
  }
}

/** Why a data folder cannot be used, in words an operator can act on. */
function folderProblem(error: unknown): string {
  const code = (error as { code?: string }).code ?? '';
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_READONLY') {
    return 'the folder cannot be written to (check its owner and permissions, and that the disk is not read-only)';
  }
  if (code === 'EEXIST' || code === 'ENOTDIR') return 'a file is in the way: the path (or a folder on it) is a file, not a folder';
  if (code === 'ENOSPC') return 'the disk is full';
  if (code === 'ENOENT') return 'a folder on the path cannot be made there (a system folder such as /proc, or one removed meanwhile)';
  return (error as Error).message;
}

/**
 * mkdir -p, folder by folder: Node's own recursive mkdir retries for good where a folder cannot be made in a
 * parent that exists (a path under /proc), which spun at start with no word.
 */
function makeFolder(path: string): void {
  if (existsSync(path)) return;
  const parent = dirname(path);
  if (parent !== path) makeFolder(parent);
  mkdirSync(path, { mode: 0o700 });
}

/** A native module built for another Node.js than the one running: not the data folder's fault. */
export function nativeModuleProblem(error: unknown): string | undefined {
  const message = (error as Error | undefined)?.message ?? '';
  if ((error as { code?: string } | undefined)?.code !== 'ERR_DLOPEN_FAILED' && !/NODE_MODULE_VERSION|was compiled against a different Node\.js/.test(message)) return undefined;
  return `better-sqlite3 was built for another version of Node.js than this one (${process.version}): run \`npm rebuild better-sqlite3\` with this Node.js, where Latch is installed (${message.split('\n')[0]})`;
}

/** The SQLite file in its folder (created, private to this user), or one line naming the path and the reason. */
function openSqliteFile(path: string): SQLite.Database {
  try {
    if (path !== ':memory:') makeFolder(dirname(path));
    const file = new SQLite(path);
    // Writing proves the folder is usable now, not at the first sign-in.
    file.pragma('user_version');
    file.exec('BEGIN IMMEDIATE; COMMIT;');
    return file;
  } catch (error) {
    const native = nativeModuleProblem(error);
    if (native) throw new StoreError(native);
    throw new StoreError(`cannot use the data folder ${dirname(path)} (LATCH_DATA_DIR): ${folderProblem(error)}`);
  }
}

/** A store that cannot be opened: the message is the one line the server prints. */
export class StoreError extends Error {}

/** Where a PostgreSQL URL points, without its password: "db.example.com:5432/latch". */
export function postgresTarget(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname || 'localhost'}:${parsed.port || '5432'}${parsed.pathname || '/'}`;
  } catch {
    return 'the DATABASE_URL';
  }
}

export async function openDatabase(store: StoreConfig, log?: PoolLog): Promise<OpenedDatabase> {
  let db: Kysely<Database>;
  let lightly: OpenedDatabase['lightly'];
  if (store.kind === 'sqlite') {
    const file = openSqliteFile(store.file);
    file.pragma('journal_mode = WAL');
    // Said outright: better-sqlite3 builds SQLite to commit at NORMAL in WAL mode unless told otherwise,
    // and at NORMAL a commit (a revocation) can be undone by a power cut. At FULL each commit syncs the WAL.
    file.pragma('synchronous = FULL');
    file.pragma('foreign_keys = ON');
    file.pragma('busy_timeout = 5000');
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(file) }) });
    const sqlite = db;
    // The one connection, held for the work (no other statement runs in between), at NORMAL meanwhile:
    // the commit reaches the WAL without a sync of its own, and the next durable commit syncs it along.
    lightly = (work) =>
      sqlite.connection().execute(async (connection) => {
        file.pragma('synchronous = NORMAL');
        try {
          return await connection.transaction().execute(work);
        } finally {
          // Never left at NORMAL: a transaction still open (a failed rollback) is ended first.
          if (file.inTransaction) file.exec('ROLLBACK');
          file.pragma('synchronous = FULL');
        }
      });
  } else {
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: withPreparedCallbackQueries(createPgPool(store.url, store.poolSize, log, store.timeouts)) }) });
    const postgres = db;
    // SET LOCAL, inside the transaction: a setting sent at connect, or a session-wide SET, would reach
    // other clients' transactions through a pooler in transaction mode (or be refused by it).
    lightly = (work) =>
      postgres.transaction().execute(async (trx) => {
        await sql`set local synchronous_commit = off`.execute(trx);
        return work(trx);
      });
  }
  const destroy = () => db.destroy();
  try {
    await migrateToLatest(db as Kysely<unknown>);
  } catch (error) {
    await destroy().catch(() => undefined);
    const where = store.kind === 'postgres' ? `PostgreSQL at ${postgresTarget(store.url)} (DATABASE_URL)` : `SQLite at ${store.file}`;
    throw new StoreError(`${where}: ${(error as Error).message}`);
  }
  return {
    db,
    kind: store.kind,
    lightly,
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: destroy,
  };
}
