// A sign-in with its security mail, with the SMTP server up and with it down, measured side by side in one run
// (docs/architecture.md, "Mail": no request waits for SMTP). The server is a process of its own, on SQLite, sending
// through a real SMTP server on loopback that this script stops and starts between rounds. Prints a table and
// writes bench/results/mail.json. `npm run bench:mail`; `npm run bench` runs it too.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { Http, PASSWORD, device, register, uniqueEmail } from '../kit/http.js';
import { median, quantile, root, round, startProcess } from './lib.js';

const ROUNDS = process.argv.includes('--full') ? 10 : 4;
const SIGN_INS = process.argv.includes('--full') ? 200 : 60;
const WARMUP = 50;

/** An SMTP server that takes every message and counts it; `down` refuses connections (closed port). */
class Smtp {
  received = 0;
  private server: SMTPServer | undefined;
  constructor(readonly port: number) {}
  async up(): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream, _session, done) => {
        stream.resume();
        stream.on('end', () => {
          this.received++;
          done();
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }
  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function timeSignIns(http: Http, email: string, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const reply = await http.post('/v1/auth/login', { email, password: PASSWORD, device: device(`Bench ${i}`) });
    times.push(performance.now() - started);
    if (reply.status !== 200) throw new Error(`sign-in: ${reply.status} ${reply.text}`);
    // Signed out again, so the account stays under its 50 sessions.
    await http.post('/v1/auth/logout', undefined, reply.body.token as string);
  }
  return times;
}

const dataDir = mkdtempSync(join(tmpdir(), 'latch-bench-mail-'));
const smtp = new Smtp(await freePort());
await smtp.up();
const server = await startProcess(
  'dist/server/main.js',
  { PORT: '0', LATCH_DATA_DIR: dataDir, LATCH_LOG_LEVEL: 'error', LATCH_SMTP_URL: `smtp://127.0.0.1:${smtp.port}` },
  '/healthz',
);
try {
  const http = new Http(server.url);
  const owner = await register(http, uniqueEmail('bench'), 'Bench laptop');
  // The address confirmed (straight in the store: the code went to the SMTP server, which only counts), so
  // every sign-in queues a security mail.
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(join(dataDir, 'latch.sqlite'));
  db.prepare('update users set email_verified_at = ? where email = ?').run(Date.now(), owner.email);
  db.close();
  await timeSignIns(http, owner.email, WARMUP);

  const up: number[] = [];
  const down: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Alternating, so drift on a shared machine falls on both sides alike.
    up.push(median(await timeSignIns(http, owner.email, SIGN_INS)));
    await smtp.down();
    down.push(median(await timeSignIns(http, owner.email, SIGN_INS)));
    await smtp.up();
  }
  const ratio = median(down) / median(up);
  const results = {
    date: new Date().toISOString(),
    rounds: ROUNDS,
    signInsPerRound: SIGN_INS,
    signInP50Ms: { smtpUp: round(median(up), 2), smtpDown: round(median(down), 2) },
    perRoundP50Ms: { smtpUp: up.map((x) => round(x, 2)), smtpDown: down.map((x) => round(x, 2)) },
    ratioDownToUp: round(ratio, 3),
    p90OfRoundsRatio: round(quantile(down, 0.9) / quantile(up, 0.9), 3),
    mailsReceivedWhileUp: smtp.received,
  };
  console.log('| sign-in p50 | SMTP up | SMTP down | down / up |');
  console.log('|---|---|---|---|');
  console.log(`| median of ${ROUNDS} rounds × ${SIGN_INS} | ${results.signInP50Ms.smtpUp} ms | ${results.signInP50Ms.smtpDown} ms | ${results.ratioDownToUp}x |`);
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/mail.json'), `${JSON.stringify(results, null, 2)}\n`);
} finally {
  await server.stop();
  await smtp.down();
  rmSync(dataDir, { recursive: true, force: true });
}
