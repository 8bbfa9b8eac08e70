// `npm run bench:ab -- <revision A> <revision B> [--rounds=N] [--blocks=N] [--seconds=S] [--store=sqlite|postgres]
// [--path=/v1/sessions --sessions=20]`: the session check (GET /v1/auth/session, or the route `--path` names, with
// the account signed in on `--sessions` devices) of two builds of this repository, side by side in one run. Each revision is
// checked out into a temporary worktree (sharing this checkout's node_modules) and compiled; both servers run
// at once, with `npm run bench`'s settings, each on a data folder (or database) of its own; rounds alternate
// A B B A … so a drift of the machine falls on both alike. Both servers are started afresh for each of
// `--blocks` blocks of rounds: how fast one Node process runs the same code varies from process to process
// (docs/performance.md, "A start-up lottery"), so one pair of processes would compare two draws, not two
// builds. The figure is the server's CPU per check (from /proc), B over A per pair of rounds, and per block.
// `--trace-gc`: both servers run with V8's `--trace-gc-nvp`, and each round also says what the server allocated
// and promoted per request and how long its collections paused it, read from those lines.
// Prints a table and writes bench/results/ab.json.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mailboxContents, codeIn } from '../kit/mailbox.js';
import { startProcess as startKitProcess, type Proc } from '../kit/process.js';
import { startPostgres } from '../kit/postgres.js';
import { generator, load, median, range, root, round, type LoadResult } from './lib.js';

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const [revA, revB] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
if (!revA || !revB) {
  process.stderr.write('usage: npm run bench:ab -- <revision A> <revision B> [--rounds=8] [--seconds=5] [--store=sqlite|postgres]\n');
  process.exit(2);
}
const ROUNDS = Number(arg('rounds') ?? 20);
const BLOCKS = Math.max(1, Math.min(ROUNDS, Number(arg('blocks') ?? 5)));
const SECONDS = Number(arg('seconds') ?? 5);
const STORE = arg('store') === 'postgres' ? 'postgres' : 'sqlite';
const CONNECTIONS = 50;
const PATH = arg('path') ?? '/v1/auth/session';
const SESSIONS = Math.max(1, Number(arg('sessions') ?? 1));
const TRACE_GC = process.argv.includes('--trace-gc');
const ENV = { LATCH_LOG_LEVEL: arg('log') ?? 'warn', LATCH_MAX_SOCKETS_PER_ADDRESS: '1000000' };
const log = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

interface Build {
  rev: string;
  commit: string;
  dir: string;
  proc?: Proc;
  token?: string;
  rounds: LoadResult[];
  /** The block each round was measured in (a block: one pair of server processes). */
  blocks: number[];
  /** With `--trace-gc`: the collections of the round being measured, then of each round. */
  gc: GcTally;
  gcRounds: GcRound[];
}

/** What V8's `--trace-gc-nvp` lines said over a stretch of time. */
interface GcTally {
  allocated: number;
  promoted: number;
  collections: number;
  pausesMs: number[];
}
const noGc = (): GcTally => ({ allocated: 0, promoted: 0, collections: 0, pausesMs: [] });

/** A round's collections per request answered. */
interface GcRound {
  allocatedBytesPerRequest: number;
  promotedBytesPerRequest: number;
  requestsPerCollection: number;
  pauseMsTotal: number;
  pauseMsMax: number;
}

/** Adds every `--trace-gc-nvp` line the server writes to its build's tally (a line can arrive in pieces). */
function tallyGc(build: Build): void {
  let rest = '';
  build.proc!.child.stdout!.on('data', (chunk: Buffer) => {
    const lines = (rest + chunk.toString()).split('\n');
    rest = lines.pop()!;
    for (const line of lines) {
      const field = (name: string) => Number(new RegExp(`\\b${name}=([\\d.]+)`).exec(line)?.[1] ?? NaN);
      const pause = field('pause');
      if (Number.isNaN(pause)) continue;
      build.gc.allocated += field('allocated') || 0;
      build.gc.promoted += field('promoted') || 0;
      build.gc.collections++;
      build.gc.pausesMs.push(pause);
    }
  });
}

const work = mkdtempSync(join(tmpdir(), 'latch-ab-'));

