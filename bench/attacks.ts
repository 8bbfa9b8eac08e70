// The attacks of docs/reliability.md ("Under attack"), run against a server
// process on loopback, so the figures before and after a change come from one
// tool: `npm run bench:attacks`, or `node dist/bench/attacks.js --server
// <another build's dist/server/main.js>` for an older build. Each request
// loop is bounded; nothing leaves this machine. Prints a table and writes
// bench/results/attacks.json.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import { root, startProcess } from './lib.js';
import { Http, register } from '../kit/http.js';

const { values: args } = parseArgs({ options: { server: { type: 'string', default: 'dist/server/main.js' } } });
const serverScript = args.server;

interface Finding {
  attack: string;
  figure: string;
}

const device = (name: string) => ({ name, platform: 'linux', appVersion: '1.0.0' });
const PASSWORD = 'correct horse battery staple';
let counter = 0;
const email = () => `attack-${process.pid}-${++counter}@example.test`;

async function post(url: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const response = await fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

const countBy = (statuses: number[]) => statuses.reduce<Record<number, number>>((c, s) => ({ ...c, [s]: (c[s] ?? 0) + 1 }), {});
const describeCounts = (counts: Record<number, number>) =>
  Object.entries(counts)
    .map(([status, n]) => `${n}× ${status}`)
    .join(', ');

function openSocket(url: string, token: string): Promise<WebSocket | undefined> {
  const socket = new WebSocket(`${url.replace('http', 'ws')}/v1/events`, { headers: { authorization: `Bearer ${token}` } });
  return new Promise((resolve) => {
    socket.once('open', () => resolve(socket));
    socket.once('unexpected-response', () => resolve(undefined));
    socket.once('error', () => resolve(undefined));
  });
}

/** Sends the headers of a POST that announces 16,000 bytes and never sends them; resolves with the ms until the server hangs up (capped). */
function stalledBody(port: number, capMs: number): Promise<number> {
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () =>
      socket.write(`POST /v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: 16000\r\n\r\n`),
    );
    const cap = setTimeout(() => {
      socket.destroy();
      resolve(capMs);
    }, capMs);
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(cap);
      resolve(Date.now() - started);
    });
  });
}

