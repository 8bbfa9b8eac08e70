// Benchmarks, measured side by side in one run on this machine and reported as
// figures and ratios. Never part of the test suite. `npm run bench` (quick,
// under 3 minutes on 2 cores) or `npm run bench:full` (the figures in
// docs/performance.md). Prints a table and writes bench/results/latest.json.
import { fork, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PASSWORD_POLICY } from '../server/config/config.js';
import { Http, register } from '../kit/http.js';
import { freePort, startPostgres } from '../kit/postgres.js';
import type { DesktopStartReport } from './desktop/start.js';
import type { DevicesCommand, DevicesReply } from './devices.js';
import { childrenCpuMs, cpuMs, eventLoopDelay, generator, load, median, postgresCpuMs, postgresCpuSince, quiet, range, root, round, rssBytes, runQueueMs, sampleWaits, seed, spread, startProcess, timePacedGets, timeRotations, timeSequentialGets, type Generator, type LoadResult, type Proc, type Range, type Seeded, type SeededSession } from './lib.js';

const full = process.argv.includes('--full');
/**
 * `--only=checks`: the session checks alone (bench/results/checks.json); `--only=lists`: the session list
 * alone (lists.json); `--only=attack`: the under-attack scenario alone, `--runs=N` times in a row on each
 * store (attack.json).
 */
const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length);
const ATTACK_RUNS = Math.max(1, Number(process.argv.find((arg) => arg.startsWith('--runs='))?.slice('--runs='.length) ?? 1));
const PROFILE = full
  ? { name: 'full', rounds: 10, seconds: 5, connections: 50, fillerRows: 1_000_000, accounts: 1_000, postgresAccounts: 2_500, desktopRounds: 50, revokes: 2_000, revokesPerSecond: 100, listSamples: 5_000, listSeconds: 10, signInSeconds: 10, rotations: 2_000 }
  : { name: 'quick', rounds: 3, seconds: 3, connections: 50, fillerRows: 100_000, accounts: 200, postgresAccounts: 200, desktopRounds: 20, revokes: 300, revokesPerSecond: 100, listSamples: 1_000, listSeconds: 3, signInSeconds: 3, rotations: 500 };
/** The under-attack scenario: checks and revokes sampled at a light steady rate, quiet and then under the flood. */
const ATTACK = full
  ? { perSecond: 200, checks: 3_000, checksPerSecond: 200, revokes: 500, revokesPerSecond: 50 }
  : { perSecond: 200, checks: 1_000, checksPerSecond: 200, revokes: 200, revokesPerSecond: 50 };
/** Unmeasured, before the quiet phase: the check, revocation and refused sign-ins, as a server that has been up has run them. */
const ATTACK_WARMUP = { checks: 1_000, revokes: 100 };
/** Unmeasured rotations first (JIT, the pool), taken from the same seeded sessions. */
const ROTATION_WARMUP = 200;
const DEVICES_PER_ACCOUNT = 10;
/** Unmeasured list requests first, so the figures are of a warmed-up server, not of the JIT compiler. */
const LIST_WARMUP = 5_000;
/** Unmeasured revokes first, for the same reason. */
const REVOKE_WARMUP = 200;
const DEVICES = PROFILE.accounts * DEVICES_PER_ACCOUNT;
// Latch as shipped: the default configuration, `info` logging included. Every simulated device connects
// from loopback, one address, so only the cap of sockets per address is raised.
const LATCH_ENV = { LATCH_MAX_SOCKETS_PER_ADDRESS: '1000000' };

const log = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

type Spread = ReturnType<typeof spread>;
type CheckTarget = 'fastify' | 'nest' | 'latch' | 'latchWarn' | 'latchUncached' | 'latchPostgres' | BetterAuthTarget;
type Ratio = Range;
/** One target's figures over the rounds: median and range of each. */
interface CheckSummary {
  rps: Range;
  p50Us: Range;
  p99Us: Range;
  serverCpuUsPerRequest: Range;
  clientCores: Range;
  otherCores: Range;
  /** Rounds where the load generator used ≥ 90 % of a core: their req/s is the generator's ceiling as much as the server's. */
  clientBoundRounds: number;
  /** Non-2xx answers and socket errors over the rounds: always 0 for Latch (a failed check ends the run), recorded for a peer. */
  failedAnswers: number;
}

/** What one run measures; written to bench/results/latest.json as it is. */
interface Results {
  profile: string;
  machine: { cores: number; cpu: string | undefined; memoryBytes: number; node: string; platform: NodeJS.Platform };
  date: string;
  seconds: number;
  sessionCheck: {
    generator: Generator;
    connections: number;
    seconds: number;
    rounds: number;
    pipelining: 1;
    targets: Record<CheckTarget, CheckSummary>;
    /** Whether a copy of a signed-out session's cookies was refused on the next check, per setup. */
    betterAuthRefusesRevokedAtOnce: Record<BetterAuthTarget, boolean>;
    /** The setup the headline compares with: the least server CPU per check among those that refuse a revoked session at once. */
    fastestBetterAuth: BetterAuthTarget;
    /** With `session.cookieCache`: how long the copy was still accepted after sign-out (`refused: false`: still accepted when the run ended). */
    cookieCacheWindow: { seconds: number; refused: boolean };
    /** Server CPU per check, a / b per round. */
    cpuPerCheck: Record<'latchOverFastify' | 'latchWarnOverFastify' | 'latchPostgresOverFastify' | 'nestOverFastify' | 'latchOverNest' | 'fastestBetterAuthOverLatch' | 'betterAuthOverLatchUncached', Ratio>;
    /** Requests per second, a / b per round. */
    rps: Record<'latchOverFastify' | 'latchOverFastestBetterAuth' | 'latchPostgresOverFastestBetterAuth' | 'latchUncachedOverBetterAuth', Ratio>;
    perRound: Record<CheckTarget, LoadResult[]>;
  };
  store: {
    rows: number;
    samples: number;
    warmup: number;
    listP50Ms: number;
    listP99Ms: number;
    postgresListP50Ms: number;
    postgresListP99Ms: number;
    sqlite: Spread;
    postgres: Spread;
    /** The same list from a client that adds little of its own: wrk on one connection, one request at a time. */
    lowOverhead: Record<'sqlite' | 'postgres', { client: string; seconds: number } & Pick<LoadResult, 'requests' | 'p50Us' | 'p99Us' | 'p999Us'>>;
    seedSeconds: { sqlite: number; postgres: number };
  };
  rotation: { rotations: number; warmup: number } & Record<'sqlite' | 'postgres', Record<'rotate' | 'firstUse' | 'nextUse', Spread>>;
  signIn: { loginsPerSecond: number; argon2id: typeof DEFAULT_PASSWORD_POLICY; sequential: true };
  memory: { devices: number[]; rssBytes: number[]; bytesPerConnection: number; connectSeconds: number; upgradesPerSecond: number };
  /** Every seeded PostgreSQL device connected at once, over two instances and several load processes. */
  scale: { devices: number; perInstance: number[]; loadProcesses: number; connectSeconds: number; upgradesPerSecond: number; bytesPerConnection: number };
  /** The desktop core's start on loopback, in its own process (bench/desktop/start.ts). */
  desktopStart: DesktopStartReport;
  /** The same scenario on each store. */
  underAttack: Record<'sqlite' | 'postgres', UnderAttack>;
  revocation: {
    devices: number;
    revokes: number;
    warmup: number;
    perSecond: number;
    p50Ms: number;
    p95Ms: number;
    p99Ms: number;
    maxMs: number;
    crossInstanceP50Ms: number;
    crossInstanceP95Ms: number;
    crossInstanceP99Ms: number;
    crossInstanceMaxMs: number;
    /** Devices connected across the two instances (half on each) while the cross-instance figures were taken. */
    crossInstanceDevices: number;
    oneInstance: RevocationSpread;
    crossInstance: RevocationSpread;
  };
}
/** From the revoke's response to `session.revoked` at the device; `fromRequest`: from sending the revoke; `response`: the revoke's own answer. */
type RevocationSpread = Spread & { fromRequest: Spread; response: Spread; arrivedBeforeResponse: number };

