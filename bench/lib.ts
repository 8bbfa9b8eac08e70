// Pieces the benchmarks share: server processes, load, figures and seeding.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Agent } from 'node:http';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import { sql } from 'kysely';
import { DEFAULT_PG_TIMEOUTS, type StoreConfig } from '../server/config/config.js';
import { cpuTicks } from '../server/common/proc.js';
import { hashToken } from '../server/sessions/tokens.js';
import { openDatabase } from '../server/storage/database.js';
import type { SessionsTable } from '../server/storage/schema.js';
import { startProcess as startKitProcess, type Proc } from '../kit/process.js';
import { newClaim } from '../kit/http.js';
import { send } from './http.js';

export type { Proc };
export const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Starts a program of this repository (a path under the root) as a server process; see kit/process.ts. A Latch
 * server gets a data folder of its own if none is given: its local mailbox is there.
 */
export const startProcess = (script: string, env: Record<string, string>, health: string, nodeArgs: string[] = []): Promise<Proc> =>
  startKitProcess(resolve(root, script), script.endsWith('server/main.js') && !env.LATCH_DATA_DIR ? { LATCH_DATA_DIR: mkdtempSync(join(tmpdir(), 'latch-bench-data-')), ...env } : env, { health }, { nodeArgs });

/** Which load generator drove HTTP: `wrk` where it is installed (it needs less CPU than autocannon), else autocannon. */
export type Generator = 'wrk' | 'autocannon';
const WRK = (process.env.PATH ?? '').split(':').map((dir) => join(dir, 'wrk')).find((path) => path.startsWith('/') && existsSync(path));
export const generator: Generator = WRK ? 'wrk' : 'autocannon';

export interface LoadResult {
  generator: Generator;
  rps: number;
  /** Requests answered in the round. */
  requests: number;
  p50Us: number;
  p99Us: number;
  p999Us: number;
  /** The server's CPU (user + system, from /proc) per request answered, in µs: the stable figure on a shared machine. */
  serverCpuUsPerRequest: number;
  /** The load generator's CPU over the round, in cores. */
  clientCores: number;
  /** Everything else on the machine over the round, in cores (other servers, this process, the rest). */
  otherCores: number;
  /** The generator used ≥ 90 % of a core: the server may have been waiting for it, so its req/s is a floor. */
  clientBound: boolean;
  /** Answers other than 2xx, and socket errors (a peer that drops connections), in this round; 0 for Latch, or the run stops. */
  non2xx: number;
  socketErrors: number;
}

/** CPU busy on the whole machine so far, in ms (the first line of /proc/stat, less idle and iowait). */
function machineBusyMs(): number {
  const ticks = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = ticks.reduce((a, b) => a + b, 0);
  return (total - ticks[3]! - ticks[4]!) * 10;
}

/** CPU used by this process's children that have exited and been waited for, in ms: where a finished wrk's CPU is counted. */
function reapedChildrenCpuMs(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

async function runWrk(url: string, headers: Record<string, string>, seconds: number, connections: number) {
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '-s', join(root, 'bench/wrk-report.lua'), ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]), url];
  const child = spawn(WRK!, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const line = /WRK_JSON (.*)/.exec(out)?.[1];
  if (code !== 0 || !line) throw new Error(`wrk ${url} exited ${code}: ${out}`);
  const report = JSON.parse(line) as { requests: number; durationUs: number; non2xx: number; errors: number; p50Us: number; p99Us: number; p999Us: number };
  return { requests: report.requests, non2xx: report.non2xx, errors: report.errors, p50Us: report.p50Us, p99Us: report.p99Us, p999Us: report.p999Us };
}

async function runAutocannon(url: string, headers: Record<string, string>, seconds: number, connections: number) {
  const result = await autocannon({ url, connections, pipelining: 1, duration: seconds, headers });
  // autocannon keeps latencies in whole milliseconds.
  return { requests: result.requests.total, non2xx: result.non2xx, errors: result.errors, p50Us: result.latency.p50 * 1000, p99Us: result.latency.p99 * 1000, p999Us: result.latency.p99_9 * 1000 };
}

