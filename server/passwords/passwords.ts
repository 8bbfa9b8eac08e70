import { createHash } from 'node:crypto';
import { Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import argon2 from 'argon2';
import pLimit, { type LimitFunction } from 'p-limit';
import type { Logger } from 'pino';
import { ApiError } from '../common/api-error.js';
import type { Clock } from '../common/clock.js';
import { CLOCK, CONFIG, LOGGER } from '../common/di-tokens.js';
import type { ServerConfig } from '../config/config.js';
import { Metrics } from '../metrics/metrics.js';
import { HashingProcess } from './hashing-process.js';

/** Recovery codes waiting to be hashed beyond which one is turned away with 503 (ten are made at once when approval is turned on). */
const CODE_QUEUE = 32;

export const serverBusy = () =>
  new ApiError(503, 'unavailable', { key: 'hashing_busy' }, {}, { 'Retry-After': '2' });

/**
 * argon2id hashing, with a decoy hash so an unknown email costs as much as a
 * wrong password. At most `maxConcurrent` computations run at once, server-wide,
 * and at most `maxQueued` wait: a flood of sign-ins queues here instead of
 * taking every core from the session checks, and past the queue it is turned
 * away with 503 rather than waiting without bound. The computations run in a
 * process of their own at a lower CPU priority (hashing-process.ts), so the cores they
 * do take go to the session checks first whenever those need them.
 */
@Injectable()
export class PasswordHasher implements OnApplicationShutdown {
  private decoy: Promise<string> | undefined;
  private readonly process: HashingProcess;
  private readonly limit: LimitFunction;
  /** Recovery codes have a queue of their own, one at a time: a flood of them cannot hold up password checks. */
  private readonly codeLimit = pLimit(1);
  private checks = 0;

  constructor(
    @Inject(CONFIG) private readonly config: ServerConfig,
    @Inject(LOGGER) log: Logger,
    @Inject(Metrics) private readonly metrics: Metrics,
    @Inject(CLOCK) clock: Clock,
  ) {
    this.limit = pLimit(config.passwords.maxConcurrent);
    metrics.gauge('latch_hashing_queue', 'Password checks waiting for their turn at argon2 now.', () => this.limit.pendingCount);
    this.process = new HashingProcess(serverBusy, (problem) => log.warn(problem), config.passwords.starvedCheckMs, true, clock);
  }

  private get options() {
    const { memoryCost, timeCost, parallelism } = this.config.passwords;
    return { memoryCost, timeCost, parallelism };
  }

  /** The pid of the hashing process in the idle lane (where checks go while the machine has CPU to spare), once started. */
  get processId(): number | undefined {
    return this.process.pid;
  }

  /** How many checks were first sent to each lane: `idle` while the machine has CPU to spare, `normal` in a cool-down. */
  get sentToLanes(): { idle: number; normal: number } {
    return this.process.sent;
  }

  /** Every hashing process running, of either lane. */
  get processIds(): number[] {
    return this.process.pids;
  }

  onApplicationShutdown(): void {
    this.process.close();
  }

  /** Password checks (verify) run so far, against an account's hash or the decoy alike. */
  get checked(): number {
    return this.checks;
  }

  /** argon2 computations running and waiting now. */
  get load(): { active: number; queued: number } {
    return { active: this.limit.activeCount, queued: this.limit.pendingCount };
  }

  hash(password: string): Promise<string> {
    return this.bounded(() => this.process.run<string>({ op: 'hash', secret: password, options: this.options }));
  }

  /** Verifies against `hash`, or against the decoy when there is no account. */
  async verify(hash: string | undefined, password: string): Promise<boolean> {
    if (!this.decoy) {
      // Made once; if the process died before making it, the next call tries again.
      const decoy = this.process.run<string>({ op: 'hash', secret: 'decoy password for unknown accounts', options: this.options });
      decoy.catch(() => {
        if (this.decoy === decoy) this.decoy = undefined;
      });
      this.decoy = decoy;
    }
    const against = hash ?? (await this.decoy);
    const ok = await this.bounded(() => {
      this.checks++;
      return this.process.run<boolean>({ op: 'verify', hash: against, secret: password });
    });
    return ok === true && hash !== undefined;
  }

  /**
   * The stored form of a random one-time code (a recovery code): argon2id salted by `salt` (the account),
   * so the same code gives the same hash and a row is found by it, yet a copied table cannot be searched
   * for codes, nor two accounts at once. Lighter than a password's (4 MiB, two passes): a code has 50
   * random bits, so even this makes guessing one from its hash take thousands of core-years.
   */
  async oneTimeCodeHash(code: string, salt: string): Promise<string> {
    const saltBytes = createHash('sha256').update(`latch one-time code:${salt}`).digest().subarray(0, 16);
    if (this.codeLimit.pendingCount >= CODE_QUEUE) throw serverBusy();
    return this.codeLimit(() =>
      this.process.run<string>({ op: 'code', secret: code, salt: saltBytes.toString('hex'), options: { memoryCost: 4096, timeCost: 2, parallelism: 1 } }),
    );
  }

  needsRehash(hash: string): boolean {
    return argon2.needsRehash(hash, this.options);
  }

  private bounded<T>(work: () => Promise<T>): Promise<T> {
    if (this.limit.pendingCount >= this.config.passwords.maxQueued) return Promise.reject(serverBusy());
    const queued = performance.now();
    return this.limit(() => {
      this.metrics.hashingWait.observe((performance.now() - queued) / 1000);
      return work();
    });
  }
}

/** The one PasswordHasher (and its one queue), for the password checks and the recovery codes alike. */
@Module({ providers: [PasswordHasher], exports: [PasswordHasher] })
export class PasswordsModule {}
