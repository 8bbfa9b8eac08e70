// Running a program inside a private D-Bus session with an unlocked gnome-keyring, its HOME and XDG
// folders in a fresh temp folder: how the tests (scripts/run-tests.mjs) and the desktop start
// benchmark (bench/desktop/start.ts) use a real Secret Service without touching the keyring of
// whoever runs them.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const hasCommand = (name: string) => spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;

/** Linux with dbus-run-session and gnome-keyring-daemon, and not inside such a session already. */
export function canUsePrivateKeyring(): boolean {
  return process.platform === 'linux' && !process.env.LATCH_TEST_KEYRING && hasCommand('dbus-run-session') && hasCommand('gnome-keyring-daemon');
}

/** The private bus and keyring talk on stderr (services activated, a GLib assertion of gnome-keyring's); none of it is about Latch. */
const NOISE = /^(dbus-daemon\[\d+\]: |\(process:\d+\): GLib-GIO-CRITICAL)/;

/**
 * Runs `argv` there (with `LATCH_TEST_KEYRING=gnome-keyring`), its stdout passed through and its stderr
 * without the bus's own lines; resolves with its exit code once the temp folder is gone.
 */
export async function runInPrivateKeyring(argv: string[], options: { name: string; stdin: 'inherit' | 'ignore' }): Promise<number> {
  const home = mkdtempSync(join(tmpdir(), `latch-${options.name}-home-`));
  const env = {
    ...process.env,
    HOME: home,
    XDG_DATA_HOME: join(home, '.local/share'),
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_RUNTIME_DIR: home,
    LATCH_TEST_KEYRING: 'gnome-keyring',
  };
  const inner = 'printf latch | gnome-keyring-daemon --unlock --components=secrets --daemonize >/dev/null 2>&1 && exec "$@"';
  const child = spawn('dbus-run-session', ['--', 'sh', '-c', inner, options.name, ...argv], { env, stdio: [options.stdin, 'inherit', 'pipe'] });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  let pending = '';
  child.stderr.on('data', (chunk: Buffer) => {
    const lines = (pending + chunk.toString()).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (!NOISE.test(line)) process.stderr.write(`${line}\n`);
  });
  const code = await new Promise<number>((resolve) => child.on('close', (status) => resolve(status ?? 1)));
  if (pending && !NOISE.test(pending)) process.stderr.write(pending);
  rmSync(home, { recursive: true, force: true });
  return code;
}
