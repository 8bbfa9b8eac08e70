// A copied device token, as an infostealer would take it: read out of the
// real keychain by another process and used from another address. Real
// desktop cores, a real server on SQLite and PostgreSQL, and a clock the
// test moves past the rotation grace. Also a crash (kill -9) between the
// server's answer and the keychain write, and a device without a keychain.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SESSION_POLICY, type StoreConfig } from '../../../server/config/config.js';
import { CurrentSession } from '../../../shared/api.js';
import type { SessionState } from '../../../shared/ipc.js';
import { noticeText } from '../../../shared/notice-text.js';
import { loadKeytar, TokenVault, type SecretBackend } from '../../../electron/core/token-vault.js';
import { ManualClock, SECOND } from '../../support/clock.js';
import { createAccount,
  disposeDevice,
  isOnline,
  isSignedIn,
  isSignedOut,
  keychainEntry,
  newDevice,
  waitForState,
  type DeviceOptions,
  type TestDevice,
} from '../../support/devices.js';
import { EventSocket, Http, newClaim, PASSWORD, register, uniqueEmail } from '../../../kit/http.js';
import { startTestServer, tempSqlite, type TestServer } from '../../support/server.js';
import { forEachStore } from '../../support/stores.js';
import { waitFor } from '../../support/wait.js';

const GRACE = 60 * SECOND;
const THIEF = { ip: '81.2.69.142', location: { kind: 'internet', country: 'GB', city: 'London' } };
const root = fileURLToPath(new URL('../../../../', import.meta.url));

/** What an infostealer running as the same user does: another process asks the Secret Service for Latch's item. */
async function copyFromKeychain(account: string): Promise<string> {
  const code = `import keytar from 'keytar'; process.stdout.write((await keytar.getPassword('Latch', ${JSON.stringify(account)})) ?? '');`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await new Promise((resolve) => child.on('close', resolve));
  assert.match(out, /^lt_/, 'the other process read the token');
  return out;
}

