// The server's side of the password-hashing processes (hashing-child.ts): jobs go out over IPC, answers
// come back by id. A process is started at the first job of its lane and again after it dies; a job it
// never answered is refused with 503, like a full queue.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { systemClock, type Clock } from '../common/clock.js';
import { cpuTicks } from '../common/proc.js';

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

/** A job on its way: what to send again if it moves, and its caller's promise. */
interface Entry {
  job: Job;
  resolve: (value: string | boolean) => void;
  reject: (error: Error) => void;
  timers: NodeJS.Timeout[];
}

type Lane = 'idle' | 'normal';

interface Child {
  process: ChildProcess;
  pending: Map<number, Entry>;
  /** Killed on purpose, its jobs moved: its exit is not reported. */
  retired: boolean;
}

const SCRIPT = fileURLToPath(new URL('./hashing-child.js', import.meta.url));

/** A job not answered in this long means the process is stuck (stopped, or starved of CPU): it is replaced. */
export const JOB_DEADLINE_MS = 30_000;

/**
 * How often a job at SCHED_IDLE is looked at: with its process almost without CPU meanwhile, it is
 * starved (SCHED_IDLE gets no CPU at all while other programs keep every core busy: a build, a backup,
 * the database; a sign-in took 10 to 18 s beside two busy loops on two cores) and moves to the normal
 * lane (hashing-child.ts, still niced).
 */
export const STARVED_MS = 1_000;

/** After a move, new jobs go to the normal lane for this many looks (10 s), doubled while moves keep coming back (at most 300). */
const COOL_DOWN_LOOKS = { first: 10, most: 300 };

/**
 * Two lanes, each a process started at its first job: `idle` (SCHED_IDLE where chrt allows it) takes
 * every job while the machine has CPU to spare; a job starved there moves, with the others waiting
 * beside it, to `normal`, and the idle process is replaced (leaving SCHED_IDLE needs a privilege an
 * unprivileged server lacks, so no process changes lane). New jobs then go to the normal lane for a
 * cool-down (COOL_DOWN_LOOKS), and back to idle after it.
 */
export class HashingProcess {
  private readonly lanes: Record<Lane, Child | undefined> = { idle: undefined, normal: undefined };
  private nextId = 1;
  private closed = false;
  private toldStarved = false;
  /** Until when new jobs go to the normal lane, and how long the last cool-down was. */
  private coolUntil = 0;
  private coolDown = 0;
  private readonly sentTo: Record<Lane, number> = { idle: 0, normal: 0 };

  /**
   * @param unavailable the error a job gets when the process cannot take or finish it
   * @param report where a process that died or got stuck is told (the server's log)
   */
  constructor(
    private readonly unavailable: () => Error,
    private readonly report: (problem: string) => void = () => undefined,
    /** How often a job at SCHED_IDLE is looked at for starving; 0 never moves one. */
    private readonly starvedCheckMs = STARVED_MS,
    /**
     * Whether the idle lane runs at SCHED_IDLE (where chrt allows it). Off only in the lanes' own test, whose
     * SIGSTOP stands for starving: at SCHED_IDLE a machine busy with other work starves it as well, at random.
     */
    private readonly idlePriority = true,
    /** What the cool-downs are timed by (the lanes' test moves it on; the looks are real time). */
    private readonly clock: Clock = systemClock,
  ) {}

  /** How long the last cool-down after a move was (0: no job has moved yet). */
  get coolDownMs(): number {
    return this.coolDown;
  }

  /** How many jobs were first sent to each lane (a job that moves is counted where it began). */
  get sent(): Readonly<Record<Lane, number>> {
    return { ...this.sentTo };
  }

  /** The processes of both lanes that are running. */
  get pids(): number[] {
    return Object.values(this.lanes).flatMap((child) => (child?.process.pid === undefined ? [] : [child.process.pid]));
  }

  /** The idle lane's process (where jobs go while the machine has CPU to spare), once one is running. */
  get pid(): number | undefined {
    return this.lanes.idle?.process.pid;
  }

  run<T extends string | boolean>(job: Job): Promise<T> {
    if (this.closed) return Promise.reject(this.unavailable());
    return new Promise<T>((resolve, reject) => {
      const lane = this.clock.now() < this.coolUntil ? 'normal' : 'idle';
      this.sentTo[lane]++;
      this.send(lane, { job, resolve: resolve as Entry['resolve'], reject, timers: [] });
    });
  }

  /** Stops the processes (they ignore SIGTERM, see hashing-child.ts); jobs still running are refused. */
  close(): void {
    this.closed = true;
    for (const child of Object.values(this.lanes)) child?.process.kill('SIGKILL');
  }