function withHost(port: number, path: string, host: string): Promise<number> {
  return new Promise((resolve) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.end();
  });
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'latch-attacks-'));
  // One trusted hop (older builds read "1" as "trust every hop"): X-Forwarded-For names the client, so one machine plays many addresses.
  const server = await startProcess(serverScript, { LATCH_DATA_DIR: dataDir, LATCH_LOG_LEVEL: 'info', LATCH_TRUST_PROXY: '1' }, '/healthz');
  const port = Number(new URL(server.url).port);
  const logs: string[] = [];
  server.child.stdout!.on('data', (chunk: Buffer) => logs.push(chunk.toString()));
  const findings: Finding[] = [];
  const from = (ip: string) => ({ 'x-forwarded-for': ip });
  try {
    const owner = email();
    const { token } = await register(new Http(server.url), owner, 'Owner laptop', from('192.0.2.1'));

    const raced = await Promise.all(Array.from({ length: 200 }, (_, i) => post(server.url, '/v1/auth/login', { email: owner, password: `wrong ${i}`, device: device('X') }, from('192.0.2.66'))));
    findings.push({ attack: '200 wrong passwords at once, one account, one address', figure: `${describeCounts(countBy(raced.map((r) => r.status)))} (401 = checked against argon2)` });

    const target = email();
    await register(new Http(server.url), target, 'Owner laptop', from('192.0.2.2'));
    const guesses = await Promise.all(
      Array.from({ length: 100 }, (_, i) => post(server.url, '/v1/auth/login', { email: target, password: i === 80 ? PASSWORD : `guess ${i}`, device: device('X') }, from('192.0.2.67'))),
    );
    findings.push({ attack: '100 guesses at once, the right one at position 80', figure: `position 80 answered ${guesses[80]!.status}${guesses[80]!.status === 200 ? ' with a token' : ''}` });

    const victim = email();
    await register(new Http(server.url), victim, 'Owner laptop', from('192.0.2.3'));
    for (let i = 0; i < 5; i++) await post(server.url, '/v1/auth/login', { email: victim, password: `wrong ${i}`, device: device('X') }, from('192.0.2.68'));
    const owner429 = await post(server.url, '/v1/auth/login', { email: victim, password: PASSWORD, device: device('X') }, from('192.0.2.4'));
    findings.push({ attack: 'owner lockout: 5 wrong passwords from one address, then the owner from another', figure: `the owner got ${owner429.status}` });

    // An unknown email and a wrong password, alternately, each pair from a fresh address (under the limits): the medians.
    const times: Record<'wrong' | 'unknown', number[]> = { wrong: [], unknown: [] };
    for (let i = 0; i < 16; i++) {
      for (const kind of i % 2 ? (['wrong', 'unknown'] as const) : (['unknown', 'wrong'] as const)) {
        const started = performance.now();
        await post(server.url, '/v1/auth/login', { email: kind === 'wrong' ? victim : email(), password: `not it ${i}`, device: device('X') }, from(`198.51.100.${i + 1}`));
        times[kind].push(performance.now() - started);
      }
    }
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
    findings.push({
      attack: 'an unknown email against a wrong password, 16 of each (timing)',
      figure: `median ${median(times.unknown).toFixed(1)} ms against ${median(times.wrong).toFixed(1)} ms (ratio ${(median(times.unknown) / median(times.wrong)).toFixed(2)})`,
    });

    const sockets = (await Promise.all(Array.from({ length: 300 }, () => openSocket(server.url, token)))).filter((s) => s !== undefined);
    findings.push({ attack: '300 WebSockets at once with one token', figure: `${sockets.length} opened` });
    for (const socket of sockets) socket.close();

    const stalled = await Promise.all([0, 1, 2].map(() => stalledBody(port, 30_000)));
    findings.push({ attack: '3 POSTs announcing 16,000 bytes and sending none', figure: stalled.every((ms) => ms >= 30_000) ? 'all still open after 30 s' : `closed after ${stalled.map((ms) => (ms / 1000).toFixed(1)).join(', ')} s` });

    const signUps: number[] = [];
    for (let i = 0; i < 30; i++) signUps.push((await post(server.url, '/v1/auth/register', { email: email(), password: PASSWORD, device: device('X') }, from('192.0.2.69'))).status);
    findings.push({ attack: '30 sign-ups from one address', figure: describeCounts(countBy(signUps)) });

    for (let i = 0; i < 20; i++) await post(server.url, '/v1/auth/login', { email: email(), password: 'guess', device: device('X') }, from('192.0.2.70'));
    const probe = await post(server.url, '/v1/auth/register', { email: owner, password: PASSWORD, device: device('X') }, from('192.0.2.70'));
    findings.push({ attack: 'an address blocked from guessing probes a known email at sign-up', figure: `answered ${probe.status} ${probe.json?.error?.code ?? ''}` });

    const spoofed = await register(new Http(server.url), email(), 'X', { 'x-forwarded-for': '6.6.6.6, 192.0.2.10' });
    const garbage = await register(new Http(server.url), email(), 'X', { 'x-forwarded-for': 'not-an-ip<script>' }).catch((error: Error) => error.message);
    findings.push({ attack: 'X-Forwarded-For "6.6.6.6, 192.0.2.10" behind one proxy; then "not-an-ip<script>"', figure: `stored ${spoofed.session.ip}; then ${typeof garbage === 'string' ? garbage : garbage.session.ip}` });

    const revokes = [];
    for (let i = 0; i < 50; i++) {
      revokes.push((await fetch(`${server.url}/v1/sessions/revoke-others`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).status);
    }
    const events = (await (await fetch(`${server.url}/v1/security-events`, { headers: { authorization: `Bearer ${token}` } })).json()) as { events: Array<{ type: string }> };
    findings.push({ attack: '50 revoke-others with a stolen token, nothing to revoke', figure: `the own sign-in ${events.events.some((e) => e.type === 'signed_in') ? 'still listed' : 'pushed out of the list'} (${events.events.length} events shown)` });

    findings.push({ attack: 'a page on attacker.example resolving to 127.0.0.1 (Host header)', figure: `answered ${await withHost(port, '/healthz', `attacker.example:${port}`)}` });

    const headers = (await fetch(`${server.url}/v1/auth/session`, { headers: { authorization: `Bearer ${token}` } })).headers;
    findings.push({ attack: 'caching and sniffing headers on a token answer', figure: `cache-control: ${headers.get('cache-control') ?? 'none'}; x-content-type-options: ${headers.get('x-content-type-options') ?? 'none'}` });

    await fetch(`${server.url}/v1/sessions?token=${token}`, { headers: { authorization: `Bearer ${token}` } });
    const named = await fetch(`${server.url}/v1/sessions/current`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ deviceName: 'Work\u202Epot.exe' }),
    });
    findings.push({ attack: "rename to 'Work\\u202Epot.exe' (right-to-left override)", figure: `answered ${named.status}` });
    await new Promise((resolve) => setTimeout(resolve, 200));
    findings.push({ attack: 'a token in a query string', figure: logs.join('').includes('lt_') ? 'written to the log' : 'not in the log' });
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }

  const width = Math.max(...findings.map((f) => f.attack.length));
  process.stdout.write(`Attacks on ${serverScript}\n`);
  for (const f of findings) process.stdout.write(`  ${f.attack.padEnd(width)}  ${f.figure}\n`);
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/attacks.json'), JSON.stringify({ server: serverScript, at: new Date().toISOString(), findings }, null, 2));
}

await main();
