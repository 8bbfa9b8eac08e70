// A sign-in with its security mail, with the SMTP server up and with it down, measured side by side in one run
// (docs/architecture.md, "Mail": no request waits for SMTP). The server is a process of its own, on SQLite, sending
// through a real SMTP server on loopback that this script stops and starts between rounds. Prints a table and
// writes bench/results/mail.json. `npm run bench:mail`; `npm run bench` runs it too, after the rest.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Http, PASSWORD, device, register, uniqueEmail } from '../kit/http.js';
import { SmtpInbox } from '../kit/smtp.js';
import { median, quantile, root, round, startProcess } from './lib.js';

const ROUNDS = process.argv.includes('--full') ? 6 : 3;
// A round outlasts the 20 s a security mail waits for its burst, so mail is sent (or fails) while sign-ins are timed.
const SIGN_INS = process.argv.includes('--full') ? 1_200 : 700;
const WARMUP = 50;

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
const smtp = await new SmtpInbox().start();
const server = await startProcess(
  'dist/server/main.js',
  { LATCH_DATA_DIR: dataDir, LATCH_LOG_LEVEL: 'error', LATCH_SMTP_URL: smtp.url },
  '/healthz',
);
// The sign-up's code is read from what the SMTP server received, as its owner would read it.
smtp.serves(server.url);
try {
  const http = new Http(server.url);
  const owner = await register(http, uniqueEmail('bench'), 'Bench laptop');
  // Made with its mailed code, the address is confirmed: every sign-in queues a security mail.
  if (!owner.user.emailVerified) throw new Error('the account should have its address confirmed');
  await timeSignIns(http, owner.email, WARMUP);

  const up: number[] = [];
  const down: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Alternating, so drift on a shared machine falls on both sides alike.
    up.push(median(await timeSignIns(http, owner.email, SIGN_INS)));
    await smtp.stop();
    down.push(median(await timeSignIns(http, owner.email, SIGN_INS)));
    await smtp.start();
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
    mailsReceived: smtp.received.length,
  };
  console.log('| sign-in p50 | SMTP up | SMTP down | down / up |');
  console.log('|---|---|---|---|');
  console.log(`| median of ${ROUNDS} rounds × ${SIGN_INS} | ${results.signInP50Ms.smtpUp} ms | ${results.signInP50Ms.smtpDown} ms | ${results.ratioDownToUp}x |`);
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/mail.json'), `${JSON.stringify(results, null, 2)}\n`);
} finally {
  await server.stop();
  await smtp.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
