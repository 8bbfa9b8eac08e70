#!/usr/bin/env node
// `npm run dist [-- <electron-builder options>]`: typecheck, build, then installers with electron-builder
// (build/electron-builder.json; output in release/). electron-builder downloads the Electron zip for each
// target; where that cannot be reached it fails with one line saying so and what to do, not a stack trace.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);

if (!process.env.LATCH_DIST_SKIP_BUILD) {
  for (const script of ['typecheck', 'build:app']) {
    if (spawnSync('npm', ['run', '--silent', script], { cwd: root, stdio: 'inherit' }).status !== 0) process.exit(1);
  }
}

const builder = spawn(process.execPath, [join(root, 'node_modules/electron-builder/cli.js'), '--config', 'build/electron-builder.json', ...args], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'pipe'],
});
let output = '';
let pending = '';
// Progress lines ("  • building …") are shown as they come; errors, which electron-builder prints with stacks, are judged at the end.
builder.stdout.on('data', (chunk) => {
  output += chunk;
  const lines = (pending + chunk).split('\n');
  pending = lines.pop() ?? '';
  for (const line of lines) if (/^\s+• /.test(line)) process.stdout.write(`${line}\n`);
});
builder.stderr.on('data', (chunk) => (output += chunk));
const code = await new Promise((resolve) => builder.on('close', (status) => resolve(status ?? 1)));

// electron-builder rebuilds keytar for Electron in node_modules itself; a rebuild that failed half-way
// leaves none, and one that worked leaves Electron's, which Node (npm test, npm run server) cannot load.
const nodeKeytar = () => spawnSync(process.execPath, ['-e', "require('keytar')"], { cwd: root, stdio: 'ignore' }).status === 0;
if (!nodeKeytar()) {
  const rebuilt = spawnSync('npm', ['rebuild', 'keytar'], { cwd: root, stdio: 'ignore' }).status === 0 && nodeKeytar();
  process.stdout.write(
    rebuilt ? '  • keytar rebuilt for Node again (electron-builder rebuilds it for Electron in node_modules)\n' : 'dist: keytar no longer loads in Node; run npm rebuild keytar\n',
  );
}
if (code === 0) process.exit(0);

const offline = /network connectivity|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ECONNRESET|ENETUNREACH/.exec(output);
if (offline) {
  const what = /node-gyp|rebuild/.test(output.slice(0, offline.index + 200))
    ? "Electron's headers, to rebuild keytar for Electron"
    : 'the Electron zip for this target';
  process.stderr.write(
    `dist: electron-builder could not download ${what} (${offline[0]}); build where Electron's release host is reachable, ` +
      `or see docs/operations.md ("Installers") for building with electronDist offline.\n`,
  );
} else {
  process.stderr.write(output.slice(output.length - 20_000));
}
process.exit(code);
