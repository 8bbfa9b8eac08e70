// Turns (server/common/turns.ts): password attempts that arrive together go through a few per turn of
// the event loop, in order, with the poll for I/O in between; past the limit one is refused at once.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Turns } from '../../server/common/turns.js';

it('a hundred waiting go through in order, a few per turn of the event loop, and all get through', async () => {
  const turns = new Turns(() => new Error('full'));
  let turn = 0;
  let ticking = true;
  // Runs once per turn, after the turns' own immediate (scheduled first, by the first `next`).
  const tick = () => {
    turn++;
    if (ticking) setImmediate(tick);
  };
  const order: number[] = [];
  const byTurn: number[] = [];
  const all = Array.from({ length: 100 }, (_, i) =>
    turns.next().then(() => {
      order.push(i);
      byTurn[turn] = (byTurn[turn] ?? 0) + 1;
    }),
  );
  setImmediate(tick);
  await Promise.all(all);
  ticking = false;
  assert.deepEqual(order, Array.from({ length: 100 }, (_, i) => i));
  // An eighth of those waiting, at least four: 13, 11, 10, 9, 7, 7, 6, 5, 5, 4, 4, ...
  assert.deepEqual(byTurn.slice(0, 4), [13, 11, 10, 9]);
  assert.ok(byTurn.every((n) => n <= 13));
});

it('past the limit an attempt is refused at once with the caller’s error; those waiting still go through', async () => {
  const turns = new Turns(() => new Error('the server is busy'), 3);
  const waiting = [turns.next(), turns.next(), turns.next()];
  await assert.rejects(turns.next(), /the server is busy/);
  await Promise.all(waiting);
  await turns.next();
});
