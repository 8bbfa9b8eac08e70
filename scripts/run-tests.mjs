#!/usr/bin/env node
// Runs every compiled test file with node's test runner. On Linux it first
// starts a private D-Bus session with gnome-keyring (HOME and XDG folders in a
// temp dir), so keychain tests use a real Secret Service and never touch the
// keyring of the person running them.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
  const inner = `printf latch | gnome-keyring-daemon --unlock --components=secrets --daemonize >/dev/null && exec node ${JSON.stringify(new URL(import.meta.url).pathname)} "$@"`;
  const result = spawnSync('dbus-run-session', ['--', 'sh', '-c', inner, 'run-tests', ...args], { stdio: 'inherit', env });
  rmSync(home, { recursive: true, force: true });
  process.exit(result.status ?? 1);
}

if (!process.env.LATCH_TEST_KEYRING) {
  console.log('No private gnome-keyring here (needs dbus-run-session and gnome-keyring-daemon): keychain tests use whatever Secret Service is reachable.');
}

const selected = args.length > 0 ? args : ['test'];
const files = selected.flatMap((arg) => findTests(join(root, 'dist', arg.replace(/\.ts$/, '.js'))));
if (files.length === 0) {
  console.error(`No compiled tests found for ${selected.join(' ')} (run npm run build:node first).`);
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files.map((f) => relative(root, f))], { stdio: 'inherit', cwd: root });
process.exit(result.status ?? 1);
