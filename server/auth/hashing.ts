// The server's side of the password-hashing process (hashing-process.ts): jobs go out over IPC, answers
// come back by id. The process is started at the first job and again after it dies; a job it never
// answered is refused with 503, like a full queue.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** How far below the server's own priority the hashing process runs (nice, capped at 19). */
export const HASHING_NICE = 10;

export interface Argon2Options {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

export type Job =
  | { op: 'hash'; secret: string; options: Argon2Options }
  | { op: 'verify'; hash: string; secret: string }
  /** A one-time code's raw hash, salted by `salt` (hex), answered in hex. */
  | { op: 'code'; secret: string; salt: string; options: Argon2Options };

export type HashJob = Job & { id: number };

export type HashReply = { id: number } & ({ value: string | boolean } | { error: string });

type Pending = Map<number, { resolve: (value: string | boolean) => void; reject: (error: Error) => void }>;

/** Takes job `id` off `child`'s list; with none left out, its channel no longer keeps this process alive. */
function settle(child: { process: ChildProcess; pending: Pending }, id: number) {
  const job = child.pending.get(id);
  child.pending.delete(id);
  if (child.pending.size === 0) child.process.channel?.unref();
  return job;
}

const SCRIPT = fileURLToPath(new URL('./hashing-process.js', import.meta.url));

/** A job not answered in this long means the process is stuck (stopped, or starved of CPU): it is replaced. */
export const JOB_DEADLINE_MS = 30_000;

export class HashingProcess {
  private child: { process: ChildProcess; pending: Pending } | undefined;
  private nextId = 1;
  private closed = false;

  /**
   * @param unavailable the error a job gets when the process cannot take or finish it
   * @param report where a process that died or got stuck is told (the server's log)
   */
  constructor(
    private readonly unavailable: () => Error,
    private readonly report: (problem: string) => void = () => undefined,
  ) {}

  /** The hashing process's pid, once one is running. */
  get pid(): number | undefined {
    return this.child?.process.pid;
  }

  run<T extends string | boolean>(job: Job): Promise<T> {
    if (this.closed) return Promise.reject(this.unavailable());
    let child: { process: ChildProcess; pending: Pending };
    try {
      child = this.child ??= this.start();
    } catch (error) {
      this.report(`could not start the password-hashing process: ${(error as Error).message}`);
      return Promise.reject(this.unavailable());
    }
    // Started without its channel (out of descriptors, say): refused like a full queue, and tried afresh next time.
    if (!child.process.connected || !child.process.send) {
      this.child = undefined;
      child.process.kill('SIGKILL');
      return Promise.reject(this.unavailable());
    }
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      // While a job is out, the channel keeps this process alive to hear the answer.
      if (child.pending.size === 0) child.process.channel?.ref();
      const deadline = setTimeout(() => {
        this.report(`the password-hashing process answered nothing in ${JOB_DEADLINE_MS / 1000} s; starting another`);
        // Its other jobs are refused as it exits (gone, in start).
        child.process.kill('SIGKILL');
      }, JOB_DEADLINE_MS);
      deadline.unref();
      const done = <V>(settleWith: (value: V) => void) => (value: V) => {
        clearTimeout(deadline);
        settleWith(value);
      };
      child.pending.set(id, { resolve: done(resolve as (value: string | boolean) => void), reject: done(reject) });
      child.process.send({ ...job, id }, (error) => {
        if (error) settle(child, id)?.reject(this.unavailable());
      });
    });
  }

  /** Stops the process (it ignores SIGTERM, see hashing-process.ts); jobs still running are refused. */
  close(): void {
    this.closed = true;
    this.child?.process.kill('SIGKILL');
  }

  private start(): { process: ChildProcess; pending: Pending } {
    const pending: Pending = new Map();
    const process = fork(SCRIPT, [], {
      // None of the server's own flags (an inspector port, a loader) and none of its environment (the
      // database URL): the process needs only to find its programs.
      execArgv: [],
      env: { PATH: globalThis.process.env.PATH ?? '' },
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const started = { process, pending };
    process.on('message', (reply: HashReply) => {
      const job = settle(started, reply.id);
      if (!job) return;
      if ('error' in reply) job.reject(new Error(`password hashing failed: ${reply.error}`));
      else job.resolve(reply.value);
    });
    let ended = false;
    const gone = (why: string) => {
      if (this.child === started) this.child = undefined;
      for (const job of pending.values()) job.reject(this.unavailable());
      pending.clear();
      if (!ended && !this.closed) this.report(`the password-hashing process ended (${why}); the next password starts another`);
      ended = true;
    };
    process.once('exit', (code, signal) => gone(signal ? `signal ${signal}` : `exit code ${code}`));
    process.on('error', (error) => gone(error.message));
    // Neither the process nor, when no job is out, its channel keeps the server's process alive.
    process.unref();
    process.channel?.unref();
    return started;
  }
}
