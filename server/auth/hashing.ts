// The server's side of the password-hashing process (hashing-process.ts): jobs go out over IPC, answers
// come back by id. The process is started at the first job and again after it dies; a job it never
// answered is refused with 503, like a full queue.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The hashing process's nice value: below the server (0), so the event loop gets a core first. */
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

export class HashingProcess {
  private child: { process: ChildProcess; pending: Pending } | undefined;
  private nextId = 1;
  private closed = false;

  /**
   * @param unavailable the error a job gets when the process cannot take or finish it
   */
  constructor(private readonly unavailable: () => Error) {}

  /** The hashing process's pid, once one is running. */
  get pid(): number | undefined {
    return this.child?.process.pid;
  }

  run<T extends string | boolean>(job: Job): Promise<T> {
    if (this.closed) return Promise.reject(this.unavailable());
    const child = (this.child ??= this.start());
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      // While a job is out, the channel keeps this process alive to hear the answer.
      if (child.pending.size === 0) child.process.channel?.ref();
      child.pending.set(id, { resolve: resolve as (value: string | boolean) => void, reject });
      child.process.send({ ...job, id }, (error) => {
        if (error) settle(child, id)?.reject(this.unavailable());
      });
    });
  }

  /** Stops the process; jobs still running are refused. */
  close(): void {
    this.closed = true;
    this.child?.process.kill();
  }

  private start(): { process: ChildProcess; pending: Pending } {
    const pending: Pending = new Map();
    // No inspector or loader flags of the server's own: the process needs none.
    const process = fork(SCRIPT, [], { execArgv: [], serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const started = { process, pending };
    process.on('message', (reply: HashReply) => {
      const job = settle(started, reply.id);
      if (!job) return;
      if ('error' in reply) job.reject(new Error(`password hashing failed: ${reply.error}`));
      else job.resolve(reply.value);
    });
    const gone = () => {
      if (this.child === started) this.child = undefined;
      for (const job of pending.values()) job.reject(this.unavailable());
      pending.clear();
    };
    process.once('exit', gone);
    process.once('error', gone);
    // Neither the process nor, when no job is out, its channel keeps the server's process alive.
    process.unref();
    process.channel?.unref();
    return started;
  }
}