/**
 * One round against one server: the same connections and duration for every target, pipelining 1.
 * Records the server's CPU per request, the generator's and the rest of the machine's, since on a 2-core
 * machine the generator takes CPU from the server whatever it is. `strict` (Latch, the frameworks): any
 * non-2xx or socket error fails the run; a peer's (`strict: false`) are recorded with the round, and the
 * run goes on (docs/performance.md, "How the session check is measured").
 */
export async function load(url: string, headers: Record<string, string>, seconds: number, connections: number, serverPid: number, strict = true): Promise<LoadResult> {
  const server0 = cpuMs(serverPid);
  const machine0 = machineBusyMs();
  const children0 = reapedChildrenCpuMs();
  const self0 = process.cpuUsage();
  const started = performance.now();
  const run = generator === 'wrk' ? await runWrk(url, headers, seconds, connections) : await runAutocannon(url, headers, seconds, connections);
  const wallMs = performance.now() - started;
  const selfMs = (() => {
    const used = process.cpuUsage(self0);
    return (used.user + used.system) / 1000;
  })();
  const serverMs = cpuMs(serverPid) - server0;
  const clientMs = generator === 'wrk' ? reapedChildrenCpuMs() - children0 : selfMs;
  const otherMs = Math.max(0, machineBusyMs() - machine0 - serverMs - clientMs);
  if (strict && (run.non2xx > 0 || run.errors > 0)) throw new Error(`${url}: ${run.non2xx} non-2xx and ${run.errors} errors`);
  const clientCores = round(clientMs / wallMs, 2);
  return {
    generator,
    rps: Math.round(run.requests / (wallMs / 1000)),
    requests: run.requests,
    p50Us: run.p50Us,
    p99Us: run.p99Us,
    p999Us: run.p999Us,
    serverCpuUsPerRequest: round((serverMs * 1000) / run.requests, 1),
    clientCores,
    otherCores: round(otherMs / wallMs, 2),
    clientBound: clientCores >= 0.9,
    non2xx: run.non2xx,
    socketErrors: run.errors,
  };
}

/** Median and range of a figure over rounds. */
export interface Range {
  median: number;
  min: number;
  max: number;
}
export const range = (xs: number[]): Range => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs) });

export const median = (xs: number[]) => quantile(xs, 0.5);
export function quantile(xs: number[], q: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;
}
export const round = (x: number, digits = 3) => Number(x.toFixed(digits));

export interface Spread {
  count: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}
export function spread(xs: number[]): Spread {
  const at = (q: number) => round(quantile(xs, q));
  return { count: xs.length, p50Ms: at(0.5), p95Ms: at(0.95), p99Ms: at(0.99), p999Ms: at(0.999), maxMs: round(Math.max(...xs)) };
}

