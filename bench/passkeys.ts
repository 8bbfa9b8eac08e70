// A passkey sign-in's cost on the server against a password sign-in's (argon2 at the shipped parameters),
// measured side by side in one run: interleaved rounds, each a batch of password sign-ins and a batch of passkey
// sign-ins (options, then the assertion), in alternating order so a shared machine's drift falls on both. The
// server is a process of its own on SQLite at the default configuration; its CPU (with its password-hashing
// process's) is read from /proc around each batch, and each request's round trip is timed on its own (the software authenticator's signing, in this process,
// between the two requests, is in neither). Prints a table and writes bench/results/passkeys.json.
// `npm run bench:passkeys`; `npm run bench` runs it too, after the rest.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuthResult, PasskeyOptions } from '../shared/api.js';
import { Http, PASSWORD, device, register, uniqueEmail } from '../kit/http.js';
import { SoftPasskey, type PasskeyOptionsJson } from '../kit/webauthn.js';
import { childrenCpuMs, cpuMs, median, root, round, startProcess } from './lib.js';

const ROUNDS = process.argv.includes('--full') ? 16 : 8;
const PER_BATCH = process.argv.includes('--full') ? 60 : 30;
const WARMUP = 10;

const server = await startProcess('dist/server/main.js', { LATCH_LOG_LEVEL: 'error' }, '/healthz');
const port = new URL(server.url).port;
// The server's passkeys by default: RP ID localhost, its page at http://localhost:PORT.
const passkey = new SoftPasskey(`http://localhost:${port}`);

interface Batch {
  /** Server CPU per sign-in, ms. */
  cpuMs: number;
  /** Round trips per sign-in, ms: the password's one request; the passkey's two together. */
  trips: number[];
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
  const withPassword = async (): Promise<number> => {
    const started = performance.now();
    const reply = await http.post('/v1/auth/login', { email: owner.email, password: PASSWORD, device: device('Bench phone') });
    const took = performance.now() - started;
    if (reply.status !== 200) throw new Error(`password sign-in: ${reply.status} ${reply.text}`);
    await signOut(reply.body);
    return took;
  };
  const withPasskey = async (): Promise<number> => {
    let started = performance.now();
    const asked = await http.post('/v1/auth/passkey/options');
    let took = performance.now() - started;
    if (asked.status !== 200) throw new Error(`passkey options: ${asked.status} ${asked.text}`);
    const { id, options } = PasskeyOptions.parse(asked.body);
    const response = passkey.get(options as unknown as PasskeyOptionsJson);
    started = performance.now();
    const reply = await http.post('/v1/auth/passkey', { id, response, device: device('Bench phone') });
    took += performance.now() - started;
    if (reply.status !== 200) throw new Error(`passkey sign-in: ${reply.status} ${reply.text}`);
    await signOut(reply.body);
    return took;
  };
  // The server's CPU and its password-hashing process's (argon2 runs there, off the event loop).
  const serverCpu = () => cpuMs(server.pid) + childrenCpuMs(server.pid);
  const batch = async (one: () => Promise<number>): Promise<Batch> => {
    const before = serverCpu();
    const trips: number[] = [];
    for (let i = 0; i < PER_BATCH; i++) trips.push(await one());
    return { cpuMs: (serverCpu() - before) / PER_BATCH, trips };
  };

  for (let i = 0; i < WARMUP; i++) await Promise.all([withPassword(), withPasskey()]);
  const rounds: Array<{ password: Batch; passkey: Batch }> = [];
  for (let r = 0; r < ROUNDS; r++) {
    if (r % 2 === 0) {
      const password = await batch(withPassword);
      rounds.push({ password, passkey: await batch(withPasskey) });
    } else {
      const passkeyBatch = await batch(withPasskey);
      rounds.push({ password: await batch(withPassword), passkey: passkeyBatch });
    }
  }
  const cpuRatios = rounds.map((x) => x.passkey.cpuMs / x.password.cpuMs);
  const tripRatios = rounds.map((x) => median(x.passkey.trips) / median(x.password.trips));
  const results = {
    date: new Date().toISOString(),
    store: 'sqlite',
    rounds: ROUNDS,
    signInsPerBatch: PER_BATCH,
    serverCpuMsPerSignIn: { password: round(median(rounds.map((x) => x.password.cpuMs)), 2), passkey: round(median(rounds.map((x) => x.passkey.cpuMs)), 2) },
    roundTripP50Ms: { password: round(median(rounds.map((x) => median(x.password.trips))), 2), passkey: round(median(rounds.map((x) => median(x.passkey.trips))), 2) },
    cpuRatioPasskeyToPassword: { median: round(median(cpuRatios), 3), min: round(Math.min(...cpuRatios), 3), max: round(Math.max(...cpuRatios), 3) },
    roundTripRatioPasskeyToPassword: { median: round(median(tripRatios), 3), min: round(Math.min(...tripRatios), 3), max: round(Math.max(...tripRatios), 3) },
  };
  console.log('| sign-in, server on SQLite | password (argon2) | passkey (options + assertion) | passkey / password, median of rounds (range) |');
  console.log('|---|---|---|---|');
  console.log(
    `| server CPU per sign-in | ${results.serverCpuMsPerSignIn.password} ms | ${results.serverCpuMsPerSignIn.passkey} ms | ${results.cpuRatioPasskeyToPassword.median}x (${results.cpuRatioPasskeyToPassword.min}–${results.cpuRatioPasskeyToPassword.max}) |`,
  );
  console.log(
    `| round trip p50 | ${results.roundTripP50Ms.password} ms | ${results.roundTripP50Ms.passkey} ms | ${results.roundTripRatioPasskeyToPassword.median}x (${results.roundTripRatioPasskeyToPassword.min}–${results.roundTripRatioPasskeyToPassword.max}) |`,
  );
  console.log(`${ROUNDS} interleaved rounds × ${PER_BATCH} sign-ins each way.`);
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/passkeys.json'), `${JSON.stringify(results, null, 2)}\n`);
} finally {
  await server.stop();
}
