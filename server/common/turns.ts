// Work that a flood brings in bursts (password attempts) takes turns of the
// event loop, with the poll for I/O in between. Requests that arrive together
// are otherwise each handled to their first real wait in one go (SQLite
// answers synchronously, so a whole attempt runs in microtasks), and a session
// check that came in with fifty attempts waited for all fifty. A turn lets
// through four, or an eighth of those waiting if that is more: a check waits
// for a few attempts' work, and however fast they arrive the queue drains in a
// few turns rather than growing. Past `maxWaiting` an attempt is refused at
// once (the caller's error, before anything is counted).
// docs/architecture.md, "Password attempts".

const PER_TURN = 4;
const SHARE = 8;

export class Turns {
  private readonly waiting: Array<() => void> = [];
  private scheduled = false;

  constructor(
    private readonly full: () => Error,
    private readonly maxWaiting = 1024,
  ) {}

  /** Resolves on a turn, after those asked for before it; rejects with `full()` when too many wait. */
  next(): Promise<void> {
    if (this.waiting.length >= this.maxWaiting) return Promise.reject(this.full());
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.waiting.length === 0) return;
    this.scheduled = true;
    // An immediate set while immediates run waits for the next turn, after the poll.
    setImmediate(this.take);
  }

  private readonly take = () => {
    this.scheduled = false;
    const count = Math.max(PER_TURN, Math.ceil(this.waiting.length / SHARE));
    for (const go of this.waiting.splice(0, count)) go();
    this.schedule();
  };
}