function checkout(rev: string, name: string): Build {
  const commit = execFileSync('git', ['rev-parse', '--verify', `${rev}^{commit}`], { cwd: root, encoding: 'utf8' }).trim();
  const dir = join(work, name);
  execFileSync('git', ['worktree', 'add', '--detach', dir, commit], { cwd: root, stdio: 'ignore' });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  log(`${name}: ${rev} (${commit.slice(0, 10)}) compiling…`);
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-b', 'tsconfig.json'], { cwd: dir, stdio: 'inherit' });
  return { rev, commit, dir, rounds: [], blocks: [], gc: noGc(), gcRounds: [] };
}

/** An account and its token on this build: sign-up answers 201, or 202 and the code from its local mailbox. */
async function signUp(build: Build, dataDir: string): Promise<string> {
  const url = build.proc!.url;
  const post = (path: string, body: unknown) => fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const device = { name: 'Bench', platform: 'linux', appVersion: '1' };
  const asked = await post('/v1/auth/register', { email: `ab-${build.commit.slice(0, 8)}@example.test`, password: 'correct horse battery staple', device });
  if (asked.status === 201) return ((await asked.json()) as { token: string }).token;
  if (asked.status !== 202) throw new Error(`${build.rev}: sign-up answered ${asked.status}`);
  const { codeSent } = (await asked.json()) as { codeSent: { id: string } };
  let mail;
  for (let i = 0; i < 200 && !mail; i++) {
    mail = (await mailboxContents(join(dataDir, 'mailbox')).catch(() => []))[0];
    if (!mail) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (!mail) throw new Error(`${build.rev}: no sign-up mail`);
  const made = await post('/v1/auth/register/verify', { id: codeSent.id, code: codeIn(mail) });
  if (made.status !== 201) throw new Error(`${build.rev}: verify answered ${made.status}`);
  return ((await made.json()) as { token: string }).token;
}

/** The same account signed in on `count` more devices (a list to read). */
async function moreDevices(build: Build, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const reply = await fetch(`${build.proc!.url}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `ab-${build.commit.slice(0, 8)}@example.test`, password: 'correct horse battery staple', device: { name: `Device ${i + 2}`, platform: 'linux', appVersion: '1' } }),
    });
    if (reply.status !== 200) throw new Error(`${build.rev}: sign-in ${i + 2} answered ${reply.status}`);
  }
}

async function main(): Promise<void> {
  const builds = [checkout(revA!, 'a'), checkout(revB!, 'b')];
  const postgres = STORE === 'postgres' ? await startPostgres() : undefined;
  try {
    const once = (build: Build, seconds: number) => load(`${build.proc!.url}${PATH}`, { authorization: `Bearer ${build.token}` }, seconds, CONNECTIONS, build.proc!.pid);
    let r = 0;
    for (let block = 0; block < BLOCKS; block++) {
      for (const build of builds) {
        const dataDir = mkdtempSync(join(work, 'data-'));
        const store: Record<string, string> = postgres ? { DATABASE_URL: await postgres.newDatabase() } : {};
        build.proc = await startKitProcess(join(build.dir, 'dist/server/main.js'), { ...ENV, LATCH_DATA_DIR: dataDir, ...store }, { health: '/healthz' }, { nodeArgs: TRACE_GC ? ['--trace-gc-nvp'] : [] });
        if (TRACE_GC) tallyGc(build);
        build.token = await signUp(build, dataDir);
        await moreDevices(build, SESSIONS - 1);
      }
      for (const build of builds) await once(build, 2); // warm-up
      const rounds = Math.round((ROUNDS * (block + 1)) / BLOCKS) - Math.round((ROUNDS * block) / BLOCKS);
      for (let i = 0; i < rounds; i++, r++) {
        const order = r % 2 === 0 ? builds : [...builds].reverse();
        for (const build of order) {
          build.gc = noGc();
          const result = await once(build, SECONDS);
          build.rounds.push(result);
          build.blocks.push(block);
          const gc = build.gc;
          build.gcRounds.push({
            allocatedBytesPerRequest: Math.round(gc.allocated / result.requests),
            promotedBytesPerRequest: round(gc.promoted / result.requests, 1),
            requestsPerCollection: Math.round(result.requests / Math.max(1, gc.collections)),
            pauseMsTotal: round(gc.pausesMs.reduce((sum, x) => sum + x, 0), 1),
            pauseMsMax: Math.max(0, ...gc.pausesMs),
          });
        }
        log(`block ${block + 1}, round ${r + 1} of ${ROUNDS}: ${builds.map((b, i) => `${'AB'[i]} ${b.rounds.at(-1)!.serverCpuUsPerRequest} µs/check, ${b.rounds.at(-1)!.rps} req/s, p99 ${b.rounds.at(-1)!.p99Us} µs`).join('; ')}`);
      }
      for (const build of builds) await build.proc?.stop();
    }
  } finally {
    for (const build of builds) await build.proc?.stop();
    await postgres?.close();
    for (const build of builds) execFileSync('git', ['worktree', 'remove', '--force', build.dir], { cwd: root, stdio: 'ignore' });
    rmSync(work, { recursive: true, force: true });
  }
  const [a, b] = builds as [Build, Build];
  const summary = (build: Build) => {
    const p99s = build.rounds.map((x) => x.p99Us);
    return {
      rev: build.rev,
      commit: build.commit,
      cpuUsPerCheck: range(build.rounds.map((x) => x.serverCpuUsPerRequest)),
      rps: range(build.rounds.map((x) => x.rps)),
      p99Us: { ...range(p99s), perRound: p99s },
    };
  };
  const ratios = a.rounds.map((x, i) => round(b.rounds[i]!.serverCpuUsPerRequest / x.serverCpuUsPerRequest));
  const byBlock = Array.from({ length: BLOCKS }, (_, block) => median(ratios.filter((_, i) => a.blocks[i] === block)));
  const result = {
    date: new Date().toISOString(),
    store: STORE,
    generator,
    rounds: ROUNDS,
    blocks: BLOCKS,
    seconds: SECONDS,
    connections: CONNECTIONS,
    logLevel: ENV.LATCH_LOG_LEVEL,
    path: PATH,
    sessions: SESSIONS,
    a: summary(a),
    b: summary(b),
    cpuPerCheckBOverA: { ...range(ratios), perRound: ratios, perBlock: byBlock },
  };
  const gcOf = (build: Build) =>
    TRACE_GC
      ? {
          allocatedBytesPerRequest: range(build.gcRounds.map((x) => x.allocatedBytesPerRequest)),
          promotedBytesPerRequest: range(build.gcRounds.map((x) => x.promotedBytesPerRequest)),
          requestsPerCollection: range(build.gcRounds.map((x) => x.requestsPerCollection)),
          pauseMsMax: range(build.gcRounds.map((x) => x.pauseMsMax)),
          perRound: build.gcRounds,
        }
      : undefined;
  const gc = { a: gcOf(a), b: gcOf(b) };
  const row = (name: string, x: typeof result.a) =>
    `| ${name} ${x.rev} (${x.commit.slice(0, 10)}) | ${x.cpuUsPerCheck.median} (${x.cpuUsPerCheck.min}–${x.cpuUsPerCheck.max}) | ${x.rps.median} | ${x.p99Us.median} (${x.p99Us.min}–${x.p99Us.max}) |`;
  console.log(`\nGET ${PATH} (${SESSIONS} ${SESSIONS === 1 ? 'session' : 'sessions'} on the account) on ${STORE}, ${ROUNDS} interleaved rounds of ${SECONDS} s in ${BLOCKS} blocks (fresh processes each), ${CONNECTIONS} connections (${generator}), LATCH_LOG_LEVEL=${ENV.LATCH_LOG_LEVEL}\n`);
  console.log('| build | server CPU µs per request, median (range) | req/s, median | p99 µs, median (range) |\n|---|---|---|---|');
  console.log(row('A', result.a));
  console.log(row('B', result.b));
  console.log(`\nCPU per check, B / A: median ${median(ratios)} (${Math.min(...ratios)}–${Math.max(...ratios)}) over ${ROUNDS} pairs of rounds`);
  console.log(`per block (a pair of processes each): ${byBlock.map((x) => round(x)).join(', ')}; median of the blocks ${round(median(byBlock))}`);
  if (gc.a && gc.b) {
    console.log('\n| build | allocated per request, bytes | promoted per request, bytes | requests per collection | longest pause in a round, ms |\n|---|---|---|---|---|');
    const r = (x: { median: number; min: number; max: number }) => `${x.median} (${x.min}–${x.max})`;
    for (const [name, x] of [['A', gc.a], ['B', gc.b]] as const) {
      console.log(`| ${name} | ${r(x.allocatedBytesPerRequest)} | ${r(x.promotedBytesPerRequest)} | ${r(x.requestsPerCollection)} | ${r(x.pauseMsMax)} |`);
    }
  }
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/ab.json'), `${JSON.stringify({ ...result, ...(TRACE_GC ? { gc } : {}) }, null, 2)}\n`);
  console.log('Wrote bench/results/ab.json');
}

await main();
if (existsSync(work)) rmSync(work, { recursive: true, force: true });
