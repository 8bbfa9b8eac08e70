#!/usr/bin/env node
// `npm start`: build what changed, start the bundled server on loopback with
// SQLite (unless LATCH_SERVER_URL names another), then open the desktop app
// against it. Arguments after `--` go to the app, e.g. `npm start -- --profile work`.
//
// It never reports a server it did not start, exits non-zero when the server
// dies, and stops its children on SIGINT, SIGTERM and SIGHUP.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const appArgs = process.argv.slice(2);
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
  if (found) return { path: found };
  const installer = join(root, 'node_modules', 'electron', 'install.js');
  if (!existsSync(installer)) return { why: 'the electron package is not installed (run npm install)' };
  if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) return { why: 'the Electron binary is not downloaded (ELECTRON_SKIP_BINARY_DOWNLOAD is set)' };
  say('fetching the Electron binary (once)…');
  const fetched = spawnSync(process.execPath, [installer], { cwd: join(root, 'node_modules', 'electron'), encoding: 'utf8', timeout: 10 * 60_000 });
  const again = find();
  if (again) return { path: again };
  const reason = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ECONNRESET/.exec(`${fetched.stderr}${fetched.stdout}`)?.[0];
  return { why: `the Electron binary could not be downloaded${reason ? ` (${reason}: no access to Electron's release host)` : ''}` };
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

async function waitForServer(url, server) {
  for (let i = 0; i < 150; i++) {
    if (server.exitCode !== null || server.signalCode !== null) return false;
    try {
      if ((await fetch(url)).ok) return true;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

build();

let serverUrl = process.env.LATCH_SERVER_URL;
if (!serverUrl) {
  const port = process.env.PORT || '4000';
  serverUrl = `http://127.0.0.1:${port}`;
  const server = run(process.execPath, ['dist/server/main.js'], { env: { ...process.env, HOST: '127.0.0.1', PORT: port } });
  server.on('exit', (code, signal) => {
    if (stopping) return;
    say(`the server stopped (${signal ?? `exit code ${code}`}); see its message above.`);
    void stop(code || 1);
  });
  if (!(await waitForServer(`${serverUrl}/healthz`, server))) {
    if (!stopping) say(`the server did not answer at ${serverUrl}/healthz within 15 s.`);
    await stop(1);
  }
}

const electron = electronBinary();
if (!electron.path) {
  if (process.env.LATCH_SERVER_URL) {
    say(`the window cannot open: ${electron.why}. Fetch it later with "node node_modules/electron/install.js", then run npm start again.`);
    process.exit(1);
  }
  say(`the window cannot open: ${electron.why}. The server is running at ${serverUrl} (Ctrl+C stops it); fetch Electron later with "node node_modules/electron/install.js".`);
} else {
  const app = run(electron.path, ['.', ...appArgs], { env: { ...process.env, LATCH_SERVER_URL: serverUrl } });
  app.on('exit', (code) => void stop(code ?? 0));
}
