#!/usr/bin/env node
// Regenerates docs/screenshots/ from the Chromium specs (each screen and state they reach).
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const docs = `${root}docs/screenshots`;
for (const script of ['build:node', 'build:app']) {
  if (spawnSync('npm', ['run', '--silent', script], { cwd: root, stdio: 'inherit' }).status !== 0) process.exit(1);
}
rmSync(docs, { recursive: true, force: true });
const result = spawnSync(process.execPath, ['scripts/run-tests.mjs', '--browser-only'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, LATCH_DOCS_SCREENSHOTS: docs },
});
process.exit(result.status ?? 1);
