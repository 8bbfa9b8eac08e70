#!/usr/bin/env node
// Runs the tests, layer by layer (docs/architecture.md, "Tests"): unit and
// integration with node's test runner, the renderer in Chromium, the real
// Electron app where its binary is installed. `--layer unit|integration|browser|electron|release`
// runs one; compiled test paths run just those; nothing runs the first four (the release checks,
// packing and installing, run only with `--layer release`). The node layers share one PostgreSQL
// (a database per suite), started here unless DATABASE_URL names one. On Linux
// it first starts a private D-Bus session with gnome-keyring (HOME and XDG
// folders in a temp dir), so keychain tests use a real Secret Service and never
// touch the keyring of the person running them. Counts come from the runners'
// own reporters (scripts/count-reporter.mjs, Playwright's JSON report).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
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

// On Linux, first run again inside a private keyring (kit/private-keyring.ts, built with the tests).
const keyring = await import(join(root, 'dist/kit/private-keyring.js')).catch(() => undefined);
if (keyring?.canUsePrivateKeyring()) {
  process.exit(await keyring.runInPrivateKeyring([process.execPath, new URL(import.meta.url).pathname, ...args], { name: 'test', stdin: 'inherit' }));
}

if (!process.env.LATCH_TEST_KEYRING) {
  console.log('No private gnome-keyring here (needs dbus-run-session and gnome-keyring-daemon): keychain tests use whatever Secret Service is reachable.');
}

