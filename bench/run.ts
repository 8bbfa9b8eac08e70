// Benchmarks, measured side by side in one run on this machine and reported as
// figures and ratios. Never part of the test suite. `npm run bench` (quick,
// under 3 minutes on 2 cores) or `npm run bench:full` (the figures in
// docs/performance.md). Prints a table and writes bench/results/latest.json.
import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PASSWORD_POLICY } from '../server/config/config.js';
import { Http, register } from '../kit/http.js';
import { startPostgres } from '../kit/postgres.js';
import type { DevicesCommand, DevicesReply } from './devices.js';
import { load, median, quiet, root, round, rssBytes, seed, spread, startProcess, timeRotations, timeSequentialGets, type LoadResult, type Proc, type Seeded } from './lib.js';

const full = process.argv.includes('--full');
const PROFILE = full
  ? { name: 'full', rounds: 5, seconds: 10, connections: 50, fillerRows: 1_000_000, accounts: 1_000, revokes: 2_000, revokesPerSecond: 100, listSamples: 5_000, signInSeconds: 10, rotations: 2_000 }
  : { name: 'quick', rounds: 3, seconds: 4, connections: 50, fillerRows: 100_000, accounts: 200, revokes: 300, revokesPerSecond: 100, listSamples: 1_000, signInSeconds: 3, rotations: 500 };
/** Unmeasured rotations first (JIT, the pool), taken from the same seeded sessions. */
const ROTATION_WARMUP = 200;
const DEVICES_PER_ACCOUNT = 10;
/** Unmeasured list requests first, so the figures are of a warmed-up server, not of the JIT compiler. */
const LIST_WARMUP = 5_000;
/** Unmeasured revokes first, for the same reason. */
const REVOKE_WARMUP = 200;
const DEVICES = PROFILE.accounts * DEVICES_PER_ACCOUNT;
// Every simulated device connects from loopback, one address.
const LATCH_ENV = { LATCH_LOG_LEVEL: 'warn', LATCH_MAX_SOCKETS_PER_ADDRESS: '1000000' };

const log = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

type Spread = ReturnType<typeof spread>;
type Latency = { rps: number; p50Ms: number; p99Ms: number };
type Target = 'fastify' | 'nest' | 'latch' | 'latchPostgres' | 'betterAuth';

/** What one run measures; written to bench/results/latest.json as it is. */
interface Results {
  profile: string;
  machine: { cores: number; cpu: string | undefined; memoryBytes: number; node: string; platform: NodeJS.Platform };
  date: string;
  seconds: number;
  sessionCheck: {
    connections: number;
    seconds: number;
    rounds: number;
    pipelining: 1;
    fastifyRps: number;
    nestRps: number;
    latchRps: number;
    latchPostgresRps: number;
    betterAuthRps: number;
    latchOverFastify: number;
    nestOverFastify: number;
    latchOverNest: number;
    latchOverBetterAuth: number;
    latchPostgresOverFastify: number;
    latchPostgresOverBetterAuth: number;
    latency: Record<Target, Latency>;
    perRound: Record<Target, LoadResult[]>;
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
    seedSeconds: { sqlite: number; postgres: number };
  };
  rotation: { rotations: number; warmup: number } & Record<'sqlite' | 'postgres', Record<'rotate' | 'firstUse' | 'nextUse', Spread>>;
  signIn: { loginsPerSecond: number; argon2id: typeof DEFAULT_PASSWORD_POLICY; sequential: true };
  memory: { devices: number[]; rssBytes: number[]; bytesPerConnection: number; connectSeconds: number };
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
    oneInstance: RevocationSpread;
    crossInstance: RevocationSpread;
  };
}
type RevocationSpread = Spread & { fromRequest: Spread; arrivedBeforeResponse: number };

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
 * Revokes an evenly spread subset of the connected devices and returns the
 * latencies. A first, unmeasured set warms the instance up (JIT, its pool's
 * Postgres connections), so the figures are of a running server, not a new one.
 */
async function revocation(devices: Devices, apiUrl: string, seeded: Seeded): Promise<RevocationSpread> {
  const step = Math.max(2, Math.floor(seeded.devices.length / PROFILE.revokes));
  const revoke = (targets: typeof seeded.devices) =>
    devices.ask({ kind: 'revoke', apiUrl, revokers: seeded.revokers, devices: targets, perSecond: PROFILE.revokesPerSecond }, 'revoked');
  await revoke(seeded.devices.filter((_, i) => i % step === 1).slice(0, REVOKE_WARMUP));
  const result = await revoke(seeded.devices.filter((_, i) => i % step === 0).slice(0, PROFILE.revokes));
  if (result.missing > 0) throw new Error(`${result.missing} revoked devices never heard session.revoked`);
  return { ...spread(result.fromResponseMs), fromRequest: spread(result.fromRequestMs), arrivedBeforeResponse: result.beforeResponse };
}

