import type { Clock } from '../../server/common/clock.js';

/**
 * A clock the test moves by hand; starts at the real time. Frozen, it moves only when told, for
 * tests that hit a boundary to the millisecond; `freeze` and `thaw` stop it for a while, so what a
 * test does meanwhile happens at one moment however long the machine takes over it.
 */
export class ManualClock implements Clock {
  private offset = 0;
  private frozenAt: number | undefined;
  constructor(options: { frozen?: boolean } = {}) {
    this.frozenAt = options.frozen ? Date.now() : undefined;
  }
  now(): number {
    return (this.frozenAt ?? Date.now()) + this.offset;
  }
  advance(ms: number): void {
    this.offset += ms;
  }
  /** Stands still from now on (`advance` still moves it). */
  freeze(): void {
    this.frozenAt = this.now();
    this.offset = 0;
  }
  /** Runs on with the real time again, from where it stood. */
  thaw(): void {
    const now = this.now();
    this.frozenAt = undefined;
    this.offset = now - Date.now();
  }
}

export const SECOND = 1_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

