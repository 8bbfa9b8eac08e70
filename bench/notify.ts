// LISTEN/NOTIFY as Latch's session-event bus uses it (server/events/bus.ts, PostgresListen): how many
// notifications one PostgreSQL carries with N instances listening, and how late they arrive.
//
// Each listening instance is a PostgresListen of its own, as a server instance has one: its own `pg`
// connection doing `LISTEN latch_session_events`, its `select 1` heartbeat every 500 ms, and
// JSON.parse plus SessionEvent.safeParse of every payload. All N run in one child process. The
// publishers are transactions through Kysely on Latch's pg wrapper (openDatabase), each one
// revocation's worth of bus traffic: an UPDATE of one row (a revocation writes, so its commit waits
// for the WAL flush; a transaction that writes nothing commits without one), the bus's own
// beforeCommit (one pg_notify statement carrying session.revoked and sessions.changed, exactly as
// revoking one session queues them), then COMMIT. PUBLISHERS of them run back to back for a few
// seconds per N. The revocation's session row and security event are not written: this measures
// the bus, not the revoke.
//
// The delivery latency is from just before the transaction is sent to the listener's delivery: `at`
// carries the send time as epoch milliseconds with a fraction, both processes working it out from
// one monotonic clock (process.hrtime) and one shared anchor. Two more steps frame the figures:
// the same transactions without NOTIFY (what this PostgreSQL commits when nothing serializes the
// commits) and NOTIFY from one publisher alone. A monitor connection samples pg_locks for the lock
// PostgreSQL takes at commit to put notifications in the queue in commit order (an `object` lock on
// database 0 of pg_database, one holder in the whole cluster, kept until the commit is flushed).
//
// A WAL flush on this machine's disk takes a few tenths of a millisecond. A database of its own with
// commit_delay = 1 ms and commit_siblings = 0 makes every flush wait 1 ms more, closer to network
// storage, and three steps run again on it: transactions that NOTIFY commit one at a time, flush
// included, while the others share a flush. Prints a table and writes bench/results/notify.json,
// with PostgreSQL's CPU per transaction and per delivery fitted over the N steps (what the
// extrapolations in docs/scaling.md use).
//
//   npm run build:node && node dist/bench/notify.js [--full]
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import pg from 'pg';
import { pino } from 'pino';
import { startPostgres } from '../kit/postgres.js';
import { NOTIFY_CHANNEL, PostgresListen } from '../server/events/bus.js';
import type { SessionEvent } from '../server/events/session-events.js';
import { openDatabase, type OpenedDatabase } from '../server/storage/database.js';
import { newId, newSessionId } from '../server/sessions/tokens.js';
import { cpuMs, median, quantile, root, round } from './lib.js';

const full = process.argv.includes('--full');
const PROFILE = full ? { seconds: 10, rounds: 3, warmupMs: 1_000 } : { seconds: 3, rounds: 1, warmupMs: 500 };
const PUBLISHERS = 4;
const LISTENERS = [1, 2, 4, 8, 16];
/** Added to every WAL flush (commit_delay) in the last three steps, to stand for slower storage. */
const SLOW_FLUSH_US = 1_000;
/** How long listeners may take to catch up after the publishers stop before the step counts as lost. */
const DRAIN_TIMEOUT_MS = 15_000;
const LOCK_SAMPLE_MS = 20;
/** Rows the publishers update, each publisher its own. */
const ROWS_PER_PUBLISHER = 250;

// ---------------------------------------------------------------------------------------------
// One clock for both processes: CLOCK_MONOTONIC (process.hrtime), shown as epoch milliseconds
// through an anchor the parent takes once and hands to the child.

interface Anchor {
  epochMs: number;
  hrNs: string;
}
const clock = (anchor: Anchor) => {
  const hr0 = BigInt(anchor.hrNs);
  return () => anchor.epochMs + Number(process.hrtime.bigint() - hr0) / 1e6;
};

