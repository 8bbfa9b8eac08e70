// `npm run server` (server/main.ts) started as an operator starts it, as a process: a bad setting, a
// misspelled one, a database it cannot reach or a data folder it cannot use each stop it with one line
// naming the cause. (The configuration's parsing itself is test/unit/config.test.ts, with no process.)
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../../support/wait.js';

describe('starting the server process', () => {
  it('says where it listens and which Host names it answers, and says it stopped on SIGTERM', async () => {
    const main = fileURLToPath(new URL('../../../server/main.js', import.meta.url));
    const dataDir = mkdtempSync(join(tmpdir(), 'latch-start-'));
    const child = spawn(process.execPath, [main], { env: { ...process.env, PORT: '0', LATCH_DATA_DIR: dataDir, LATCH_ALLOWED_HOSTS: 'latch.example.com' }, stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      await waitFor(() => /listening on/.test(output), 'the listening line', 30_000);
      assert.match(output, /Latch server listening on http:\/\/127\.0\.0\.1:\d+ \(SQLite at [^)]+\); it answers to Host 127\.0\.0\.1:\d+, localhost:\d+, \[::1\]:\d+, latch\.example\.com/);
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
      assert.match(output, /Stopping on SIGTERM/);
      assert.match(output, /Latch server stopped/);
    } finally {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('stops `npm run server` on a misspelled setting, with the suggestion, before it opens anything', () => {
    const main = fileURLToPath(new URL('../../../server/main.js', import.meta.url));
    const result = spawnSync(process.execPath, [main], { env: { ...process.env, PORT: '0', LATCH_REGISTRATON: 'closed' }, encoding: 'utf8' });
    assert.equal(result.status, 1);
    assert.equal(result.stderr, 'latch-server: LATCH_REGISTRATON is not a Latch setting; did you mean LATCH_REGISTRATION?\n');
  });

  it('stops `npm run server` with that one line and exit code 1', () => {
    const main = fileURLToPath(new URL('../../../server/main.js', import.meta.url));
    const result = spawnSync(process.execPath, [main], { env: { ...process.env, PORT: 'eighty' }, encoding: 'utf8' });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^latch-server: Invalid PORT: PORT must be a whole number written in digits\n$/);
  });

  it('names HOST and PORT in one line when it cannot listen there', () => {
    const main = fileURLToPath(new URL('../../../server/main.js', import.meta.url));
    const dataDir = mkdtempSync(join(tmpdir(), 'latch-start-'));
    try {
      const result = spawnSync(process.execPath, [main], { env: { ...process.env, PORT: '0', HOST: 'not-a-host.invalid', LATCH_DATA_DIR: dataDir }, encoding: 'utf8', timeout: 20_000 });
      assert.equal(result.status, 1);
      assert.equal(result.stderr, 'latch-server: could not start: cannot listen on not-a-host.invalid:0 (HOST, PORT): not-a-host.invalid is not an address or a name this machine resolves\n');
      assert.equal(result.stdout, '', 'nothing else is printed');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('names the PostgreSQL host and database, never the password, when it cannot be reached', () => {
    const main = fileURLToPath(new URL('../../../server/main.js', import.meta.url));
    const result = spawnSync(process.execPath, [main], {
      env: { ...process.env, PORT: '0', DATABASE_URL: 'postgres://latch:s3cret@127.0.0.1:1/latch' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^latch-server: could not start: PostgreSQL at 127\.0\.0\.1:1\/latch \(DATABASE_URL\): cannot migrate: .*ECONNREFUSED.*\n$/);
    assert.doesNotMatch(result.stderr, /s3cret/);
  });

  for (const [label, dataDir, reason] of [
    ['a file where the folder should be', '/etc/hostname/latch', /a file is in the way/],
    ['a folder that cannot be written to', '/sys/latch-test', /cannot be written to/],
    // Node's own recursive mkdir spun here for good, with no output.
    ['a folder that cannot be made where its parent is (/proc)', '/proc/latch', /cannot be made there/],
  ] as const) {
    it(`stops with one line naming LATCH_DATA_DIR and the path when it is ${label}`, () => {
      const main = fileURLToPath(new URL('../../../server/main.js', import.meta.url));
      const result = spawnSync(process.execPath, [main], { env: { ...process.env, PORT: '0', LATCH_DATA_DIR: dataDir }, encoding: 'utf8', timeout: 20_000 });
      assert.equal(result.status, 1);
      const lines = result.stderr.trim().split('\n');
      assert.equal(lines.length, 1, result.stderr);
      assert.match(lines[0]!, new RegExp(`^latch-server: could not start: cannot use the data folder ${dataDir} \\(LATCH_DATA_DIR\\): `));
      assert.match(lines[0]!, reason);
    });
  }
});