forEachStore('a copied device token', (ctx) => {
  const clock = new ManualClock();
  let store: StoreConfig;
  let server: TestServer;
  let http: Http;
  const devices: TestDevice[] = [];

  before(async () => {
    store = await ctx.newStore();
    server = await startTestServer(store, { clock, config: { trustProxy: 1, sessions: { ...DEFAULT_SESSION_POLICY, rotationGraceMs: GRACE } } });
    http = new Http(server.url);
  });
  after(async () => {
    for (const d of devices) disposeDevice(d);
    await server?.close();
  });

  const thiefCall = (method: 'GET' | 'POST', path: string, token: string, json?: unknown) =>
    http.request(method, path, { token, headers: { 'x-forwarded-for': THIEF.ip }, ...(json !== undefined ? { json } : {}) });

  /** Two devices of one new account, both online. */
  async function account(laptopOptions: Omit<DeviceOptions, 'deviceName'> = {}) {
    const email = uniqueEmail();
    const laptop = newDevice(server.url, { deviceName: 'Work laptop', ...laptopOptions });
    const phone = newDevice(server.url, { deviceName: 'Phone' });
    devices.push(laptop, phone);
    await laptop.controller.start();
    await createAccount(laptop.controller, server.url, email, PASSWORD);
    await phone.controller.start();
    await phone.controller.signIn({ mode: 'signIn', serverUrl: server.url, email, password: PASSWORD });
    await waitForState(laptop.controller, isOnline);
    await waitForState(phone.controller, isOnline);
    return { laptop, phone };
  }

  async function expectCaught(laptop: TestDevice, phone: TestDevice, usedFrom: typeof THIEF | { ip: string }) {
    const ended = await waitForState(laptop.controller, isSignedOut);
    assert.equal(ended.notice?.reason, 'token_reused');
    assert.equal(ended.notice?.usedFrom?.ip, usedFrom.ip);
    assert.match(noticeText(ended.notice!), /copy.*Latch signed this device out to protect your account\. Sign in again, then change your password\.$/);
    assert.equal(await keychainEntry(laptop.account), null, 'the laptop forgot its token');
    await waitFor(() => phone.controller.getCopiedSignIns().some((a) => a.deviceName === 'Work laptop'), 'the phone shows the alert');
    assert.deepEqual(phone.controller.getCopiedSignIns()[0]!.usedFrom.ip, usedFrom.ip);
    assert.ok(phone.events.some((e) => e.type === 'copiedSignIns' && e.added?.deviceName === 'Work laptop'), 'every window and the OS notification are told once');
    assert.ok(isOnline(phone.controller.getState()), 'the other device stays signed in');
    const listed = await phone.controller.listSessions();
    assert.deepEqual(listed.map((s) => s.deviceName), ['Phone']);
  }

  it('copied out of the keychain and used after the device has rotated: the session ends as token_reused, and both devices say so', async () => {
    const { laptop, phone } = await account({ rotateEveryMs: 100 });
    const stolen = await copyFromKeychain(laptop.account);
    assert.equal(stolen, await keychainEntry(laptop.account));
    clock.advance(GRACE);
    // The laptop replaces its token by itself; the new one is stored, then used.
    await waitFor(async () => (await keychainEntry(laptop.account)) !== stolen, 'the laptop stored a new token');
    const rotatedAt = laptop.events.length;
    await waitFor(() => laptop.events.slice(rotatedAt).some((e) => e.type === 'sessionsChanged'), 'the laptop used its new token');
    assert.ok(isOnline(laptop.controller.getState()));
    clock.advance(GRACE + 1);

    const reply = await thiefCall('GET', '/v1/auth/session', stolen);
    assert.equal(reply.status, 401);
    assert.equal(reply.body.error.reason, 'token_reused');
    await expectCaught(laptop, phone, THIEF);
    const alert = phone.controller.getCopiedSignIns()[0]!;
    assert.deepEqual(alert.usedFrom, THIEF, 'the alert says where, with the approximate place');
  });

  it('a copy that watches the list and follows the device’s rotation when it comes online gets nothing, and both devices say so', async () => {
    const { laptop, phone } = await account({ rotateEveryMs: 100 });
    const stolen = await copyFromKeychain(laptop.account);
    const state = laptop.controller.getState();
    assert.ok(state.status === 'signedIn');
    clock.advance(GRACE);
    // The laptop rotates by itself (as on every connect) and uses its new token; the thief, polling the list
    // with its copy, sees the laptop online and asks for the replacement inside the grace.
    await waitFor(async () => (await keychainEntry(laptop.account)) !== stolen, 'the laptop stored a new token');
    const rotatedAt = laptop.events.length;
    await waitFor(() => laptop.events.slice(rotatedAt).some((e) => e.type === 'sessionsChanged'), 'the laptop used its new token');
    const listed = await thiefCall('GET', '/v1/sessions', stolen);
    assert.equal(listed.status, 200, 'the copy still works inside the grace');
    assert.ok(listed.body.sessions.some((s: { id: string; online: boolean }) => s.id === state.session.id && s.online), 'and shows the laptop online');
    clock.advance(3 * SECOND);
    const followed = await thiefCall('POST', '/v1/auth/rotate', stolen, { claim: newClaim() });
    assert.equal(followed.status, 401, 'no replacement for a copy');
    assert.equal(followed.body.error.reason, 'token_reused');
    await expectCaught(laptop, phone, THIEF);
  });

  it('the thief rotates first: the device’s next call, after the grace, ends the session for both copies', async () => {
    const { laptop, phone } = await account();
    const stolen = await copyFromKeychain(laptop.account);
    clock.advance(GRACE);
    const rotated = await thiefCall('POST', '/v1/auth/rotate', stolen, { claim: newClaim() });
    assert.equal(rotated.status, 200);
    const thiefToken = rotated.body.token as string;
    assert.equal((await thiefCall('GET', '/v1/auth/session', thiefToken)).status, 200);
    clock.advance(GRACE + 1);

    // The owner opens the devices window: its token is the replaced one now.
    await assert.rejects(laptop.controller.listSessions(), /used somewhere else/);
    await expectCaught(laptop, phone, { ip: '127.0.0.1' });
    const thiefAfter = await thiefCall('GET', '/v1/sessions', thiefToken);
    assert.equal(thiefAfter.status, 401, 'the thief’s copy is signed out too');
    assert.equal(thiefAfter.body.error.reason, 'token_reused');
  });

  it('a device without a keychain rotates too, in memory', async () => {
    const noKeychain = async () => {
      throw new Error('no Secret Service here');
    };
    const { laptop } = await account({ rotateEveryMs: 100, secretBackend: noKeychain });
    const state = laptop.controller.getState();
    assert.ok(isOnline(state) && state.keychain.kind === 'memory-only');
    const seen = laptop.events.length;
    const before = await ctx.tokenColumns(store, state.session.id);
    clock.advance(GRACE);
    await waitFor(async () => (await ctx.tokenColumns(store, state.session.id))?.prev_token_hash === before?.token_hash, 'the token was replaced and used');
    await laptop.controller.listSessions();
    assert.ok(isOnline(laptop.controller.getState()), 'still signed in on its new token');
    const flickers = laptop.events.slice(seen).filter((e) => e.type === 'state' && !isOnline(e.state));
    assert.deepEqual(flickers, [], 'renewing the socket for a new token never shows the device as reconnecting');
  });

  it('killed (-9) between the server’s answer and the keychain write, then restarted later: still signed in, on the new token', async () => {
    const { email } = await register(http);
    const appDataDir = mkdtempSync(join(tmpdir(), 'latch-crash-'));
    const account = TokenVault.accountFor('default', new URL(server.url).origin);
    const child = fileURLToPath(new URL('../../support/rotating-device.js', import.meta.url));
    const children: ChildProcess[] = [];
    try {
      const first = start(child, [server.url, appDataDir, 'crash', email, PASSWORD]);
      children.push(first.process);
      const signedIn = (await first.next((line) => line.state !== undefined)).state;
      assert.ok(signedIn && isOnline(signedIn));
      const signedInToken = await keychainEntry(account);
      clock.advance(GRACE);
      await first.next((line) => line.writingRotatedToken === true);
      first.process.kill('SIGKILL');
      await first.exited;
      assert.equal(await keychainEntry(account), signedInToken, 'the keychain still holds the token from before the rotation');

      // Long after the grace: the new token was never used, so the old one is still the current one.
      clock.advance(10 * GRACE);
      const second = start(child, [server.url, appDataDir, 'restart']);
      children.push(second.process);
      const { state } = await second.next((line) => line.state !== undefined);
      assert.ok(state && isOnline(state), `signed in after the restart: ${JSON.stringify(state)}`);
      await waitFor(async () => (await keychainEntry(account)) !== signedInToken, 'the restarted core stored the new token');
      const current = (await keychainEntry(account))!;
      const me = await http.get('/v1/auth/session', current);
      assert.equal(me.status, 200);
      assert.equal(CurrentSession.parse(me.body).session.id, signedIn.session.id, 'the same session, not a new sign-in');
    } finally {
      for (const c of children) c.kill('SIGKILL');
      rmSync(appDataDir, { recursive: true, force: true });
    }
  });
});