// ---------------------------------------------------------------------------------------------
// Payloads: what revoking one session from another device puts on the bus (session-repository.ts,
// markRevoked), with ids shaped as Latch makes them (a UUID account id, a 22-character session id).

const DEVICE = "Alice's MacBook Pro";
const PLACE = { kind: 'internet', country: 'GB', city: 'London' } as const;

function revocation(userId: string, at: number): SessionEvent[] {
  return [
    { kind: 'session.revoked', userId, sessionId: newSessionId(), reason: 'revoked_by_user', at, by: { deviceName: DEVICE, location: PLACE } },
    { kind: 'sessions.changed', userId },
  ];
}

/** Other event kinds, with typical values, for their sizes (bytes of the JSON NOTIFY carries). */
function otherShapes(): Record<string, SessionEvent> {
  const userId = newId();
  const sessionId = newSessionId();
  const iso = new Date().toISOString();
  const hash = 'f'.repeat(64);
  const from = { ip: '203.0.113.7', location: PLACE };
  return {
    'session.rotated': { kind: 'session.rotated', userId, sessionId, replacedHash: hash, retiredHash: hash },
    'session.presence': { kind: 'session.presence', userId, sessionId, online: true },
    'session.created': {
      kind: 'session.created',
      userId,
      session: { id: sessionId, deviceName: DEVICE, platform: 'darwin', os: 'macOS 15.4', appVersion: '0.1.0', ip: '203.0.113.7', location: PLACE, createdAt: iso, lastSeenAt: iso, expiresAt: iso, current: false, online: false },
    },
    'session.token_reused': { kind: 'session.token_reused', userId, sessionId, deviceName: DEVICE, platform: 'darwin', usedFrom: from, alsoFrom: { ip: '198.51.100.20', location: PLACE }, at: Date.now() },
    'signin.requested': {
      kind: 'signin.requested',
      userId,
      shown: true,
      request: { id: newSessionId(), deviceName: DEVICE, platform: 'win32', os: 'Windows 11 24H2', ip: '203.0.113.7', location: PLACE, createdAt: iso, expiresAt: iso, choices: [17, 42, 86] },
    },
  };
}
const bytes = (event: SessionEvent) => Buffer.byteLength(JSON.stringify(event));

// ---------------------------------------------------------------------------------------------
// The listening instances (child process).

type ToListener = { type: 'begin' } | { type: 'mark' } | { type: 'collect' } | { type: 'stop' };
type FromListener =
  | { type: 'ready'; pid: number }
  | { type: 'counts'; received: number[] }
  | { type: 'collected'; received: number[]; latencies: { count: number; p50Ms: number; p99Ms: number; maxMs: number } };

async function listenerProcess(url: string, n: number, anchor: Anchor): Promise<void> {
  const now = clock(anchor);
  const log = pino({ level: 'warn' });
  let received = new Array<number>(n).fill(0);
  let latencies: number[] = [];
  const transports = Array.from({ length: n }, () => new PostgresListen(url, log));
  await Promise.all(
    transports.map((transport, i) =>
      transport.start((signal) => {
        received[i]!++;
        if (signal.kind === 'session.revoked') latencies.push(now() - signal.at);
      }),
    ),
  );
  const send = (message: FromListener) => process.send!(message);
  process.on('message', (message: ToListener) => {
    if (message.type === 'begin') {
      received = new Array<number>(n).fill(0);
      latencies = [];
      send({ type: 'counts', received });
    } else if (message.type === 'mark') {
      send({ type: 'counts', received: [...received] });
    } else if (message.type === 'collect') {
      const summary = latencies.length
        ? { count: latencies.length, p50Ms: round(quantile(latencies, 0.5)), p99Ms: round(quantile(latencies, 0.99)), maxMs: round(latencies.reduce((a, b) => Math.max(a, b), -Infinity)) }
        : { count: 0, p50Ms: NaN, p99Ms: NaN, maxMs: NaN };
      send({ type: 'collected', received: [...received], latencies: summary });
    } else {
      void Promise.all(transports.map((t) => t.stop())).then(() => process.exit(0));
    }
  });
  send({ type: 'ready', pid: process.pid });
}

