import type { Clock } from '../../server/common/clock.js';

/**
 * A clock the test moves by hand; starts at the real time. Frozen, it moves only when told, for
 * tests that hit a boundary to the millisecond.
 */
export class ManualClock implements Clock {
  private offset = 0;
  private readonly frozenAt: number | undefined;
  constructor(options: { frozen?: boolean } = {}) {
    this.frozenAt = options.frozen ? Date.now() : undefined;
  }
  now(): number {
    return (this.frozenAt ?? Date.now()) + this.offset;
  }
  advance(ms: number): void {
    this.offset += ms;
  }
}

export const SECOND = 1_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

