// Desktop start time: how long the desktop core, starting with a token in the
// keychain, takes to be signed in and online, and to have the first devices
// list (targets on loopback: 150 ms and 250 ms). It runs the real core
// (electron/core) in a process of its own, as the app's main process does, so
// the benchmark process never loads it (docs/architecture.md, "Benchmarks").
//
//   node dist/bench/desktop/start.js <server URL> [--rounds=30] [--warmup=5] [--pause-ms=100]
//
// The server URL may be given as LATCH_SERVER_URL instead. On Linux, unless
// LATCH_TEST_KEYRING is set (a private keyring is already running), it first
// starts itself again inside a private D-Bus session with gnome-keyring and a
// temporary HOME, as scripts/run-tests.mjs does, so the token is in a real
// Secret Service and never in the keyring of the person running it. Where no
// keychain can be reached it keeps the token in an in-memory keychain, as unit
// tests do, and says so (`vault: 'memory'`).
//
// It registers an account over HTTP, puts the token in the keychain, then for
// each round opens the profile in a fresh data folder (as the app does at
// start), starts it, and times from just before the controller is constructed.
// Prints one JSON line on stdout (DesktopStartReport); errors go to stderr and
// the exit code is not 0.
import { mkdtempSync, rmSync } from 'node:fs';
import { globalAgent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIpcHandlers } from '../../shared/session/handlers.js';
import { openProfile } from '../../electron/core/profile.js';
import { RealtimeClient } from '../../electron/core/realtime-client.js';
import { parseServerUrl } from '../../shared/session/server-url.js';
import type { SessionController } from '../../electron/core/session-controller.js';
import { KEYCHAIN_SERVICE, loadKeytar, TokenVault, type SecretBackend } from '../../electron/core/token-vault.js';
import { IpcCalls, type IpcResult } from '../../shared/ipc.js';
import { Http, register } from '../../kit/http.js';
import { canUsePrivateKeyring, runInPrivateKeyring } from '../../kit/private-keyring.js';

/** Figures of one measure over the measured rounds, in milliseconds; `all` in round order. */
export interface Stats {
  p50: number;
  p95: number;
  max: number;
  all: number[];
}

/** The JSON line this process prints. Every time is from just before the SessionController is constructed. */
export interface DesktopStartReport {
  /** Where the token was: the OS keychain through keytar, or an in-memory keychain (none could be reached). */
  vault: 'keytar' | 'memory';
  /** Which keychain, or why none could be used. */
  vaultDetail: string;
  rounds: number;
  warmup: number;
  /** The token's keychain read at start has answered. */
  keychainReadMs: Stats;
  /** The state every window sees is signedIn and online. */
  signedInOnlineMs: Stats;
  /** The live socket to /v1/events is open. */
  socketOpenMs: Stats;
  /** The devices window's first list: listSessions and securityEvents through the IPC handler table, asked at signedInOnline. */
  firstListMs: Stats;
  /** The list the core fetches by itself once the socket is open (a sessionsChanged event). */
  pushedListMs: Stats;
  /** Measured rounds in which the server replaced the token and the core wrote the new one to the keychain. */
  tokenReplacedRounds: number;
  /** The first warm-up round: a core whose code has not run before in this process. */
  cold: { signedInOnlineMs: number; firstListMs: number };
}

const ROUND_TIMEOUT_MS = 10_000;

