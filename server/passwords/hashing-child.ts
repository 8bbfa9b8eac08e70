// The password-hashing process (hashing-process.ts starts it): argon2 runs here, at a lower CPU priority than
// the server, so a flood of sign-ins takes only the CPU the server's event loop leaves unused
// (docs/architecture.md, "Password attempts"). It holds nothing between jobs and exits with its server.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import argon2 from 'argon2';
import { HASHING_NICE, type HashJob, type HashReply } from './hashing-process.js';

// Every thread of this process, those running already (on Linux, where a thread's priority is its own)
// and, through this one, those started later: libuv's pool, where argon2 computes, may be either.
// HASHING_NICE below the server's own (which may itself run niced), at most 19.
const nice = Math.min(19, getPriority() + HASHING_NICE);
for (const thread of [0, ...threadsOfThisProcess()]) {
  try {
    setPriority(thread, nice);
  } catch {
    // Not allowed here (some sandboxes): hashing still works, at the server's priority.
  }
}

// Then, where util-linux's chrt is at hand, SCHED_IDLE for every thread (later ones inherit it): the
// kernel runs them only on a core nothing else wants, and the server's event loop, waking, takes the
// core back at once rather than at the end of a time slice.
// Only in the idle lane (hashing-process.ts): the normal lane takes the jobs starved here.
if (process.argv.includes('--idle')) {
  try {
    execFileSync('chrt', ['--idle', '--all-tasks', '--pid', '0', String(process.pid)], { stdio: 'ignore', timeout: 5_000 });
  } catch {
    // No chrt, or not allowed: the nice value above stands.
  }
}

function threadsOfThisProcess(): number[] {
  try {
    return readdirSync('/proc/self/task').map(Number);
  } catch {
    return [];
  }
}

async function run(job: HashJob): Promise<string | boolean> {
  switch (job.op) {
    case 'hash':
      return argon2.hash(job.secret, { ...job.options, type: argon2.argon2id });
    case 'verify':
      return argon2.verify(job.hash, job.secret);
    case 'code': {
      const raw = await argon2.hash(job.secret, { ...job.options, type: argon2.argon2id, salt: Buffer.from(job.salt, 'hex'), raw: true });
      return raw.toString('hex');
    }
  }
}

process.on('message', (job: HashJob) => {
  const reply = (message: HashReply) => process.send?.(message);
  run(job).then(
    (value) => reply({ id: job.id, value }),
    (error: unknown) => reply({ id: job.id, error: error instanceof Error ? error.message : String(error) }),
  );
});
// A Ctrl-C or a service manager's stop reaches the whole process group: this process finishes what it
// has and leaves with its server, when the server closes the channel (it stopped, or died).
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => undefined);
process.on('disconnect', () => process.exit(0));
