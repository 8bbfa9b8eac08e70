// Starting a server as its own process and waiting until it serves: the one start-and-wait helper
// tests and benchmarks share. A Latch server is started on port 0 and read from its "listening on"
// log line (no port can be taken in between); other programs get a free port and are asked for a
// health path until it answers 200.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { useLocalMailbox } from './mailbox.js';
import { freePort } from './postgres.js';

export interface Proc {
  url: string;
  port: number;
  pid: number;
  child: ChildProcess;
  /** Every line the process wrote (stdout and stderr). */
  output: string[];
  /** Sends the signal (SIGTERM by default) and waits for the process to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export type Ready =
  /** The program prints where it listens, as Latch's server does: started on port 0 unless PORT is given. */
  | { line: RegExp }
  /** The program listens on PORT: a free one is picked, then `health` is asked until it answers 200. */
  | { health: string };

/** Latch's own log line. */
export const LATCH_LISTENING = /listening on (http:\/\/127\.0\.0\.1:(\d+))/;

/**
 * `openFiles`: the process's descriptor limit (`ulimit -n`), lower than this shell's. `nodeArgs`: Node's own
 * flags before the script (a benchmark's `--trace-gc-nvp`).
 */
export async function startProcess(script: string, env: Record<string, string>, ready: Ready, options: { openFiles?: number; nodeArgs?: string[] } = {}): Promise<Proc> {
  const port = 'health' in ready ? String(await freePort()) : '0';
  const node = [...(options.nodeArgs ?? []), script];
  const [command, args] =
    options.openFiles === undefined ? [process.execPath, node] : ['sh', ['-c', `ulimit -n ${options.openFiles} && exec "$0" "$@"`, process.execPath, ...node]];
  const child = spawn(command, args, { env: { ...process.env, HOST: '127.0.0.1', PORT: port, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let announced: string | undefined;
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      output.push(line);
      if (output.length > 10_000) output.shift();
      if ('line' in ready) announced ??= ready.line.exec(line)?.[1];
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const proc = (url: string): Proc => {
    // A Latch server with no SMTP mails into its local mailbox: `register` (kit/http.ts) reads its codes there.
    if (env.LATCH_DATA_DIR && !env.LATCH_SMTP_URL && /server\/main\.js$/.test(script)) useLocalMailbox(url, join(env.LATCH_DATA_DIR, 'mailbox'));
    return running(url);
  };
  const running = (url: string): Proc => ({
    url,
    port: Number(new URL(url).port),
    pid: child.pid!,
    child,
    output,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  });
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode}: ${output.slice(-20).join('\n')}`);
    if ('line' in ready && announced) return proc(announced);
    if ('health' in ready) {
      const url = `http://127.0.0.1:${port}`;
      const ok = await fetch(url + ready.health).then((r) => r.ok, () => false);
      if (ok) return proc(url);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${script} did not start within 20 s: ${output.slice(-20).join('\n')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