/** Wrong-password sign-ins flooding one instance while devices are connected: quiet, then under attack. */
interface UnderAttack {
  devices: number;
  perSecond: number;
  /** Run first, unmeasured: checks, revokes, and wrong-password sign-ins at other accounts. */
  warmUp: { checks: number; revokes: number; signIns: number };
  sent: number;
  /** The flood's answers by HTTP status. */
  statuses: Record<string, number>;
  /** The server's CPU while the attack phase was measured, in cores; its password-hashing process's apart. */
  serverCores: number;
  hashingCores: number;
  quiet: { check: Spread; revocation: RevocationSpread };
  attack: { check: Spread; revocation: RevocationSpread };
  /** Under attack / quiet, session check p99 (target ≤ 2). */
  checkP99Ratio: number;
  /** Under attack / quiet, revocation p99 from sending the revoke (target ≤ 2). */
  revocationP99Ratio: number;
  ownerSignIn: { status: number; ms: number };
  /** What the server went through in each phase: where a latency's tail comes from. */
  observed: { quiet: PhaseObserved; attack: PhaseObserved };
}

interface PhaseObserved {
  /** The event loop's delay over the phase (prom-client's monitor, read from /metrics). */
  eventLoop: { p99Ms: number; maxMs: number };
  /** Time the server's main thread was runnable but waiting for a core, per second of the phase. */
  runQueueMsPerSecond: number;
  /** CPU over the phase, in cores: the server, its hashing process, and PostgreSQL's processes. */
  cores: { server: number; hashing: number; database: number };
  /** PostgreSQL: the busy backends sampled every 10 ms, the most frequent states first (count per 1,000 samples). */
  database?: Array<[string, number]>;
  /** PostgreSQL: samples (per 1,000) in which every connection of the server's pool was busy. */
  poolFullPerMille?: number;
}