/** The parent's side of the child: one request, one answer, in order. */
class Listeners {
  private waiting: Array<(message: FromListener) => void> = [];
  private constructor(readonly child: ChildProcess) {
    child.on('message', (message: FromListener) => this.waiting.shift()?.(message));
  }

  static async start(url: string, n: number, anchor: Anchor): Promise<Listeners> {
    const child = fork(fileURLToPath(import.meta.url), ['--listen', url, String(n), JSON.stringify(anchor)], { stdio: 'inherit' });
    const listeners = new Listeners(child);
    const ready = await new Promise<FromListener>((resolve, reject) => {
      listeners.waiting.push(resolve);
      child.once('exit', (code) => reject(new Error(`the listener process exited (${code}) before it was ready`)));
    });
    if (ready.type !== 'ready') throw new Error('unexpected first message from the listener process');
    return listeners;
  }

  ask<T extends FromListener['type']>(message: ToListener, answer: T): Promise<Extract<FromListener, { type: T }>> {
    return new Promise((resolve, reject) => {
      this.waiting.push((reply) => (reply.type === answer ? resolve(reply as Extract<FromListener, { type: T }>) : reject(new Error(`expected ${answer}, got ${reply.type}`))));
      this.child.send(message);
    });
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send({ type: 'stop' } satisfies ToListener);
    await exited;
  }
}

// ---------------------------------------------------------------------------------------------
// CPU: PostgreSQL (the postmaster this process started and its backends), this process, the
// listeners' process, and the whole machine (others share it).

function postgresPids(): number[] {
  const procs = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .flatMap((name) => {
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        return [{ pid: Number(name), ppid, comm }];
      } catch {
        return [];
      }
    });
  const postmaster = procs.find((p) => p.ppid === process.pid && p.comm === 'postgres');
  if (!postmaster) throw new Error('no PostgreSQL started by this process');
  return [postmaster.pid, ...procs.filter((p) => p.ppid === postmaster.pid).map((p) => p.pid)];
}
/** CPU ms of each process still there. */
const cpuOf = (pids: number[]) =>
  new Map(
    pids.flatMap((pid) => {
      try {
        return [[pid, cpuMs(pid)] as const];
      } catch {
        return [];
      }
    }),
  );
/** CPU used between two readings by the processes present in both (a backend closing meanwhile is left out). */
const cpuBetween = (before: Map<number, number>, after: Map<number, number>) => [...after].reduce((sum, [pid, ms]) => sum + (before.has(pid) ? ms - before.get(pid)! : 0), 0);
function machineBusyMs(): number {
  const ticks = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  return (ticks.reduce((a, b) => a + b, 0) - ticks[3]! - ticks[4]!) * 10;
}
const selfCpuMs = () => {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1000;
};

// ---------------------------------------------------------------------------------------------
// One step: P publishers for the window, N listeners.

interface Step {
  name: string;
  publishers: number;
  listeners: number;
  notify: boolean;
  /** On the database whose every WAL flush waits SLOW_FLUSH_US. */
  slowFlush: boolean;
}
const STEPS: Step[] = [
  { name: 'commit, no NOTIFY', publishers: PUBLISHERS, listeners: 0, notify: false, slowFlush: false },
  { name: 'NOTIFY, 1 publisher', publishers: 1, listeners: 1, notify: true, slowFlush: false },
  ...LISTENERS.map((n) => ({ name: `NOTIFY, ${n} listening`, publishers: PUBLISHERS, listeners: n, notify: true, slowFlush: false })),
  { name: '1 ms flush: no NOTIFY', publishers: PUBLISHERS, listeners: 0, notify: false, slowFlush: true },
  { name: '1 ms flush: 1 publisher', publishers: 1, listeners: 1, notify: true, slowFlush: true },
  { name: '1 ms flush: 4 listening', publishers: PUBLISHERS, listeners: 4, notify: true, slowFlush: true },
];

