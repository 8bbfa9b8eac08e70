// The keychain as the core uses it: separate entries per profile, the
// memory-only fallback when no keychain can be reached, and its cost.
import assert from 'node:assert/strict';
import { en } from '../../../shared/messages.js';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { KEYCHAIN_SERVICE, loadKeytar, TokenVault, type SecretBackend } from '../../../electron/core/token-vault.js';
import type { SessionState } from '../../../shared/ipc.js';
import { Http, register, uniqueEmail } from '../../../kit/http.js';
import { createAccount, isOnline, isSignedIn, keychainEntry, serverWithDevices, waitForState } from '../../support/devices.js';
import type { TestServer } from '../../support/server.js';

const PASSWORD = 'correct horse battery staple';

describe('keychain', () => {
  const lab = serverWithDevices();
  let server: TestServer;
  before(() => {
    server = lab.server();
  });

  it('keeps two profiles on one machine as two devices with their own keychain entries', async () => {
    const email = uniqueEmail();
    const appDataDir = mkdtempSync(join(tmpdir(), 'latch-profiles-'));
    const work = lab.device('Work profile', { profile: 'work', appDataDir });
    const home = lab.device('Home profile', { profile: 'home', appDataDir });
    await work.controller.start();
    await home.controller.start();
    await createAccount(work.controller, server.url, email, PASSWORD);
    await home.controller.signIn({ mode: 'signIn', serverUrl: server.url, email, password: PASSWORD });
    const origin = new URL(server.url).origin;
    assert.equal(work.account, `work@${origin}`);
    assert.equal(home.account, `home@${origin}`);
    const [workToken, homeToken] = [await keychainEntry(work.account), await keychainEntry(home.account)];
    assert.ok(workToken && homeToken && workToken !== homeToken);
    const sessions = await work.controller.listSessions();
    assert.deepEqual(sessions.map((s) => s.deviceName), ['Work profile', 'Home profile']);
    const state = await waitForState(work.controller, isOnline);
    assert.deepEqual(state.keychain, { kind: 'os', store: 'secret_service' });
  });

  it('measures keychain writes and reads', async (t) => {
    const vault = new TokenVault(`timing-${process.pid}@http://127.0.0.1:1`);
    const rounds = 20;
    const writes: number[] = [];
    const reads: number[] = [];
    for (let i = 0; i < rounds; i++) {
      let started = performance.now();
      await vault.write(`lt_${'x'.repeat(42)}${i % 10}`);
      writes.push(performance.now() - started);
      started = performance.now();
      assert.equal(await vault.read(), `lt_${'x'.repeat(42)}${i % 10}`);
      reads.push(performance.now() - started);
    }
    await vault.delete();
    assert.equal(vault.state.kind, 'os');
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    t.diagnostic(`keychain (gnome-keyring over D-Bus), ${rounds} rounds: write median ${median(writes).toFixed(2)} ms, read median ${median(reads).toFixed(2)} ms`);
  });

  it('without a reachable keychain: signs in memory-only, says so, writes no token to disk, asks again next start', async () => {
    const home = mkdtempSync(join(tmpdir(), 'latch-nokeychain-'));
    const appDataDir = join(home, 'app-data');
    try {
      const child = fileURLToPath(new URL('../../support/memory-only-device.js', import.meta.url));
      const { email } = await register(new Http(server.url));
      const output = await run(process.execPath, [child, server.url, appDataDir, email, PASSWORD], {
        ...process.env,
        HOME: home,
        XDG_CONFIG_HOME: join(home, '.config'),
        XDG_DATA_HOME: join(home, '.local/share'),
        DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/latch-test-bus',
      });
      const { signedIn, afterRestart } = JSON.parse(output) as { signedIn: SessionState; afterRestart: SessionState };
      assert.ok(isSignedIn(signedIn), 'sign-in works without a keychain');
      assert.equal(signedIn.keychain.kind, 'memory-only');
      assert.match(en.keychainUnavailable(signedIn.keychain.store, signedIn.keychain.problem), /^The system keyring is not available \(.+\)\. Install and unlock a keyring/);
      assert.equal(afterRestart.status, 'signedOut', 'a later start without the keychain asks for sign-in');
      for (const file of filesUnder(home)) {
        assert.ok(!readFileSync(file, 'latin1').includes('lt_'), `${file} holds a token`);
      }
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('runs keychain operations one at a time, in order: a slow write cannot land after a later one', async () => {
    const stored = new Map<string, string>();
    const order: string[] = [];
    let releaseFirst!: () => void;
    const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
    const slow: SecretBackend = {
      getPassword: async (_s, a) => stored.get(a) ?? null,
      async setPassword(_s, a, p) {
        if (p === 'lt_renewed') await firstHeld;
        order.push(`set ${p}`);
        stored.set(a, p);
      },
      async deletePassword(_s, a) {
        order.push('delete');
        return stored.delete(a);
      },
    };
    const vault = new TokenVault('slow@http://127.0.0.1:1', async () => slow);
    // A rotation's write is slow; meanwhile the person signs out and in again.
    const pending = [vault.write('lt_renewed'), vault.delete(), vault.write('lt_signed_in_again')];
    releaseFirst();
    await Promise.all(pending);
    assert.deepEqual(order, ['set lt_renewed', 'delete', 'set lt_signed_in_again']);
    assert.equal(await vault.read(), 'lt_signed_in_again');
  });

  it('falls back to memory-only when the keychain fails mid-run, keeping the session', async () => {
    let fail = false;
    const keytar = await loadKeytar();
    const flaky = {
      getPassword: (s: string, a: string) => (fail ? Promise.reject(new Error('daemon went away')) : keytar.getPassword(s, a)),
      setPassword: (s: string, a: string, p: string) => (fail ? Promise.reject(new Error('daemon went away')) : keytar.setPassword(s, a, p)),
      deletePassword: (s: string, a: string) => (fail ? Promise.reject(new Error('daemon went away')) : keytar.deletePassword(s, a)),
    };
    const vault = new TokenVault(`flaky-${process.pid}@http://127.0.0.1:1`, async () => flaky);
    await vault.write('lt_first');
    assert.equal(await vault.read(), 'lt_first');
    fail = true;
    await vault.write('lt_second');
    assert.equal(vault.state.kind, 'memory-only');
    assert.match(vault.state.problem ?? '', /daemon went away/);
    assert.equal(await vault.read(), 'lt_second', 'the token is still held in memory');
    fail = false;
    await keytar.deletePassword(KEYCHAIN_SERVICE, vault.account);
  });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) return [];
    return stat.isDirectory() ? filesUnder(path) : stat.isFile() ? [path] : [];
  });
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`child exited ${code}: ${stderr}`))));
  });
}