const LAYERS = ['unit', 'integration', 'browser', 'electron', 'release'];
// `--browser-only` is the old spelling of `--layer browser` (scripts/screenshots.mjs).
const layerFlag = args[0] === '--browser-only' ? 'browser' : args[0] === '--layer' ? args[1] : undefined;
if (args[0] === '--layer' && !LAYERS.includes(layerFlag)) {
  console.error(`--layer takes one of ${LAYERS.join(', ')}.`);
  process.exit(2);
}
if (layerFlag) args.length = 0;
const everything = args.length === 0 && !layerFlag;
const runs = (layer) => everything || layerFlag === layer;
const nodeDirs = args.length > 0 ? args : ['unit', 'integration'].filter(runs).concat(layerFlag === 'release' ? ['release'] : []).map((layer) => `test/${layer}`);
const files = nodeDirs.flatMap((arg) => findTests(join(root, 'dist', arg.replace(/\.ts$/, '.js'))));
if (nodeDirs.length > 0 && files.length === 0) {
  console.error(`No compiled tests found for ${nodeDirs.join(' ')} (run npm run build:node first).`);
  process.exit(1);
}
const reports = mkdtempSync(join(tmpdir(), 'latch-test-counts-'));
process.on('exit', () => rmSync(reports, { recursive: true, force: true }));
/** Counts a reporter wrote, or undefined when it wrote none (the runner died first). */
function countsFrom(file, read) {
  try {
    return read(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return undefined;
  }
}
/** Playwright's JSON report: expected and flaky passed in the end, unexpected failed. */
const playwrightCounts = (report) => ({ pass: report.stats.expected + report.stats.flaky, fail: report.stats.unexpected });

/** Runs a command with its output passed straight through, and returns its exit code. */
function run(command, commandArgs, env = process.env) {
  return new Promise((resolve) => {
    const child = spawn(command, commandArgs, { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('close', (code) => resolve({ status: code ?? 1 }));
  });
}

let passed = 0;
let failed = 0;
let status = 0;
/** Adds a run's counts; a run that reported nothing but failed counts as one failure. */
function tally(run, counts) {
  passed += counts?.pass ?? 0;
  failed += counts?.fail ?? (run.status === 0 ? 0 : 1);
  status ||= run.status;
}

const specs = runs('browser') ? findSpecs(join(root, 'test/e2e')) : 0;
console.log(
  files.length === 0
    ? `Running ${specs} browser spec files in Chromium.`
    : `Running ${files.length} test files${specs ? ` and ${specs} browser spec files` : ''}` +
        (everything ? ': a few minutes on 2 cores (less on more), most of it the Chromium part.' : '.'),
);

function findSpecs(dir) {
  return existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.spec.ts')).length : 0;
}

// One PostgreSQL for the whole run (a database per suite), rather than one started per test file.
let postgres;
if (files.some((file) => !file.includes(`${join('dist', 'test', 'unit')}`)) && !process.env.DATABASE_URL) {
  const { startPostgres, RUN_POSTGRES } = await import(join(root, 'dist/kit/postgres.js'));
  postgres = await startPostgres({ own: true });
  process.env[RUN_POSTGRES] = postgres.adminUrl;
}

if (files.length > 0) {
  const countsFile = join(reports, 'node.json');
  const node = await run(process.execPath, [
    '--test',
    // Two files at once: most of a file's time is spent waiting on sockets, the database and the keychain.
    '--test-concurrency=2',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    `--test-reporter=${join(root, 'scripts/count-reporter.mjs')}`,
    `--test-reporter-destination=${countsFile}`,
    ...files.map((f) => relative(root, f)),
  ]);
  tally(node, countsFrom(countsFile, (counts) => counts));
}
await postgres?.close();

// The browser specs (testing layer 4) run with the whole suite or on their own, not when files are named.
if (runs('browser')) {
  const kit = await import(join(root, 'dist/kit/chromium.js')).catch(() => undefined);
  const chromium = kit?.chromiumPath();
  if (!kit) {
    console.error('The tests are not built: run npm run build:node first.');
    failed += 1;
    status ||= 1;
  } else if (!chromium || !existsSync(chromium)) {
    const where = process.env.LATCH_CHROMIUM ? `at ${process.env.LATCH_CHROMIUM} (LATCH_CHROMIUM)` : `at ${kit.CHROMIUM_CHOICES.join(' or ')}`;
    console.error(`Chromium is not installed ${where}: the browser specs cannot run (on Debian: apt-get install chromium-headless-shell).`);
    failed += 1;
    status ||= 1;
  } else if (!existsSync(join(root, 'out/renderer/index.html'))) {
    console.error('The renderer is not built: run npm run build:app first.');
    failed += 1;
    status ||= 1;
  } else {
    const report = join(reports, 'browser.json');
    const browser = await run(process.execPath, [join(root, 'node_modules/@playwright/test/cli.js'), 'test'], {
      ...process.env,
      PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1',
      LATCH_PLAYWRIGHT_JSON: report,
    });
    tally(browser, countsFrom(report, playwrightCounts));
  }
}

// Testing layer 5: the real Electron app, only where its binary is installed.
if (runs('electron')) {
  let electronBinary;
  try {
    electronBinary = createRequire(import.meta.url)('electron');
  } catch {
    electronBinary = undefined;
  }
  if (typeof electronBinary === 'string' && existsSync(electronBinary)) {
    const xvfb = process.platform === 'linux' && !process.env.DISPLAY && hasCommand('xvfb-run') ? ['xvfb-run', '-a'] : [];
    const report = join(reports, 'electron.json');
    const cli = [join(root, 'node_modules/@playwright/test/cli.js'), 'test', '--config', 'playwright.electron.config.ts'];
    const env = { ...process.env, LATCH_PLAYWRIGHT_JSON: report };
    const electronRun = xvfb.length ? await run(xvfb[0], [...xvfb.slice(1), process.execPath, ...cli], env) : await run(process.execPath, cli, env);
    tally(electronRun, countsFrom(report, playwrightCounts));
  } else {
    console.log('Electron e2e (layer 5) not run: no Electron binary is installed here (npm start fetches it; node node_modules/electron/install.js does too); it is not counted.');
  }
}

console.log(`\ntests: ${passed} passed, ${failed} failed`);
process.exit(status || (failed > 0 ? 1 : 0));
