#!/usr/bin/env node
// `npm run test:soak`: the node layers (unit and integration) five times in a row with one busy loop
// per core beside them, as on a laptop doing other work, and every failure of every run reported.
// Not part of CI: it takes about five times the node layers' time. `--runs N` changes the count,
// `--quiet-machine` leaves the busy loops out.
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';

const root = new URL('..', import.meta.url).pathname;
const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, 'quiet-machine': { type: 'boolean', default: false } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) {
  console.error('--runs takes a whole number from 1 up.');
  process.exit(2);
}

// Ordinary programs at this process's priority, one per core; each stops by itself after six hours.
const busy = values['quiet-machine']
  ? []
  : Array.from({ length: availableParallelism() }, () => spawn(process.execPath, ['-e', 'const end = Date.now() + 6 * 3600e3; while (Date.now() < end);'], { stdio: 'ignore' }));
const stopBusy = () => busy.forEach((child) => child.kill('SIGKILL'));
process.on('exit', stopBusy);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

/** Runs the node layers once; resolves with the counts, the failed tests' names and the minutes it took. */
function once() {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [`${root}scripts/run-tests.mjs`, 'test/unit', 'test/integration'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      process.stdout.write(chunk);
    });
    child.on('close', (code) => {
      const totals = /^tests: (\d+) passed, (\d+) failed$/m.exec(output);
      const failed = [...new Set([...output.matchAll(/^\s*✖ (.+?) \(\d/gm)].map((m) => m[1]))];
      resolve({ code, passed: Number(totals?.[1] ?? 0), failed: Number(totals?.[2] ?? (code === 0 ? 0 : 1)), names: failed, minutes: (Date.now() - started) / 60_000 });
    });
  });
}

const results = [];
for (let i = 1; i <= runs; i++) {
  console.log(`\n=== soak run ${i} of ${runs}${busy.length ? `, ${busy.length} busy loops beside it` : ''} ===`);
  results.push(await once());
}
stopBusy();
console.log('\nrun  minutes  passed  failed  failures');
results.forEach((r, i) => console.log(`${String(i + 1).padEnd(4)} ${r.minutes.toFixed(1).padStart(7)}  ${String(r.passed).padStart(6)}  ${String(r.failed).padStart(6)}  ${r.names.join('; ')}`));
const failures = results.reduce((sum, r) => sum + r.failed, 0);
console.log(`\nsoak: ${runs} runs, ${failures} failures`);
process.exit(failures > 0 ? 1 : 0);
