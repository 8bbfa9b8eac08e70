// `npm run dist` where Electron's release host cannot be reached (as on this project's CI machines):
// one line that says what could not be downloaded and where to read about building offline, no stack
// trace. (Packaging itself is checked offline by packaging.test.ts, with electronDist.)
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';

const root = new URL('../../..', import.meta.url).pathname;
const output = mkdtempSync(join(tmpdir(), 'latch-dist-'));
after(() => rmSync(output, { recursive: true, force: true }));

it('npm run dist without access to Electron fails with one line, not a stack trace', { timeout: 180_000 }, async () => {
  // The build itself is tested elsewhere; this is about what electron-builder's failure looks like.
  // No native rebuild here (the test's private HOME has no Node headers to rebuild keytar back with):
  // the failure is the Electron zip's download.
  const dist = spawn(process.execPath, ['scripts/dist.mjs', '--linux', 'dir', '-c.npmRebuild=false', `-c.directories.output=${output}`], {
    cwd: root,
    env: { ...process.env, LATCH_DIST_SKIP_BUILD: '1' },
  });
  let stderr = '';
  dist.stderr.on('data', (chunk) => (stderr += chunk));
  dist.stdout.resume();
  const code = await new Promise((resolve) => dist.on('close', resolve));
  assert.notEqual(code, 0);
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, stderr);
  assert.match(lines[0]!, /^dist: electron-builder could not download .*docs\/operations\.md \("Installers"\)/);
  assert.doesNotMatch(stderr, /^\s+at /m);
});
