// Pieces the benchmarks share: server processes, load, figures and seeding.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import type { StoreConfig } from '../server/config/config.js';
import { hashToken } from '../server/sessions/tokens.js';
import { openDatabase } from '../server/storage/database.js';
import type { SessionsTable } from '../server/storage/schema.js';
import { startProcess as startKitProcess, type Proc } from '../kit/process.js';
import { send } from './http.js';

export type { Proc };
export const root = fileURLToPath(new URL('../..', import.meta.url));

/** Starts a program of this repository (a path under the root) as a server process; see kit/process.ts. */
export const startProcess = (script: string, env: Record<string, string>, health: string): Promise<Proc> => startKitProcess(resolve(root, script), env, { health });

export interface LoadResult {
  rps: number;
  p50Ms: number;
  p99Ms: number;
}

/** autocannon with the same connections, duration and pipelining for every target; any non-2xx fails the run. */
export async function load(url: string, headers: Record<string, string>, seconds: number, connections: number): Promise<LoadResult> {
  const result = await autocannon({ url, connections, pipelining: 1, duration: seconds, headers });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx and ${result.errors} errors`);
  return { rps: Math.round(result.requests.average), p50Ms: result.latency.p50, p99Ms: result.latency.p99 };
}

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
  maxMs: number;
}
export function spread(xs: number[]): Spread {
  return { count: xs.length, p50Ms: round(quantile(xs, 0.5)), p95Ms: round(quantile(xs, 0.95)), p99Ms: round(quantile(xs, 0.99)), maxMs: round(Math.max(...xs)) };
}

/** Resident memory of a process, from /proc (Linux). */
export function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for ${pid}`);
  return Number(match[1]) * 1024;
}

/** CPU time a process has used, in ms (Linux /proc, 100 ticks a second). */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
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
 * Rotates each token once, one at a time, timing the three requests a device makes: the rotation
 * (POST /v1/auth/rotate), the new token's first use (which makes it current) and its second use
 * (an ordinary check, from the cache).
 */
export async function timeRotations(baseUrl: string, sessions: SeededSession[]): Promise<{ rotate: number[]; firstUse: number[]; nextUse: number[] }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const times = { rotate: [] as number[], firstUse: [] as number[], nextUse: [] as number[] };
  const timed = async (into: number[], method: string, path: string, token: string) => {
    const started = performance.now();
    const reply = await send(agent, method, `${baseUrl}${path}`, token);
    into.push(performance.now() - started);
    if (reply.status !== 200) throw new Error(`${method} ${path}: ${reply.status} ${reply.body}`);
    return reply.body;
  };
  try {
    for (const session of sessions) {
      const { token } = JSON.parse(await timed(times.rotate, 'POST', '/v1/auth/rotate', session.token)) as { token: string };
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
  const opened = await openDatabase(store);
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
      rotated_at: now,
      token_from_ip: '127.0.0.1',
      // Recent authentication holds for the whole run: the revocation is what is measured, and the
      // check reads reauth_at from the store at the same cost whatever it holds.
      reauth_at: now + DAY,
      online_until: null,
      online_by: null,
      kind: 'app',
    };
    return { row, seeded: { sessionId: row.id, token, account } };
  };
  const revokers: SeededSession[] = [];
  const devices: SeededSession[] = [];
  const rows: SessionsTable[] = [];
  const users = Array.from({ length: plan.accounts + 1 }, (_, a) => ({ id: `account-${a}`, email: `account-${a}@bench.test`, password_hash: 'x', created_at: now, approval_required: 0 }));
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
    users.push({ id: `account-${account}`, email: `account-${account}@bench.test`, password_hash: 'x', created_at: now, approval_required: 0 });
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