interface StepResult {
  step: string;
  slowFlush: boolean;
  publishers: number;
  listeners: number;
  seconds: number;
  transactionsPerSecond: number;
  /** Notifications committed per second (two per transaction). */
  publishedPerSecond: number;
  /** Notifications each listener received during the window, per second: the median listener and the slowest. */
  deliveredPerSecondPerListener: { median: number; min: number } | null;
  /** Notifications published in the window that the slowest listener had not received when it closed. */
  backlogAtEnd: number | null;
  /** Until every listener had every notification, after the publishers stopped. */
  drainMs: number | null;
  /** From sending the transaction to delivery on a listener, session.revoked only, every listener's. */
  latency: { count: number; p50Ms: number; p99Ms: number; maxMs: number } | null;
  /** BEGIN to COMMIT done, as a publisher saw it. */
  commit: { p50Ms: number; p99Ms: number };
  /** Sampled every LOCK_SAMPLE_MS: how often a transaction held the notify lock, and how many waited for it. */
  notifyLock: { heldShare: number; meanWaiting: number };
  /** Cores used over the window; `others` is the rest of the machine (other work on a shared machine). */
  cores: { postgres: number; publishers: number; listeners: number; others: number };
  /** CPU per notification delivered to one listener, µs: the listening process (pg, JSON, zod), and PostgreSQL over everything. */
  listenerCpuUsPerDelivery: number | null;
  postgresCpuUsPerDelivery: number | null;
}

async function publish(db: OpenedDatabase['db'], transport: PostgresListen, step: Step, until: () => boolean, now: () => number, userIds: string[]) {
  const commitMs: number[] = [];
  let transactions = 0;
  let notifications = 0;
  await Promise.all(
    Array.from({ length: step.publishers }, async (_, p) => {
      for (let i = 0; until(); i++) {
        const userId = userIds[(p * 7919 + i) % userIds.length]!;
        const row = p * ROWS_PER_PUBLISHER + (i % ROWS_PER_PUBLISHER) + 1;
        const started = now();
        const events = step.notify ? revocation(userId, started) : [];
        await db.transaction().execute(async (trx) => {
          await sql`update notify_bench_rows set n = n + 1 where id = ${row}`.execute(trx);
          if (step.notify) await transport.beforeCommit(trx, events);
        });
        commitMs.push(now() - started);
        transactions++;
        notifications += events.length;
      }
    }),
  );
  return { commitMs, transactions, notifications };
}

interface Target {
  url: string;
  db: OpenedDatabase['db'];
}

