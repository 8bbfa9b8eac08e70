// A passkey sign-in's cost on the server against a password sign-in's (argon2 at the shipped parameters),
// measured side by side in one run: interleaved rounds, each a batch of password sign-ins and a batch of passkey
// sign-ins (options, then the assertion), in alternating order so a shared machine's drift falls on both. The
// server is a process of its own on SQLite at the default configuration; its CPU (with its password-hashing
// process's) is read from /proc around each batch, and each request's round trip is timed on its own (the
// software authenticator's signing, in this process, between the two requests, is in neither). A passkey sign-in's
// round trip is given for its two requests together and for the assertion alone. Prints a table and writes
// bench/results/passkeys.json. `npm run bench:passkeys`; `npm run bench` runs it too, after the rest.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { AuthResult, PasskeyOptions } from '../shared/api.js';
import { Http, PASSWORD, device, register, uniqueEmail } from '../kit/http.js';
import { SoftPasskey, type PasskeyOptionsJson } from '../kit/webauthn.js';
import { childrenCpuMs, cpuMs, median, range, root, round, startProcess, type Range } from './lib.js';

const full = process.argv.includes('--full');
const ROUNDS = full ? 16 : 8;
const PER_BATCH = full ? 60 : 30;
const WARMUP = 10;
const benchStarted = performance.now();

const server = await startProcess('dist/server/main.js', { LATCH_LOG_LEVEL: 'error' }, '/healthz');
const port = new URL(server.url).port;
// The server's passkeys by default: RP ID localhost, its page at http://localhost:PORT.
const passkey = new SoftPasskey(`http://localhost:${port}`);

/** One sign-in's round trips, ms: the password's one request; the passkey's options and its assertion. */
type Trips = number[];
interface Batch {
  /** Server CPU per sign-in, ms. */
  cpuMs: number;
  trips: Trips[];
}
/** One round's figures: p50 of its batch, ms, and passkey / password. */
interface Round {
  passwordFirst: boolean;
  cpuMs: { password: number; passkey: number };
  roundTripP50Ms: { password: number; passkey: number; passkeyAssertion: number };
  ratio: { cpu: number; roundTrip: number; assertion: number };
}

