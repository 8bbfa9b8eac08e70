// The two hashing lanes (server/passwords/hashing-process.ts) with real processes: a job whose process gets no CPU
// moves to the normal lane, new jobs follow it for a cool-down, and a move soon after one ends doubles
// it. A stopped process (SIGSTOP) stands for one starved at SCHED_IDLE on a busy machine; the idle lane runs
// at the normal lane's priority here, so a machine busy with other work does not starve it as well, at random.
// The cool-downs run on a clock the test moves on, so no scheduling delay decides them; a look is a second of
// real time, in which even a process niced beside busy loops gets the CPU a short job needs.
import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import { HashingProcess } from '../../../server/passwords/hashing-process.js';

const LOOK_MS = 1_000;
const reports: string[] = [];
let now = Date.parse('2026-12-07T12:00:00Z');
const hashing = new HashingProcess(() => new Error('unavailable'), (problem) => reports.push(problem), LOOK_MS, false, { now: () => now });
after(() => hashing.close());

const code = (secret: string) => hashing.run<string>({ op: 'code', secret, salt: '00'.repeat(16), options: { memoryCost: 1024, timeCost: 1, parallelism: 1 } });

it('a job whose process gets no CPU moves to the normal lane and is answered; new jobs follow it for a cool-down, then go back, and a move soon after doubles it', { skip: process.platform !== 'linux' }, async () => {
  const expected = await code('a');
  const idle = hashing.pid!;
  assert.ok(idle !== undefined, 'the first job ran in the idle lane');

  process.kill(idle, 'SIGSTOP');
  assert.equal(await code('a'), expected, 'the stopped process’s job is answered by the normal lane');
  assert.equal(hashing.pid, undefined, 'the stopped idle process is gone');
  assert.equal(hashing.coolDownMs, 10 * LOOK_MS, 'a cool-down of ten looks');
  assert.equal(reports.filter((r) => r.includes('almost no CPU')).length, 1);

  // Within the cool-down (10 looks): the normal lane, no idle process started.
  now += 10 * LOOK_MS - 1;
  await code('b');
  assert.equal(hashing.pid, undefined);
  // After it: the idle lane again.
  now += 1;
  await code('c');
  assert.ok(hashing.pid !== undefined, 'a job in the idle lane again');

  // Starved again as the cool-down ended: the next cool-down is twice as long (20 looks).
  process.kill(hashing.pid, 'SIGSTOP');
  await code('d');
  assert.equal(hashing.coolDownMs, 20 * LOOK_MS, 'the second cool-down is twice as long');
  now += 20 * LOOK_MS;
  await code('e');
  assert.ok(hashing.pid !== undefined, 'a job in the idle lane again');
  assert.equal(reports.filter((r) => r.includes('almost no CPU')).length, 1, 'told once');

  // Starved once more, long after the last cool-down ended: the machine had calmed down, so back to ten looks.
  now += 100 * LOOK_MS;
  process.kill(hashing.pid, 'SIGSTOP');
  await code('f');
  assert.equal(hashing.coolDownMs, 10 * LOOK_MS, 'a cool-down of ten looks again');
});
