// A server-only install: `npm run pack:server` writes the server with a
// package.json of its own, `npm ci --omit=dev` installs only what it
// imports (no Electron, browser, keytar or libsecret), and the server starts
// from there and signs a device in.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { waitFor } from '../support/wait.js';

const root = new URL('../../..', import.meta.url).pathname;
const folder = mkdtempSync(join(tmpdir(), 'latch-server-only-'));
after(() => rmSync(folder, { recursive: true, force: true }));

describe('server-only install', { timeout: 600_000 }, () => {
  it('packs, installs without the desktop and runs', async () => {
    const target = join(folder, 'latch-server');
    const packed = spawnSync(process.execPath, ['scripts/pack-server.mjs', target], { cwd: root, encoding: 'utf8' });
    assert.equal(packed.status, 0, packed.stderr);
    const pkg = JSON.parse(readFileSync(join(target, 'package.json'), 'utf8'));
    for (const desktop of ['electron', 'keytar', '@playwright/test', 'react', 'zustand', 'electron-builder']) {
      assert.equal(pkg.dependencies[desktop], undefined, `${desktop} is not a server dependency`);
    }

    // With the user's own home (the test runner gives tests a private one for the keyring): its npm cache,
    // which this repository's install filled, and node-gyp's headers, which building keytar fetched.
    const home = userInfo().homedir;
    // Its own lockfile, cut from this repository's: the versions the tests ran with, transitive ones too.
    const lock = JSON.parse(readFileSync(join(target, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string }> };
    const rootLock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string }> };
    for (const name of ['node_modules/kysely', 'node_modules/pg', 'node_modules/@nestjs/core', 'node_modules/fastify']) {
      assert.equal(lock.packages[name]?.version, rootLock.packages[name]?.version, name);
    }
    assert.equal(lock.packages['node_modules/electron'], undefined, 'no desktop package in the lock');
    const install = spawnSync('npm', ['ci', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: target,
      encoding: 'utf8',
      timeout: 540_000,
      env: { ...process.env, HOME: home, XDG_CACHE_HOME: join(home, '.cache') },
    });
    assert.equal(install.status, 0, install.stderr);
    for (const desktop of ['electron', 'keytar', 'playwright', '@playwright', 'react']) {
      assert.ok(!existsSync(join(target, 'node_modules', desktop)), `${desktop} was installed`);
    }

    const dataDir = join(folder, 'data');
    let output = '';
    // Its own process group: npm does not pass SIGTERM on to the server, so the whole group is stopped.
    const server = spawn('npm', ['start', '--silent'], { cwd: target, detached: true, env: { ...process.env, PORT: '0', LATCH_DATA_DIR: dataDir } });
    server.stdout.on('data', (chunk) => (output += chunk));
    server.stderr.on('data', (chunk) => (output += chunk));
    try {
      await waitFor(() => /listening on http:\/\/127\.0\.0\.1:\d+/.test(output), 'the server says where it listens', 20_000);
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)![1]!;
      assert.equal((await fetch(`${url}/readyz`)).status, 200);
      const registered = await fetch(`${url}/v1/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'ops@example.test', password: 'correct horse battery', device: { name: 'Server check', platform: 'linux', appVersion: '1' } }),
      });
      assert.equal(registered.status, 202);
      // With no SMTP set, the mail is in the local mailbox and its code in the log, as docs/operations.md says.
      await waitFor(() => /its code: \d{6}/.test(output), 'the log names the sign-up code', 20_000);
      const code = /its code: (\d{6})/.exec(output)![1]!;
      const { codeSent } = (await registered.json()) as { codeSent: { id: string } };
      const made = await fetch(`${url}/v1/auth/register/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: codeSent.id, code }) });
      assert.equal(made.status, 201);
      // It serves the account page from its own copy.
      const page = await fetch(`${url}/account`);
      assert.equal(page.status, 200);
      const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(await page.text())?.[1];
      assert.ok(script, 'the page names its script');
      assert.equal((await fetch(`${url}/${script}`)).status, 200);
      // The operator's tool, beside the running server, with the server's settings.
      const admin = (...args: string[]) => spawnSync(join(target, 'latch-admin'), args, { cwd: target, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: folder, LATCH_DATA_DIR: dataDir } });
      const found = admin('accounts', 'find', 'ops@');
      assert.equal(found.status, 0, found.stderr);
      assert.match(found.stdout, /ops@example\.test +yes +no +no +1 /);
      const ended = admin('sessions', 'end', 'ops@example.test', '--all');
      assert.equal(ended.status, 0, ended.stderr);
      assert.equal(ended.stdout, "Signed out 1 device of ops@example.test: 'Server check'\n", 'the running server was told (no note that none runs)');
    } finally {
      process.kill(-server.pid!, 'SIGTERM');
      await new Promise((resolve) => server.on('close', resolve));
    }
  });
});