try {
  const http = new Http(server.url);
  const owner = await register(http, uniqueEmail('bench-passkey'), 'Bench laptop');
  const reauth = await http.post('/v1/auth/reauth', { password: PASSWORD }, owner.token);
  if (reauth.status !== 200) throw new Error(`reauth: ${reauth.status} ${reauth.text}`);
  const made = PasskeyOptions.parse((await http.post('/v1/account/passkeys/options', undefined, owner.token)).body);
  const added = await http.post('/v1/account/passkeys', { id: made.id, name: 'Bench key', response: passkey.create(made.options as unknown as PasskeyOptionsJson) }, owner.token);
  if (added.status !== 200) throw new Error(`adding the passkey: ${added.status} ${added.text}`);

  /** Signed out again at once, so the account stays under its 50 sessions (not timed, but in the CPU: alike on both sides). */
  const signOut = async (body: unknown) => {
    const { token } = AuthResult.parse(body);
    await http.post('/v1/auth/logout', undefined, token);
  };
  // A right password gives its attempt back, and a verified assertion its options' (server/auth/rate-limits.ts):
  // one sign-in at a time from loopback never reaches the address's budget.
  const withPassword = async (): Promise<Trips> => {
    const started = performance.now();
    const reply = await http.post('/v1/auth/login', { email: owner.email, password: PASSWORD, device: device('Bench phone') });
    const took = performance.now() - started;
    if (reply.status !== 200) throw new Error(`password sign-in: ${reply.status} ${reply.text}`);
    await signOut(reply.body);
    return [took];
  };
  const withPasskey = async (): Promise<Trips> => {
    let started = performance.now();
    const asked = await http.post('/v1/auth/passkey/options');
    const options = performance.now() - started;
    if (asked.status !== 200) throw new Error(`passkey options: ${asked.status} ${asked.text}`);
    const parsed = PasskeyOptions.parse(asked.body);
    const response = passkey.get(parsed.options as unknown as PasskeyOptionsJson);
    started = performance.now();
    const reply = await http.post('/v1/auth/passkey', { id: parsed.id, response, device: device('Bench phone') });
    const assertion = performance.now() - started;
    if (reply.status !== 200) throw new Error(`passkey sign-in: ${reply.status} ${reply.text}`);
    await signOut(reply.body);
    return [options, assertion];
  };
  // The server's CPU and its password-hashing process's (argon2 runs there, off the event loop).
  const serverCpu = () => cpuMs(server.pid) + childrenCpuMs(server.pid);
  const batch = async (one: () => Promise<Trips>): Promise<Batch> => {
    const before = serverCpu();
    const trips: Trips[] = [];
    for (let i = 0; i < PER_BATCH; i++) trips.push(await one());
    return { cpuMs: (serverCpu() - before) / PER_BATCH, trips };
  };
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

  for (let i = 0; i < WARMUP; i++) await Promise.all([withPassword(), withPasskey()]);
  const rounds: Round[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const passwordFirst = r % 2 === 0;
    let password: Batch;
    let passkeys: Batch;
    if (passwordFirst) {
      password = await batch(withPassword);
      passkeys = await batch(withPasskey);
    } else {
      passkeys = await batch(withPasskey);
      password = await batch(withPassword);
    }
    const p50 = {
      password: median(password.trips.map(sum)),
      passkey: median(passkeys.trips.map(sum)),
      passkeyAssertion: median(passkeys.trips.map((t) => t[1]!)),
    };
    rounds.push({
      passwordFirst,
      cpuMs: { password: round(password.cpuMs, 2), passkey: round(passkeys.cpuMs, 2) },
      roundTripP50Ms: { password: round(p50.password, 2), passkey: round(p50.passkey, 2), passkeyAssertion: round(p50.passkeyAssertion, 2) },
      ratio: { cpu: round(passkeys.cpuMs / password.cpuMs, 3), roundTrip: round(p50.passkey / p50.password, 3), assertion: round(p50.passkeyAssertion / p50.password, 3) },
    });
  }
  const over = (pick: (x: Round) => number): Range => range(rounds.map(pick));
  const results = {
    profile: full ? 'full' : 'quick',
    machine: { cores: cpus().length, cpu: cpus()[0]?.model, memoryBytes: totalmem(), node: process.version, platform: process.platform },
    date: new Date().toISOString(),
    seconds: round((performance.now() - benchStarted) / 1000, 1),
    store: 'sqlite',
    rounds: ROUNDS,
    signInsPerBatch: PER_BATCH,
    // Medians over the rounds of each round's figure.
    serverCpuMsPerSignIn: { password: median(rounds.map((x) => x.cpuMs.password)), passkey: median(rounds.map((x) => x.cpuMs.passkey)) },
    roundTripP50Ms: {
      password: median(rounds.map((x) => x.roundTripP50Ms.password)),
      passkey: median(rounds.map((x) => x.roundTripP50Ms.passkey)),
      passkeyAssertion: median(rounds.map((x) => x.roundTripP50Ms.passkeyAssertion)),
    },
    // Passkey / password, per round; the median and range of those ratios.
    cpuRatioPasskeyToPassword: over((x) => x.ratio.cpu),
    roundTripRatioPasskeyToPassword: over((x) => x.ratio.roundTrip),
    assertionRatioPasskeyToPassword: over((x) => x.ratio.assertion),
    perRound: rounds,
  };
  const times = (x: Range) => `${x.median}x (${x.min}–${x.max})`;
  console.log('| sign-in, server on SQLite | password (argon2) | passkey (options + assertion) | passkey / password, median of rounds (range) |');
  console.log('|---|---|---|---|');
  console.log(`| server CPU per sign-in | ${results.serverCpuMsPerSignIn.password} ms | ${results.serverCpuMsPerSignIn.passkey} ms | ${times(results.cpuRatioPasskeyToPassword)} |`);
  console.log(`| round trip p50 | ${results.roundTripP50Ms.password} ms | ${results.roundTripP50Ms.passkey} ms | ${times(results.roundTripRatioPasskeyToPassword)} |`);
  console.log(`| round trip p50, the assertion alone | ${results.roundTripP50Ms.password} ms | ${results.roundTripP50Ms.passkeyAssertion} ms | ${times(results.assertionRatioPasskeyToPassword)} |`);
  console.log('');
  console.log('| round (first) | password: CPU; p50 | passkey: CPU; p50 (the assertion alone) | passkey / password: CPU; p50 (the assertion alone) |');
  console.log('|---|---|---|---|');
  rounds.forEach((x, i) => {
    console.log(
      `| ${i + 1} (${x.passwordFirst ? 'password' : 'passkey'}) | ${x.cpuMs.password} ms; ${x.roundTripP50Ms.password} ms | ${x.cpuMs.passkey} ms; ${x.roundTripP50Ms.passkey} ms (${x.roundTripP50Ms.passkeyAssertion} ms) | ${x.ratio.cpu}x; ${x.ratio.roundTrip}x (${x.ratio.assertion}x) |`,
    );
  });
  console.log(`${ROUNDS} interleaved rounds × ${PER_BATCH} sign-ins each way, ${results.machine.cores} cores, Node ${results.machine.node}, ${results.seconds} s.`);
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/passkeys.json'), `${JSON.stringify(results, null, 2)}\n`);
} finally {
  await server.stop();
}
