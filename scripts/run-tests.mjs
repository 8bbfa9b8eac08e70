#!/usr/bin/env node
// Runs every compiled test file with node's test runner. On Linux it first
// starts a private D-Bus session with gnome-keyring (HOME and XDG folders in a
// temp dir), so keychain tests use a real Secret Service and never touch the
// keyring of the person running them.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);

function findTests(dir) {
  if (!existsSync(dir)) return [];
  if (!statSync(dir).isDirectory()) return dir.endsWith('.test.js') ? [dir] : [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return findTests(path);
    return name.endsWith('.test.js') ? [path] : [];
  });
}

function hasCommand(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

if (process.platform === 'linux' && !process.env.LATCH_TEST_KEYRING && hasCommand('dbus-run-session') && hasCommand('gnome-keyring-daemon')) {
  const home = mkdtempSync(join(tmpdir(), 'latch-test-home-'));
  const env = {
    ...process.env,
    HOME: home,
    XDG_DATA_HOME: join(home, '.local/share'),
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_RUNTIME_DIR: home,
    LATCH_TEST_KEYRING: 'gnome-keyring',
  };
  const inner = `printf latch | gnome-keyring-daemon --unlock --components=secrets --daemonize >/dev/null 2>&1 && exec node ${JSON.stringify(new URL(import.meta.url).pathname)} "$@"`;
  // The private bus and keyring talk on stderr (fd limits, services activated, a GLib assertion of
  // gnome-keyring's); none of it is about Latch, so those lines are left out and the rest passes through.
  const noise = /^(dbus-daemon\[\d+\]: |\(process:\d+\): GLib-GIO-CRITICAL)/;
  const child = spawn('dbus-run-session', ['--', 'sh', '-c', inner, 'run-tests', ...args], { stdio: ['inherit', 'inherit', 'pipe'], env });
  let pending = '';
  child.stderr.on('data', (chunk) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (!noise.test(line)) process.stderr.write(`${line}\n`);
  });
  const code = await new Promise((resolve) => child.on('close', (status) => resolve(status ?? 1)));
  if (pending && !noise.test(pending)) process.stderr.write(pending);
  rmSync(home, { recursive: true, force: true });
  process.exit(code);
}

if (!process.env.LATCH_TEST_KEYRING) {
  console.log('No private gnome-keyring here (needs dbus-run-session and gnome-keyring-daemon): keychain tests use whatever Secret Service is reachable.');
}

// --browser-only: just the Chromium specs (scripts/screenshots.mjs uses it).
const browserOnly = args[0] === '--browser-only';
if (browserOnly) args.length = 0;
const selected = args.length > 0 ? args : ['test'];
const files = selected.flatMap((arg) => findTests(join(root, 'dist', arg.replace(/\.ts$/, '.js'))));
if (files.length === 0) {
  console.error(`No compiled tests found for ${selected.join(' ')} (run npm run build:node first).`);
  process.exit(1);
}

/** Runs a command, streaming its output as it comes, and returns its exit code and output. */
function run(command, commandArgs, env = process.env) {
  return new Promise((resolve) => {
    const child = spawn(command, commandArgs, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      process.stdout.write(chunk);
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
      process.stderr.write(chunk);
    });
    child.on('close', (code) => resolve({ status: code ?? 1, output }));
  });
}

const count = (output, pattern) => Number(pattern.exec(output)?.[1] ?? 0);
let passed = 0;
let failed = 0;
let status = 0;

const specs = args.length === 0 ? findSpecs(join(root, 'test/e2e')) : 0;
console.log(
  browserOnly
    ? `Running ${specs} browser spec files in Chromium.`
    : `Running ${files.length} test files${specs ? ` and ${specs} browser spec files` : ''}` +
        (args.length === 0 ? ': about 7 minutes on 2 cores (less on more), most of it the PostgreSQL and Chromium parts.' : '.'),
);

function findSpecs(dir) {
  return existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.spec.ts')).length : 0;
}

if (!browserOnly) {
  const node = await run(process.execPath, ['--test', '--test-reporter=spec', ...files.map((f) => relative(root, f))]);
  passed += count(node.output, /^ℹ pass (\d+)$/m);
  failed += count(node.output, /^ℹ fail (\d+)$/m);
  status ||= node.status;
}

// The browser specs (testing layer 4) run with the whole suite, not when files are named.
if (args.length === 0) {
  const chromium = process.env.LATCH_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(chromium)) {
    console.error(`Chromium is not installed at ${chromium}: the browser specs cannot run (on Debian: apt-get install chromium).`);
    failed += 1;
    status ||= 1;
  } else if (!existsSync(join(root, 'out/renderer/index.html'))) {
    console.error('The renderer is not built: run npm run build:app first.');
    failed += 1;
    status ||= 1;
  } else {
    const browser = await run(process.execPath, [join(root, 'node_modules/@playwright/test/cli.js'), 'test'], { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' });
    passed += count(browser.output, /^\s+(\d+) passed/m);
    failed += count(browser.output, /^\s+(\d+) failed/m);
    status ||= browser.status;
  }
}

// Testing layer 5: the real Electron app, only where its binary is installed.
if (args.length === 0 && !browserOnly) {
  let electronBinary;
  try {
    electronBinary = createRequire(import.meta.url)('electron');
  } catch {
    electronBinary = undefined;
  }
  if (typeof electronBinary === 'string' && existsSync(electronBinary)) {
    const xvfb = process.platform === 'linux' && !process.env.DISPLAY && hasCommand('xvfb-run') ? ['xvfb-run', '-a'] : [];
    const cli = [join(root, 'node_modules/@playwright/test/cli.js'), 'test', '--config', 'playwright.electron.config.ts'];
    const electronRun = xvfb.length ? await run(xvfb[0], [...xvfb.slice(1), process.execPath, ...cli]) : await run(process.execPath, cli);
    passed += count(electronRun.output, /^\s+(\d+) passed/m);
    failed += count(electronRun.output, /^\s+(\d+) failed/m);
    status ||= electronRun.status;
  } else {
    console.log('Electron e2e (layer 5) not run: no Electron binary is installed here (npm start fetches it; node node_modules/electron/install.js does too); it is not counted.');
  }
}

console.log(`\ntests: ${passed} passed, ${failed} failed`);
process.exit(status || (failed > 0 ? 1 : 0));
