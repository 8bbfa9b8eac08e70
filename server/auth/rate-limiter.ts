import type { Clock } from '../common/clock.js';
import type { RateLimitPolicy } from '../config/config.js';

interface Window {
  failures: number;
  resetAt: number;
}

/**
 * Counts failed sign-ins per account and per IP in fixed windows. Held in this
 * instance's memory: behind a load balancer each instance counts on its own.
 */
export class FailedSignInLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly policy: RateLimitPolicy,
    private readonly clock: Clock,
  ) {}

  /** Seconds to wait when either key is over its limit, else 0. */
  retryAfterSeconds(account: string, ip: string): number {
    const now = this.clock.now();
    const waits = [this.wait(`a:${account}`, this.policy.maxFailuresPerAccount, now), this.wait(`i:${ip}`, this.policy.maxFailuresPerIp, now)];
    return Math.max(...waits);
  }

  recordFailure(account: string, ip: string): void {
    const now = this.clock.now();
    if (this.windows.size > 100_000) this.prune(now);
    for (const key of [`a:${account}`, `i:${ip}`]) {
      const current = this.windows.get(key);
      if (!current || current.resetAt <= now) this.windows.set(key, { failures: 1, resetAt: now + this.policy.windowMs });
      else current.failures += 1;
    }
  }

  recordSuccess(account: string): void {
    this.windows.delete(`a:${account}`);
  }

  private wait(key: string, max: number, now: number): number {
    const window = this.windows.get(key);
    if (!window || window.resetAt <= now || window.failures < max) return 0;
    return Math.max(1, Math.ceil((window.resetAt - now) / 1000));
  }

  private prune(now: number): void {
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
  }
}
