// Which PostgreSQL driver under Kysely: Latch's wrapper over pg (prepared statements by name, pg's
// callback form; server/storage/database.ts) or postgres.js through kysely-postgres-js (which prepares
// statements itself). Both run the server's own queries, from SessionRepository, against one seeded
// database, in alternating rounds in one process: the session list of an account with 20 devices among
// all the rows (sequential, latency) and the uncached session check's lookup by token hash (10 at once,
// CPU per query). Prints a table and writes bench/results/pg-driver.json.
//
//   npm run build:node && node dist/bench/pg-driver.js [--full]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, sql } from 'kysely';
import { PostgresJSDialect } from 'kysely-postgres-js';
import postgres from 'postgres';
import { startPostgres } from '../kit/postgres.js';
import { openDatabase } from '../server/storage/database.js';
import type { Database, Db } from '../server/storage/schema.js';
import { Metrics } from '../server/metrics/metrics.js';
import { SessionRepository } from '../server/sessions/session-repository.js';
import { VIEW_COLUMNS } from '../server/sessions/session-view.js';
import { hashToken } from '../server/sessions/tokens.js';
import { median, quantile, root, round, seed } from './lib.js';

const full = process.argv.includes('--full');
const PROFILE = full ? { rows: 1_000_000, rounds: 10, lists: 3_000, checks: 6_000 } : { rows: 100_000, rounds: 4, lists: 1_000, checks: 2_000 };
const POOL = 10;
const CONCURRENCY = 10;

type Driver = 'pg wrapper' | 'postgres.js' | 'postgres.js prepared';

/** The median of the rounds, with the lowest and highest beside it. */
interface Range {
  median: number;
  min: number;
  max: number;
}
const range = (xs: number[]): Range => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs) });

/**
 * postgres.js with bigint columns as numbers, as the pg pool has them (all are epoch ms). kysely-postgres-js
 * runs every query through `unsafe()`, which postgres.js does not prepare; `prepared` asks it to.
 */
function postgresJs(url: string, prepared: boolean): Kysely<Database> {
  const client = postgres(url, { max: POOL, types: { bigint: { to: 20, from: [20], serialize: (x: number) => String(x), parse: (x: string) => Number(x) } } });
  if (!prepared) return new Kysely<Database>({ dialect: new PostgresJSDialect({ postgres: client }) });
  const preparing = async () =>
    ({
      reserve: async () => {
        const reserved = await client.reserve();
        return { unsafe: (text: string, parameters: never[]) => reserved.unsafe(text, parameters, { prepare: true }), release: () => reserved.release() };
      },
      end: () => client.end(),
    }) as unknown as postgres.Sql;
  return new Kysely<Database>({ dialect: new PostgresJSDialect({ postgres: preparing }) });
}

// Only its query builders are used here, which need neither the store, the locator nor the clock (the metrics take its gauge).
const repo = new SessionRepository(undefined as never, undefined as never, undefined as never, new Metrics());
const list = (db: Db, userId: string, now: number) =>
  repo.activeQuery(db, userId, now).select(VIEW_COLUMNS).orderBy('last_seen_at', 'desc').orderBy('id').execute();

interface Round {
  listMs: number[];
  listCpuUs: number;
  checkCpuUs: number;
  checksPerSecond: number;
}

async function round1(db: Kysely<Database>, userId: string, tokenHashes: string[]): Promise<Round> {
  const now = Date.now();
  const listMs: number[] = [];
  let cpu = process.cpuUsage();
  for (let i = 0; i < PROFILE.lists; i++) {
    const t = performance.now();
    const rows = await list(db, userId, now);
    listMs.push(performance.now() - t);
    if (rows.length !== 20) throw new Error(`expected 20 sessions, got ${rows.length}`);
  }
  let used = process.cpuUsage(cpu);
  const listCpuUs = (used.user + used.system) / PROFILE.lists;

  cpu = process.cpuUsage();
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < PROFILE.checks) {
        const hash = tokenHashes[next++ % tokenHashes.length]!;
        const row = await repo.row(db, 'sessions.token_hash', hash);
        if (!row) throw new Error('a seeded token was not found');
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  used = process.cpuUsage(cpu);
  return { listMs, listCpuUs, checkCpuUs: (used.user + used.system) / PROFILE.checks, checksPerSecond: PROFILE.checks / seconds };
}