/** What every scenario is handed: the seeded stores and a way to start processes that main stops at the end. */
interface Bench {
  work: string;
  pgUrl: string;
  seededSqlite: Seeded;
  seededPg: Seeded;
  seedSeconds: { sqlite: number; postgres: number };
  start(script: string, env: Record<string, string>, health: string): Promise<Proc>;
  stop(proc: Proc): Promise<void>;
}

const eventsUrl = (url: string) => `${url.replace(/^http/, 'ws')}/v1/events`;

/** 1. Session checks: every target running at once and loaded in turn, round after round. */
async function sessionChecks(bench: Bench, latchSqlite: Proc, latchPg: Proc): Promise<Results['sessionCheck']> {
  const fastify = await bench.start('dist/bench/peers/fastify-hello.js', {}, '/hello');
  const nest = await bench.start('dist/bench/peers/nest-hello.js', {}, '/hello');
  const betterAuth = await bench.start('dist/bench/peers/better-auth.js', { BETTER_AUTH_DB: join(bench.work, 'better-auth.sqlite') }, '/api/auth/ok');
  const signUp = await fetch(`${betterAuth.url}/api/auth/sign-up/email`, {
    method: 'POST',
    // Node's fetch sends Fetch Metadata headers; the Origin tells Better Auth's CSRF check it is same-site.
    headers: { 'content-type': 'application/json', origin: betterAuth.url },
    body: JSON.stringify({ email: 'bench@bench.test', password: 'correct horse battery staple', name: 'Bench' }),
  });
  const cookie = signUp.headers.get('set-cookie')?.split(';')[0];
  if (!signUp.ok || !cookie) throw new Error(`Better Auth sign-up failed: ${signUp.status}`);
  const targets: Record<Target, { url: string; headers: Record<string, string> }> = {
    fastify: { url: `${fastify.url}/hello`, headers: {} },
    nest: { url: `${nest.url}/hello`, headers: {} },
    latch: { url: `${latchSqlite.url}/v1/auth/session`, headers: { authorization: `Bearer ${bench.seededSqlite.lister.token}` } },
    latchPostgres: { url: `${latchPg.url}/v1/auth/session`, headers: { authorization: `Bearer ${bench.seededPg.lister.token}` } },
    betterAuth: { url: `${betterAuth.url}/api/auth/get-session`, headers: { cookie } },
  };
  const names = Object.keys(targets) as Target[];
  const rounds: Record<Target, LoadResult[]> = { fastify: [], nest: [], latch: [], latchPostgres: [], betterAuth: [] };
  for (const name of names) await load(targets[name].url, targets[name].headers, 1, PROFILE.connections); // warm-up
  for (let r = 0; r < PROFILE.rounds; r++) {
    for (const name of names) rounds[name].push(await load(targets[name].url, targets[name].headers, PROFILE.seconds, PROFILE.connections));
    log(`session checks, round ${r + 1} of ${PROFILE.rounds}: ${names.map((n) => `${n} ${rounds[n].at(-1)!.rps}`).join(', ')} req/s`);
  }
  await bench.stop(fastify);
  await bench.stop(nest);
  await bench.stop(betterAuth);
  const summary = (name: Target): Latency => ({
    rps: median(rounds[name].map((x) => x.rps)),
    p50Ms: median(rounds[name].map((x) => x.p50Ms)),
    p99Ms: median(rounds[name].map((x) => x.p99Ms)),
  });
  const ratio = (a: Target, b: Target) => round(median(rounds[a].map((x, i) => x.rps / rounds[b][i]!.rps)));
  const latency = Object.fromEntries(names.map((n) => [n, summary(n)])) as Record<Target, Latency>;
  return {
    connections: PROFILE.connections,
    seconds: PROFILE.seconds,
    rounds: PROFILE.rounds,
    pipelining: 1,
    fastifyRps: latency.fastify.rps,
    nestRps: latency.nest.rps,
    latchRps: latency.latch.rps,
    latchPostgresRps: latency.latchPostgres.rps,
    betterAuthRps: latency.betterAuth.rps,
    latchOverFastify: ratio('latch', 'fastify'),
    nestOverFastify: ratio('nest', 'fastify'),
    latchOverNest: ratio('latch', 'nest'),
    latchOverBetterAuth: ratio('latch', 'betterAuth'),
    latchPostgresOverFastify: ratio('latchPostgres', 'fastify'),
    latchPostgresOverBetterAuth: ratio('latchPostgres', 'betterAuth'),
    latency,
    perRound: rounds,
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
  log('listing sessions');
  const sqlite = await listOf(latchSqlite.url, bench.seededSqlite.lister.token);
  const postgres = await listOf(latchPg.url, bench.seededPg.lister.token);
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

/** 2 and 3. A fresh instance on SQLite: memory as devices connect, then revocations. */
async function oneInstance(bench: Bench): Promise<{ memory: Results['memory']; revocation: RevocationSpread; open: number }> {
  const single = await bench.start('dist/server/main.js', { ...LATCH_ENV, LATCH_DATA_DIR: bench.work }, '/healthz');
  const devices = new Devices();
  const rss0 = await settledRss(single.pid);
  const firstStep = Math.min(1_000, DEVICES);
  log(`connecting ${DEVICES} devices to one instance (SQLite)`);
  const connected1k = await devices.ask({ kind: 'connect', eventsUrl: eventsUrl(single.url), devices: bench.seededSqlite.devices.slice(0, firstStep) }, 'connected');
  await quiet([single.pid]);
  const rss1k = await settledRss(single.pid);
  const connectedAll = await devices.ask({ kind: 'connect', eventsUrl: eventsUrl(single.url), devices: bench.seededSqlite.devices.slice(firstStep) }, 'connected');
  await quiet([single.pid]);
  const rssAll = await settledRss(single.pid);
  log(`revoking ${PROFILE.revokes} of them at ${PROFILE.revokesPerSecond}/s`);
  const revoked = await revocation(devices, single.url, bench.seededSqlite);
  await devices.stop();
  await bench.stop(single);
  return {
    memory: {
      devices: [0, firstStep, connectedAll.open],
      rssBytes: [rss0, rss1k, rssAll],
      bytesPerConnection: Math.round((rssAll - rss0) / connectedAll.open),
      connectSeconds: round(connected1k.seconds + connectedAll.seconds, 1),
    },
    revocation: revoked,
    open: connectedAll.open,
  };
}

/** 2, across instances: devices on instance A, revokes sent to instance B, one PostgreSQL. */
async function crossInstance(bench: Bench): Promise<RevocationSpread> {
  const instanceA = await bench.start('dist/server/main.js', { ...LATCH_ENV, DATABASE_URL: bench.pgUrl }, '/healthz');
  const instanceB = await bench.start('dist/server/main.js', { ...LATCH_ENV, DATABASE_URL: bench.pgUrl }, '/healthz');
  const devices = new Devices();
  log(`connecting ${DEVICES} devices to instance A (PostgreSQL), revoking through instance B`);
  await devices.ask({ kind: 'connect', eventsUrl: eventsUrl(instanceA.url), devices: bench.seededPg.devices }, 'connected');
  await quiet([instanceA.pid, instanceB.pid]);
  const cross = await revocation(devices, instanceB.url, bench.seededPg);
  await devices.stop();
  await bench.stop(instanceA);
  await bench.stop(instanceB);
  return cross;
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
    t = performance.now();
    const seededPg = await seed({ kind: 'postgres', url: pgUrl }, plan);
    const bench: Bench = {
      work,
      pgUrl,
      seededSqlite,
      seededPg,
      seedSeconds: { sqlite: round(sqliteSeedSeconds, 1), postgres: round((performance.now() - t) / 1000, 1) },
      start: async (script, env, health) => {
        const proc = await startProcess(script, env, health);
        running.push(proc);
        return proc;
      },
      stop: async (proc) => {
        running.splice(running.indexOf(proc), 1);
        await proc.stop();
      },
    };

    const latchSqlite = await bench.start('dist/server/main.js', { ...LATCH_ENV, LATCH_DATA_DIR: work }, '/healthz');
    const latchPg = await bench.start('dist/server/main.js', { ...LATCH_ENV, DATABASE_URL: pgUrl }, '/healthz');
    const sessionCheck = await sessionChecks(bench, latchSqlite, latchPg);
    const store = await lists(bench, latchSqlite, latchPg);
    const rotation = await rotations(bench, latchSqlite, latchPg);
    const signIn = await signIns(latchSqlite);
    await bench.stop(latchSqlite);
    await bench.stop(latchPg);
    const single = await oneInstance(bench);
    const cross = await crossInstance(bench);

    report({
      profile: PROFILE.name,
      machine: { cores: cpus().length, cpu: cpus()[0]?.model, memoryBytes: totalmem(), node: process.version, platform: process.platform },
      date: new Date().toISOString(),
      seconds: round((performance.now() - started) / 1000, 1),
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
        crossInstanceP50Ms: cross.p50Ms,
        crossInstanceP95Ms: cross.p95Ms,
        crossInstanceP99Ms: cross.p99Ms,
        crossInstanceMaxMs: cross.maxMs,
        oneInstance: single.revocation,
        crossInstance: cross,
      },
    });
  } finally {
    for (const proc of running) await proc.stop();
    await postgres.close();
    rmSync(work, { recursive: true, force: true });
  }
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
  const lat = (name: Target) => `p50 ${s.latency[name].p50Ms} ms, p99 ${s.latency[name].p99Ms} ms`;
  const rows: Array<[string, string, string]> = [
    ['Session check, req/s (median of rounds)', '', ''],
    ['  bare Fastify GET /hello', `${s.fastifyRps}`, lat('fastify')],
    ['  Nest on Fastify, no-op guard, GET /hello', `${s.nestRps}`, lat('nest')],
    ['  Latch GET /v1/auth/session, SQLite', `${s.latchRps}`, lat('latch')],
    ['  Latch GET /v1/auth/session, PostgreSQL', `${s.latchPostgresRps}`, lat('latchPostgres')],
    ['  Better Auth GET /api/auth/get-session', `${s.betterAuthRps}`, lat('betterAuth')],
    ['  Latch / Fastify (SQLite; PostgreSQL)', `${s.latchOverFastify}x`, `${s.latchPostgresOverFastify}x; target ≥ 0.6x`],
    ['  Nest floor / Fastify; Latch (SQLite) / Nest floor', `${s.nestOverFastify}x`, `${s.latchOverNest}x`],
    ['  Latch / Better Auth (SQLite; PostgreSQL)', `${s.latchOverBetterAuth}x`, `${s.latchPostgresOverBetterAuth}x; target ≥ 1.5x`],
    [`Revocation, ${r.devices} devices, ${r.revokes} at ${r.perSecond}/s`, '', 'from the revoke response to session.revoked (0 = before it)'],
    ['  one instance, SQLite', `p50 ${r.p50Ms} ms`, `p95 ${r.p95Ms} ms, p99 ${r.p99Ms} ms, max ${r.maxMs} ms; target p99 ≤ 50 ms`],
    ['  two instances, PostgreSQL', `p50 ${r.crossInstanceP50Ms} ms`, `p95 ${r.crossInstanceP95Ms} ms, p99 ${r.crossInstanceP99Ms} ms, max ${r.crossInstanceMaxMs} ms; target p99 ≤ 100 ms`],
    ['  the same, from sending the revoke', '', ''],
    ['  one instance, SQLite', `p50 ${rs.fromRequest.p50Ms} ms`, `p95 ${rs.fromRequest.p95Ms} ms, p99 ${rs.fromRequest.p99Ms} ms, max ${rs.fromRequest.maxMs} ms`],
    ['  two instances, PostgreSQL', `p50 ${rc.fromRequest.p50Ms} ms`, `p95 ${rc.fromRequest.p95Ms} ms, p99 ${rc.fromRequest.p99Ms} ms, max ${rc.fromRequest.maxMs} ms`],
    ['Memory per connected device', `${(m.bytesPerConnection / 1024).toFixed(1)} KiB`, `RSS ${m.devices.map((d, i) => `${d}: ${mib(m.rssBytes[i]!)}`).join(', ')}; target ≤ 32 KiB`],
    [`GET /v1/sessions, 20 of ${st.rows} rows, SQLite`, `p50 ${st.listP50Ms} ms`, `p99 ${st.listP99Ms} ms; target ≤ 2 ms`],
    [`GET /v1/sessions, 20 of ${st.rows} rows, PostgreSQL`, `p50 ${st.postgresListP50Ms} ms`, `p99 ${st.postgresListP99Ms} ms; target ≤ 2 ms`],
    ['Sign-ins (argon2id m=19 MiB, t=2, p=1)', `${si.loginsPerSecond}/s`, 'one at a time'],
    [`Token rotation, ${ro.rotations} tokens, one at a time`, '', ''],
    ...rotationRows('sqlite', 'SQLite'),
    ...rotationRows('postgres', 'PostgreSQL'),
  ];
  const width = Math.max(...rows.map((row) => row[0].length));
  const machine = results.machine;
  console.log(`Latch benchmarks: ${results.profile} profile, ${machine.cores} cores, Node ${machine.node}, ${results.date}, ${results.seconds} s`);
  for (const [name, a, b] of rows) console.log(`${name.padEnd(width)}  ${a.padStart(14)}  ${b}`);
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/latest.json'), JSON.stringify(results, null, 2));
  console.log('Wrote bench/results/latest.json');
}

await main();
