// Work that a flood brings in bursts (password attempts) takes turns: one piece
// per turn of the event loop, with the poll for I/O in between. Requests that
// arrive together are otherwise each handled to their first real wait in one
// go (SQLite answers synchronously, so a whole attempt runs in microtasks), and
// a session check that came in with fifty attempts waited for all fifty. Now
// it waits for one at most. docs/architecture.md, "Password attempts".

export class Turns {
  private readonly waiting: Array<() => void> = [];
  private scheduled = false;

  /** Resolves on a turn of its own, after those asked for before it. */
  next(): Promise<void> {
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
    this.waiting.shift()!();
    this.schedule();
  };
}
