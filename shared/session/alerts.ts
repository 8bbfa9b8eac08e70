// Alerts a signed-in device keeps for every window (new sign-ins, copied sign-ins, other devices'
// sign-in requests): newest first, one per key, at most `max`, until a window dismisses them. Each
// change is reported once, with the alert that just arrived when there is one.
import type { SessionView, SignInRequestView } from '../api.js';
import type { CopiedSignIn } from '../ipc.js';
import type { Clock } from './ports.js';

export class AlertList<T> {
  private items: T[] = [];

  constructor(
    private readonly keyOf: (item: T) => string,
    private readonly changed: (items: T[], added?: T) => void,
    /** The cap on sessions per account is 50 by default. */
    private readonly max = 100,
  ) {}

  get all(): T[] {
    return this.items;
  }

  /** A new alert, first; an older one with the same key goes. */
  add(item: T): void {
    const key = this.keyOf(item);
    this.set([item, ...this.items.filter((i) => this.keyOf(i) !== key)].slice(0, this.max), item);
  }

  dismiss(keys: string[]): T[] {
    const gone = new Set(keys);
    this.set(this.items.filter((i) => !gone.has(this.keyOf(i))));
    return this.items;
  }

  /** Keeps only the alerts that pass. */
  keep(passes: (item: T) => boolean): void {
    if (!this.items.every(passes)) this.set(this.items.filter(passes));
  }

  clear(): void {
    this.set([]);
  }

  private set(items: T[], added?: T): void {
    const same = items.length === this.items.length && items.every((item, i) => this.keyOf(item) === this.keyOf(this.items[i]!));
    if (same && added === undefined) return;
    this.items = items;
    this.changed(items, added);
  }
}

/** What the alerts tell every window. */
export type AlertEvent =
  /** The unread new-sign-in alerts, newest first; `added` is the one that just arrived, if any. */
  | { type: 'newSignIns'; sessions: SessionView[]; added?: SessionView }
  /** The unread alerts that another device's sign-in was copied and used, newest first; `added` just arrived. */
  | { type: 'copiedSignIns'; alerts: CopiedSignIn[]; added?: CopiedSignIn }
  /** Sign-in requests from new devices that this device can answer, oldest first; `added` just arrived. */
  | { type: 'signInRequests'; requests: SignInRequestView[]; added?: SignInRequestView };

/**
 * The three things a signed-in device holds for every window until they are dealt with: new sign-ins,
 * copied sign-ins, and other devices' sign-in requests (each of those gone when it expires).
 */
export class SessionAlerts {
  /** New sign-ins not yet dismissed. */
  readonly newSignIns: AlertList<SessionView>;
  /** Other devices whose sign-in was copied, not yet dismissed. */
  readonly copiedSignIns: AlertList<CopiedSignIn>;
  /** Sign-in requests of new devices waiting for this account's answer. */
  private readonly requests: AlertList<SignInRequestView>;
  private readonly requestTimers = new Map<string, unknown>();

  constructor(
    private readonly clock: Clock,
    emit: (event: AlertEvent) => void,
  ) {
    this.newSignIns = new AlertList((s) => s.id, (sessions, added) => emit({ type: 'newSignIns', sessions, ...(added ? { added } : {}) }));
    this.copiedSignIns = new AlertList((a) => a.sessionId, (alerts, added) => emit({ type: 'copiedSignIns', alerts, ...(added ? { added } : {}) }));
    this.requests = new AlertList(
      (r) => r.id,
      (requests, added) => emit({ type: 'signInRequests', requests: [...requests].reverse(), ...(added ? { added } : {}) }),
    );
  }

  /** Sign-in requests from new devices that this device can answer, oldest first. */
  get signInRequests(): SignInRequestView[] {
    return [...this.requests.all].reverse();
  }

  /** A request to answer, shown until it expires (a second copy replaces the first: a wrong number's new choices). */
  addRequest(request: SignInRequestView): void {
    const left = Date.parse(request.expiresAt) - this.clock.now();
    if (left <= 0) return;
    this.requests.add(request);
    this.clock.clearTimeout(this.requestTimers.get(request.id));
    this.requestTimers.set(request.id, this.clock.setTimeout(() => this.dropRequest(request.id), left));
  }

  dropRequest(id: string): void {
    this.clock.clearTimeout(this.requestTimers.get(id));
    this.requestTimers.delete(id);
    this.requests.dismiss([id]);
  }

  /** The requests waiting now, as the server lists them: the ones it no longer has go, new ones come. */
  syncRequests(current: SignInRequestView[]): void {
    const ids = new Set(current.map((r) => r.id));
    for (const known of this.requests.all) if (!ids.has(known.id)) this.dropRequest(known.id);
    for (const request of current) if (!this.requests.all.some((r) => r.id === request.id)) this.addRequest(request);
  }

  /** Signed out: nothing is left to act on. */
  clear(): void {
    this.newSignIns.clear();
    this.copiedSignIns.clear();
    for (const id of [...this.requestTimers.keys()]) this.dropRequest(id);
    this.requests.clear();
  }

  /** Quitting: the timers stop; nothing is told. */
  stopTimers(): void {
    for (const handle of this.requestTimers.values()) this.clock.clearTimeout(handle);
    this.requestTimers.clear();
  }
}