  private send(lane: Lane, entry: Entry): void {
    // A process whose channel has closed (it is dying, its exit not yet heard) takes no more jobs.
    const dying = this.lanes[lane];
    if (dying && !dying.process.connected) {
      this.lanes[lane] = undefined;
      dying.process.kill('SIGKILL');
    }
    let child: Child;
    try {
      child = this.lanes[lane] ??= this.start(lane);
    } catch (error) {
      this.report(`could not start the password-hashing process: ${(error as Error).message}`);
      return entry.reject(this.unavailable());
    }
    // Started without its channel (out of descriptors, say): refused like a full queue, and tried afresh next time.
    if (!child.process.connected || !child.process.send) {
      this.lanes[lane] = undefined;
      child.process.kill('SIGKILL');
      return entry.reject(this.unavailable());
    }
    const id = this.nextId++;
    // While a job is out, the channel keeps this process alive to hear the answer.
    if (child.pending.size === 0) child.process.channel?.ref();
    child.pending.set(id, entry);
    const deadline = setTimeout(() => {
      this.report(`the password-hashing process answered nothing in ${JOB_DEADLINE_MS / 1000} s; starting another`);
      // Its other jobs are refused as it exits (gone, in start).
      child.process.kill('SIGKILL');
    }, JOB_DEADLINE_MS);
    entry.timers = [deadline];
    if (lane === 'idle' && this.starvedCheckMs > 0) this.watchForStarving(child, entry, cpuTicks(child.process.pid));
    deadline.unref();
    child.process.send({ ...entry.job, id }, (error) => {
      if (error) this.settle(child, id)?.reject(this.unavailable());
    });
  }

  /** Takes job `id` off `child`'s list; with none left out, its channel no longer keeps this process alive. */
  private settle(child: Child, id: number): Entry | undefined {
    const entry = child.pending.get(id);
    child.pending.delete(id);
    if (entry) for (const timer of entry.timers) clearTimeout(timer);
    if (child.pending.size === 0) child.process.channel?.unref();
    return entry;
  }

  /**
   * Once every `starvedCheckMs` while `entry` is out: a process that used almost no CPU meanwhile is starved
   * (a slow hash is not: it keeps computing). Where its CPU cannot be read, nothing moves.
   */
  private watchForStarving(child: Child, entry: Entry, since: number | undefined): void {
    if (since === undefined) return;
    const timer = setTimeout(() => {
      const now = cpuTicks(child.process.pid);
      if (now === undefined) return;
      // Under 2 % of the time, in clock ticks (10 ms on Linux): no progress to speak of. A process that
      // gets a little more finishes sooner where it is than in a process started afresh.
      if (now - since < this.starvedCheckMs / 500) this.moveStarved(child);
      else this.watchForStarving(child, entry, now);
    }, this.starvedCheckMs);
    timer.unref();
    entry.timers.push(timer);
  }

  /** A job starved at SCHED_IDLE: it and those beside it move to the normal lane; the idle process goes. */
  private moveStarved(child: Child): void {
    if (this.lanes.idle !== child || this.closed) return;
    if (!this.toldStarved) {
      this.report(`a password check got almost no CPU at SCHED_IDLE for ${this.starvedCheckMs / 1000} s; checks go to a hashing process at the normal policy, still niced, for ${(COOL_DOWN_LOOKS.first * this.starvedCheckMs) / 1000} s, longer while the machine stays busy`);
      this.toldStarved = true;
    }
    // A move soon after the last cool-down ended: the machine is still busy, so twice as long this time.
    const now = this.clock.now();
    const [first, most] = [COOL_DOWN_LOOKS.first * this.starvedCheckMs, COOL_DOWN_LOOKS.most * this.starvedCheckMs];
    this.coolDown = this.coolUntil > 0 && now - this.coolUntil < this.coolDown ? Math.min(2 * this.coolDown, most) : first;
    this.coolUntil = now + this.coolDown;
    this.lanes.idle = undefined;
    child.retired = true;
    const entries = [...child.pending.keys()].map((id) => this.settle(child, id)!);
    child.process.kill('SIGKILL');
    for (const entry of entries) this.send('normal', entry);
  }

  private start(lane: Lane): Child {
    const pending = new Map<number, Entry>();
    const process = fork(SCRIPT, lane === 'idle' && this.idlePriority ? ['--idle'] : [], {
      // None of the server's own flags (an inspector port, a loader) and none of its environment (the
      // database URL): the process needs only to find its programs.
      execArgv: [],
      env: { PATH: globalThis.process.env.PATH ?? '' },
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const started: Child = { process, pending, retired: false };
    process.on('message', (reply: HashReply) => {
      const entry = this.settle(started, reply.id);
      if (!entry) return;
      if ('error' in reply) entry.reject(new Error(`password hashing failed: ${reply.error}`));
      else entry.resolve(reply.value);
    });
    let ended = false;
    const gone = (why: string) => {
      if (this.lanes[lane] === started) this.lanes[lane] = undefined;
      for (const id of [...pending.keys()]) this.settle(started, id)?.reject(this.unavailable());
      if (!ended && !this.closed && !started.retired) this.report(`the password-hashing process ended (${why}); the next password starts another`);
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
