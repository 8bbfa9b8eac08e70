// The two hashing lanes (server/passwords/hashing-process.ts) with real processes: a job whose process gets no CPU
// moves to the normal lane, new jobs follow it for a cool-down, and a move soon after one ends doubles
// it. A stopped process (SIGSTOP) stands for one starved at SCHED_IDLE on a busy machine; the idle lane runs
// at the normal lane's priority here, so a machine busy with other work does not starve it as well, at random.
import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import { HashingProcess } from '../../../server/passwords/hashing-process.js';
import { waitFor } from '../../support/wait.js';

const LOOK_MS = 100;
const reports: string[] = [];
const hashing = new HashingProcess(() => new Error('unavailable'), (problem) => reports.push(problem), LOOK_MS, false);
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

  // Within the cool-down (10 looks, 1 s): the normal lane, no idle process started.
  await code('b');
  assert.equal(hashing.pid, undefined);
  // After it: the idle lane again.
  await waitFor(async () => (await code('c'), hashing.pid !== undefined), 'a job in the idle lane again', 5_000);

  // Starved again right after the cool-down ended: the next cool-down is twice as long (2 s).
  process.kill(hashing.pid!, 'SIGSTOP');
  await code('d');
  assert.equal(hashing.coolDownMs, 20 * LOOK_MS, 'the second cool-down is twice as long');
  await waitFor(async () => (await code('e'), hashing.pid !== undefined), 'a job in the idle lane again', 10_000);
  assert.equal(reports.filter((r) => r.includes('almost no CPU')).length, 1, 'told once');
});