async function main(): Promise<void> {
  const server = await startPostgres();
  try {
    const url = await server.newDatabase();
    console.log(`seeding ${PROFILE.rows} rows into PostgreSQL`);
    const seeded = await seed({ kind: 'postgres', url }, { fillerRows: PROFILE.rows, accounts: 100, devicesPerAccount: 5, rotators: 0 });
    const wrapper = await openDatabase({ kind: 'postgres', url, poolSize: POOL });
    const others = [postgresJs(url, false), postgresJs(url, true)] as const;
    const drivers: Array<[Driver, Kysely<Database>]> = [
      ['pg wrapper', wrapper.db],
      ['postgres.js', others[0]],
      ['postgres.js prepared', others[1]],
    ];
    const { user_id: userId } = await wrapper.db.selectFrom('sessions').select('user_id').where('id', '=', seeded.lister.sessionId).executeTakeFirstOrThrow();
    const tokenHashes = seeded.devices.map((d) => hashToken(d.token));
    await sql`analyze`.execute(wrapper.db);

    const rounds: Record<Driver, Round[]> = { 'pg wrapper': [], 'postgres.js': [], 'postgres.js prepared': [] };
    // A warm-up round each (connections opened, statements prepared), then alternating rounds.
    for (const [, db] of drivers) await round1(db, userId, tokenHashes);
    for (let r = 0; r < PROFILE.rounds; r++) {
      const order = [...drivers.slice(r % drivers.length), ...drivers.slice(0, r % drivers.length)];
      for (const [name, db] of order) rounds[name].push(await round1(db, userId, tokenHashes));
      console.log(`round ${r + 1}/${PROFILE.rounds}`);
    }
    await wrapper.close();
    for (const other of others) await other.destroy();

    const summary = (name: Driver) => {
      const rs = rounds[name];
      return {
        listP50Us: range(rs.map((r) => quantile(r.listMs, 0.5) * 1000)),
        listP99Us: range(rs.map((r) => quantile(r.listMs, 0.99) * 1000)),
        listCpuUs: range(rs.map((r) => r.listCpuUs)),
        checkCpuUs: range(rs.map((r) => r.checkCpuUs)),
        checksPerSecond: range(rs.map((r) => r.checksPerSecond)),
      };
    };
    const results = {
      profile: full ? 'full' : 'quick',
      rows: PROFILE.rows,
      rounds: PROFILE.rounds,
      pool: POOL,
      concurrency: CONCURRENCY,
      wrapper: summary('pg wrapper'),
      postgresJs: summary('postgres.js'),
      postgresJsPrepared: summary('postgres.js prepared'),
    };
    const fmt = (s: Range, digits = 0) => `${round(s.median, digits)} (${round(s.min, digits)}–${round(s.max, digits)})`;
    const rows: Array<[string, keyof typeof results.wrapper, number]> = [
      ['list p50, µs', 'listP50Us', 0],
      ['list p99, µs', 'listP99Us', 0],
      ['list client CPU per query, µs', 'listCpuUs', 0],
      ['session lookup client CPU per query, µs', 'checkCpuUs', 0],
      [`session lookups per second, ${CONCURRENCY} at once`, 'checksPerSecond', 0],
    ];
    console.log(`\nPostgreSQL driver, ${PROFILE.rows} rows, median (range) of ${PROFILE.rounds} rounds`);
    console.log(`${''.padEnd(44)}${'pg wrapper'.padStart(22)}${'postgres.js'.padStart(22)}${'ratio'.padStart(7)}${'postgres.js prepared'.padStart(22)}${'ratio'.padStart(7)}`);
    for (const [label, key, digits] of rows) {
      const [a, b, c] = [results.wrapper[key], results.postgresJs[key], results.postgresJsPrepared[key]];
      const ratio = (x: Range) => String(round(x.median / a.median, 2)).padStart(7);
      console.log(`${label.padEnd(44)}${fmt(a, digits).padStart(22)}${fmt(b, digits).padStart(22)}${ratio(b)}${fmt(c, digits).padStart(22)}${ratio(c)}`);
    }
    const out = join(root, 'bench', 'results');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'pg-driver.json'), `${JSON.stringify(results, null, 2)}\n`);
  } finally {
    await server.close();
  }
}

await main();
