// Benchmarks, measured side by side in one run on this machine, reported as
// figures and ratios. Never part of the test suite. `npm run bench` (quick) or
// `npm run bench:full`. Prints a table and writes bench/results/latest.json.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { DEFAULT_PASSWORD_POLICY } from '../server/config/config.js';
import { openDatabase } from '../server/storage/database.js';
import { freePort } from '../test/support/postgres.js';
import { Http, register } from '../test/support/http.js';

const full = process.argv.includes('--full');
const PROFILE = full
  ? { name: 'full', seconds: 15, connections: 50, rows: 1_000_000, listSamples: 2_000, signInSeconds: 10 }
  : { name: 'quick', seconds: 5, connections: 50, rows: 100_000, listSamples: 500, signInSeconds: 4 };
const root = fileURLToPath(new URL('../..', import.meta.url));

interface Proc {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts a server process on a free port and waits until it answers. */
async function startProcess(script: string, env: Record<string, string>, health: string): Promise<Proc> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(root, script)], { env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), ...env }, stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(url + health)).ok) break;
    } catch {
      if (i > 200) throw new Error(`${script} did not start`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return { url, child, stop: async () => void (child.kill('SIGTERM'), await exited) };
}

async function load(url: string, headers: Record<string, string> = {}) {
  const result = await autocannon({ url, connections: PROFILE.connections, pipelining: 1, duration: PROFILE.seconds, headers });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx and ${result.errors} errors`);
  return { rps: Math.round(result.requests.average), p50Ms: result.latency.p50, p99Ms: result.latency.p99 };
}

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))]!;

/** Fills the store with `rows` ended sessions over many users, plus one user with 20 active ones. */
async function seed(file: string, rows: number): Promise<void> {
  const opened = await openDatabase({ kind: 'sqlite', file });
  const now = Date.now();
  const users = Math.ceil(rows / 50);
  const batch = 500;
  for (let start = 0; start < users; start += batch) {
    const ids = Array.from({ length: Math.min(batch, users - start) }, (_, i) => `bench-user-${start + i}`);
    await opened.db.insertInto('users').values(ids.map((id) => ({ id, email: `${id}@bench.test`, password_hash: 'x', created_at: now }))).execute();
  }
  for (let start = 0; start < rows; start += batch) {
    await opened.db
      .insertInto('sessions')
      .values(
        Array.from({ length: Math.min(batch, rows - start) }, (_, i) => {
          const n = start + i;
          return {
            id: randomBytes(16).toString('base64url'),
            user_id: `bench-user-${n % users}`,
            token_hash: createHash('sha256').update(`bench-${n}`).digest('hex'),
            device_name: `Device ${n}`,
            platform: 'linux',
            app_version: '1',
            ip: '127.0.0.1',
            user_agent: 'bench',
            created_at: now - 1000,
            last_seen_at: now - 1000,
            idle_expires_at: now + 86_400_000,
            expires_at: now + 86_400_000,
            revoked_at: n % 10 === 0 ? null : now - 500,
            revoke_reason: n % 10 === 0 ? null : 'revoked_by_user',
            revoked_by: null,
          };
        }),
      )
      .execute();
  }
  await opened.close();
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'latch-bench-'));
  const results: Record<string, unknown> = {
    profile: PROFILE.name,
    machine: { cores: cpus().length, cpu: cpus()[0]?.model, node: process.version },
    date: new Date().toISOString(),
  };
  try {
    // 1. Session check throughput, side by side.
    const fastify = await startProcess('dist/bench/peers/fastify-hello.js', {}, '/hello');
    const fastifyResult = await load(`${fastify.url}/hello`);
    await fastify.stop();

    const file = join(work, 'latch.sqlite');
    const seeded = Date.now();
    await seed(file, PROFILE.rows);
    const seedSeconds = (Date.now() - seeded) / 1000;
    const latch = await startProcess('dist/server/main.js', { LATCH_DATA_DIR: work, LATCH_LOG_LEVEL: 'warn' }, '/healthz');
    const http = new Http(latch.url);
    const account = await register(http, undefined, 'Bench device');
    const latchResult = await load(`${latch.url}/v1/auth/session`, { authorization: `Bearer ${account.token}` });

    // 4. Listing 20 sessions among many rows.
    const user = await register(http, undefined, 'Lister');
    for (let i = 1; i < 20; i++) await http.post('/v1/auth/login', { email: user.email, password: 'correct horse battery staple', device: { name: `D${i}`, platform: 'linux', appVersion: '1' } });
    const listTimes: number[] = [];
    for (let i = 0; i < PROFILE.listSamples; i++) {
      const started = performance.now();
      const reply = await http.get('/v1/sessions', user.token);
      listTimes.push(performance.now() - started);
      if (reply.body.sessions.length !== 20) throw new Error(`expected 20 sessions, got ${reply.body.sessions.length}`);
    }

    // 5. Sign-in cost with the argon2id parameters in use.
    let logins = 0;
    const deadline = performance.now() + PROFILE.signInSeconds * 1000;
    while (performance.now() < deadline) {
      const reply = await http.post('/v1/auth/login', { email: account.email, password: 'correct horse battery staple', device: { name: 'x', platform: 'linux', appVersion: '1' } });
      if (reply.status !== 200) throw new Error(`login ${reply.status}`);
      logins++;
    }
    await latch.stop();

    results.sessionCheck = {
      connections: PROFILE.connections,
      seconds: PROFILE.seconds,
      fastifyRps: fastifyResult.rps,
      fastifyP50Ms: fastifyResult.p50Ms,
      fastifyP99Ms: fastifyResult.p99Ms,
      latchRps: latchResult.rps,
      latchP50Ms: latchResult.p50Ms,
      latchP99Ms: latchResult.p99Ms,
      latchOverFastify: Number((latchResult.rps / fastifyResult.rps).toFixed(3)),
    };
    results.store = { rows: PROFILE.rows, seedSeconds, listP50Ms: Number(quantile(listTimes, 0.5).toFixed(3)), listP99Ms: Number(quantile(listTimes, 0.99).toFixed(3)) };
    results.signIn = { loginsPerSecond: Number((logins / PROFILE.signInSeconds).toFixed(1)), argon2id: DEFAULT_PASSWORD_POLICY, sequential: true };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  const s = results.sessionCheck as Record<string, number>;
  const st = results.store as Record<string, number>;
  const si = results.signIn as { loginsPerSecond: number };
  const rows = [
    ['bare Fastify GET /hello', `${s.fastifyRps} req/s`, `p50 ${s.fastifyP50Ms} ms, p99 ${s.fastifyP99Ms} ms`],
    ['Latch GET /v1/auth/session (SQLite)', `${s.latchRps} req/s`, `p50 ${s.latchP50Ms} ms, p99 ${s.latchP99Ms} ms`],
    ['Latch / Fastify', `${s.latchOverFastify}x`, 'target ≥ 0.6x'],
    [`GET /v1/sessions, 20 of ${st.rows} rows`, `p50 ${st.listP50Ms} ms`, `p99 ${st.listP99Ms} ms (target ≤ 2 ms)`],
    ['sign-ins (argon2id m=19 MiB t=2 p=1)', `${si.loginsPerSecond}/s`, 'sequential'],
  ];
  const width = Math.max(...rows.map((r) => r[0]!.length));
  console.log(`Latch benchmarks (${PROFILE.name}, ${cpus().length} cores, Node ${process.version})`);
  for (const [name, a, b] of rows) console.log(`${name!.padEnd(width)}  ${a!.padStart(14)}  ${b}`);
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/latest.json'), JSON.stringify(results, null, 2));
  console.log('Wrote bench/results/latest.json');
}

await main();
