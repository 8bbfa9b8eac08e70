// Alerts the core keeps for every window (new sign-ins, copied sign-ins): newest first, one per key,
// at most `max`, until a window dismisses them. Each change is reported once, with the alert that
// just arrived when there is one.
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