/** Resident memory of a process, from /proc (Linux). */
export function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for ${pid}`);
  return Number(match[1]) * 1024;
}

/** CPU time a process has used, in ms (Linux /proc, 100 ticks a second). */
export function cpuMs(pid: number): number {
  const ticks = cpuTicks(pid);
  if (ticks === undefined) throw new Error(`no CPU time for ${pid}`);
  return ticks * 10;
}

/** CPU used so far by the running child processes of `pid` (Latch's password-hashing process), in ms. */
export function childrenCpuMs(pid: number): number {
  let total = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
    for (const child of children ? children.split(' ') : []) total += cpuMs(Number(child));
  }
  return total;
}

/** CPU used so far by each PostgreSQL process on the machine (the benchmark's own cluster), in ms by pid. */
export function postgresCpuMs(): Map<number, number> {
  const used = new Map<number, number>();
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number)) {
    try {
      if (readFileSync(`/proc/${pid}/stat`, 'utf8').includes('(postgres)')) used.set(pid, (cpuTicks(pid) ?? 0) * 10);
    } catch {
      // Gone between the listing and the read.
    }
  }
  return used;
}

/** CPU PostgreSQL's processes used since `before` (a process that has exited since is not counted), in ms. */
export function postgresCpuSince(before: Map<number, number>): number {
  let total = 0;
  for (const [pid, ms] of postgresCpuMs()) total += ms - (before.get(pid) ?? 0);
  return total;
}

/**
 * Waits until these processes are quiet (under 5 % of a core over half a
 * second), so that what comes next is not measured against leftover work,
 * such as the check each new socket gets once it is registered.
 */
export async function quiet(pids: number[], timeoutMs = 60_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const before = pids.map(cpuMs);
    await new Promise((resolve) => setTimeout(resolve, 500));
    if (pids.every((pid, i) => cpuMs(pid) - before[i]! < 25)) return;
  }
  throw new Error('the servers did not go quiet');
}

/** Times `count` sequential GETs over one kept-alive connection. */
export async function timeSequentialGets(url: string, token: string, count: number, check: (body: string) => void): Promise<number[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const times: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const started = performance.now();
      const { status, body } = await send(agent, 'GET', url, token);
      if (status !== 200) throw new Error(`${url}: ${status} ${body}`);
      times.push(performance.now() - started);
      check(body);
    }
  } finally {
    agent.destroy();
  }
  return times;
}

/**
 * Times `count` GETs sent at a steady rate (the i-th at i / rate, whatever the others are doing), so
 * the sampling adds the same light load in a quiet and a busy phase.
 */
export async function timePacedGets(url: string, token: string, count: number, perSecond: number): Promise<number[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const times: number[] = [];
  const all: Array<Promise<void>> = [];
  const started = performance.now();
  try {
    for (let i = 0; i < count; i++) {
      const wait = started + (i * 1000) / perSecond - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const sent = performance.now();
      all.push(
        send(agent, 'GET', url, token).then(({ status, body }) => {
          if (status !== 200) throw new Error(`${url}: ${status} ${body}`);
          times.push(performance.now() - sent);
        }),
      );
    }
    await Promise.all(all);
  } finally {
    agent.destroy();
  }
  return times;
}

/**
 * Rotates each token once, one at a time, timing the three requests a device makes: the rotation
 * (POST /v1/auth/rotate), the new token's first use (which makes it current) and its second use
 * (an ordinary check, from the cache).
 */
export async function timeRotations(baseUrl: string, sessions: SeededSession[]): Promise<{ rotate: number[]; firstUse: number[]; nextUse: number[] }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const times = { rotate: [] as number[], firstUse: [] as number[], nextUse: [] as number[] };
  const timed = async (into: number[], method: string, path: string, token: string, json?: unknown) => {
    const started = performance.now();
    const reply = await send(agent, method, `${baseUrl}${path}`, token, json);
    into.push(performance.now() - started);
    if (reply.status !== 200) throw new Error(`${method} ${path}: ${reply.status} ${reply.body}`);
    return reply.body;
  };
  try {
    for (const session of sessions) {
      const { token } = JSON.parse(await timed(times.rotate, 'POST', '/v1/auth/rotate', session.token, { claim: newClaim() })) as { token: string };
      if (token === session.token) throw new Error('the token was not replaced');
      await timed(times.firstUse, 'GET', '/v1/auth/session', token);
      await timed(times.nextUse, 'GET', '/v1/auth/session', token);
    }
  } finally {
    agent.destroy();
  }
  return times;
}

/** A token the benchmark knows in advance, in Latch's token format. */
export const benchToken = (label: string) => `lt_${createHash('sha256').update(label).digest('base64url')}`;

export interface SeededSession {
  sessionId: string;
  token: string;
  account: number;
}
export interface Seeded {
  /** One signed-in session per account, used to revoke that account's devices. */
  revokers: SeededSession[];
  devices: SeededSession[];
  /** An account with 20 active sessions, for the list. */
  lister: SeededSession;
  /** Sessions whose tokens are a day old, one account each, to be rotated once apiece. */
  rotators: SeededSession[];
}

export interface SeedPlan {
  /** Filler session rows over many accounts, 1 in 10 active, the rest revoked. */
  fillerRows: number;
  accounts: number;
  devicesPerAccount: number;
  rotators: number;
}

const DAY = 86_400_000;

/**
 * Fills a store straight through the database, before the server starts:
 * filler rows made by the database itself (generate_series or a recursive CTE),
 * then accounts whose device tokens the benchmark knows.
 */
export async function seed(store: StoreConfig, plan: SeedPlan): Promise<Seeded> {
  // Inserting a million rows in one statement is no request: the server's 10 s statement timeout would cancel it (0: none).
  const opened = await openDatabase(store.kind === 'postgres' ? { ...store, timeouts: { ...DEFAULT_PG_TIMEOUTS, statementMs: 0 } } : store);
  const db = opened.db;
  const now = Date.now();
  const fillerUsers = Math.max(1, Math.ceil(plan.fillerRows / 50));
  const pg = store.kind === 'postgres';
  const series = (n: number) => (pg ? `generate_series(0, ${n - 1}) AS n(i)` : `n`);
  const withSeries = (n: number) => (pg ? '' : `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ${n}) `);
  const concat = (...parts: string[]) => parts.join(' || ');
  const randomHash = pg ? `md5(i::text || 'a') || md5(i::text || 'b')` : `lower(hex(randomblob(32)))`;
  const text = (expr: string) => (pg ? `${expr}::text` : expr);
  await sql
    .raw(
      `${withSeries(fillerUsers)}INSERT INTO users (id, email, password_hash, created_at) ` +
        `SELECT ${concat(`'filler-'`, text('i'))}, ${concat(`'filler-'`, text('i'), `'@bench.test'`)}, 'x', ${now} FROM ${series(fillerUsers)}`,
    )
    .execute(db);
  if (plan.fillerRows > 0) {
    await sql
      .raw(
        `${withSeries(plan.fillerRows)}INSERT INTO sessions (id, user_id, token_hash, device_name, platform, app_version, ip, user_agent, ` +
          `created_at, last_seen_at, idle_expires_at, expires_at, revoked_at, revoke_reason, revoked_by) ` +
          `SELECT ${concat(`'filler-s-'`, text('i'))}, ${concat(`'filler-'`, text(`(i % ${fillerUsers})`))}, ${randomHash}, ` +
          `${concat(`'Device '`, text('i'))}, 'linux', '1', '127.0.0.1', 'bench', ${now - 1000}, ${now - 1000}, ${now + DAY}, ${now + DAY}, ` +
          `CASE WHEN i % 10 = 0 THEN NULL ELSE ${now - 500} END, CASE WHEN i % 10 = 0 THEN NULL ELSE 'revoked_by_user' END, NULL ` +
          `FROM ${series(plan.fillerRows)}`,
      )
      .execute(db);
  }

  const session = (userId: string, label: string, account: number, deviceName: string): { row: SessionsTable; seeded: SeededSession } => {
    const token = benchToken(label);
    const row: SessionsTable = {
      id: createHash('sha256').update(`id-${label}`).digest('base64url').slice(0, 22),
      user_id: userId,
      token_hash: hashToken(token),
      device_name: deviceName,
      platform: 'linux',
      os: null,
      app_version: '1',
      ip: '127.0.0.1',
      user_agent: 'bench',
      created_at: now,
      last_seen_at: now,
      idle_expires_at: now + DAY,
      expires_at: now + DAY,
      revoked_at: null,
      revoke_reason: null,
      revoked_by: null,
      reused_from_ip: null,
      prev_token_hash: null,
      next_token_hash: null,
      rotation_nonce: null,
      next_nonce: null,
      superseded: 0,
      next_from_ip: null,
      rotated_at: now,
      token_from_ip: '127.0.0.1',
      // Recent authentication holds for the whole run: the revocation is what is measured, and the
      // check reads reauth_at from the store at the same cost whatever it holds.
      reauth_at: now + DAY,
      reentered_at: null,
      online_until: null,
      online_by: null,
      kind: 'app',
      signed_in_with: 'password',
      approved_on: null,
      approved_by: null,
    };
    return { row, seeded: { sessionId: row.id, token, account } };
  };
  const revokers: SeededSession[] = [];
  const devices: SeededSession[] = [];
  const rows: SessionsTable[] = [];
  const users = Array.from({ length: plan.accounts + 1 }, (_, a) => ({ id: `account-${a}`, email: `account-${a}@bench.test`, password_hash: 'x', created_at: now, approval_required: 0, email_verified_at: now, mail_new_sign_ins: 1 }));
  for (let a = 0; a < plan.accounts; a++) {
    const revoker = session(`account-${a}`, `revoker-${a}`, a, 'Revoker');
    revokers.push(revoker.seeded);
    rows.push(revoker.row);
    for (let d = 0; d < plan.devicesPerAccount; d++) {
      const device = session(`account-${a}`, `device-${a}-${d}`, a, `Device ${d}`);
      devices.push(device.seeded);
      rows.push(device.row);
    }
  }
  const listerRows = Array.from({ length: 20 }, (_, i) => session(`account-${plan.accounts}`, `lister-${i}`, plan.accounts, `Lister ${i}`));
  rows.push(...listerRows.map((r) => r.row));
  const rotators: SeededSession[] = [];
  for (let i = 0; i < plan.rotators; i++) {
    const account = plan.accounts + 1 + i;
    users.push({ id: `account-${account}`, email: `account-${account}@bench.test`, password_hash: 'x', created_at: now, approval_required: 0, email_verified_at: now, mail_new_sign_ins: 1 });
    const rotator = session(`account-${account}`, `rotator-${i}`, account, 'Rotator');
    // Old enough to be replaced: a token younger than the rotation grace is handed back as it is.
    rows.push({ ...rotator.row, rotated_at: now - DAY });
    rotators.push(rotator.seeded);
  }
  for (let start = 0; start < users.length; start += 500) await db.insertInto('users').values(users.slice(start, start + 500)).execute();
  for (let start = 0; start < rows.length; start += 500) await db.insertInto('sessions').values(rows.slice(start, start + 500)).execute();
  // What autovacuum and the next checkpoint would do soon after a bulk load, done now so that
  // they are not measured against later figures. SQLite's planner works without statistics.
  if (pg) {
    await sql`vacuum analyze`.execute(db);
    await sql`checkpoint`.execute(db);
  }
  await opened.close();
  return { revokers, devices, lister: listerRows[0]!.seeded, rotators };
}

/** Time the process's main thread has spent runnable but waiting for a core, in ms (Linux schedstat). */
export function runQueueMs(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')[1]) / 1e6;
}

/** The event loop's delay, p99 and max in ms, since the last scrape of a Latch server's /metrics (prom-client resets it at each). */
export async function eventLoopDelay(metricsUrl: string): Promise<{ p99Ms: number; maxMs: number }> {
  const text = await (await fetch(metricsUrl)).text();
  const seconds = (name: string) => Number(new RegExp(`^latch_nodejs_eventloop_lag_${name}_seconds (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return { p99Ms: round(seconds('p99') * 1000, 2), maxMs: round(seconds('max') * 1000, 2) };
}

