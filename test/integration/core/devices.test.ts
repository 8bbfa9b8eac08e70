// Two desktop devices on one account: the real core against the real server
// over HTTP and WebSocket, with the real keychain (a private gnome-keyring).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { release } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { osDescription } from '../../../electron/core/device.js';
import { uniqueEmail } from '../../../kit/http.js';
import { createAccount,
  disposeDevice,
  isOnline,
  isSignedIn,
  isSignedOut,
  keychainEntry,
  newDevice,
  serverWithDevices,
  waitForEvent,
  waitForState,
  type TestDevice,
} from '../../support/devices.js';
import { startTestServer, tempSqlite, type TestServer } from '../../support/server.js';

const PASSWORD = 'correct horse battery staple';

describe('desktop core: two devices, one account', () => {
  const lab = serverWithDevices();
  const device = lab.device;
  let server: TestServer;
  before(() => {
    server = lab.server();
  });

  /** A signs up, B signs in to the same account; both wait until they are online. */
  const pair = async () => {
    const email = uniqueEmail();
    const a = device('Work laptop');
    const b = device('Home desktop');
    await a.controller.start();
    await b.controller.start();
    await createAccount(a.controller, server.url, email, PASSWORD);
    await b.controller.signIn({ mode: 'signIn', serverUrl: server.url, email, password: PASSWORD });
    await waitForState(a.controller, isOnline);
    await waitForState(b.controller, isOnline);
    return { a, b, email };
  };

  it('a device signed out elsewhere learns who did it within a second, with no call of its own', async (t) => {
    const { a, b } = await pair();
    const bState = b.controller.getState();
    assert.ok(isSignedIn(bState));
    assert.ok(await keychainEntry(b.account), 'B keeps its token in the keychain');
    const aListShrinks = waitForEvent(a, 'sessionsChanged', (e) => e.sessions.length === 1);

    const started = performance.now();
    await a.controller.revokeSession(bState.session.id);
    const signedOut = await waitForState(b.controller, isSignedOut, 1_000);
    const elapsed = performance.now() - started;
    t.diagnostic(`revoke call on A to signedOut on B: ${elapsed.toFixed(1)} ms`);

    assert.equal(signedOut.notice?.reason, 'revoked_by_user');
    assert.equal(signedOut.notice?.byDeviceName, 'Work laptop');
    assert.equal(await keychainEntry(b.account), null, "B's keychain entry is gone");
    const shrunk = await aListShrinks;
    assert.deepEqual(shrunk.sessions.map((s) => s.deviceName), ['Work laptop']);
  });

  it('A hears of a new sign-in on B with its device details, its OS and where it is', async () => {
    const email = uniqueEmail();
    const a = device('Work laptop');
    await a.controller.start();
    await createAccount(a.controller, server.url, email, PASSWORD);
    await waitForState(a.controller, isOnline);
    const alert = waitForEvent(a, 'newSignIns');
    const b = device('Strange desktop');
    await b.controller.start();
    await b.controller.signIn({ mode: 'signIn', serverUrl: server.url, email, password: PASSWORD });
    const { added: session } = await alert;
    assert.equal(session?.deviceName, 'Strange desktop');
    assert.equal(session.ip, '127.0.0.1');
    assert.deepEqual(session.location, { kind: 'this_computer' });
    assert.equal(session.os, osDescription({ platform: process.platform, release: release(), osRelease: readFileSync('/etc/os-release', 'utf8') }));
    assert.ok(session.os, 'this machine reports its OS');
    assert.equal(session.platform, process.platform === 'linux' ? 'linux' : session.platform);
  });

  it('keeps one list of new sign-in alerts: dismissing one, or signing that device out, clears it for every window', async () => {
    const email = uniqueEmail();
    const a = device('Work laptop');
    await a.controller.start();
    await createAccount(a.controller, server.url, email, PASSWORD);
    await waitForState(a.controller, isOnline);
    for (const name of ['One', 'Two', 'Three']) {
      const heard = waitForEvent(a, 'newSignIns', (e) => e.added?.deviceName === name);
      const other = device(name);
      await other.controller.start();
      await other.controller.signIn({ mode: 'signIn', serverUrl: server.url, email, password: PASSWORD });
      await heard;
    }
    assert.deepEqual(a.controller.getNewSignIns().map((s) => s.deviceName), ['Three', 'Two', 'One']);
    const dismissed = waitForEvent(a, 'newSignIns', (e) => e.sessions.length === 2);
    a.controller.dismissNewSignIns([a.controller.getNewSignIns()[0]!.id]);
    assert.deepEqual((await dismissed).sessions.map((s) => s.deviceName), ['Two', 'One']);
    const two = a.controller.getNewSignIns()[0]!;
    const cleared = waitForEvent(a, 'newSignIns', (e) => e.sessions.length === 1);
    await a.controller.revokeSession(two.id);
    assert.deepEqual((await cleared).sessions.map((s) => s.deviceName), ['One']);
  });

  it('a new controller with the same profile restores the session from the keychain, no password asked', async () => {
    const { a } = await pair();
    const before = a.controller.getState();
    assert.ok(isSignedIn(before));
    a.controller.dispose();
    const again = device('Work laptop', { profile: a.profile, appDataDir: a.appDataDir });
    const restored = await again.controller.start();
    assert.ok(isSignedIn(restored));
    assert.equal(restored.session.id, before.session.id);
    assert.equal(restored.user.email, before.user.email);
    await waitForState(again.controller, isOnline);
  });

  it('a password change on A signs B out with password_changed', async () => {
    const { a, b } = await pair();
    const result = await a.controller.changePassword({ currentPassword: PASSWORD, newPassword: 'a new long passphrase' });
    assert.deepEqual(result, { revoked: 1 });
    const signedOut = await waitForState(b.controller, isSignedOut);
    assert.equal(signedOut.notice?.reason, 'password_changed');
    assert.equal(signedOut.notice?.byDeviceName, 'Work laptop');
    assert.ok(isSignedIn(a.controller.getState()), 'A stays signed in');
  });

  it('a wrong current password is an error, not a sign-out', async () => {
    const { a } = await pair();
    await assert.rejects(a.controller.changePassword({ currentPassword: 'wrong one', newPassword: 'a new long passphrase' }), {
      code: 'invalid_password',
      kind: 'rejected',
    });
    assert.ok(isSignedIn(a.controller.getState()));
    assert.ok(await keychainEntry(a.account));
  });

  it('sign out all other devices: every other device gets the notice, this one stays', async () => {
    const { a, b, email } = await pair();
    const c = device('Tablet');
    await c.controller.start();
    await c.controller.signIn({ mode: 'signIn', serverUrl: server.url, email, password: PASSWORD });
    await waitForState(c.controller, isOnline);
    assert.deepEqual(await a.controller.revokeOtherSessions(), { revoked: 2 });
    for (const other of [b, c]) {
      const state = await waitForState(other.controller, isSignedOut);
      assert.equal(state.notice?.byDeviceName, 'Work laptop');
      assert.equal(await keychainEntry(other.account), null);
    }
    assert.deepEqual((await a.controller.listSessions()).map((s) => s.deviceName), ['Work laptop']);
  });

  it('renames this device for every device of the account', async () => {
    const { a, b } = await pair();
    const changed = waitForEvent(b, 'sessionsChanged', (e) => e.sessions.some((s) => s.deviceName === 'Ada’s laptop'));
    const renamed = await a.controller.renameDevice('Ada’s laptop');
    assert.equal(renamed.deviceName, 'Ada’s laptop');
    await changed;
    const state = a.controller.getState();
    assert.ok(isSignedIn(state) && state.session.deviceName === 'Ada’s laptop');
  });

  it('signing out forgets the token here and ends the session on the server, with no notice', async () => {
    const { a, b } = await pair();
    const aState = a.controller.getState();
    assert.ok(isSignedIn(aState));
    const bSeesIt = waitForEvent(b, 'sessionsChanged', (e) => !e.sessions.some((s) => s.id === aState.session.id));
    const state = await a.controller.signOut();
    assert.ok(isSignedOut(state));
    assert.equal(state.notice, undefined);
    assert.equal(await keychainEntry(a.account), null);
    await bSeesIt;
  });

  it('refuses a plain-http remote server and an unknown password without storing anything', async () => {
    const d = device('Laptop');
    await d.controller.start();
    await assert.rejects(d.controller.signIn({ mode: 'signIn', serverUrl: 'http://latch.example.com', email: 'a@b.co', password: 'x' }), {
      code: 'insecure_server_url',
      message: /https:\/\/latch\.example\.com/,
    });
    await assert.rejects(d.controller.signIn({ mode: 'signIn', serverUrl: server.url, email: uniqueEmail(), password: 'wrong password' }), {
      code: 'invalid_credentials',
    });
    assert.ok(isSignedOut(d.controller.getState()));
    assert.equal(await keychainEntry(d.account), null);
  });
});