async function runStep({ url, db }: Target, monitor: pg.Client, step: Step, anchor: Anchor): Promise<StepResult> {
  const now = clock(anchor);
  const transport = new PostgresListen(url, pino({ level: 'warn' })); // only its beforeCommit is used
  const userIds = Array.from({ length: 1_000 }, () => newId());
  const listeners = step.listeners > 0 ? await Listeners.start(url, step.listeners, anchor) : undefined;
  try {
    // Warm-up (statements prepared, connections opened), then wait until every listener has it all.
    const warmupEnd = performance.now() + PROFILE.warmupMs;
    const warm = await publish(db, transport, step, () => performance.now() < warmupEnd, now, userIds);
    if (listeners) {
      const deadline = performance.now() + DRAIN_TIMEOUT_MS;
      while (Math.min(...(await listeners.ask({ type: 'mark' }, 'counts')).received) < warm.notifications) {
        if (performance.now() > deadline) throw new Error(`${step.name}: the listeners did not catch up with the warm-up`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await listeners.ask({ type: 'begin' }, 'counts');
    }

    // The window.
    const pgPids = postgresPids();
    const pg0 = cpuOf(pgPids);
    const cpu0 = { postgres: 0, self: selfCpuMs(), listeners: listeners ? cpuMs(listeners.child.pid!) : 0, machine: machineBusyMs() };
    let sampling = true;
    const samples: Array<{ held: number; waiting: number }> = [];
    const sampler = (async () => {
      while (sampling) {
        const { rows } = await monitor.query<{ held: number; waiting: number }>(
          `select count(*) filter (where granted)::int as held, count(*) filter (where not granted)::int as waiting
             from pg_locks where locktype = 'object' and classid = 'pg_database'::regclass and objid = 0`,
        );
        samples.push(rows[0]!);
        await new Promise((resolve) => setTimeout(resolve, LOCK_SAMPLE_MS));
      }
    })();
    const started = performance.now();
    const end = started + PROFILE.seconds * 1000;
    const run = await publish(db, transport, step, () => performance.now() < end, now, userIds);
    const seconds = (performance.now() - started) / 1000;
    const atEnd = listeners ? (await listeners.ask({ type: 'mark' }, 'counts')).received : [];
    sampling = false;
    await sampler;
    const wallMs = performance.now() - started;
    const cpu1 = { postgres: cpuBetween(pg0, cpuOf(pgPids)), self: selfCpuMs(), listeners: listeners ? cpuMs(listeners.child.pid!) : 0, machine: machineBusyMs() };

    // Drain: every listener must get every notification of the window.
    let drainMs: number | null = null;
    let collected: Extract<FromListener, { type: 'collected' }> | undefined;
    if (listeners) {
      const drainStart = performance.now();
      while (Math.min(...(await listeners.ask({ type: 'mark' }, 'counts')).received) < run.notifications) {
        if (performance.now() - drainStart > DRAIN_TIMEOUT_MS) throw new Error(`${step.name}: the listeners did not catch up within ${DRAIN_TIMEOUT_MS} ms`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      drainMs = round(performance.now() - drainStart, 0);
      collected = await listeners.ask({ type: 'collect' }, 'collected');
      if (collected.received.some((count) => count !== run.notifications)) throw new Error(`${step.name}: a listener received more than was published`);
    }

    const deliveries = run.notifications * step.listeners;
    const cores = (key: keyof typeof cpu0) => round((cpu1[key] - cpu0[key]) / wallMs, 2);
    return {
      step: step.name,
      slowFlush: step.slowFlush,
      publishers: step.publishers,
      listeners: step.listeners,
      seconds: round(seconds, 2),
      transactionsPerSecond: round(run.transactions / seconds, 0),
      publishedPerSecond: round(run.notifications / seconds, 0),
      deliveredPerSecondPerListener: listeners ? { median: round(median(atEnd) / seconds, 0), min: round(Math.min(...atEnd) / seconds, 0) } : null,
      backlogAtEnd: listeners ? run.notifications - Math.min(...atEnd) : null,
      drainMs,
      latency: collected?.latencies ?? null,
      commit: { p50Ms: round(quantile(run.commitMs, 0.5)), p99Ms: round(quantile(run.commitMs, 0.99)) },
      notifyLock: {
        heldShare: round(samples.filter((s) => s.held > 0).length / Math.max(1, samples.length), 2),
        meanWaiting: round(samples.reduce((sum, s) => sum + s.waiting, 0) / Math.max(1, samples.length), 2),
      },
      cores: {
        postgres: cores('postgres'),
        publishers: cores('self'),
        listeners: cores('listeners'),
        others: round(Math.max(0, cores('machine') - cores('postgres') - cores('self') - cores('listeners')), 2),
      },
      listenerCpuUsPerDelivery: deliveries ? round(((cpu1.listeners - cpu0.listeners) * 1000) / deliveries, 1) : null,
      postgresCpuUsPerDelivery: deliveries ? round(((cpu1.postgres - cpu0.postgres) * 1000) / deliveries, 1) : null,
    };
  } finally {
    await listeners?.stop();
  }
}

// ---------------------------------------------------------------------------------------------

/** The median of the rounds for every number (a step's figures as one result). */
function medianOf(rounds: StepResult[]): StepResult {
  const merge = (values: unknown[]): unknown => {
    const first = values[0];
    if (typeof first === 'number') return median(values as number[]);
    if (first && typeof first === 'object') return Object.fromEntries(Object.keys(first).map((key) => [key, merge(values.map((v) => (v as Record<string, unknown>)[key]))]));
    return first;
  };
  return merge(rounds) as StepResult;
}

/**
 * PostgreSQL's CPU as `a` per transaction plus `b` per notification delivered to a listener, least
 * squares without intercept over the steps (cores = a·tx/s + b·deliveries/s).
 */
function fitPostgresCpu(steps: StepResult[]): { perTransactionUs: number; perDeliveryUs: number } {
  const rows = steps.map((s) => ({ x1: s.transactionsPerSecond, x2: s.publishedPerSecond * s.listeners, y: s.cores.postgres }));
  const sum = (f: (r: (typeof rows)[number]) => number) => rows.reduce((acc, r) => acc + f(r), 0);
  const [s11, s12, s22, s1y, s2y] = [sum((r) => r.x1 * r.x1), sum((r) => r.x1 * r.x2), sum((r) => r.x2 * r.x2), sum((r) => r.x1 * r.y), sum((r) => r.x2 * r.y)];
  const det = s11 * s22 - s12 * s12;
  return { perTransactionUs: round(((s1y * s22 - s2y * s12) / det) * 1e6, 1), perDeliveryUs: round(((s2y * s11 - s1y * s12) / det) * 1e6, 2) };
}

async function main(): Promise<void> {
  const server = await startPostgres();
  try {
    const url = await server.newDatabase();
    const monitor = new pg.Client({ connectionString: url });
    await monitor.connect();
    // The slow-flush database: its settings apply to every connection opened to it afterwards.
    const slowUrl = await server.newDatabase();
    const slowName = new URL(slowUrl).pathname.slice(1);
    await monitor.query(`alter database ${slowName} set commit_delay = ${SLOW_FLUSH_US}`);
    await monitor.query(`alter database ${slowName} set commit_siblings = 0`);
    const opened = await openDatabase({ kind: 'postgres', url, poolSize: PUBLISHERS });
    const slowOpened = await openDatabase({ kind: 'postgres', url: slowUrl, poolSize: PUBLISHERS });
    for (const { db } of [opened, slowOpened]) {
      await sql`create table notify_bench_rows (id int primary key, n bigint not null default 0)`.execute(db);
      await sql`insert into notify_bench_rows (id) select generate_series(1, ${PUBLISHERS * ROWS_PER_PUBLISHER}::int)`.execute(db);
    }
    const targets = { fast: { url, db: opened.db }, slow: { url: slowUrl, db: slowOpened.db } };
    const { rows: settings } = await monitor.query<{ name: string; setting: string }>(
      `select name, setting from pg_settings where name in ('server_version', 'fsync', 'synchronous_commit', 'wal_sync_method', 'max_notify_queue_pages')`,
    );
    const anchor: Anchor = { epochMs: Date.now(), hrNs: String(process.hrtime.bigint()) };

    const sample = revocation(newId(), anchor.epochMs + 0.123);
    const payloadBytes = { 'session.revoked': bytes(sample[0]!), 'sessions.changed': bytes(sample[1]!), ...Object.fromEntries(Object.entries(otherShapes()).map(([k, e]) => [k, bytes(e)])) };
    console.log(`channel ${NOTIFY_CHANNEL}; a revocation's notifications: session.revoked ${payloadBytes['session.revoked']} B + sessions.changed ${payloadBytes['sessions.changed']} B`);

    const rounds = new Map<string, StepResult[]>(STEPS.map((s) => [s.name, []]));
    for (let r = 0; r < PROFILE.rounds; r++) {
      for (const step of STEPS) {
        const result = await runStep(step.slowFlush ? targets.slow : targets.fast, monitor, step, anchor);
        rounds.get(step.name)!.push(result);
        console.log(`round ${r + 1}/${PROFILE.rounds}: ${step.name}: ${result.publishedPerSecond} notifications/s, ${result.transactionsPerSecond} transactions/s`);
      }
    }
    await monitor.end();
    await opened.close();
    await slowOpened.close();

    const steps = STEPS.map((s) => medianOf(rounds.get(s.name)!));
    const results = {
      profile: full ? 'full' : 'quick',
      date: new Date().toISOString(),
      machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version },
      postgres: Object.fromEntries(settings.map((s) => [s.name, s.setting])),
      channel: NOTIFY_CHANNEL,
      secondsPerStep: PROFILE.seconds,
      rounds: PROFILE.rounds,
      publishers: PUBLISHERS,
      notificationsPerTransaction: sample.length,
      payloadBytes,
      transaction: "UPDATE of one row, then the bus's pg_notify statement (two notifications), then COMMIT",
      slowFlushUs: SLOW_FLUSH_US,
      postgresCpuFit: fitPostgresCpu(steps.filter((s) => !s.slowFlush && s.listeners > 0 && s.publishers === PUBLISHERS)),
      steps,
      perRound: Object.fromEntries(rounds),
    };

    const cell = (x: number | null | undefined, width: number) => String(x ?? '–').padStart(width);
    console.log(
      `\nLISTEN/NOTIFY, PostgreSQL ${results.postgres.server_version} (fsync ${results.postgres.fsync}, synchronous_commit ${results.postgres.synchronous_commit}), ` +
        `${PROFILE.seconds} s per step, ${full ? `median of ${PROFILE.rounds} rounds` : 'one round'}; each transaction: an UPDATE of one row and two notifications (none in the no-NOTIFY steps)`,
    );
    const head = ['pub', 'listen', 'tx/s', 'notif/s', 'deliv/s/l', 'slowest', 'lat p50', 'lat p99', 'lat max', 'commit p50', 'commit p99', 'lock held', 'waiting', 'pg cores', 'others', 'l µs/del', 'pg µs/del'];
    const widths = [4, 7, 7, 8, 10, 8, 8, 8, 8, 11, 11, 10, 8, 9, 7, 9, 10];
    console.log(`${''.padEnd(24)}${head.map((h, i) => h.padStart(widths[i]!)).join('')}`);
    for (const s of steps) {
      const values = [
        s.publishers,
        s.listeners,
        s.transactionsPerSecond,
        s.publishedPerSecond,
        s.deliveredPerSecondPerListener?.median,
        s.deliveredPerSecondPerListener?.min,
        s.latency?.p50Ms,
        s.latency?.p99Ms,
        s.latency?.maxMs,
        s.commit.p50Ms,
        s.commit.p99Ms,
        s.notifyLock.heldShare,
        s.notifyLock.meanWaiting,
        s.cores.postgres,
        s.cores.others,
        s.listenerCpuUsPerDelivery,
        s.postgresCpuUsPerDelivery,
      ];
      console.log(`${s.step.padEnd(24)}${values.map((v, i) => cell(v, widths[i]!)).join('')}`);
    }
    console.log(
      'latencies and commit times in ms; lock held: share of samples with a transaction holding the notify lock; waiting: transactions queued for it, on average; ' +
        'others: cores the rest of the machine used; l µs/del and pg µs/del: CPU of the listeners\' process and of PostgreSQL per notification delivered to one listener',
    );
    console.log(`payload bytes: ${Object.entries(payloadBytes).map(([k, v]) => `${k} ${v}`).join(', ')} (PostgreSQL's limit: 7,999)`);
    const fit = results.postgresCpuFit;
    console.log(`PostgreSQL CPU, least squares over the ${LISTENERS.length} N steps: ${fit.perTransactionUs} µs per transaction + ${fit.perDeliveryUs} µs per notification delivered to a listener`);
    const others = Math.max(...steps.map((s) => s.cores.others));
    if (others > 0.2) console.log(`other work on this machine took up to ${others} cores during the steps: rates and tails are lower and longer than on a quiet machine`);

    const out = join(root, 'bench', 'results');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'notify.json'), `${JSON.stringify(results, null, 2)}\n`);
  } finally {
    await server.close();
  }
}

if (process.argv[2] === '--listen') await listenerProcess(process.argv[3]!, Number(process.argv[4]), JSON.parse(process.argv[5]!) as Anchor);
else await main();