/** The load process, driven over IPC. */
class Devices {
  private readonly child = fork(join(root, 'dist/bench/devices.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });

  ask<K extends DevicesReply['kind']>(command: DevicesCommand, expected: K): Promise<Extract<DevicesReply, { kind: K }>> {
    return new Promise((resolve, reject) => {
      const exited = (code: number | null) => reject(new Error(`the load process exited (${code}) during ${command.kind}`));
      this.child.once('exit', exited);
      this.child.once('message', (reply: DevicesReply) => {
        this.child.off('exit', exited);
        if (reply.kind === expected) resolve(reply as Extract<DevicesReply, { kind: K }>);
        else reject(new Error(reply.kind === 'failed' ? `load process: ${reply.message}` : `unexpected ${reply.kind}`));
      });
      this.child.send(command);
    });
  }

  async stop(): Promise<void> {
    await this.ask({ kind: 'close' }, 'closed');
    this.child.disconnect();
  }
}

/** The most sockets one load process holds: well under a process's usual open-file limit. */
const SOCKETS_PER_LOAD_PROCESS = 8_000;

/**
 * Connected devices spread over as many load processes as they need, so the benchmark can hold more
 * devices than one process's open-file limit allows. Revokes are sent by the process holding the device.
 */
class DevicePool {
  private readonly parts: Devices[] = [];
  private readonly holder = new Map<string, Devices>();

  /** Connects these devices, `SOCKETS_PER_LOAD_PROCESS` at most to a process, all processes at once. */
  async connect(eventsUrl: string, devices: SeededSession[]): Promise<{ open: number; seconds: number }> {
    const chunks: SeededSession[][] = [];
    for (let i = 0; i < devices.length; i += SOCKETS_PER_LOAD_PROCESS) chunks.push(devices.slice(i, i + SOCKETS_PER_LOAD_PROCESS));
    const started = performance.now();
    const replies = await Promise.all(
      chunks.map((chunk) => {
        const part = new Devices();
        this.parts.push(part);
        for (const device of chunk) this.holder.set(device.sessionId, part);
        return part.ask({ kind: 'connect', eventsUrl, devices: chunk }, 'connected');
      }),
    );
    return { open: replies.reduce((sum, reply) => sum + reply.open, 0), seconds: (performance.now() - started) / 1000 };
  }

  /** Revokes these devices at `perSecond` in all, each from the process that holds it. */
  async revoke(apiUrl: string, revokers: SeededSession[], devices: SeededSession[], perSecond: number): Promise<Extract<DevicesReply, { kind: 'revoked' }>> {
    const byPart = new Map<Devices, SeededSession[]>();
    for (const device of devices) {
      const part = this.holder.get(device.sessionId);
      if (!part) throw new Error(`device ${device.sessionId} is not connected`);
      byPart.set(part, [...(byPart.get(part) ?? []), device]);
    }
    const replies = await Promise.all(
      [...byPart].map(([part, mine]) => part.ask({ kind: 'revoke', apiUrl, revokers, devices: mine, perSecond: (perSecond * mine.length) / devices.length }, 'revoked')),
    );
    return {
      kind: 'revoked',
      fromResponseMs: replies.flatMap((r) => r.fromResponseMs),
      fromRequestMs: replies.flatMap((r) => r.fromRequestMs),
      responseMs: replies.flatMap((r) => r.responseMs),
      beforeResponse: replies.reduce((sum, r) => sum + r.beforeResponse, 0),
      missing: replies.reduce((sum, r) => sum + r.missing, 0),
    };
  }

  async stop(): Promise<void> {
    await Promise.all(this.parts.map((part) => part.stop()));
  }
}

/** RSS once it has settled (two readings 250 ms apart within 1%), after the server has had a moment to collect. */
async function settledRss(pid: number): Promise<number> {
  let last = rssBytes(pid);
  for (let i = 0; i < 20; i++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const now = rssBytes(pid);
    if (Math.abs(now - last) / last < 0.01) return now;
    last = now;
  }
  return last;
}

/**
 * Revokes `measured` devices at the profile's rate and returns the latencies. `warmup` devices go
 * first, unmeasured, to warm the instance up (JIT, its pool's Postgres connections), so the figures
 * are of a running server, not a new one. Every revoked device is added to `bench.revoked`.
 */
async function revocation(bench: Bench, pool: DevicePool, apiUrl: string, revokers: SeededSession[], warmup: SeededSession[], measured: SeededSession[], perSecond = PROFILE.revokesPerSecond): Promise<RevocationSpread> {
  if (warmup.length > 0) await pool.revoke(apiUrl, revokers, warmup, perSecond);
  const result = await pool.revoke(apiUrl, revokers, measured, perSecond);
  for (const device of [...warmup, ...measured]) bench.revoked.add(device.sessionId);
  if (result.missing > 0) throw new Error(`${result.missing} revoked devices never heard session.revoked`);
  return { ...spread(result.fromResponseMs), fromRequest: spread(result.fromRequestMs), response: spread(result.responseMs), arrivedBeforeResponse: result.beforeResponse };
}

/** An evenly spread subset of `count` devices, taking every `step`-th from `offset`. */
const spreadOut = (devices: SeededSession[], count: number, offset: number, step = Math.max(2, Math.floor(devices.length / count))) =>
  devices.filter((_, i) => i % step === offset).slice(0, count);

/** What every scenario is handed: the seeded stores and a way to start processes that main stops at the end. */
interface Bench {
  work: string;
  /** A copy of the seeded SQLite store, for the instance that runs without its session cache. */
  uncachedDir: string;
  /** A copy of the seeded SQLite store for the server at LATCH_LOG_LEVEL=warn. */
  warnDir: string;
  pgUrl: string;
  seededSqlite: Seeded;
  seededPg: Seeded;
  seedSeconds: { sqlite: number; postgres: number };
  /** Sessions a scenario has revoked: later scenarios connect only the others. */
  revoked: Set<string>;
  start(script: string, env: Record<string, string>, health: string, nodeArgs?: string[]): Promise<Proc>;
  stop(proc: Proc): Promise<void>;
}

const eventsUrl = (url: string) => `${url.replace(/^http/, 'ws')}/v1/events`;

/** The Better Auth setups measured (bench/peers/better-auth.ts), and the path each answers the check on. */
const BETTER_AUTH_MODES = {
  betterAuth: { mode: 'handler', path: '/api/auth/get-session' },
  betterAuthApi: { mode: 'api', path: '/session' },
  betterAuthSecondary: { mode: 'secondary', path: '/session' },
  betterAuthCookieCache: { mode: 'cookieCache', path: '/session' },
} as const;
type BetterAuthTarget = keyof typeof BETTER_AUTH_MODES;

/** A Better Auth peer and a way to sign in to it: every cookie it sets, as a browser would send them back. */
class BetterAuthPeer {
  constructor(
    readonly proc: Proc,
    readonly path: string,
  ) {}

  private async call(path: string, body: unknown, cookie?: string): Promise<Response> {
    // Node's fetch sends Fetch Metadata headers; the Origin tells Better Auth's CSRF check it is same-site.
    return fetch(`${this.proc.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: this.proc.url, ...(cookie ? { cookie } : {}) },
      body: JSON.stringify(body),
    });
  }

  async signUp(email: string): Promise<void> {
    const reply = await this.call('/api/auth/sign-up/email', { email, password: 'correct horse battery staple', name: 'Bench' });
    if (!reply.ok) throw new Error(`Better Auth sign-up failed: ${reply.status}`);
  }

  async signIn(email: string): Promise<string> {
    const reply = await this.call('/api/auth/sign-in/email', { email, password: 'correct horse battery staple' });
    const cookie = reply.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    if (!reply.ok || !cookie) throw new Error(`Better Auth sign-in failed: ${reply.status}`);
    return cookie;
  }

  /** Whether the check accepts these cookies (its handler answers 200 with `null` for no session). */
  async accepts(cookie: string): Promise<boolean> {
    const reply = await fetch(`${this.proc.url}${this.path}`, { headers: { cookie } });
    return reply.ok && (await reply.text()) !== 'null';
  }

  /** Signs the session out on the server; a copy of its cookies is kept, as a thief's would be. */
  async signOut(cookie: string): Promise<void> {
    const reply = await this.call('/api/auth/sign-out', {}, cookie);
    if (!reply.ok) throw new Error(`Better Auth sign-out failed: ${reply.status}`);
  }
}

/**
 * How long a copy of a signed-out session's cookies is still accepted: polled once a second, in the
 * background while the rest of the benchmark runs, until refused or until `stop()`.
 */
function revocationWindow(peer: BetterAuthPeer, cookie: string): { stop(): Promise<{ seconds: number; refused: boolean }> } {
  const started = performance.now();
  let stopped = false;
  const polled = (async () => {
    while (!stopped) {
      if (!(await peer.accepts(cookie))) return { seconds: round((performance.now() - started) / 1000, 1), refused: true };
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    return { seconds: round((performance.now() - started) / 1000, 1), refused: false };
  })();
  return {
    stop: () => {
      stopped = true;
      return polled;
    },
  };
}

/** 1. Session checks: every target running at once and loaded in turn, round after round. */
async function sessionChecks(bench: Bench, latchSqlite: Proc, latchPg: Proc): Promise<{ results: Omit<Results['sessionCheck'], 'cookieCacheWindow'>; cookieCacheWindow: ReturnType<typeof revocationWindow> }> {
  const fastify = await bench.start('dist/bench/peers/fastify-hello.js', {}, '/hello');
  const nest = await bench.start('dist/bench/peers/nest-hello.js', {}, '/hello');
  const latchUncached = await bench.start('dist/server/main.js', { ...LATCH_ENV, LATCH_DATA_DIR: bench.uncachedDir, LATCH_SESSION_CACHE_SIZE: '0' }, '/healthz');
  // The same server logging only problems, on a copy of its own: sharing a file with the uncached server (which
  // writes on every check) would have it reload its sessions each second, when it sees another process's commits.
  const latchWarn = await bench.start('dist/server/main.js', { ...LATCH_ENV, LATCH_DATA_DIR: bench.warnDir, LATCH_LOG_LEVEL: 'warn' }, '/healthz');
  const peers = {} as Record<BetterAuthTarget, BetterAuthPeer>;
  const cookies = {} as Record<BetterAuthTarget, string>;
  const revokedAtOnce = {} as Record<BetterAuthTarget, boolean>;
  for (const [target, { mode, path }] of Object.entries(BETTER_AUTH_MODES) as Array<[BetterAuthTarget, (typeof BETTER_AUTH_MODES)[BetterAuthTarget]]>) {
    const proc = await bench.start('dist/bench/peers/better-auth.js', { BETTER_AUTH_DB: join(bench.work, `better-auth-${mode}.sqlite`), BETTER_AUTH_MODE: mode }, '/api/auth/ok');
    const peer = (peers[target] = new BetterAuthPeer(proc, path));
    await peer.signUp('bench@bench.test');
    cookies[target] = await peer.signIn('bench@bench.test');
    if (!(await peer.accepts(cookies[target]))) throw new Error(`${target} does not accept its own session`);
    // A second session, signed out: does the check refuse the copy of its cookies at once?
    const stolen = await peer.signIn('bench@bench.test');
    await peer.signOut(stolen);
    revokedAtOnce[target] = !(await peer.accepts(stolen));
  }
  // The cookie cache's window is measured in the background; it lasts minutes.
  const windowCookie = await peers.betterAuthCookieCache.signIn('bench@bench.test');
  await peers.betterAuthCookieCache.signOut(windowCookie);
  const cookieCacheWindow = revocationWindow(peers.betterAuthCookieCache, windowCookie);

  const latchTarget = (proc: Proc, token: string) => ({ proc, url: `${proc.url}/v1/auth/session`, headers: async () => ({ authorization: `Bearer ${token}` }) });
  const betterAuthTarget = (target: BetterAuthTarget) => ({
    proc: peers[target].proc,
    url: `${peers[target].proc.url}${peers[target].path}`,
    // The cookie cache's copy is signed for 5 minutes; a fresh sign-in per round keeps every round within it.
    headers: async () => ({ cookie: target === 'betterAuthCookieCache' ? (cookies[target] = await peers[target].signIn('bench@bench.test')) : cookies[target] }),
  });
  const targets: Record<CheckTarget, { proc: Proc; url: string; headers: () => Promise<Record<string, string>> }> = {
    fastify: { proc: fastify, url: `${fastify.url}/hello`, headers: async () => ({}) },
    nest: { proc: nest, url: `${nest.url}/hello`, headers: async () => ({}) },
    latch: latchTarget(latchSqlite, bench.seededSqlite.lister.token),
    latchWarn: latchTarget(latchWarn, bench.seededSqlite.lister.token),
    latchUncached: latchTarget(latchUncached, bench.seededSqlite.lister.token),
    latchPostgres: latchTarget(latchPg, bench.seededPg.lister.token),
    betterAuth: betterAuthTarget('betterAuth'),
    betterAuthApi: betterAuthTarget('betterAuthApi'),
    betterAuthSecondary: betterAuthTarget('betterAuthSecondary'),
    betterAuthCookieCache: betterAuthTarget('betterAuthCookieCache'),
  };
  const names = Object.keys(targets) as CheckTarget[];
  const rounds = Object.fromEntries(names.map((n) => [n, [] as LoadResult[]])) as Record<CheckTarget, LoadResult[]>;
  // A peer's failed answers and dropped sockets are recorded per round, never the end of the run.
  const once = async (name: CheckTarget, seconds: number) =>
    load(targets[name].url, await targets[name].headers(), seconds, PROFILE.connections, targets[name].proc.pid, !name.startsWith('betterAuth'));
  for (const name of names) await once(name, 2); // warm-up
  for (let r = 0; r < PROFILE.rounds; r++) {
    for (const name of names) rounds[name].push(await once(name, PROFILE.seconds));
    log(`session checks, round ${r + 1} of ${PROFILE.rounds}: ${names.map((n) => `${n} ${rounds[n].at(-1)!.rps} (${rounds[n].at(-1)!.serverCpuUsPerRequest} µs)`).join(', ')}`);
  }
  await bench.stop(fastify);
  await bench.stop(nest);
  await bench.stop(latchUncached);
  await bench.stop(latchWarn);
  for (const target of Object.keys(peers) as BetterAuthTarget[]) if (target !== 'betterAuthCookieCache') await bench.stop(peers[target].proc);

  const of = (name: CheckTarget, pick: (x: LoadResult) => number) => range(rounds[name].map(pick));
  const summary = (name: CheckTarget): CheckSummary => ({
    rps: of(name, (x) => x.rps),
    p50Us: of(name, (x) => x.p50Us),
    p99Us: of(name, (x) => x.p99Us),
    serverCpuUsPerRequest: of(name, (x) => x.serverCpuUsPerRequest),
    clientCores: of(name, (x) => x.clientCores),
    otherCores: of(name, (x) => x.otherCores),
    clientBoundRounds: rounds[name].filter((x) => x.clientBound).length,
    failedAnswers: rounds[name].reduce((n, x) => n + x.non2xx + x.socketErrors, 0),
  });
  /** a / b per round (req/s, or CPU per request), as a range over the rounds. */
  const ratio = (a: CheckTarget, b: CheckTarget, pick: (x: LoadResult) => number) => {
    const r = range(rounds[a].map((x, i) => pick(x) / pick(rounds[b][i]!)));
    return { median: round(r.median), min: round(r.min), max: round(r.max) };
  };
  const rps = (x: LoadResult) => x.rps;
  const cpu = (x: LoadResult) => x.serverCpuUsPerRequest;
  // The fastest Better Auth setup that still refuses a revoked session at once, by server CPU per check.
  const refusing = (Object.keys(BETTER_AUTH_MODES) as BetterAuthTarget[]).filter((t) => revokedAtOnce[t]);
  const fastestBetterAuth = refusing.sort((a, b) => median(rounds[a].map(cpu)) - median(rounds[b].map(cpu)))[0]!;
  return {
    results: {
      generator: rounds.fastify[0]!.generator,
      connections: PROFILE.connections,
      seconds: PROFILE.seconds,
      rounds: PROFILE.rounds,
      pipelining: 1,
      targets: Object.fromEntries(names.map((n) => [n, summary(n)])) as Record<CheckTarget, CheckSummary>,
      betterAuthRefusesRevokedAtOnce: revokedAtOnce,
      fastestBetterAuth,
      cpuPerCheck: {
        latchOverFastify: ratio('latch', 'fastify', cpu),
        latchWarnOverFastify: ratio('latchWarn', 'fastify', cpu),
        latchPostgresOverFastify: ratio('latchPostgres', 'fastify', cpu),
        nestOverFastify: ratio('nest', 'fastify', cpu),
        latchOverNest: ratio('latch', 'nest', cpu),
        fastestBetterAuthOverLatch: ratio(fastestBetterAuth, 'latch', cpu),
        betterAuthOverLatchUncached: ratio('betterAuth', 'latchUncached', cpu),
      },
      rps: {
        latchOverFastify: ratio('latch', 'fastify', rps),
        latchOverFastestBetterAuth: ratio('latch', fastestBetterAuth, rps),
        latchPostgresOverFastestBetterAuth: ratio('latchPostgres', fastestBetterAuth, rps),
        latchUncachedOverBetterAuth: ratio('latchUncached', 'betterAuth', rps),
      },
      perRound: rounds,
    },
    cookieCacheWindow,
  };
}

/** 4. Listing 20 sessions of one account among all the rows. */
async function lists(bench: Bench, latchSqlite: Proc, latchPg: Proc): Promise<Results['store']> {
  const listOf = async (url: string, token: string) => {
    const twenty = (body: string) => {
      const count = (JSON.parse(body) as { sessions: unknown[] }).sessions.length;
      if (count !== 20) throw new Error(`expected 20 sessions, got ${count}`);
    };
    await timeSequentialGets(`${url}/v1/sessions`, token, LIST_WARMUP, twenty);
    return spread(await timeSequentialGets(`${url}/v1/sessions`, token, PROFILE.listSamples, twenty));
  };
  // Node's client parses each answer and collects its own garbage between the requests it times; wrk on one
  // connection sends the next request as the last answer arrives and times in microseconds.
  const quietly = async (proc: Proc, token: string) => {
    const { requests, p50Us, p99Us, p999Us } = await load(`${proc.url}/v1/sessions`, { authorization: `Bearer ${token}` }, PROFILE.listSeconds, 1, proc.pid);
    return { client: `${generator}, 1 connection`, seconds: PROFILE.listSeconds, requests, p50Us, p99Us, p999Us };
  };
  log('listing sessions');
  const sqlite = await listOf(latchSqlite.url, bench.seededSqlite.lister.token);
  const postgres = await listOf(latchPg.url, bench.seededPg.lister.token);
  const lowOverhead = { sqlite: await quietly(latchSqlite, bench.seededSqlite.lister.token), postgres: await quietly(latchPg, bench.seededPg.lister.token) };
  return {
    rows: PROFILE.fillerRows + DEVICES + PROFILE.accounts + 20,
    samples: PROFILE.listSamples,
    warmup: LIST_WARMUP,
    listP50Ms: sqlite.p50Ms,
    listP99Ms: sqlite.p99Ms,
    postgresListP50Ms: postgres.p50Ms,
    postgresListP99Ms: postgres.p99Ms,
    sqlite,
    postgres,
    lowOverhead,
    seedSeconds: bench.seedSeconds,
  };
}

/** Token rotation: what one costs, next to an ordinary check of the same token. */
async function rotations(bench: Bench, latchSqlite: Proc, latchPg: Proc): Promise<Results['rotation']> {
  log(`rotating ${PROFILE.rotations} tokens`);
  const measure = async (url: string, seeded: Seeded) => {
    await timeRotations(url, seeded.rotators.slice(0, ROTATION_WARMUP));
    const t = await timeRotations(url, seeded.rotators.slice(ROTATION_WARMUP));
    return { rotate: spread(t.rotate), firstUse: spread(t.firstUse), nextUse: spread(t.nextUse) };
  };
  return { rotations: PROFILE.rotations, warmup: ROTATION_WARMUP, sqlite: await measure(latchSqlite.url, bench.seededSqlite), postgres: await measure(latchPg.url, bench.seededPg) };
}

/** 5. Sign-in cost with the argon2id parameters in use, one at a time. */
async function signIns(latchSqlite: Proc): Promise<Results['signIn']> {
  log('signing in');
  const http = new Http(latchSqlite.url);
  const account = await register(http, undefined, 'Bench device');
  let logins = 0;
  const deadline = performance.now() + PROFILE.signInSeconds * 1000;
  while (performance.now() < deadline) {
    const reply = await http.post('/v1/auth/login', { email: account.email, password: 'correct horse battery staple', device: { name: 'x', platform: 'linux', appVersion: '1' } });
    if (reply.status !== 200) throw new Error(`login ${reply.status}`);
    logins++;
  }
  return { loginsPerSecond: round(logins / PROFILE.signInSeconds, 1), argon2id: DEFAULT_PASSWORD_POLICY, sequential: true };
}

/**
 * The desktop core's start, with a token in the keychain, against this server: run by
 * bench/desktop/start.ts in a process of its own (inside a private D-Bus with gnome-keyring on
 * Linux, as the tests do), which prints one JSON line.
 */
function desktopStart(url: string): Promise<DesktopStartReport> {
  log('timing the desktop start');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'dist/bench/desktop/start.js'), url, `--rounds=${PROFILE.desktopRounds}`], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('close', (code) => (code === 0 ? resolve(JSON.parse(out) as DesktopStartReport) : reject(new Error(`the desktop start benchmark exited with ${code}`))));
  });
}

/** 2 and 3. A fresh instance on SQLite: memory as devices connect, then revocations. */
async function oneInstance(bench: Bench): Promise<{ memory: Results['memory']; revocation: RevocationSpread; open: number }> {
  const single = await bench.start('dist/server/main.js', { ...LATCH_ENV, LATCH_DATA_DIR: bench.work }, '/healthz');
  const pool = new DevicePool();
  const devices = bench.seededSqlite.devices;
  const rss0 = await settledRss(single.pid);
  const firstStep = Math.min(1_000, devices.length);
  log(`connecting ${devices.length} devices to one instance (SQLite)`);
  const connected1k = await pool.connect(eventsUrl(single.url), devices.slice(0, firstStep));
  await quiet([single.pid]);
  const rss1k = await settledRss(single.pid);
  const connectedRest = await pool.connect(eventsUrl(single.url), devices.slice(firstStep));
  const open = connected1k.open + connectedRest.open;
  await quiet([single.pid]);
  const rssAll = await settledRss(single.pid);
  log(`revoking ${PROFILE.revokes} of them at ${PROFILE.revokesPerSecond}/s`);
  const revoked = await revocation(bench, pool, single.url, bench.seededSqlite.revokers, spreadOut(devices, REVOKE_WARMUP, 1, revokeStep(devices)), spreadOut(devices, PROFILE.revokes, 0, revokeStep(devices)));
  await pool.stop();
  await bench.stop(single);
  return {
    memory: {
      devices: [0, firstStep, open],
      rssBytes: [rss0, rss1k, rssAll],
      bytesPerConnection: Math.round((rssAll - rss0) / open),
      connectSeconds: round(connected1k.seconds + connectedRest.seconds, 1),
      upgradesPerSecond: Math.round(open / (connected1k.seconds + connectedRest.seconds)),
    },
    revocation: revoked,
    open,
  };
}

/** Revoked devices are taken every this many, so the warm-up and measured sets never meet. */
const revokeStep = (devices: SeededSession[]) => Math.max(2, Math.floor(devices.length / PROFILE.revokes));

/**
 * 2, across instances: every seeded PostgreSQL device connected, half to instance A and half to
 * instance B, held by as many load processes as that takes; revokes of devices on A sent to B.
 */
async function crossInstance(bench: Bench): Promise<{ revocation: RevocationSpread; scale: Results['scale'] }> {
  const instanceA = await bench.start('dist/server/main.js', { ...LATCH_ENV, DATABASE_URL: bench.pgUrl }, '/healthz');
  const instanceB = await bench.start('dist/server/main.js', { ...LATCH_ENV, DATABASE_URL: bench.pgUrl }, '/healthz');
  const pool = new DevicePool();
  const devices = bench.seededPg.devices.filter((device) => !bench.revoked.has(device.sessionId));
  // Every other device on A, so each account has devices on both instances.
  const onA = devices.filter((_, i) => i % 2 === 0);
  const onB = devices.filter((_, i) => i % 2 === 1);
  const rss0 = [await settledRss(instanceA.pid), await settledRss(instanceB.pid)];
  log(`connecting ${devices.length} devices (PostgreSQL): ${onA.length} to instance A, ${onB.length} to B; revoking through B`);
  const [connectedA, connectedB] = await Promise.all([pool.connect(eventsUrl(instanceA.url), onA), pool.connect(eventsUrl(instanceB.url), onB)]);
  await quiet([instanceA.pid, instanceB.pid]);
  const rss = [await settledRss(instanceA.pid), await settledRss(instanceB.pid)];
  const cross = await revocation(bench, pool, instanceB.url, bench.seededPg.revokers, spreadOut(onA, REVOKE_WARMUP, 1, revokeStep(onA)), spreadOut(onA, PROFILE.revokes, 0, revokeStep(onA)));
  await pool.stop();
  await bench.stop(instanceA);
  await bench.stop(instanceB);
  const open = connectedA.open + connectedB.open;
  return {
    revocation: cross,
    scale: {
      devices: open,
      perInstance: [connectedA.open, connectedB.open],
      loadProcesses: Math.ceil(onA.length / SOCKETS_PER_LOAD_PROCESS) + Math.ceil(onB.length / SOCKETS_PER_LOAD_PROCESS),
      connectSeconds: round(Math.max(connectedA.seconds, connectedB.seconds), 1),
      upgradesPerSecond: Math.round(open / Math.max(connectedA.seconds, connectedB.seconds)),
      bytesPerConnection: Math.round((rss[0]! - rss0[0]! + rss[1]! - rss0[1]!) / open),
    },
  };
}

/**
 * Under attack: a flood of wrong-password sign-ins from many addresses (through a trusted proxy's
 * X-Forwarded-For) while devices are connected. The session check and the revocation push are
 * measured quiet, then under the flood, the same way; and the owner signs in with the right password
 * in the middle of it, from an address of theirs.
 */
async function underAttack(bench: Bench, store: 'sqlite' | 'postgres', copy?: { dir: string; pgUrl: string }): Promise<UnderAttack> {
  const where: Record<string, string> = store === 'sqlite' ? { LATCH_DATA_DIR: copy?.dir ?? bench.work } : { DATABASE_URL: copy?.pgUrl ?? bench.pgUrl };
  const seeded = store === 'sqlite' ? bench.seededSqlite : bench.seededPg;
  const metricsPort = await freePort();
  const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  // BENCH_PROFILE=<folder>: the server writes a CPU profile there when it stops.
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const instance = await bench.start('dist/server/main.js', { ...LATCH_ENV, ...where, LATCH_TRUST_PROXY: '1', LATCH_METRICS_PORT: String(metricsPort) }, '/healthz', profile);
  // At most as many devices as the SQLite run has, so the two stores are measured alike.
  const devices = seeded.devices.filter((device) => !bench.revoked.has(device.sessionId)).slice(0, PROFILE.accounts * DEVICES_PER_ACCOUNT - PROFILE.revokes - REVOKE_WARMUP);
  const pool = new DevicePool();
  log(`under attack: connecting ${devices.length} devices (${store === 'sqlite' ? 'SQLite' : 'PostgreSQL'})`);
  await pool.connect(eventsUrl(instance.url), devices);
  const owner = await register(new Http(instance.url), undefined, 'Owner laptop');
  const other = await register(new Http(instance.url), undefined, 'Other laptop');
  await quiet([instance.pid]);
  const checker = devices.find((device) => device.account === 0)!;
  const phase = async (size: { checks: number; revokes: number }) => {
    await eventLoopDelay(metricsUrl);
    const queued = runQueueMs(instance.pid);
    const cpu0 = { server: cpuMs(instance.pid), hashing: childrenCpuMs(instance.pid), database: postgresCpuMs() };
    const waits = store === 'postgres' ? sampleWaits(where.DATABASE_URL!) : undefined;
    const started = performance.now();
    const checks = spread(await timePacedGets(`${instance.url}/v1/auth/session`, checker.token, size.checks, ATTACK.checksPerSecond));
    const revokes = devices.filter((device) => device.account > 0 && !bench.revoked.has(device.sessionId));
    const push = await revocation(bench, pool, instance.url, seeded.revokers, [], spreadOut(revokes, size.revokes, 0), ATTACK.revokesPerSecond);
    const seconds = (performance.now() - started) / 1000;
    const sampled = await waits?.stop();
    const observed: PhaseObserved = {
      eventLoop: await eventLoopDelay(metricsUrl),
      runQueueMsPerSecond: round((runQueueMs(instance.pid) - queued) / seconds, 1),
      cores: {
        server: round((cpuMs(instance.pid) - cpu0.server) / 1000 / seconds, 2),
        hashing: round((childrenCpuMs(instance.pid) - cpu0.hashing) / 1000 / seconds, 2),
        database: round(postgresCpuSince(cpu0.database) / 1000 / seconds, 2),
      },
      ...(sampled
        ? {
            database: Object.entries(sampled.busy)
              .sort((a, b) => b[1] - a[1])
              .slice(0, 8)
              .map(([what, n]): [string, number] => [what, Math.round((n * 1000) / sampled.samples)]),
            poolFullPerMille: Math.round((sampled.poolFull * 1000) / sampled.samples),
          }
        : {}),
    };
    return { checks, push, observed };
  };
  // Half a flood at the owner's account, the rest at addresses with no account (password spraying).
  const floodAt = (target: string, prefix: string) => [target, ...Array.from({ length: 50 }, (_, i) => `${prefix}-${i}@bench.test`)].flatMap((email, i) => (i === 0 ? Array(50).fill(email) : [email]));
  const attacker = new Devices();
  // A server that has been up has checked sessions, revoked and refused passwords before: both paths
  // are run first, unmeasured, under the same kind of flood at other accounts and from other addresses
  // (so nothing it counts holds the measured flood back), then the flood is drained. Otherwise the quiet
  // phase measures the check's first compilation and the attack phase the sign-in's.
  log(`under attack: warming up (${ATTACK_WARMUP.checks} checks, ${ATTACK_WARMUP.revokes} revokes, a flood at other accounts)`);
  await attacker.ask({ kind: 'attack', apiUrl: instance.url, emails: floodAt(other.email, 'warm'), perSecond: ATTACK.perSecond, firstAddress: 1 << 20 }, 'attacking');
  await phase(ATTACK_WARMUP);
  const warmUp = await attacker.ask({ kind: 'stop-attack' }, 'attacked');
  await quiet([instance.pid]);
  log(`under attack: quiet phase, ${ATTACK.checks} checks at ${ATTACK.checksPerSecond}/s, ${ATTACK.revokes} revokes at ${ATTACK.revokesPerSecond}/s`);
  const quietPhase = await phase(ATTACK);
  await attacker.ask({ kind: 'attack', apiUrl: instance.url, emails: floodAt(owner.email, 'nobody'), perSecond: ATTACK.perSecond }, 'attacking');
  // Let the flood fill the password queue before measuring.
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  log(`under attack: ${ATTACK.perSecond} wrong-password sign-ins a second, measuring again`);
  const cpu0 = cpuMs(instance.pid);
  const hashing0 = childrenCpuMs(instance.pid);
  const wall0 = performance.now();
  const attackPhase = await phase(ATTACK);
  const serverCores = round((cpuMs(instance.pid) - cpu0) / (performance.now() - wall0), 2);
  const hashingCores = round((childrenCpuMs(instance.pid) - hashing0) / (performance.now() - wall0), 2);
  const ownerStarted = performance.now();
  const ownerSignIn = await new Http(instance.url).post('/v1/auth/login', { email: owner.email, password: 'correct horse battery staple', device: { name: 'Owner phone', platform: 'linux', appVersion: '1' } });
  const ownerMs = round(performance.now() - ownerStarted, 1);
  const flood = await attacker.ask({ kind: 'stop-attack' }, 'attacked');
  await attacker.stop();
  await pool.stop();
  await bench.stop(instance);
  return {
    devices: devices.length,
    perSecond: ATTACK.perSecond,
    warmUp: { ...ATTACK_WARMUP, signIns: warmUp.sent },
    sent: flood.sent,
    statuses: flood.statuses,
    serverCores,
    hashingCores,
    quiet: { check: quietPhase.checks, revocation: quietPhase.push },
    attack: { check: attackPhase.checks, revocation: attackPhase.push },
    checkP99Ratio: round(attackPhase.checks.p99Ms / quietPhase.checks.p99Ms, 2),
    revocationP99Ratio: round(attackPhase.push.fromRequest.p99Ms / quietPhase.push.fromRequest.p99Ms, 2),
    ownerSignIn: { status: ownerSignIn.status, ms: ownerMs },
    observed: { quiet: quietPhase.observed, attack: attackPhase.observed },
  };
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'latch-bench-'));
  const started = performance.now();
  const running: Proc[] = [];
  const postgres = await startPostgres();
  try {
    const plan = { fillerRows: PROFILE.fillerRows, accounts: PROFILE.accounts, devicesPerAccount: DEVICES_PER_ACCOUNT, rotators: ROTATION_WARMUP + PROFILE.rotations };
    const pgUrl = await postgres.newDatabase();
    log(`seeding ${PROFILE.fillerRows} rows and ${DEVICES} devices into SQLite and PostgreSQL`);
    let t = performance.now();
    const seededSqlite = await seed({ kind: 'sqlite', file: join(work, 'latch.sqlite') }, plan);
    const sqliteSeedSeconds = (performance.now() - t) / 1000;
    const uncachedDir = join(work, 'uncached');
    mkdirSync(uncachedDir);
    copyFileSync(join(work, 'latch.sqlite'), join(uncachedDir, 'latch.sqlite'));
    const warnDir = join(work, 'warn');
    mkdirSync(warnDir);
    copyFileSync(join(work, 'latch.sqlite'), join(warnDir, 'latch.sqlite'));
    t = performance.now();
    const seededPg = await seed({ kind: 'postgres', url: pgUrl }, { ...plan, accounts: PROFILE.postgresAccounts });
    const bench: Bench = {
      work,
      uncachedDir,
      warnDir,
      pgUrl,
      seededSqlite,
      seededPg,
      seedSeconds: { sqlite: round(sqliteSeedSeconds, 1), postgres: round((performance.now() - t) / 1000, 1) },
      revoked: new Set(),
      start: async (script, env, health, nodeArgs) => {
        const proc = await startProcess(script, env, health, nodeArgs);
        running.push(proc);
        return proc;
      },
      stop: async (proc) => {
        running.splice(running.indexOf(proc), 1);
        await proc.stop();
      },
    };

    const about = () => ({
      profile: PROFILE.name,
      machine: { cores: cpus().length, cpu: cpus()[0]?.model, memoryBytes: totalmem(), node: process.version, platform: process.platform },
      date: new Date().toISOString(),
      seconds: round((performance.now() - started) / 1000, 1),
    });
    if (only === 'attack') {
      // Each run on fresh copies of the seeded stores, so every run starts from the same rows.
      const runs: Array<Record<'sqlite' | 'postgres', UnderAttack>> = [];
      for (let i = 0; i < ATTACK_RUNS; i++) {
        const dir = join(work, `attack-${i}`);
        mkdirSync(dir);
        copyFileSync(join(work, 'latch.sqlite'), join(dir, 'latch.sqlite'));
        bench.revoked.clear();
        const sqlite = await underAttack(bench, 'sqlite', { dir, pgUrl });
        // Copied just before its run: PostgreSQL's background work on a new copy would fall on the other store's.
        runs.push({ sqlite, postgres: await underAttack(bench, 'postgres', { dir, pgUrl: await postgres.copyOf(pgUrl) }) });
        rmSync(dir, { recursive: true, force: true });
        log(`under attack, run ${i + 1} of ${ATTACK_RUNS} done:\n${attackRunRows(runs.slice(-1), i).map((row) => row.join('  ')).join('\n')}`);
      }
      print({ ...about(), attackRuns: runs }, attackRunRows(runs), 'attack.json');
      return;
    }
    const latchSqlite = await bench.start('dist/server/main.js', { ...LATCH_ENV, LATCH_DATA_DIR: work }, '/healthz');
    const latchPg = await bench.start('dist/server/main.js', { ...LATCH_ENV, DATABASE_URL: pgUrl }, '/healthz');
    if (only === 'lists') {
      const store = await lists(bench, latchSqlite, latchPg);
      print({ ...about(), store }, listRows(store), 'lists.json');
      return;
    }
    const checks = await sessionChecks(bench, latchSqlite, latchPg);
    if (only === 'checks') {
      const sessionCheck = { ...checks.results, cookieCacheWindow: await checks.cookieCacheWindow.stop() };
      print({ ...about(), sessionCheck }, checkRows(sessionCheck), 'checks.json');
      return;
    }
    const store = await lists(bench, latchSqlite, latchPg);
    const rotation = await rotations(bench, latchSqlite, latchPg);
    const signIn = await signIns(latchSqlite);
    const desktop = await desktopStart(latchSqlite.url);
    await bench.stop(latchSqlite);
    await bench.stop(latchPg);
    const single = await oneInstance(bench);
    const attacked = { sqlite: await underAttack(bench, 'sqlite'), postgres: await underAttack(bench, 'postgres') };
    const cross = await crossInstance(bench);
    const sessionCheck = { ...checks.results, cookieCacheWindow: await checks.cookieCacheWindow.stop() };

    report({
      ...about(),
      sessionCheck,
      store,
      rotation,
      signIn,
      memory: single.memory,
      revocation: {
        devices: single.open,
        revokes: PROFILE.revokes,
        warmup: REVOKE_WARMUP,
        perSecond: PROFILE.revokesPerSecond,
        p50Ms: single.revocation.p50Ms,
        p95Ms: single.revocation.p95Ms,
        p99Ms: single.revocation.p99Ms,
        maxMs: single.revocation.maxMs,
        crossInstanceP50Ms: cross.revocation.p50Ms,
        crossInstanceP95Ms: cross.revocation.p95Ms,
        crossInstanceP99Ms: cross.revocation.p99Ms,
        crossInstanceMaxMs: cross.revocation.maxMs,
        crossInstanceDevices: cross.scale.devices,
        oneInstance: single.revocation,
        crossInstance: cross.revocation,
      },
      scale: cross.scale,
      desktopStart: desktop,
      underAttack: attacked,
    });
  } catch (error) {
    // What the servers said last, and whether one of them died: a failed step is otherwise unexplained.
    for (const proc of running) {
      const exited = proc.child.exitCode ?? proc.child.signalCode;
      log(`${proc.url} (pid ${proc.pid}${exited === null ? '' : `, exited: ${exited}`}), its last lines:\n${proc.output.slice(-20).join('\n')}`);
    }
    throw error;
  } finally {
    for (const proc of running) await proc.stop();
    await postgres.close();
    rmSync(work, { recursive: true, force: true });
  }
}

/** The session check's rows of the table. */
function checkRows(s: Results['sessionCheck']): Array<[string, string, string]> {
  const t = s.targets;
  const us = (x: Range) => `${x.median} (${x.min}–${x.max})`;
  const times = (x: Ratio) => `${x.median}x (${x.min}–${x.max})`;
  const check = (name: CheckTarget, label: string): [string, string, string] => [
    `  ${label}`,
    `${t[name].rps.median}`,
    `${us(t[name].serverCpuUsPerRequest)} µs CPU; p50 ${t[name].p50Us.median} µs, p99 ${t[name].p99Us.median} µs; client ${t[name].clientCores.median} cores${t[name].clientBoundRounds ? `, client-bound in ${t[name].clientBoundRounds} rounds` : ''}${t[name].failedAnswers ? `; ${t[name].failedAnswers} non-2xx answers or socket errors` : ''}`,
  ];
  const refuses = (name: BetterAuthTarget) => (s.betterAuthRefusesRevokedAtOnce[name] ? 'refuses a revoked session at once' : 'accepts a revoked session');
  const window = s.cookieCacheWindow.refused ? `for ${s.cookieCacheWindow.seconds} s` : `still after ${s.cookieCacheWindow.seconds} s, when the run ended`;
  return [
    [`Session check (${s.generator}, ${s.connections} connections, ${s.rounds} rounds × ${s.seconds} s)`, 'req/s', 'server CPU per request, median (range); latency medians'],
    check('fastify', 'bare Fastify GET /hello'),
    check('nest', 'Nest on Fastify, no-op guard, GET /hello'),
    check('latch', 'Latch GET /v1/auth/session, SQLite (as shipped: LATCH_LOG_LEVEL=info)'),
    check('latchPostgres', 'Latch GET /v1/auth/session, PostgreSQL (as shipped)'),
    check('latchWarn', 'Latch, SQLite, LATCH_LOG_LEVEL=warn'),
    check('latchUncached', 'Latch, SQLite, session cache off'),
    check('betterAuth', `Better Auth defaults, its handler (${refuses('betterAuth')})`),
    check('betterAuthApi', `Better Auth api.getSession in a route (${refuses('betterAuthApi')})`),
    check('betterAuthSecondary', `Better Auth with secondaryStorage (${refuses('betterAuthSecondary')})`),
    check('betterAuthCookieCache', `Better Auth with cookieCache (a revoked session accepted ${window})`),
    ['  CPU per check, Latch / Fastify (SQLite; PostgreSQL)', times(s.cpuPerCheck.latchOverFastify), `${times(s.cpuPerCheck.latchPostgresOverFastify)}; target ≤ 1.3x`],
    ['  CPU per check, Latch at warn / Fastify (SQLite)', times(s.cpuPerCheck.latchWarnOverFastify), 'the same server logging only problems'],
    ['  CPU per check, Nest floor / Fastify; Latch / Nest floor', times(s.cpuPerCheck.nestOverFastify), times(s.cpuPerCheck.latchOverNest)],
    [`  CPU per check, ${s.fastestBetterAuth} / Latch`, times(s.cpuPerCheck.fastestBetterAuthOverLatch), 'the fastest Better Auth setup that refuses a revoked session at once'],
    [`  req/s, Latch / ${s.fastestBetterAuth} (SQLite; PostgreSQL)`, times(s.rps.latchOverFastestBetterAuth), `${times(s.rps.latchPostgresOverFastestBetterAuth)}; target ≥ 1.5x`],
    ['  req/s, Latch uncached / Better Auth defaults', times(s.rps.latchUncachedOverBetterAuth), `CPU per check, Better Auth defaults / Latch uncached: ${times(s.cpuPerCheck.betterAuthOverLatchUncached)}`],
    ['  req/s, Latch / Fastify', times(s.rps.latchOverFastify), 'on 2 cores the load generator takes CPU from the server: CPU per check is the steadier figure'],
  ];
}

function report(results: Results): void {
  const s = results.sessionCheck;
  const st = results.store;
  const si = results.signIn;
  const ro = results.rotation;
  const rotationRows = (store: 'sqlite' | 'postgres', label: string): Array<[string, string, string]> => [
    [`  ${label}: POST /v1/auth/rotate`, `p50 ${ro[store].rotate.p50Ms} ms`, `p99 ${ro[store].rotate.p99Ms} ms`],
    [`  ${label}: first use of the new token`, `p50 ${ro[store].firstUse.p50Ms} ms`, `p99 ${ro[store].firstUse.p99Ms} ms`],
    [`  ${label}: the next check, for comparison`, `p50 ${ro[store].nextUse.p50Ms} ms`, `p99 ${ro[store].nextUse.p99Ms} ms`],
  ];
  const m = results.memory;
  const r = results.revocation;
  const { oneInstance: rs, crossInstance: rc } = results.revocation;
  const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  const sc = results.scale;
  const ds = results.desktopStart;
  const rows: Array<[string, string, string]> = [
    ...checkRows(s),
    [`Revocation, ${r.devices} devices, ${r.revokes} at ${r.perSecond}/s`, '', 'from the revoke response to session.revoked (0 = before it)'],
    ['  one instance, SQLite', `p50 ${r.p50Ms} ms`, `p95 ${r.p95Ms} ms, p99 ${r.p99Ms} ms, max ${r.maxMs} ms; target p99 ≤ 50 ms`],
    [`  two instances, PostgreSQL, ${r.crossInstanceDevices} devices`, `p50 ${r.crossInstanceP50Ms} ms`, `p95 ${r.crossInstanceP95Ms} ms, p99 ${r.crossInstanceP99Ms} ms, max ${r.crossInstanceMaxMs} ms; target p99 ≤ 100 ms`],
    ['  the same, from sending the revoke', '', ''],
    ['  one instance, SQLite', `p50 ${rs.fromRequest.p50Ms} ms`, `p95 ${rs.fromRequest.p95Ms} ms, p99 ${rs.fromRequest.p99Ms} ms, max ${rs.fromRequest.maxMs} ms`],
    ['  two instances, PostgreSQL', `p50 ${rc.fromRequest.p50Ms} ms`, `p95 ${rc.fromRequest.p95Ms} ms, p99 ${rc.fromRequest.p99Ms} ms, max ${rc.fromRequest.maxMs} ms`],
    ['Memory per connected device', `${(m.bytesPerConnection / 1024).toFixed(1)} KiB`, `RSS ${m.devices.map((d, i) => `${d}: ${mib(m.rssBytes[i]!)}`).join(', ')}; target ≤ 32 KiB`],
    ['  upgrades, one instance', `${m.upgradesPerSecond}/s`, `${m.devices.at(-1)} devices in ${m.connectSeconds} s`],
    [
      `Scale: ${sc.devices} devices at once, PostgreSQL`,
      `${(sc.bytesPerConnection / 1024).toFixed(1)} KiB`,
      `per device; ${sc.perInstance.join(' + ')} on two instances, from ${sc.loadProcesses} load processes; ${sc.upgradesPerSecond} upgrades/s`,
    ],
    ...attackRows(results.underAttack.sqlite, 'SQLite'),
    ...attackRows(results.underAttack.postgres, 'PostgreSQL'),
    ...listRows(st),
    ['Sign-ins (argon2id m=19 MiB, t=2, p=1)', `${si.loginsPerSecond}/s`, 'one at a time'],
    [`Desktop start, token in the keychain (${ds.vault}), ${ds.rounds} rounds`, '', 'from constructing the core, on loopback'],
    ['  signed in and online', `p50 ${ds.signedInOnlineMs.p50} ms`, `p95 ${ds.signedInOnlineMs.p95} ms, max ${ds.signedInOnlineMs.max} ms; target ≤ 150 ms (first round ${ds.cold.signedInOnlineMs} ms)`],
    ['  the live socket open', `p50 ${ds.socketOpenMs.p50} ms`, `p95 ${ds.socketOpenMs.p95} ms, max ${ds.socketOpenMs.max} ms`],
    ['  the devices window\'s first list', `p50 ${ds.firstListMs.p50} ms`, `p95 ${ds.firstListMs.p95} ms, max ${ds.firstListMs.max} ms; target ≤ 250 ms (first round ${ds.cold.firstListMs} ms)`],
    [`Token rotation, ${ro.rotations} tokens, one at a time`, '', ''],
    ...rotationRows('sqlite', 'SQLite'),
    ...rotationRows('postgres', 'PostgreSQL'),
  ];
  print(results, rows, 'latest.json');
}

/** The list's rows of the table: from Node's client, as the desktop app asks, and from wrk on one connection. */
function listRows(st: Results['store']): Array<[string, string, string]> {
  const us = (x: number) => `${round(x / 1000, 3)} ms`;
  return (['sqlite', 'postgres'] as const).flatMap((store): Array<[string, string, string]> => {
    const node = st[store];
    const low = st.lowOverhead[store];
    const name = store === 'sqlite' ? 'SQLite' : 'PostgreSQL';
    return [
      [`GET /v1/sessions, 20 of ${st.rows} rows, ${name}`, `p50 ${node.p50Ms} ms`, `p99 ${node.p99Ms} ms, p99.9 ${node.p999Ms} ms; target ≤ 2 ms, ≤ 4 ms`],
      [`  the same from ${low.client}`, `p50 ${us(low.p50Us)}`, `p99 ${us(low.p99Us)}, p99.9 ${us(low.p999Us)} (${low.requests} lists); target p99 ≤ 1 ms`],
    ];
  });
}

/** `--only=attack --runs=N`: each run's ratios on each store, and what made up the revocation's tail. */
function attackRunRows(runs: Array<Record<'sqlite' | 'postgres', UnderAttack>>, first = 0): Array<[string, string, string]> {
  const named = runs.flatMap((run, j) => (['sqlite', 'postgres'] as const).map((store) => ({ ua: run[store], name: `Run ${first + j + 1}, ${store === 'sqlite' ? 'SQLite' : 'PostgreSQL'}` })));
  const ratios = named.map(({ ua, name }): [string, string, string] => {
    const [q, a] = [ua.quiet.revocation, ua.attack.revocation];
    return [
      `${name}: check p99; revocation p99`,
      `${ua.checkP99Ratio}x; ${ua.revocationP99Ratio}x`,
      `check ${ua.quiet.check.p99Ms} → ${ua.attack.check.p99Ms} ms; revocation ${q.fromRequest.p99Ms} → ${a.fromRequest.p99Ms} ms (its answer ${q.response.p99Ms} → ${a.response.p99Ms} ms, then the push ${q.p99Ms} → ${a.p99Ms} ms); owner ${ua.ownerSignIn.status}`,
    ];
  });
  return [...ratios, ...named.flatMap(({ ua, name }) => observedRows(ua, name))];
}

/** What the server went through, quiet → attack: its event loop, its waits for a core, and the database's backends. */
function observedRows(ua: UnderAttack, name: string): Array<[string, string, string]> {
  const { quiet: q, attack: a } = ua.observed;
  const rows: Array<[string, string, string]> = [
    [`${name}: event loop delay p99 (max)`, `${q.eventLoop.p99Ms} → ${a.eventLoop.p99Ms} ms`, `max ${q.eventLoop.maxMs} → ${a.eventLoop.maxMs} ms; waiting for a core ${q.runQueueMsPerSecond} → ${a.runQueueMsPerSecond} ms/s; cores: server ${q.cores.server} → ${a.cores.server}, hashing ${q.cores.hashing} → ${a.cores.hashing}, PostgreSQL ${q.cores.database} → ${a.cores.database}`],
  ];
  if (q.database && a.database) {
    const top = (list: Array<[string, number]>) => list.slice(0, 4).map(([what, n]) => `${what} ${n}`).join('; ');
    rows.push(
      [`${name}: the database's busy backends per 1,000 samples`, 'quiet', `${top(q.database)}; the pool all busy ${q.poolFullPerMille}`],
      ['', 'attack', `${top(a.database)}; the pool all busy ${a.poolFullPerMille}`],
    );
  }
  return rows;
}

/** The under-attack scenario's rows of the table. */
function attackRows(ua: UnderAttack, store: string): Array<[string, string, string]> {
  return [
    [`Under attack, ${store}: ${ua.perSecond} wrong-password sign-ins/s, ${ua.devices} devices`, '', `${ua.sent} sent: ${Object.entries(ua.statuses).map(([status, n]) => `${n}× ${status}`).join(', ')}; server ${ua.serverCores} cores, its hashing process ${ua.hashingCores}`],
    ['  session check p99, quiet → attack', `${ua.checkP99Ratio}x`, `${ua.quiet.check.p99Ms} → ${ua.attack.check.p99Ms} ms (p50 ${ua.quiet.check.p50Ms} → ${ua.attack.check.p50Ms} ms); target ≤ 2x`],
    ['  revocation p99 from sending, quiet → attack', `${ua.revocationP99Ratio}x`, `${ua.quiet.revocation.fromRequest.p99Ms} → ${ua.attack.revocation.fromRequest.p99Ms} ms; target ≤ 2x`],
    ['  the owner signs in with the right password', `${ua.ownerSignIn.status}`, `in ${ua.ownerSignIn.ms} ms; target 200`],
  ];
}

/** Prints the table and writes the figures to bench/results/<file>. */
function print(results: Pick<Results, 'profile' | 'machine' | 'date' | 'seconds'> & Partial<Results> & { attackRuns?: unknown }, rows: Array<[string, string, string]>, file: string): void {
  const width = Math.max(...rows.map((row) => row[0].length));
  const machine = results.machine;
  console.log(`Latch benchmarks: ${results.profile} profile, ${machine.cores} cores, Node ${machine.node}, ${results.date}, ${results.seconds} s`);
  for (const [name, a, b] of rows) console.log(`${name.padEnd(width)}  ${a.padStart(14)}  ${b}`);
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results', file), JSON.stringify(results, null, 2));
  console.log(`Wrote bench/results/${file}`);
}

await main();
// `npm run bench` runs the mail and passkey benchmarks after the rest (`--with-mail`); with `--only` it runs only
// what was asked. (Arguments after `npm run bench --` land on this command: the script's last one once was mail.js,
// which took them.)
if (!only && process.argv.includes('--with-mail')) {
  for (const part of ['mail.js', 'passkeys.js']) {
    const status = spawnSync(process.execPath, [join(root, 'dist/bench', part)], { stdio: 'inherit' }).status ?? 1;
    if (status !== 0) process.exitCode = status;
  }
}