const option = (name: string, fallback: number): number => {
  const raw = process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} takes a whole number, not ${raw}`);
  return value;
};

/** The keychain the tests use where there is none: a map in this process, which outlives each round's controller. */
function memoryKeychain(): SecretBackend {
  const entries = new Map<string, string>();
  return {
    getPassword: async (service, account) => entries.get(`${service}/${account}`) ?? null,
    setPassword: async (service, account, password) => void entries.set(`${service}/${account}`, password),
    deletePassword: async (service, account) => entries.delete(`${service}/${account}`),
  };
}

/** Puts the token in the OS keychain if one answers within a few seconds, else in an in-memory one. */
async function storeToken(account: string, token: string): Promise<{ vault: DesktopStartReport['vault']; detail: string; backend: SecretBackend }> {
  const vault = new TokenVault(account);
  // A keychain that never answers (a D-Bus that hangs) counts as none.
  let timer: NodeJS.Timeout | undefined;
  const stored = await Promise.race([vault.write(token), new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), 5_000)))]);
  clearTimeout(timer);
  if (stored) {
    const name = vault.state.store === 'secret_service' ? 'system keyring' : (vault.state.store ?? 'the OS keychain');
    return { vault: 'keytar', detail: process.env.LATCH_TEST_KEYRING === 'gnome-keyring' ? `${name} on a private D-Bus (gnome-keyring)` : name, backend: await loadKeytar() };
  }
  const backend = memoryKeychain();
  await backend.setPassword(KEYCHAIN_SERVICE, account, token);
  const problem = vault.state.problem ?? 'The keychain did not answer within 5 s.';
  return { vault: 'memory', detail: `in-memory keychain: ${problem}`, backend };
}

interface Round {
  keychainRead: number;
  signedInOnline: number;
  socketOpen: number;
  firstList: number;
  pushedList: number;
}

/** One app start: construct, start, wait for every mark, dispose. Times are from just before construction. */
async function startOnce(serverUrl: string, profile: string, backend: SecretBackend): Promise<Round> {
  const appDataDir = mkdtempSync(join(tmpdir(), 'latch-bench-desktop-'));
  // A starting app has no connection to reuse: drop the ones axios kept alive in the last round.
  globalAgent.destroy();
  const marks: Partial<Round> = {};
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const mark = (name: keyof Round) => {
    marks[name] ??= performance.now() - started;
    if (Object.keys(marks).length === 5) done();
  };
  let controller: SessionController | undefined;
  const started = performance.now();
  try {
    controller = openProfile({
      profile,
      appDataDir,
      appVersion: '0.1.0-bench',
      defaultServerUrl: serverUrl,
      // The keychain and the live client are the real ones, told to note when they answer.
      secretBackend: async () => ({
        ...backend,
        getPassword: async (service, account) => {
          const token = await backend.getPassword(service, account);
          mark('keychainRead');
          return token;
        },
      }),
      ports: {
        realtime: (url, token, handlers) =>
          new RealtimeClient({
            serverUrl: url,
            token,
            handlers: {
              ...handlers,
              onOpen: () => {
                mark('socketOpen');
                handlers.onOpen();
              },
            },
          }),
      },
    });
    const ipc = createIpcHandlers(controller, { openDevicesWindow: () => undefined });
    const call = async (channel: string) => {
      const result = (await ipc.get(channel)!()) as IpcResult<unknown>;
      if (!result.ok) throw new Error(`${channel} failed: ${result.error.code}: ${result.error.message}`);
    };
    let asked = false;
    let failed: unknown;
    controller.subscribe((event) => {
      if (event.type === 'sessionsChanged') mark('pushedList');
      if (event.type !== 'state' || event.state.status !== 'signedIn' || event.state.connection !== 'online' || asked) return;
      mark('signedInOnline');
      asked = true;
      // What the devices window does once online (renderer/src/store/devices-slice.ts, loadDevices): both
      // calls at once, and the list shows when both have answered.
      Promise.all([call(IpcCalls.listSessions.channel), call(IpcCalls.securityEvents.channel)]).then(
        () => mark('firstList'),
        (error: unknown) => {
          failed = error;
          done();
        },
      );
    });
    const timer = setTimeout(done, ROUND_TIMEOUT_MS);
    controller.start().then(
      (state) => {
        if (state.status === 'signedIn') return;
        failed = new Error(`the core started ${state.status}, not signed in: ${JSON.stringify(state)}`);
        done();
      },
      (error: unknown) => {
        failed = error;
        done();
      },
    );
    await finished;
    clearTimeout(timer);
    if (failed) throw failed;
    const missing = ['keychainRead', 'signedInOnline', 'socketOpen', 'firstList', 'pushedList'].filter((name) => !(name in marks));
    if (missing.length > 0) throw new Error(`not reached within ${ROUND_TIMEOUT_MS} ms: ${missing.join(', ')}`);
    return marks as Round;
  } finally {
    controller?.dispose();
    rmSync(appDataDir, { recursive: true, force: true });
  }
}

const ms = (x: number) => Number(x.toFixed(2));

/** Nearest rank, as bench/lib.ts's quantile. */
function stats(xs: number[]): Stats {
  const sorted = [...xs].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;
  return { p50: ms(at(0.5)), p95: ms(at(0.95)), max: ms(sorted[sorted.length - 1]!), all: xs.map(ms) };
}

async function main(): Promise<void> {
  const rounds = option('rounds', 30);
  const warmup = option('warmup', 5);
  // Lets the server finish with the last round's socket, so rounds do not overlap.
  const pauseMs = option('pause-ms', 100);
  const given = process.argv.slice(2).find((arg) => !arg.startsWith('--')) ?? process.env.LATCH_SERVER_URL;
  if (!given || rounds < 1 || warmup < 1) throw new Error('usage: start.js <server URL> [--rounds=30] [--warmup=5] [--pause-ms=100] (rounds and warm-up at least 1)');
  const serverUrl = parseServerUrl(given);
  const profile = `bench${process.pid}`;
  const account = TokenVault.accountFor(profile, serverUrl);

  const { token } = await register(new Http(serverUrl), undefined, 'Benchmark desktop').catch((error: unknown) => {
    throw new Error(`registering an account at ${serverUrl} failed: ${error instanceof Error ? error.message : String(error)}`);
  });
  const keychain = await storeToken(account, token);
  let held = token;
  let tokenReplacedRounds = 0;
  const measured: Round[] = [];
  let cold: Round | undefined;
  try {
    for (let i = 0; i < warmup + rounds; i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
      const round = await startOnce(serverUrl, profile, keychain.backend);
      // A token older than the server's rotation grace (60 s) is replaced at start: that round paid for a keychain write.
      const entry = await keychain.backend.getPassword(KEYCHAIN_SERVICE, account);
      if (entry === null) throw new Error('the keychain entry is gone after a start');
      if (i >= warmup) {
        measured.push(round);
        if (entry !== held) tokenReplacedRounds++;
      }
      held = entry;
      cold ??= round;
    }
  } finally {
    await keychain.backend.deletePassword(KEYCHAIN_SERVICE, account).catch(() => false);
  }
  const of = (name: keyof Round) => stats(measured.map((r) => r[name]));
  const report: DesktopStartReport = {
    vault: keychain.vault,
    vaultDetail: keychain.detail,
    rounds,
    warmup,
    keychainReadMs: of('keychainRead'),
    signedInOnlineMs: of('signedInOnline'),
    socketOpenMs: of('socketOpen'),
    firstListMs: of('firstList'),
    pushedListMs: of('pushedList'),
    tokenReplacedRounds,
    cold: { signedInOnlineMs: ms(cold!.signedInOnline), firstListMs: ms(cold!.firstList) },
  };
  await new Promise<void>((resolve) => process.stdout.write(`${JSON.stringify(report)}\n`, () => resolve()));
}

try {
  if (canUsePrivateKeyring()) process.exitCode = await runInPrivateKeyring([process.execPath, ...process.argv.slice(1)], { name: 'desktop-start', stdin: 'ignore' });
  else await main();
} catch (error) {
  process.stderr.write(`desktop start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
// keytar's D-Bus connection keeps the event loop alive.
process.exit();
