// The new device's long polls (docs/architecture.md, "Sign-in approval"): each waits on this instance until
// its request changes here or on another one (the bus's `signin.resolved` and `signin.requested`), its time
// is up, or its client goes away.
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { SessionEventBus } from '../events/bus.js';

/** Long polls of one request at once: a newer one answers the oldest, which the client has given up on. */
const WAITS_PER_REQUEST = 2;

/** A long poll held open: woken to look again, or ended (its client left, or a newer wait replaced it). */
interface Waiter {
  wake(): void;
  end(): void;
}

@Injectable()
export class ApprovalWaits implements OnModuleDestroy {
  /** Long polls waiting on this instance, by request id, oldest first; woken by `signin.resolved` from any instance. */
  private readonly waiters = new Map<string, Set<Waiter>>();
  private readonly unsubscribe: () => void;

  constructor(@Inject(SessionEventBus) bus: SessionEventBus) {
    this.unsubscribe = bus.subscribe((signal) => {
      if (signal.kind === 'signin.resolved') this.wake(signal.id);
      // Asked again after a forgiven wrong pick: the new device's wait tells it.
      else if (signal.kind === 'signin.requested') this.wake(signal.request.id);
      // Notifications may have been missed: every waiter looks again.
      else if (signal.kind === 'resync') for (const id of [...this.waiters.keys()]) this.wake(id);
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe();
    for (const id of [...this.waiters.keys()]) this.wake(id);
  }

  /** Long polls held open on this instance now. */
  get held(): number {
    let held = 0;
    for (const waiting of this.waiters.values()) held += waiting.size;
    return held;
  }

  /**
   * Until it changes here or on another instance, or `ms` pass ('changed'); or until the client goes away
   * or a newer wait of the same request takes this one's place ('ended').
   */
  changeOf(id: string, ms: number, closed?: AbortSignal): Promise<'changed' | 'ended'> {
    return new Promise((resolve) => {
      const waiting = this.waiters.get(id) ?? new Set<Waiter>();
      this.waiters.set(id, waiting);
      const finish = (why: 'changed' | 'ended') => {
        clearTimeout(timer);
        closed?.removeEventListener('abort', onClose);
        waiting.delete(waiter);
        if (waiting.size === 0 && this.waiters.get(id) === waiting) this.waiters.delete(id);
        resolve(why);
      };
      const waiter: Waiter = { wake: () => finish('changed'), end: () => finish('ended') };
      const onClose = waiter.end;
      const timer = setTimeout(waiter.wake, Math.max(0, ms));
      waiting.add(waiter);
      if (closed?.aborted) return waiter.end();
      closed?.addEventListener('abort', onClose, { once: true });
      // A client that asks again without waiting for its answer (or many copies of one) holds at most
      // WAITS_PER_REQUEST waits: the oldest is answered now.
      if (waiting.size > WAITS_PER_REQUEST) [...waiting][0]!.end();
    });
  }

  private wake(id: string): void {
    for (const waiter of [...(this.waiters.get(id) ?? [])]) waiter.wake();
  }
}
