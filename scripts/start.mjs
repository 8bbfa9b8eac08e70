#!/usr/bin/env node
// `npm start`: build what changed, start the bundled server on loopback with
// SQLite (unless LATCH_SERVER_URL names another), then open the desktop app
// against it. Arguments after `--` go to the app, e.g. `npm start -- --profile work`.
//
// It never reports a server it did not start (the server it launched says where it
// listens over a channel of their own), exits non-zero when the server dies, and stops
// its children on SIGINT, SIGTERM and SIGHUP. `--server-only` (npm run server) starts
// no window. A failed Electron download is remembered, not tried at every start.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const serverOnly = process.argv[2] === '--server-only';
const appArgs = process.argv.slice(serverOnly ? 3 : 2);
/** Where a failed Electron download is remembered (deleted when one succeeds). */
const ELECTRON_FAILED = join(root, 'node_modules', '.cache', 'latch', 'electron-download-failed.txt');
const say = (line) => process.stdout.write(`latch: ${line}\n`);
const children = new Set();
let stopping = false;

/** Newest modification time under these paths (files or folders). */
function newest(paths) {
  let latest = 0;
  const visit = (path) => {
    if (!existsSync(path)) return;
    const stat = statSync(path);
    if (stat.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
    else latest = Math.max(latest, stat.mtimeMs);
  };
  for (const path of paths) visit(join(root, path));
  return latest;
}

function build() {
  say('building what changed…');
  // tsc -b is incremental by itself; the app bundle is rebuilt only when its sources are newer than it.
  const steps = ['build:node'];
  const outputs = ['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html'].map((file) => join(root, file));
  const builtAt = outputs.every((file) => existsSync(file)) ? Math.min(...outputs.map((file) => statSync(file).mtimeMs)) : 0;
  if (builtAt < newest(['renderer', 'electron', 'shared', 'electron.vite.config.ts', 'package.json'])) steps.push('build:app');
  for (const script of steps) {
    const built = spawnSync('npm', ['run', '--silent', script], { cwd: root, stdio: 'inherit' });
    if (built.status !== 0) process.exit(built.status ?? 1);
  }
}

/** The Electron executable, fetching it first if the install skipped it; undefined with the reason otherwise. */
function electronBinary() {
  const find = () => {
    try {
      const path = createRequire(import.meta.url)('electron');
      return typeof path === 'string' && existsSync(path) ? path : undefined;
    } catch {
      return undefined;
    }
  };
  const found = find();
  if (found) {
    rmSync(ELECTRON_FAILED, { force: true });
    return { path: found };
  }
  const installer = join(root, 'node_modules', 'electron', 'install.js');
  if (!existsSync(installer)) return { why: 'the electron package is not installed (run npm install)' };
  if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) return { why: 'the Electron binary is not downloaded (ELECTRON_SKIP_BINARY_DOWNLOAD is set)' };
  if (existsSync(ELECTRON_FAILED)) return { why: `${readFileSync(ELECTRON_FAILED, 'utf8').trim()} (not tried again at each start)` };
  say('fetching the Electron binary (once)…');
  const fetched = spawnSync(process.execPath, [installer], { cwd: join(root, 'node_modules', 'electron'), encoding: 'utf8', timeout: 10 * 60_000 });
  const again = find();
  if (again) return { path: again };
  const reason = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ECONNRESET/.exec(`${fetched.stderr}${fetched.stdout}`)?.[0];
  const why = `the Electron binary could not be downloaded on ${new Date().toISOString().slice(0, 16).replace('T', ' ')}${reason ? ` (${reason}: no access to Electron's release host)` : ''}`;
  mkdirSync(join(ELECTRON_FAILED, '..'), { recursive: true });
  writeFileSync(ELECTRON_FAILED, `${why}\n`);
  return { why };
}

function run(command, args, options) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit', ...options });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

/** Stops every child with this signal, waits for them, then exits. */
async function stop(code, signal = 'SIGTERM') {
  if (stopping) return;
  stopping = true;
  await Promise.all(
    [...children].map(
      (child) =>
        new Promise((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', resolve);
          child.kill(signal);
          setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
        }),
    ),
  );
  process.exit(code);
}

const SIGNAL_CODES = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };
for (const [signal, code] of Object.entries(SIGNAL_CODES)) process.on(signal, () => void stop(code, signal === 'SIGHUP' ? 'SIGTERM' : signal));
// npm does not pass SIGTERM on to its script: when npm goes, its script is handed to another parent, and stops too.
const parent = process.ppid;
setInterval(() => process.ppid !== parent && void stop(SIGNAL_CODES.SIGTERM), 250).unref();

/**
 * The URL the server this script launched says it listens on, over their channel; undefined if it exits
 * first. Another program answering on the port is never taken for it.
 */
function listeningUrl(server) {
  return new Promise((resolve) => {
    server.on('message', (message) => message?.type === 'listening' && resolve(message.url));
    server.once('exit', () => resolve(undefined));
  });
}

build();

let serverUrl = process.env.LATCH_SERVER_URL;
if (!serverUrl || serverOnly) {
  const port = process.env.PORT || '4000';
  // npm start keeps its server on loopback whatever HOST the shell has; npm run server reads the environment as
  // the server alone always did (README.md, "The server").
  const env = serverOnly ? process.env : { ...process.env, HOST: '127.0.0.1', PORT: port };
  const server = run(process.execPath, ['dist/server/main.js'], { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  server.on('exit', (code, signal) => {
    if (stopping) return;
    say(`the server stopped (${signal ?? `exit code ${code}`}); see its message above.`);
    void stop(code || 1);
  });
  serverUrl = await listeningUrl(server);
  if (!serverUrl) await new Promise(() => undefined); // the exit handler above says why and exits
}
if (serverOnly) await new Promise(() => undefined); // runs until stopped
/** The server's own "listening on" line is shown at the info level and below: the script then does not repeat it. */
const serverSaidWhere = !process.env.LATCH_SERVER_URL && ['info', 'debug', 'trace', undefined, ''].includes(process.env.LATCH_LOG_LEVEL);

const electron = electronBinary();
if (!electron.path) {
  if (process.env.LATCH_SERVER_URL) {
    say(`the window cannot open: ${electron.why}. Fetch it later with "node node_modules/electron/install.js", then run npm start again.`);
    process.exit(1);
  }
  const where = serverSaidWhere ? 'The server keeps running' : `The server is running at ${serverUrl}`;
  say(`the window cannot open: ${electron.why}. ${where} (Ctrl+C stops it); fetch Electron later with "node node_modules/electron/install.js".`);
} else {
  const app = run(electron.path, ['.', ...appArgs], { env: { ...process.env, LATCH_SERVER_URL: serverUrl } });
  app.on('exit', (code) => void stop(code ?? 0));
}