describe('desktop core: offline', () => {
  const sqlite = tempSqlite();
  const devices: TestDevice[] = [];
  after(() => {
    for (const d of devices) disposeDevice(d);
    sqlite.dispose();
  });

  it('offline B stays signed in; revoked while away, it signs out on reconnect with the same notice', async () => {
    let server = await startTestServer(sqlite.store);
    const port = server.port;
    const email = uniqueEmail();
    const a = newDevice(server.url, { deviceName: 'Work laptop' });
    const b = newDevice(server.url, { deviceName: 'Home desktop' });
    devices.push(a, b);
    try {
      await a.controller.start();
      await b.controller.start();
      await createAccount(a.controller, server.url, email, PASSWORD);
      await b.controller.signIn({ mode: 'signIn', serverUrl: server.url, email, password: PASSWORD });
      const bOnline = await waitForState(b.controller, isOnline);

      await server.close();
      const offline = await waitForState(b.controller, (s) => s.status === 'signedIn' && s.connection === 'offline');
      assert.ok(isSignedIn(offline), 'a network error never signs anyone out');
      assert.ok(await keychainEntry(b.account), 'the token stays in the keychain while offline');
      await assert.rejects(b.controller.listSessions(), { kind: 'offline' });
      assert.ok(isSignedIn(b.controller.getState()));

      server = await startTestServer(sqlite.store, { config: { port } });
      // A revokes B straight after the restart; B may or may not be back yet.
      await a.controller.revokeSession(bOnline.session.id);
      const signedOut = await waitForState(b.controller, isSignedOut, 10_000);
      assert.equal(signedOut.notice?.reason, 'revoked_by_user');
      assert.equal(signedOut.notice?.byDeviceName, 'Work laptop');
      assert.equal(await keychainEntry(b.account), null);
    } finally {
      await server.close();
    }
  });

  it('starting offline with a saved session means signed in and offline, not signed out', async () => {
    let server = await startTestServer(sqlite.store);
    const port = server.port;
    const a = newDevice(server.url, { deviceName: 'Laptop' });
    devices.push(a);
    await a.controller.start();
    await createAccount(a.controller, server.url, uniqueEmail(), PASSWORD);
    const online = await waitForState(a.controller, isOnline);
    a.controller.dispose();
    await server.close();

    const again = newDevice(`http://127.0.0.1:${port}`, { profile: a.profile, appDataDir: a.appDataDir });
    devices.push(again);
    const state = await again.controller.start();
    assert.ok(isSignedIn(state));
    assert.equal(state.connection, 'offline');
    assert.equal(state.user.email, online.user.email, 'it still says who is signed in');
    server = await startTestServer(sqlite.store, { config: { port } });
    try {
      await waitForState(again.controller, isOnline, 10_000);
    } finally {
      await server.close();
    }
  });
});
