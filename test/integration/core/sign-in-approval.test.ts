// Sign-in approval between real desktop cores (real server over HTTP and WebSocket, the real keychain),
// on SQLite and PostgreSQL: approve, deny, a recovery code, cancel, and a device that is offline when
// the request is made and comes online while it waits.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { StoreConfig } from '../../../server/config/config.js';
import { uniqueEmail } from '../../../kit/http.js';
import type { SessionState } from '../../../shared/ipc.js';
import { createAccount, disposeDevice, isOnline, isSignedOut, keychainEntry, newDevice, waitForEvent, waitForState, type TestDevice } from '../../support/devices.js';
import { startTestServer, type TestServer } from '../../support/server.js';
import { waitFor } from '../../support/wait.js';
import { forEachStore } from '../../support/stores.js';

const PASSWORD = 'correct horse battery staple';
const isWaiting = (s: SessionState): s is Extract<SessionState, { status: 'awaitingApproval' }> => s.status === 'awaitingApproval';

forEachStore('desktop core: sign-in approval', (ctx) => {
  let store: StoreConfig;
  let server: TestServer;
  const devices: TestDevice[] = [];
  before(async () => {
    store = await ctx.newStore();
    server = await startTestServer(store);
  });
  after(async () => {
    for (const d of devices) disposeDevice(d);
    await server?.close();
  });
  const device = (name: string, options: Parameters<typeof newDevice>[1] = {}) => {
    const d = newDevice(server.url, { deviceName: name, ...options });
    devices.push(d);
    return d;
  };

  /** A has an account with approval on and is online; B is about to sign in. */
  const setUp = async () => {
    const email = uniqueEmail();
    const a = device('Work laptop');
    await a.controller.start();
    await createAccount(a.controller, server.url, email, PASSWORD);
    await waitForState(a.controller, isOnline);
    const changed = await a.controller.setApproval(true, PASSWORD);
    assert.equal(changed.recoveryCodes?.length, 10);
    const b = device('Home desktop');
    await b.controller.start();
    return { email, a, b, codes: changed.recoveryCodes! };
  };

  it('B waits showing a number; A is asked with three numbers and picks it; B is signed in, its token in the keychain', async () => {
    const { email, a, b } = await setUp();
    const asked = waitForEvent(a, 'signInRequests', (e) => e.requests.length === 1);
    const state = await b.controller.signIn({ mode: 'signIn', serverUrl: server.url, email, password: PASSWORD });
    assert.ok(isWaiting(state), JSON.stringify(state));
    assert.equal(state.email, email);
    const { requests, added } = await asked;
    assert.equal(added?.deviceName, 'Home desktop');
    assert.ok(requests[0]!.choices.includes(state.number));
    assert.equal(await keychainEntry(b.account), null, 'nothing is stored while waiting');

    const gone = waitForEvent(a, 'signInRequests', (e) => e.requests.length === 0);
    assert.deepEqual(await a.controller.answerSignInRequest(requests[0]!.id, { number: state.number }), { outcome: 'approved' });
    const signedIn = await waitForState(b.controller, isOnline);
    assert.equal(signedIn.user.email, email);
    assert.equal(signedIn.session.deviceName, 'Home desktop');
    assert.ok((await keychainEntry(b.account))?.startsWith('lt_'));
    await gone;
  });

  it('A says no: B is told it was denied on A, and nothing is stored', async () => {
    const { email, a, b } = await setUp();
    const asked = waitForEvent(a, 'signInRequests', (e) => e.requests.length === 1);
    await b.controller.signIn({ mode: 'signIn', serverUrl: server.url, email, password: PASSWORD });
    const { requests } = await asked;
    assert.deepEqual(await a.controller.answerSignInRequest(requests[0]!.id, { deny: true }), { outcome: 'denied' });
    const refused = await waitForState(b.controller, isSignedOut);
    assert.deepEqual(refused.refused, { outcome: 'denied', byDeviceName: 'Work laptop' });
    assert.equal(await keychainEntry(b.account), null);
  });

  it('B uses a recovery code instead: signed in, told how many are left; A’s prompt goes away and A is told', async () => {
    const { email, a, b, codes } = await setUp();
    const asked = waitForEvent(a, 'signInRequests', (e) => e.requests.length === 1);
    await b.controller.signIn({ mode: 'signIn', serverUrl: server.url, email, password: PASSWORD });
    await asked;
    const gone = waitForEvent(a, 'signInRequests', (e) => e.requests.length === 0);
    const codeUsed = waitForEvent(a, 'accountChanged', (e) => e.change?.what === 'recovery_code_used');
    assert.deepEqual(await b.controller.useRecoveryCode(codes[3]!.replace('-', '')), { recoveryCodesLeft: 9 });
    await waitForState(b.controller, isOnline);
    await gone;
    const { change } = await codeUsed;
    assert.deepEqual([change?.byDeviceName, change?.recoveryCodesLeft], ['Home desktop', 9]);
    assert.equal((await a.controller.approvalSetting()).recoveryCodesLeft, 9);

    // B turns approval off: A hears who did it (its OS notification says so); B, which did it, only reloads.
    const toldA = waitForEvent(a, 'accountChanged', (e) => e.change?.what === 'approval_turned_off');
    const toldB = waitForEvent(b, 'accountChanged');
    await b.controller.setApproval(false, PASSWORD);
    assert.equal((await toldA).change?.byDeviceName, 'Home desktop');
    assert.equal((await toldB).change, undefined);
  });

  it('B cancels: signed out with no notice, and A’s prompt goes away', async () => {
    const { email, a, b } = await setUp();
    const asked = waitForEvent(a, 'signInRequests', (e) => e.requests.length === 1);
    await b.controller.signIn({ mode: 'signIn', serverUrl: server.url, email, password: PASSWORD });
    await asked;
    const gone = waitForEvent(a, 'signInRequests', (e) => e.requests.length === 0);
    const state = await b.controller.cancelSignIn();
    assert.deepEqual(state.status === 'signedOut' && [state.notice, state.refused], [undefined, undefined]);
    await gone;
  });

  it('with A closed, B waits; A started again is asked at once and approves', async () => {
    const { email, a, b } = await setUp();
    const aState = a.controller.getState();
    assert.ok(aState.status === 'signedIn');
    const userId = aState.user.id;
    // Online as the server records it too, before A closes: else A's online mark, still on its way, can land
    // after the check below has seen A offline.
    await waitFor(anyOnline, 'A shows as online');
    a.controller.dispose();
    await waitFor(async () => !(await anyOnline()), 'A shows as offline');
    const waiting = await b.controller.signIn({ mode: 'signIn', serverUrl: server.url, email, password: PASSWORD });
    assert.ok(isWaiting(waiting));

    const again = device('Work laptop', { profile: a.profile, appDataDir: a.appDataDir });
    const asked = waitForEvent(again, 'signInRequests', (e) => e.requests.length === 1);
    await again.controller.start();
    const { requests } = await asked;
    await again.controller.answerSignInRequest(requests[0]!.id, { number: waiting.number });
    // B's long poll wakes, it collects its session and connects: as long as the wait above allows, under a loaded suite.
    await waitForState(b.controller, isOnline, 10_000);

    async function anyOnline(): Promise<boolean> {
      const rows = await server.store.db.selectFrom('sessions').select('online_until').where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
      return rows.some((r) => (r.online_until ?? 0) > Date.now());
    }
  });

  it('a recovery code used while A was closed: A is told when it starts again, as if it had heard it live', async () => {
    const { email, a, b, codes } = await setUp();
    // A has caught up once (it marks where it stands) before it closes.
    await waitFor(async () => readdirSync(a.appDataDir, { recursive: true }).some((f) => String(f).endsWith('profile.json') && readFileSync(join(a.appDataDir, String(f)), 'utf8').includes('"heard"')), 'A has caught up');
    a.controller.dispose();
    await b.controller.signIn({ mode: 'signIn', serverUrl: server.url, email, password: PASSWORD });
    await waitForState(b.controller, isWaiting);
    assert.deepEqual(await b.controller.useRecoveryCode(codes[5]!), { recoveryCodesLeft: 9 });
    await waitForState(b.controller, isOnline);

    const again = device('Work laptop', { profile: a.profile, appDataDir: a.appDataDir });
    const told = waitForEvent(again, 'accountChanged', (e) => e.change?.what === 'recovery_code_used');
    await again.controller.start();
    const { change } = await told;
    assert.deepEqual([change?.byDeviceName, change?.recoveryCodesLeft], ['Home desktop', 9]);
  });
});
