// The server's side of the password-hashing process (hashing-process.ts): jobs go out over IPC, answers
// come back by id. The process is started at the first job and again after it dies; a job it never
// answered is refused with 503, like a full queue.
import { execFile, fork, type ChildProcess } from 'node:child_process';
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

interface Child {
  process: ChildProcess;
  pending: Pending;
  /** Out of SCHED_IDLE for now (`starved`), or asked to be; `applying` while chrt runs. */
  policy: { lifted: boolean; applied: boolean; applying: boolean; told: boolean };
}

/** Takes job `id` off `child`'s list; with none left out, its channel no longer keeps this process alive. */
function settle(child: Child, id: number) {
  const job = child.pending.get(id);
  child.pending.delete(id);
  if (child.pending.size === 0) {
    child.process.channel?.unref();
    // Nothing waits now: back to SCHED_IDLE, so the next flood takes only CPU nothing else wants.
    setPolicy(child, false);
  }
  return job;
}

/**
 * The hashing process goes to SCHED_OTHER (its nice stays 10 below the server) or back to SCHED_IDLE
 * (hashing-process.ts), one chrt at a time and ending in the state asked last. Without chrt, or not
 * allowed, nothing changes: the process then never was at SCHED_IDLE.
 */
function setPolicy(child: Child, lifted: boolean): void {
  child.policy.lifted = lifted;
  if (child.policy.applying || child.policy.applied === lifted || child.process.pid === undefined) return;
  child.policy.applying = true;
  const want = lifted;
  execFile('chrt', [want ? '--other' : '--idle', '--all-tasks', '--pid', '0', String(child.process.pid)], { timeout: 5_000 }, () => {
    child.policy.applied = want;
    child.policy.applying = false;
    setPolicy(child, child.policy.lifted);
  });
}

const SCRIPT = fileURLToPath(new URL('./hashing-process.js', import.meta.url));

/** A job not answered in this long means the process is stuck (stopped, or starved of CPU): it is replaced. */
export const JOB_DEADLINE_MS = 30_000;

/**
 * A job not answered in this long is starved: at SCHED_IDLE, hashing gets no CPU at all while other
 * programs keep every core busy (a build, a backup, the database), and a sign-in took 10 to 18 s with
 * two busy loops on two cores. The process leaves SCHED_IDLE until no job is out, still 10 below the
 * server (about 0.3 s for that sign-in).
 */
export const STARVED_MS = 1_000;

export class HashingProcess {
  private child: Child | undefined;
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
    let child: Child;
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
      const starved = setTimeout(() => {
        if (!child.policy.told) this.report(`a password check waited ${STARVED_MS / 1000} s for CPU; hashing runs at the normal policy, still niced, until no check waits`);
        child.policy.told = true;
        setPolicy(child, true);
      }, STARVED_MS);
      starved.unref();
      const done = <V>(settleWith: (value: V) => void) => (value: V) => {
        clearTimeout(deadline);
        clearTimeout(starved);
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

  private start(): Child {
    const pending: Pending = new Map();
    const process = fork(SCRIPT, [], {
      // None of the server's own flags (an inspector port, a loader) and none of its environment (the
      // database URL): the process needs only to find its programs.
      execArgv: [],
      env: { PATH: globalThis.process.env.PATH ?? '' },
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const started: Child = { process, pending, policy: { lifted: false, applied: false, applying: false, told: false } };
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