/**
 * Samples what the database's busy backends are doing every `everyMs` (pg_stat_activity: the wait event,
 * or running on a core when there is none) until stopped, and tallies it by the statement's first words:
 * where a transaction's time goes under load, and how often all `poolSize` connections of the one server
 * using the database were busy at once. The sampling is one query of its own each time.
 */
export function sampleWaits(url: string, everyMs = 10, poolSize = 10): { stop(): Promise<{ samples: number; busy: Record<string, number>; poolFull: number }> } {
  const client = new pg.Client({ connectionString: url });
  const busy: Record<string, number> = {};
  let samples = 0;
  let poolFull = 0;
  let stopped = false;
  const running = (async () => {
    await client.connect();
    while (!stopped) {
      const { rows } = await client.query<{ wait: string | null; state: string; query: string }>(
        `SELECT wait_event_type || ':' || wait_event AS wait, state, query FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend' AND state <> 'idle'`,
      );
      samples++;
      // Every connection of the server's pool in a transaction: the next request that needs one waits.
      if (rows.length >= poolSize) poolFull++;
      for (const row of rows) {
        const statement = row.state === 'idle in transaction' ? '(in a transaction, waiting for the server)' : row.query.replace(/\s+/g, ' ').split(' ').slice(0, 3).join(' ').toLowerCase();
        const key = `${row.wait ?? 'on a core'} ${statement}`;
        busy[key] = (busy[key] ?? 0) + 1;
      }
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await running;
      await client.end();
      return { samples, busy, poolFull };
    },
  };
}