interface Line {
  state?: SessionState;
  writingRotatedToken?: boolean;
}

/** A child core whose JSON lines can be awaited. */
function start(script: string, args: string[]): { process: ChildProcess; next(match: (line: Line) => boolean): Promise<Line>; exited: Promise<unknown> } {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: Line[] = [];
  const waiters: Array<() => void> = [];
  createInterface({ input: child.stdout! }).on('line', (text) => {
    lines.push(JSON.parse(text) as Line);
    waiters.splice(0).forEach((wake) => wake());
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  return {
    process: child,
    exited,
    async next(match) {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const found = lines.find(match);
        if (found) return found;
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no such line from the child; got ${JSON.stringify(lines)}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 200);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
  };
}

describe('rotation when things get in the way', () => {
  // A short grace on a clock the test moves: replaced tokens' sockets close after 400 ms of real time.
  const SHORT_GRACE = 400;
  const clock = new ManualClock();
  const sqlite = tempSqlite();
  let server: TestServer;
  const devices: TestDevice[] = [];
  before(async () => {
    server = await startTestServer(sqlite.store, { clock, config: { sessions: { ...DEFAULT_SESSION_POLICY, rotationGraceMs: SHORT_GRACE } } });
  });
  after(async () => {
    for (const d of devices) disposeDevice(d);
    await server?.close();
    sqlite.dispose();
  });
  const device = (name: string, options: Omit<DeviceOptions, 'deviceName'> = {}) => {
    const d = newDevice(server.url, { deviceName: name, ...options });
    devices.push(d);
    return d;
  };

  it('a copy holding every socket of the session does not stop the owner rotating; its sockets close, the owner’s renewed one stays', async () => {
    const email = uniqueEmail();
    const laptop = device('Work laptop');
    await laptop.controller.start();
    await createAccount(laptop.controller, server.url, email, PASSWORD);
    await waitForState(laptop.controller, isOnline);
    const stolen = (await keychainEntry(laptop.account))!;
    laptop.controller.dispose();
    // The thief takes both sockets a session may hold while the laptop is off.
    const copies = [await EventSocket.open(server.url, stolen), await EventSocket.open(server.url, stolen)];
    clock.advance(SHORT_GRACE);

    const again = device('Work laptop', { profile: laptop.profile, appDataDir: laptop.appDataDir });
    await again.controller.start();
    await waitFor(async () => (await keychainEntry(laptop.account)) !== stolen, 'the laptop replaced its token though its socket was refused');
    assert.deepEqual(await Promise.all(copies.map((c) => c.closed())), [4003, 4003], 'the copy’s sockets close when the grace ends');
    await waitForState(again.controller, isOnline, 10_000);
    // Its socket, opened with the new token, hears the account.
    const phone = device('Phone');
    await phone.controller.start();
    await phone.controller.signIn({ mode: 'signIn', serverUrl: server.url, email, password: PASSWORD });
    await waitFor(() => again.controller.getNewSignIns().some((s) => s.deviceName === 'Phone'), 'the laptop hears the new sign-in');
  });

  it('a keychain that fails while a rotated token is stored: the next start does not present the replaced token as a copy', async () => {
    const email = uniqueEmail();
    const keytar = await loadKeytar();
    let broken = false;
    const flaky: SecretBackend = {
      getPassword: (s, a) => keytar.getPassword(s, a),
      setPassword: (s, a, p) => (broken ? Promise.reject(new Error('the keyring daemon went away')) : keytar.setPassword(s, a, p)),
      deletePassword: (s, a) => (broken ? Promise.reject(new Error('the keyring daemon went away')) : keytar.deletePassword(s, a)),
    };
    const laptop = device('Work laptop', { rotateEveryMs: 100, secretBackend: async () => flaky });
    const phone = device('Phone');
    await laptop.controller.start();
    await createAccount(laptop.controller, server.url, email, PASSWORD);
    await phone.controller.start();
    await phone.controller.signIn({ mode: 'signIn', serverUrl: server.url, email, password: PASSWORD });
    const signedIn = await waitForState(laptop.controller, isOnline);
    const before = (await keychainEntry(laptop.account))!;
    broken = true;
    clock.advance(SHORT_GRACE);
    await waitForState(laptop.controller, (s) => isSignedIn(s) && s.keychain.kind === 'memory-only');
    await waitForState(laptop.controller, isOnline); // and stays signed in, on the new token, in memory
    assert.equal(await keychainEntry(laptop.account), before, 'the keychain still holds the replaced token');
    laptop.controller.dispose();
    clock.advance(SHORT_GRACE + 1);

    const again = device('Work laptop', { profile: laptop.profile, appDataDir: laptop.appDataDir });
    const state = await again.controller.start();
    assert.equal(state.status, 'signedOut', 'asks for a sign-in instead');
    assert.equal(await keychainEntry(laptop.account), null, 'and clears the stale entry');
    const sessions = await phone.controller.listSessions();
    assert.ok(sessions.some((s) => s.id === signedIn.session.id), 'the laptop’s session was not ended as a copy');
    assert.deepEqual(phone.controller.getCopiedSignIns(), [], 'no other device was told of a copy');
  });
});

