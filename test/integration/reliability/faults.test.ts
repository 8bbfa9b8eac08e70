// Faults injected into real processes: the server killed in the middle of a
// revoke-others, the store going away, the keychain daemon killed.
import assert from 'node:assert/strict';
import { en } from '../../../shared/messages.js';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';
import type { SessionState } from '../../../shared/ipc.js';
import { Http, login, register } from '../../../kit/http.js';
import { createAccount, disposeDevice, isOnline, isSignedIn, isSignedOut, keychainEntry, newDevice, waitForState } from '../../support/devices.js';
import { LATCH_LISTENING, startProcess } from '../../../kit/process.js';
import { startTestServer } from '../../support/server.js';
import { StoreContext } from '../../support/stores.js';

const PASSWORD = 'correct horse battery staple';
const MAIN = fileURLToPath(new URL('../../../server/main.js', import.meta.url));
/** The server as its own process (`node dist/server/main.js`), for faults that need a real process to kill. */
const startServerProcess = (env: Record<string, string>) => startProcess(MAIN, env, { line: LATCH_LISTENING });

/** Figures for docs/reliability.md, printed as diagnostics. */
describe('faults', () => {
  it('kill -9 during revoke-others: after restart every session is fully revoked or untouched, and devices learn it', async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'latch-kill-'));
    const outcomes: string[] = [];
    try {
      let server = await startServerProcess({ LATCH_DATA_DIR: dataDir, LATCH_LOG_LEVEL: 'info' });
      const port = String(server.port);
      for (let round = 0; round < 6; round++) {
        const http = new Http(server.url);
        const revoker = await register(http, undefined, 'Work laptop');
        const others = [];
        for (let i = 0; i < 15; i++) others.push(await login(http, revoker.email, `Device ${i}`));
        const device = newDevice(server.url, { deviceName: 'Watched desktop' });
        await device.controller.start();
        await device.controller.signIn({ mode: 'signIn', serverUrl: server.url, email: revoker.email, password: PASSWORD });
        const watched = await waitForState(device.controller, isOnline);

        // Fire the revoke and kill the process a little later each round: before, during or after the commit.
        const revoke = http.post('/v1/sessions/revoke-others', undefined, revoker.token).catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, round));
        await server.stop('SIGKILL');
        await revoke;

        const db = new SQLite(join(dataDir, 'latch.sqlite'), { readonly: true });
        const rows = db
          .prepare('select id, revoked_at, revoke_reason, revoked_by from sessions where user_id = ?')
          .all(revoker.user.id) as Array<{ id: string; revoked_at: number | null; revoke_reason: string | null; revoked_by: string | null }>;
        db.close();
        const others$ = rows.filter((r) => r.id !== revoker.session.id);
        const revoked = others$.filter((r) => r.revoked_at !== null);
        for (const r of rows) assert.equal(r.revoked_at === null, r.revoke_reason === null, 'a half-revoked row');
        assert.ok(revoked.length === 0 || revoked.length === others$.length, `round ${round}: ${revoked.length} of ${others$.length} revoked`);
        assert.equal(rows.find((r) => r.id === revoker.session.id)?.revoked_at, null, 'the revoker is never revoked');
        outcomes.push(revoked.length === 0 ? 'untouched' : 'all revoked');

        server = await startServerProcess({ LATCH_DATA_DIR: dataDir, LATCH_LOG_LEVEL: 'info', PORT: port });
        if (revoked.length > 0) {
          const state = await waitForState(device.controller, isSignedOut, 10_000);
          assert.equal(state.notice?.byDeviceName, 'Work laptop');
          assert.equal(await keychainEntry(device.account), null);
        } else {
          const state = await waitForState(device.controller, isOnline, 10_000);
          assert.equal(state.session.id, watched.session.id);
        }
        disposeDevice(device);
      }
      await server.stop('SIGTERM');
      t.diagnostic(`kill -9 rounds: ${outcomes.length} (${outcomes.filter((o) => o === 'all revoked').length} all revoked, ${outcomes.filter((o) => o === 'untouched').length} untouched, 0 partial)`);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  describe('the store goes away (PostgreSQL stopped)', () => {
    const ctx = new StoreContext('postgres', { ownPostgres: true }); // stopped below
    after(() => ctx.dispose());

    it('the server answers 503 unavailable, and the desktop stays signed in, offline, until it is back', async () => {
      const server = await startTestServer(await ctx.newStore());
      const device = newDevice(server.url, { deviceName: 'Laptop' });
      try {
        await device.controller.start();
        await createAccount(device.controller, server.url, `pg-down-${Date.now()}@example.test`, PASSWORD);
        await waitForState(device.controller, isOnline);
        const http = new Http(server.url);

        await ctx.pg.stop();
        const ready = await http.get('/readyz');
        assert.equal(ready.status, 503);
        assert.equal(ready.body.error.code, 'unavailable');
        const login503 = await http.post('/v1/auth/login', { email: 'a@b.co', password: 'x', device: { name: 'x', platform: 'linux', appVersion: '1' } });
        assert.equal(login503.status, 503);
        assert.equal(login503.headers.get('retry-after'), '5');
        // Each failed request is a line of the log (at warn), with the access log off.
        const failed = server.logs.map((line) => JSON.parse(line) as { msg: string; level: number; status?: number; req?: { path: string } });
        assert.ok(failed.some((l) => l.msg === 'request failed' && l.level === 40 && l.status === 503 && l.req?.path === '/v1/auth/login'), 'the 503 is logged');

        await assert.rejects(device.controller.listSessions(), { kind: 'offline' });
        const state = device.controller.getState();
        assert.ok(isSignedIn(state) && state.connection === 'offline', 'offline, still signed in');
        assert.ok(await keychainEntry(device.account), 'the token is kept');

        await ctx.pg.start();
        assert.equal((await http.get('/readyz')).status, 200);
        assert.equal((await device.controller.listSessions()).length, 1);
        await waitForState(device.controller, isOnline);
      } finally {
        disposeDevice(device);
        await server.close();
      }
    });
  });

  it('the keychain daemon killed while the app runs: reported, memory-only from then on, sign-in asked next start', async () => {
    const server = await startTestServer({ kind: 'sqlite', file: join(mkdtempSync(join(tmpdir(), 'latch-kc-')), 'latch.sqlite') });
    const home = mkdtempSync(join(tmpdir(), 'latch-kc-home-'));
    try {
      const child = fileURLToPath(new URL('../../support/keychain-dies-device.js', import.meta.url));
      // The account, made over HTTP, and that sign-in ended: the device's is then the account's only session.
      const { email, token } = await register(new Http(server.url));
      await new Http(server.url).post('/v1/auth/logout', undefined, token);
      const script = `printf latch | gnome-keyring-daemon --unlock --components=secrets --daemonize >/dev/null && exec "$0" "$@"`;
      const output = await new Promise<string>((resolve, reject) => {
        const proc = spawn('dbus-run-session', ['--', 'sh', '-c', script, process.execPath, child, server.url, join(home, 'app'), email, PASSWORD], {
          env: { ...process.env, HOME: home, XDG_RUNTIME_DIR: home, XDG_DATA_HOME: join(home, '.local/share'), XDG_CONFIG_HOME: join(home, '.config') },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        let err = '';
        proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
        proc.stderr.on('data', (c: Buffer) => (err += c.toString()));
        proc.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`child exited ${code}: ${err}`))));
      });
      const r = JSON.parse(output) as Record<'before' | 'afterSignOut' | 'afterSignIn' | 'nextStart', SessionState> & { sessionsAfterKill: number };
      assert.ok(isSignedIn(r.before) && r.before.keychain.kind === 'os');
      assert.equal(r.sessionsAfterKill, 1, 'the session keeps working without the keychain');
      assert.ok(isSignedOut(r.afterSignOut) && r.afterSignOut.keychain.kind === 'memory-only', 'the failure is reported');
      assert.ok(isSignedIn(r.afterSignIn) && r.afterSignIn.keychain.kind === 'memory-only', 'sign-in works memory-only');
      assert.match(en.keychainUnavailable(r.afterSignIn.keychain.store, r.afterSignIn.keychain.problem), /^The system keyring is not available \(.+\)\. Install and unlock a keyring/);
      assert.equal(r.nextStart.status, 'signedOut', 'a later start without the keychain asks for sign-in');
    } finally {
      await server.close();
      rmSync(home, { recursive: true, force: true });
    }
  });
});
