// Sign-in approval over real HTTP and WebSocket, on SQLite and PostgreSQL: the setting and its recovery
// codes, a request whose answer looks the same whatever the password, the prompt on the account's
// devices, approving, denying, the wrong number, expiry, recovery codes, the limits, and a device that
// comes online while a request waits. Then two instances on one PostgreSQL.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { AnswerResult, ApprovalChanged, AuthResult, CurrentSession, PendingSignIn, RecoveredSignIn, SecurityEventList, SignInRequestList, SignInRequestState, type DeviceInfo } from '../../../shared/api.js';
import { NO_AUTHENTICATOR } from '../../support/stores.js';
import type { ServerConfig, StoreConfig } from '../../../server/config/config.js';
import { PasswordHasher } from '../../../server/passwords/passwords.js';
import { DEFAULT_APPROVAL_POLICY } from '../../../server/config/config.js';
import { ManualClock, SECOND } from '../../support/clock.js';
import { device, EventSocket, Http, login, PASSWORD, register, uniqueEmail } from '../../../kit/http.js';
import { startPostgres } from '../../../kit/postgres.js';
import { mailedCode } from '../../../kit/mailbox.js';
import { GENEROUS_RATE_LIMIT, startTestServer, tempSqlite, type TestServer } from '../../support/server.js';
import { settlesWithin, waitFor } from '../../support/wait.js';
import { forEachStore } from '../../support/stores.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Long polls answer quickly here, so a test that moves the clock does not wait 25 s for a re-check. */
const APPROVAL = { ...DEFAULT_APPROVAL_POLICY, waitMs: 300, maxPendingPerAccount: 6 };
const CONFIG: Partial<ServerConfig> = { trustProxy: 1, approval: APPROVAL };

async function turnOn(http: Http, token: string): Promise<string[]> {
  const reply = await http.request('PUT', '/v1/account/sign-in-approval', { token, json: { required: true, password: PASSWORD } });
  assert.equal(reply.status, 200, reply.text);
  const changed = ApprovalChanged.parse(reply.body);
  assert.ok(changed.recoveryCodes);
  return changed.recoveryCodes;
}

async function ask(http: Http, email: string, password = PASSWORD, newDevice: DeviceInfo = device('New laptop'), from = '81.2.69.142') {
  const reply = await http.request('POST', '/v1/auth/login', { json: { email, password, device: newDevice }, headers: { 'x-forwarded-for': from } });
  return reply;
}

const wait = async (http: Http, pending: PendingSignIn) => {
  const reply = await http.post(`/v1/auth/sign-in-requests/${pending.pending.id}/wait`, { secret: pending.pending.secret });
  assert.equal(reply.status, 200, reply.text);
  return SignInRequestState.parse(reply.body);
};

/** Long polls until the request is no longer pending (each poll returns within APPROVAL.waitMs). */
async function outcome(http: Http, pending: PendingSignIn): Promise<SignInRequestState> {
  for (let i = 0; i < 100; i++) {
    const state = await wait(http, pending);
    if (state.state !== 'pending') return state;
  }
  throw new Error('still pending');
}

forEachStore('sign-in approval', (ctx) => {
  const clock = new ManualClock();
  let store: StoreConfig;
  let server: TestServer;
  let http: Http;
  const sockets: EventSocket[] = [];

  before(async () => {
    store = await ctx.newStore();
    server = await startTestServer(store, { clock, config: CONFIG });
    http = new Http(server.url);
  });
  after(async () => {
    for (const socket of sockets) socket.close();
    await server?.close();
  });
  const open = async (token: string) => {
    const socket = await EventSocket.open(server.url, token);
    sockets.push(socket);
    return socket;
  };
  /** An account with approval on and a connected device. */
  const account = async () => {
    const laptop = await register(http);
    const codes = await turnOn(http, laptop.token);
    const socket = await open(laptop.token);
    clock.advance(SECOND);
    return { laptop, codes, socket };
  };

  it('turning it on needs the password, shows ten recovery codes once, keeps only their hashes, and tells every device', async () => {
    const laptop = await register(http);
    const other = await open(laptop.token);
    const wrong = await http.request('PUT', '/v1/account/sign-in-approval', { token: laptop.token, json: { required: true, password: 'not it' } });
    assert.equal(wrong.status, 403);
    assert.equal(wrong.body.error.code, 'invalid_password');
    const codes = await turnOn(http, laptop.token);
    assert.equal(codes.length, 10);
    for (const code of codes) assert.match(code, /^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$/);
    assert.equal(new Set(codes).size, 10);
    const setting = await http.get('/v1/account/sign-in-approval', laptop.token);
    assert.deepEqual(setting.body, { required: true, recoveryCodesLeft: 10 });
    const { change } = await other.next('account.changed');
    assert.deepEqual([change.what, change.byDeviceName, change.sessionId], ['approval_turned_on', 'Work laptop', laptop.session.id]);
    const dump = await ctx.dumpStore(store);
    for (const code of codes) {
      const bare = code.replace('-', '');
      assert.ok(!dump.includes(code) && !dump.includes(bare), 'no recovery code is stored as itself');
      for (const plain of [code, bare, `recovery:${bare}`]) assert.ok(!dump.includes(sha256(plain)), 'nor as a plain SHA-256 a copied table could be searched with');
    }
    const events = SecurityEventList.parse((await http.get('/v1/security-events', laptop.token)).body).events;
    assert.equal(events[0]?.type, 'approval_turned_on');
  });

  it('the answer to a right and a wrong password is the same 202; only the right one reaches the devices, with three numbers', async () => {
    const { laptop, socket } = await account();
    const right = await ask(http, laptop.email);
    const wrong = await ask(http, laptop.email, 'not the password');
    assert.equal(right.status, 202, right.text);
    assert.equal(wrong.status, 202, wrong.text);
    const a = PendingSignIn.parse(right.body);
    const b = PendingSignIn.parse(wrong.body);
    assert.deepEqual(Object.keys(a.pending).sort(), Object.keys(b.pending).sort());
    const prompt = await socket.next('signin.requested');
    assert.equal(prompt.request.id, a.pending.id);
    assert.equal(prompt.request.deviceName, 'New laptop');
    assert.equal(prompt.request.ip, '81.2.69.142');
    assert.deepEqual(prompt.request.location, { kind: 'internet', country: 'GB', city: 'London' });
    assert.equal(prompt.request.choices.length, 3);
    assert.ok(prompt.request.choices.includes(a.pending.number));
    assert.equal(socket.count('signin.requested'), 1, 'the wrong password made no prompt');
    const listed = (await http.get('/v1/sign-in-requests', laptop.token)).body.requests as Array<{ id: string }>;
    assert.deepEqual(listed.map((r) => r.id), [a.pending.id]);
    // The wrong password's request looks pending too, until it expires.
    assert.equal((await wait(http, b)).state, 'pending');
    clock.advance(APPROVAL.requestTtlMs);
    assert.deepEqual(await wait(http, b), { state: 'expired' });
  });

  it('the right number approves: the new device gets a working session, the prompt goes away everywhere, and it is recorded', async () => {
    const { laptop, socket } = await account();
    const pending = PendingSignIn.parse((await ask(http, laptop.email)).body);
    const waiting = outcome(http, pending);
    await socket.next('signin.requested');
    const answered = await http.post(`/v1/sign-in-requests/${pending.pending.id}/answer`, { number: pending.pending.number }, laptop.token);
    assert.equal(answered.status, 200, answered.text);
    assert.deepEqual(answered.body, { outcome: 'approved' });
    const state = await waiting;
    assert.equal(state.state, 'approved');
    assert.ok(state.state === 'approved');
    assert.equal(state.byDeviceName, 'Work laptop');
    const session = AuthResult.parse(state.result);
    assert.equal((await http.get('/v1/auth/session', session.token)).status, 200);
    assert.equal(session.session.deviceName, 'New laptop');
    // Its details say how it signed in, and which device approved it.
    assert.deepEqual(
      { how: session.session.signedInWith, on: session.session.approvedOn, by: session.session.approvedBy },
      { how: 'approval', on: 'Work laptop', by: laptop.session.id },
    );
    // The account's devices hear of the new session, with the one that approved it (it shows no alert).
    const created = await socket.next('session.created');
    assert.deepEqual({ id: created.session.id, approvedBy: created.approvedBy }, { id: session.session.id, approvedBy: laptop.session.id });
    const resolved = await socket.next('signin.resolved');
    assert.deepEqual({ id: resolved.id, outcome: resolved.outcome, by: resolved.byDeviceName }, { id: pending.pending.id, outcome: 'approved', by: 'Work laptop' });
    // Handed over once: asked again (a lost answer), the request is over.
    assert.deepEqual(await wait(http, pending), { state: 'expired' });
    const again = await http.post(`/v1/sign-in-requests/${pending.pending.id}/answer`, { number: pending.pending.number }, laptop.token);
    assert.equal(again.status, 409);
    assert.match(again.body.error.message, /already answered on 'Work laptop'/);
    const types = SecurityEventList.parse((await http.get('/v1/security-events', laptop.token)).body).events.map((e) => e.type);
    assert.deepEqual(types.slice(0, 2), ['signed_in', 'sign_in_approved']);
  });

  it('a first wrong number is forgiven: every device is asked again saying so, the waiting device hears it at once, and the right number still approves', async () => {
    const { laptop, socket } = await account();
    // From an address of its own: the suite's other tests keep the room they had at 81.2.69.142.
    const pending = PendingSignIn.parse((await ask(http, laptop.email, PASSWORD, device('New laptop'), '203.0.113.21')).body);
    await socket.next('signin.requested');
    const waiting = wait(http, pending);
    const wrongNumber = [10, 11, 12].find((n) => n !== pending.pending.number)!;
    const slipped = AnswerResult.parse((await http.post(`/v1/sign-in-requests/${pending.pending.id}/answer`, { number: wrongNumber }, laptop.token)).body);
    assert.equal(slipped.outcome, 'try_again');
    assert.equal(slipped.request?.wrongPickBy, 'Work laptop', 'the answering device gets the request as asked again');
    const heard = await waiting;
    assert.ok(heard.state === 'pending');
    assert.deepEqual(heard.wrongPick, { byDeviceName: 'Work laptop' });
    await socket.nextWhere('signin.requested', (m) => m.request.id === pending.pending.id && m.request.wrongPickBy === 'Work laptop');
    const listed = SignInRequestList.parse((await http.get('/v1/sign-in-requests', laptop.token)).body).requests;
    assert.deepEqual(listed.map((r) => [r.id, r.wrongPickBy]), [[pending.pending.id, 'Work laptop']]);
    assert.ok(listed[0]!.choices.includes(pending.pending.number), 'the number shown is still a choice');
    assert.deepEqual((await http.post(`/v1/sign-in-requests/${pending.pending.id}/answer`, { number: pending.pending.number }, laptop.token)).body, { outcome: 'approved' });
    assert.equal((await outcome(http, pending)).state, 'approved');
    const types = SecurityEventList.parse((await http.get('/v1/security-events', laptop.token)).body).events.map((e) => e.type);
    assert.ok(types.includes('sign_in_wrong_pick') && types.includes('sign_in_approved'));
  });

  it('a wrong pick then withdrawn counts as a no: withdrawing cannot dodge the pause after refusals', async () => {
    const { laptop } = await account();
    const from = '203.0.113.22';
    const pending = PendingSignIn.parse((await ask(http, laptop.email, PASSWORD, device('New laptop'), from)).body);
    const wrongNumber = [10, 11, 12].find((n) => n !== pending.pending.number)!;
    assert.equal((await http.post(`/v1/sign-in-requests/${pending.pending.id}/answer`, { number: wrongNumber }, laptop.token)).body.outcome, 'try_again');
    assert.equal((await http.post(`/v1/auth/sign-in-requests/${pending.pending.id}/cancel`, { secret: pending.pending.secret })).status, 204);
    const next = await ask(http, laptop.email, PASSWORD, device('New laptop'), from);
    assert.deepEqual([next.status, next.body.error?.code], [429, 'sign_in_paused']);
    clock.advance(APPROVAL.cooldownMs);
    assert.equal((await ask(http, laptop.email, PASSWORD, device('New laptop'), from)).status, 202);
  });

  it('two wrong numbers or a no refuse, say by which device, pause new requests a while (said truthfully), and three noes pause them for 15 minutes', async () => {
    const { laptop } = await account();
    const first = PendingSignIn.parse((await ask(http, laptop.email)).body);
    const wrongNumber = [10, 11, 12].find((n) => n !== first.pending.number)!;
    assert.equal((await http.post(`/v1/sign-in-requests/${first.pending.id}/answer`, { number: wrongNumber }, laptop.token)).body.outcome, 'try_again');
    assert.deepEqual((await http.post(`/v1/sign-in-requests/${first.pending.id}/answer`, { number: wrongNumber }, laptop.token)).body, { outcome: 'wrong_number' });
    const refused = await wait(http, first);
    assert.equal(refused.state, 'denied');
    assert.ok(refused.state === 'denied' && refused.reason === 'wrong_number' && refused.byDeviceName === 'Work laptop');

    // Right after a no, even the right password is refused for a while, in words that say how long.
    const cooling = await ask(http, laptop.email);
    assert.equal(cooling.status, 429);
    assert.equal(cooling.body.error.code, 'sign_in_paused');
    assert.ok(cooling.body.error.retryAfterSeconds > 0 && cooling.body.error.retryAfterSeconds <= 30);
    assert.match(cooling.body.error.message, /paused for 30 seconds/);
    const wrongToo = await ask(http, laptop.email, 'not the password');
    assert.deepEqual([wrongToo.status, wrongToo.body.error.code], [429, 'sign_in_paused'], 'the same answer whatever the password');

    for (let i = 0; i < 2; i++) {
      clock.advance(APPROVAL.cooldownMs);
      const next = PendingSignIn.parse((await ask(http, laptop.email)).body);
      assert.deepEqual((await http.post(`/v1/sign-in-requests/${next.pending.id}/answer`, { deny: true }, laptop.token)).body, { outcome: 'denied' });
      const denied = await wait(http, next);
      assert.ok(denied.state === 'denied' && denied.reason === 'denied');
    }
    clock.advance(APPROVAL.cooldownMs);
    const paused = await ask(http, laptop.email);
    assert.equal(paused.status, 429);
    assert.match(paused.body.error.message, /paused for 15 minutes/);
    clock.advance(APPROVAL.pauseMs);
    assert.equal((await ask(http, laptop.email)).status, 202, 'the pause ends');
    const types = SecurityEventList.parse((await http.get('/v1/security-events', laptop.token)).body).events.map((e) => e.type);
    assert.equal(types.filter((t) => t === 'sign_in_denied').length, 2);
    assert.equal(types.filter((t) => t === 'sign_in_wrong_number').length, 1, 'two wrong numbers are not logged as a no');
  });

  it('no answer in two minutes: expired, and answering it then is refused', async () => {
    const { laptop } = await account();
    const pending = PendingSignIn.parse((await ask(http, laptop.email)).body);
    clock.advance(APPROVAL.requestTtlMs);
    assert.deepEqual(await wait(http, pending), { state: 'expired' });
    const late = await http.post(`/v1/sign-in-requests/${pending.pending.id}/answer`, { number: pending.pending.number }, laptop.token);
    assert.equal(late.status, 409);
  });

  it('a recovery code signs in once, says how many are left, and never completes a request made with a wrong password', async () => {
    const { laptop, codes } = await account();
    const decoy = PendingSignIn.parse((await ask(http, laptop.email, 'not the password')).body);
    const refused = await http.post(`/v1/auth/sign-in-requests/${decoy.pending.id}/recover`, { secret: decoy.pending.secret, code: codes[0] });
    assert.equal(refused.status, 401);
    assert.equal(refused.body.error.code, 'invalid_recovery_code');

    const pending = PendingSignIn.parse((await ask(http, laptop.email)).body);
    const recovered = await http.post(`/v1/auth/sign-in-requests/${pending.pending.id}/recover`, { secret: pending.pending.secret, code: codes[0]!.toUpperCase() });
    assert.equal(recovered.status, 200, recovered.text);
    const signedIn = RecoveredSignIn.parse(recovered.body);
    assert.equal(signedIn.recoveryCodesLeft, 9);
    const current = CurrentSession.parse((await http.get('/v1/auth/session', signedIn.token)).body);
    assert.deepEqual({ how: current.session.signedInWith, on: current.session.approvedOn }, { how: 'recovery_code', on: undefined });

    clock.advance(SECOND);
    const another = PendingSignIn.parse((await ask(http, laptop.email, PASSWORD, device('New laptop'), '81.2.69.150')).body);
    const reused = await http.post(`/v1/auth/sign-in-requests/${another.pending.id}/recover`, { secret: another.pending.secret, code: codes[0] });
    assert.equal(reused.status, 401, 'a code works once');
    // A session made after a request cannot answer it.
    clock.advance(SECOND);
    const third = PendingSignIn.parse((await ask(http, laptop.email, PASSWORD, device('New laptop'), '81.2.69.151')).body);
    const later = RecoveredSignIn.parse((await http.post(`/v1/auth/sign-in-requests/${third.pending.id}/recover`, { secret: third.pending.secret, code: codes[1] })).body);
    assert.equal(later.recoveryCodesLeft, 8);
    const tooNew = await http.post(`/v1/sign-in-requests/${another.pending.id}/answer`, { number: another.pending.number }, later.token);
    assert.equal(tooNew.status, 403);
    assert.equal(tooNew.body.error.code, 'forbidden');
    assert.equal((await http.post(`/v1/sign-in-requests/${another.pending.id}/answer`, { number: another.pending.number }, signedIn.token)).status, 200, 'an older one can');
    const wrongSecret = await http.post(`/v1/auth/sign-in-requests/${another.pending.id}/wait`, { secret: pending.pending.secret });
    assert.equal(wrongSecret.status, 404, 'the wait needs the request’s own secret');
    const types = SecurityEventList.parse((await http.get('/v1/security-events', laptop.token)).body).events.map((e) => e.type);
    assert.ok(types.includes('recovery_code_used'));
  });

  it('new recovery codes need the password and replace the old ones; every device hears of them, and of a code used', async () => {
    const { laptop, codes, socket } = await account();
    const wrong = await http.post('/v1/account/recovery-codes', { password: 'not it' }, laptop.token);
    assert.deepEqual([wrong.status, wrong.body.error.code], [403, 'invalid_password']);
    const made = await http.post('/v1/account/recovery-codes', { password: PASSWORD }, laptop.token);
    assert.equal(made.status, 200, made.text);
    const fresh = made.body.recoveryCodes as string[];
    assert.equal(fresh.length, 10);
    const regenerated = await socket.nextWhere('account.changed', (m) => m.change.what === 'recovery_codes_regenerated');
    assert.equal(regenerated.change.byDeviceName, 'Work laptop');

    const pending = PendingSignIn.parse((await ask(http, laptop.email)).body);
    const old = await http.post(`/v1/auth/sign-in-requests/${pending.pending.id}/recover`, { secret: pending.pending.secret, code: codes[0] });
    assert.equal(old.status, 401, 'the old codes no longer work');
    const used = await http.post(`/v1/auth/sign-in-requests/${pending.pending.id}/recover`, { secret: pending.pending.secret, code: fresh[0] });
    assert.equal(used.status, 200, used.text);
    const told = await socket.nextWhere('account.changed', (m) => m.change.what === 'recovery_code_used');
    assert.deepEqual([told.change.byDeviceName, told.change.recoveryCodesLeft], ['New laptop', 9]);
    assert.equal(told.change.sessionId, RecoveredSignIn.parse(used.body).session.id);
  });

  it('three requests from one address in two minutes, withdrawn or not; the new device can withdraw one', async () => {
    const { laptop, socket } = await account();
    const made = [];
    for (let i = 0; i < 3; i++) made.push(PendingSignIn.parse((await ask(http, laptop.email, i === 1 ? 'wrong' : PASSWORD)).body));
    const fourth = await ask(http, laptop.email);
    assert.equal(fourth.status, 429);
    assert.equal(fourth.headers.get('retry-after'), '120');
    assert.match(fourth.body.error.message, /wait 2 minutes/);
    const cancelled = await http.post(`/v1/auth/sign-in-requests/${made[0]!.pending.id}/cancel`, { secret: made[0]!.pending.secret });
    assert.equal(cancelled.status, 204);
    const resolved = await socket.next('signin.resolved');
    assert.equal(resolved.outcome, 'cancelled');
    // Withdrawing makes no room: a decoy made, tried and withdrawn over and over would cost argon2 work each time.
    assert.equal((await ask(http, laptop.email)).status, 429);
    clock.advance(APPROVAL.requestTtlMs);
    assert.equal((await ask(http, laptop.email)).status, 202);
  });

  it('a request whose password was changed between its check and its making is a decoy: shown nowhere, never approved', async () => {
    const { laptop, socket } = await account();
    const changed = await http.post('/v1/auth/password', { currentPassword: PASSWORD, newPassword: 'a brand new passphrase', signOutOtherSessions: false }, laptop.token);
    assert.equal(changed.status, 200, changed.text);
    // The account row as the sign-in read it, with the old password's hash, and that password found right.
    const old = { id: laptop.user.id, email: laptop.email, password_hash: 'the hash the old password matched', created_at: 0, approval_required: 1, email_verified_at: 0, mail_new_sign_ins: 1, disabled_at: null, ...NO_AUTHENTICATOR };
    const pending = await server.approval.request(old, device('Late'), { ip: '203.0.113.77', userAgent: 'test' }, true);
    const requests = (await http.get('/v1/sign-in-requests', laptop.token)).body.requests as unknown[];
    assert.equal(requests.length, 0, 'no device is asked');
    const answer = await http.post(`/v1/sign-in-requests/${pending.pending.id}/answer`, { number: pending.pending.number }, laptop.token);
    assert.equal(answer.status, 404);
    assert.equal(socket.count('signin.requested'), 0);
  });

  it('someone who knows only the email cannot fill the account: requests count per address, and the owner’s address always has room', async () => {
    const { laptop } = await account();
    // Three wrong passwords from one network fill only that network's room...
    for (let i = 0; i < 3; i++) assert.equal((await ask(http, laptop.email, 'a guess', device('Stranger'), '203.0.113.7')).status, 202);
    const more = await ask(http, laptop.email, 'a guess', device('Stranger'), '203.0.113.7');
    assert.equal(more.status, 429);
    assert.match(more.body.error.message, /from this network/);
    // ... and the owner, elsewhere, still signs in with the right password.
    assert.equal((await ask(http, laptop.email, PASSWORD, device('New laptop'), '81.2.69.142')).status, 202);
    // With the account's room for strangers full, a new address is asked for a code mailed to the owner (no
    // password checked, the same answer whatever it was): nobody can fill the room to keep the owner out.
    for (const from of ['198.51.100.1', '198.51.100.2']) assert.equal((await ask(http, laptop.email, 'a guess', device('Stranger'), from)).status, 202);
    const stranger = await ask(http, laptop.email, 'a guess', device('Stranger'), '192.0.2.50');
    const owner = await ask(http, laptop.email, PASSWORD, device('Phone'), '192.0.2.51');
    assert.deepEqual([stranger.status, owner.status], [202, 202]);
    assert.deepEqual([Object.keys(stranger.body), Object.keys(owner.body)], [['stepUp'], ['stepUp']]);
    const code = await mailedCode(server.url, laptop.email, /finishes your Latch sign-in/);
    const withCode = await http.request('POST', '/v1/auth/login/code', { json: { id: owner.body.stepUp.id, code, password: PASSWORD }, headers: { 'x-forwarded-for': '192.0.2.51' } });
    assert.equal(withCode.status, 202, withCode.text);
    assert.ok(withCode.body.pending, 'then a device is asked, as for any sign-in');
    const home = await ask(http, laptop.email, PASSWORD, device('Desktop at home'), '127.0.0.1');
    assert.equal(home.status, 202, 'the address the account was made from');
    assert.equal((await ask(http, laptop.email, 'a guess', device('Stranger'), '127.0.0.1')).status, 202, 'the same answer whatever the password');
  });

  it('a wrong password’s request costs what a right one does: published either way, shown to no device; a wrong code takes the same steps', async () => {
    const { laptop, socket } = await account();
    const published: string[] = [];
    const stop = server.store.bus.subscribe((signal) => {
      if (signal.kind === 'signin.requested' || signal.kind === 'signin.resolved') published.push(`${signal.kind} ${signal.shown ? 'shown' : 'not shown'}`);
    });
    const transactions = { count: 0 };
    const original = server.store.transaction.bind(server.store);
    server.store.transaction = ((work) => {
      transactions.count++;
      return original(work);
    }) as typeof server.store.transaction;
    try {
      const right = PendingSignIn.parse((await ask(http, laptop.email)).body);
      const wrong = PendingSignIn.parse((await ask(http, laptop.email, 'not the password', device('New laptop'), '81.2.69.143')).body);
      // On PostgreSQL the bus delivers through LISTEN, after the answer: wait for both.
      await waitFor(() => published.length === 2, 'both requests published');
      assert.deepEqual(published.sort(), ['signin.requested not shown', 'signin.requested shown']);
      await socket.next('signin.requested');

      const stepsOf = async (pending: PendingSignIn) => {
        transactions.count = 0;
        const reply = await http.post(`/v1/auth/sign-in-requests/${pending.pending.id}/recover`, { secret: pending.pending.secret, code: 'zzzzz-zzzzz' });
        assert.deepEqual([reply.status, reply.body.error.code], [401, 'invalid_recovery_code']);
        return transactions.count;
      };
      assert.equal(await stepsOf(wrong), await stepsOf(right), 'a wrong code runs the same transactions for both');

      published.length = 0;
      for (const pending of [right, wrong]) assert.equal((await http.post(`/v1/auth/sign-in-requests/${pending.pending.id}/cancel`, { secret: pending.pending.secret })).status, 204);
      await waitFor(() => published.length === 2, 'both cancels published');
      assert.deepEqual(published.sort(), ['signin.resolved not shown', 'signin.resolved shown']);
      await socket.next('signin.resolved');
      assert.equal(socket.count('signin.requested'), 1, 'the decoy reached no device');
    } finally {
      stop();
      server.store.transaction = original;
    }
  });

  it('many wrong recovery codes sent at once take no more tries, nor more hashing, than one after another', async () => {
    const { laptop } = await account();
    const pending = PendingSignIn.parse((await ask(http, laptop.email)).body);
    const hashCode = PasswordHasher.prototype.oneTimeCodeHash;
    let hashed = 0;
    PasswordHasher.prototype.oneTimeCodeHash = function (this: PasswordHasher, ...args) {
      hashed++;
      return hashCode.apply(this, args);
    };
    try {
      const replies = await Promise.all(
        Array.from({ length: 20 }, (_, i) => http.post(`/v1/auth/sign-in-requests/${pending.pending.id}/recover`, { secret: pending.pending.secret, code: `zzzzz-zzz${String(i).padStart(2, '0')}` })),
      );
      const tried = replies.filter((reply) => reply.status === 401).length;
      assert.equal(tried, APPROVAL.maxCodeAttempts, 'tries beyond the limit are refused before the code is looked at');
      assert.ok(replies.every((reply) => reply.status === 401 || reply.status === 409));
      assert.equal(hashed, APPROVAL.maxCodeAttempts, 'and before its argon2 hash is worked out');
    } finally {
      PasswordHasher.prototype.oneTimeCodeHash = hashCode;
    }
  });

  it('an approval does not outlive a password change, "sign out all other devices", its approver being signed out, or 30 seconds', async () => {
    const { laptop } = await account();
    const approved = async (email: string, token: string, from: string) => {
      const pending = PendingSignIn.parse((await ask(http, email, PASSWORD, device('Thief'), from)).body);
      assert.deepEqual((await http.post(`/v1/sign-in-requests/${pending.pending.id}/answer`, { number: pending.pending.number }, token)).body, { outcome: 'approved' });
      return pending;
    };
    // Approved by mistake, then the password is changed before the new device collects.
    const first = await approved(laptop.email, laptop.token, '203.0.113.1');
    const waitingRequest = PendingSignIn.parse((await ask(http, laptop.email, PASSWORD, device('Also thief'), '203.0.113.2')).body);
    const changed = await http.post('/v1/auth/password', { currentPassword: PASSWORD, newPassword: 'a brand new passphrase', signOutOtherSessions: false }, laptop.token);
    assert.equal(changed.status, 200, changed.text);
    assert.deepEqual(await wait(http, first), { state: 'expired' });
    assert.deepEqual(await wait(http, waitingRequest), { state: 'expired' }, 'a request made with the old password ends too');

    // Approved on a device that is then signed out from another.
    const other = await register(http);
    const tablet = await login(http, other.email, 'Tablet');
    await turnOn(http, other.token);
    clock.advance(SECOND);
    const second = await approved(other.email, tablet.token, '203.0.113.3');
    assert.equal((await http.request('DELETE', `/v1/sessions/${tablet.session.id}`, { token: other.token })).status, 204);
    assert.deepEqual(await wait(http, second), { state: 'expired' });

    // Approved, then "sign out all other devices" (even with no other device left to sign out).
    const third = await approved(other.email, other.token, '203.0.113.4');
    assert.equal((await http.post('/v1/sessions/revoke-others', undefined, other.token)).status, 200);
    assert.deepEqual(await wait(http, third), { state: 'expired' });

    // Approved, and not collected within 30 seconds.
    const fourth = await approved(other.email, other.token, '203.0.113.5');
    clock.advance(31 * SECOND);
    assert.deepEqual(await wait(http, fourth), { state: 'expired' });
  });

  it('a device that comes online while a request waits is shown it; the wait tells nothing of the account’s devices, to a right password or a wrong one', async () => {
    const laptop = await register(http);
    await turnOn(http, laptop.token);
    clock.advance(SECOND);
    const real = PendingSignIn.parse((await ask(http, laptop.email)).body);
    const decoy = PendingSignIn.parse((await ask(http, laptop.email, 'not the password', device('Thief'), '203.0.113.9')).body);
    const offline = [await wait(http, real), await wait(http, decoy)];
    const socket = await open(laptop.token);
    const prompt = await socket.next('signin.requested');
    assert.equal(prompt.request.id, real.pending.id, 'the device that came online is shown the real request, not the decoy');
    const online = [await wait(http, real), await wait(http, decoy)];
    // Whether any device is online is no part of the answer: a decoy would tell it to anyone who knows the email.
    for (const state of [...offline, ...online]) assert.deepEqual(Object.keys(state).sort(), ['expiresAt', 'state']);
    assert.deepEqual([offline[0]!.state, online[1]!.state], ['pending', 'pending']);
  });

  it('a request nobody answered is in recent activity once the maintenance runs, at its expiry; a wrong password’s is not', async () => {
    const { laptop } = await account();
    const from = '203.0.113.23';
    const real = PendingSignIn.parse((await ask(http, laptop.email, PASSWORD, device('New laptop'), from)).body);
    const decoy = PendingSignIn.parse((await ask(http, laptop.email, 'not the password', device('New laptop'), from)).body);
    clock.advance(APPROVAL.requestTtlMs);
    await server.maintenance.run();
    await server.maintenance.run();
    const events = SecurityEventList.parse((await http.get('/v1/security-events', laptop.token)).body).events.filter((e) => e.type === 'sign_in_expired');
    assert.deepEqual(
      events.map((e) => [e.deviceName, e.ip, e.at]),
      [['New laptop', from, real.pending.expiresAt]],
      'logged once, for the real request only',
    );
    for (const pending of [real, decoy]) assert.deepEqual(await wait(http, pending), { state: 'expired' });
  });

  it('"Ask my devices again" shows the request anew on every device, at most once in 15 s; a wrong password’s is answered alike and shown nowhere', async () => {
    const { laptop, socket } = await account();
    const from = '203.0.113.24';
    const real = PendingSignIn.parse((await ask(http, laptop.email, PASSWORD, device('New laptop'), from)).body);
    const decoy = PendingSignIn.parse((await ask(http, laptop.email, 'not the password', device('New laptop'), from)).body);
    await socket.next('signin.requested');
    const resend = (pending: PendingSignIn) => http.post(`/v1/auth/sign-in-requests/${pending.pending.id}/resend`, { secret: pending.pending.secret });
    for (const pending of [real, decoy]) assert.equal((await resend(pending)).status, 204);
    await waitFor(async () => socket.messages.filter((m) => m.message.type === 'signin.requested').length === 2, 'the devices are asked again');
    const soon = await resend(real);
    assert.deepEqual([soon.status, soon.body.error.code], [429, 'rate_limited']);
    assert.ok(soon.body.error.retryAfterSeconds > 0 && soon.body.error.retryAfterSeconds <= 15);
    assert.deepEqual([(await resend(decoy)).status], [429], 'the same answer for a wrong password’s request');
    clock.advance(15 * SECOND);
    assert.equal((await resend(real)).status, 204);
    assert.equal((await http.post(`/v1/auth/sign-in-requests/${real.pending.id}/resend`, { secret: 'x'.repeat(43) })).status, 404, 'only with its secret');
    assert.equal(socket.messages.filter((m) => m.message.type === 'signin.requested' && m.message.request.id === decoy.pending.id).length, 0, 'a decoy reaches no device');
  });

  it('requests are purged a day after they were made', async () => {
    const { laptop } = await account();
    const pending = PendingSignIn.parse((await ask(http, laptop.email)).body);
    clock.advance(24 * 60 * 60_000 - 5 * SECOND);
    await server.maintenance.run();
    assert.equal((await http.post(`/v1/auth/sign-in-requests/${pending.pending.id}/wait`, { secret: pending.pending.secret })).status, 200, 'kept for a day');
    clock.advance(10 * SECOND);
    await server.maintenance.run();
    assert.equal((await http.post(`/v1/auth/sign-in-requests/${pending.pending.id}/wait`, { secret: pending.pending.secret })).status, 404);
  });

  it('turning it off needs the password, ends waiting requests and drops the codes', async () => {
    const { laptop, socket } = await account();
    const pending = PendingSignIn.parse((await ask(http, laptop.email)).body);
    const off = await http.request('PUT', '/v1/account/sign-in-approval', { token: laptop.token, json: { required: false, password: PASSWORD } });
    assert.equal(off.status, 200, off.text);
    assert.deepEqual(off.body, { required: false, recoveryCodesLeft: 0 });
    assert.equal((await socket.next('signin.resolved')).outcome, 'cancelled');
    // On PostgreSQL the turning on's own event may reach the socket after it opened: look for the turning off.
    assert.equal((await socket.nextWhere('account.changed', (m) => m.change.what === 'approval_turned_off')).change.what, 'approval_turned_off');
    assert.deepEqual(await wait(http, pending), { state: 'expired' });
    assert.equal((await ask(http, laptop.email)).status, 200, 'the password alone signs in again');
  });
});

describe('sign-in approval across two instances on one PostgreSQL', () => {
  it('requested on A, prompted and approved on B, the wait on A hears it at once', async () => {
    const postgres = await startPostgres();
    const store: StoreConfig = { kind: 'postgres', url: await postgres.newDatabase() };
    const clock = new ManualClock();
    // A long poll far longer than the test's bound: an answer within the bound was woken by the bus.
    const a = await startTestServer(store, { clock, config: { ...CONFIG, approval: { ...APPROVAL, waitMs: 10 * 60_000 } } });
    const b = await startTestServer(store, { clock, config: CONFIG });
    try {
      const httpA = new Http(a.url);
      const httpB = new Http(b.url);
      const laptop = await register(httpB);
      await turnOn(httpB, laptop.token);
      const socket = await EventSocket.open(b.url, laptop.token);
      // Only a session older than a request may answer it.
      clock.advance(SECOND);
      const pending = PendingSignIn.parse((await ask(httpA, laptop.email)).body);
      const waiting = wait(httpA, pending);
      const prompt = await socket.next('signin.requested');
      assert.equal(prompt.request.id, pending.pending.id);
      assert.equal((await httpB.post(`/v1/sign-in-requests/${pending.pending.id}/answer`, { number: pending.pending.number }, laptop.token)).status, 200);
      const state = await settlesWithin(waiting, 'the wait on A woken by the bus');
      assert.equal(state.state, 'approved');
      socket.close();
    } finally {
      await a.close();
      await b.close();
      await postgres.close();
    }
  });
});


describe('the long poll of a sign-in request', () => {
  const clock = new ManualClock();
  const sqlite = tempSqlite();
  let server: TestServer;
  let http: Http;
  before(async () => {
    // Waits that run out only after 20 s: whatever answers them sooner is what is tested.
    server = await startTestServer(sqlite.store, { clock, config: { ...CONFIG, approval: { ...APPROVAL, waitMs: 20_000 } } });
    http = new Http(server.url);
  });
  after(async () => {
    await server?.close();
    sqlite.dispose();
  });
  const request = async () => {
    const laptop = await register(http);
    await turnOn(http, laptop.token);
    clock.advance(SECOND);
    return { laptop, pending: PendingSignIn.parse((await ask(http, laptop.email)).body) };
  };

  it('holds at most two waits of one request: a newer one answers the oldest at once', { timeout: 15_000 }, async () => {
    const { laptop, pending } = await request();
    const waits: Array<Promise<SignInRequestState>> = [];
    for (let i = 0; i < 4; i++) {
      waits.push(wait(http, pending));
      await waitFor(() => server.approval.heldWaits === Math.min(i + 1, 2), `wait ${i + 1} held`);
    }
    const [first, second] = await Promise.all(waits.slice(0, 2));
    assert.deepEqual([first?.state, second?.state], ['pending', 'pending'], 'the two oldest were answered, still pending');
    assert.equal((await http.post(`/v1/sign-in-requests/${pending.pending.id}/answer`, { number: pending.pending.number }, laptop.token)).status, 200);
    const states = (await Promise.all(waits.slice(2))).map((state) => state.state).sort();
    assert.deepEqual(states, ['approved', 'expired'], 'the approval is handed over once');
    assert.equal(server.approval.heldWaits, 0);
  });

  it('a wait whose client went away is dropped: asked again, the approval comes to the client that is there', { timeout: 15_000 }, async () => {
    const { laptop, pending } = await request();
    const lost = new AbortController();
    const abandoned = fetch(new URL(`/v1/auth/sign-in-requests/${pending.pending.id}/wait`, server.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ secret: pending.pending.secret }),
      signal: lost.signal,
    }).catch(() => 'aborted');
    await waitFor(() => server.approval.heldWaits === 1, 'the wait held');
    lost.abort();
    assert.equal(await abandoned, 'aborted');
    await waitFor(() => server.approval.heldWaits === 0, 'the abandoned wait dropped');
    const again = wait(http, pending);
    await waitFor(() => server.approval.heldWaits === 1, 'the new wait held');
    assert.equal((await http.post(`/v1/sign-in-requests/${pending.pending.id}/answer`, { number: pending.pending.number }, laptop.token)).status, 200);
    const state = await again;
    assert.equal(state.state, 'approved');
  });
});

forEachStore('sign-in to an address with no account', (ctx) => {
  const clock = new ManualClock();
  let server: TestServer;
  let http: Http;
  before(async () => {
    // Long polls held as in production: a wait that is not woken is told apart from one that is.
    server = await startTestServer(await ctx.newStore(), { clock, config: { ...CONFIG, approval: { ...APPROVAL, waitMs: 25_000 }, rateLimit: GENEROUS_RATE_LIMIT } });
    http = new Http(server.url);
  });
  after(() => server?.close());

  it('is answered as an account with approval on is for a fixed share of addresses, the same each time; its request behaves as a decoy', async () => {
    const careful = await register(http);
    await turnOn(http, careful.token);
    const plain = await register(http);
    const real = await ask(http, careful.email, 'not the password', device('Laptop'), '192.0.2.1');
    assert.equal(real.status, 202);
    const plainWrong = await ask(http, plain.email, 'not the password', device('Laptop'), '192.0.2.1');
    assert.equal(plainWrong.status, 401);

    const answers = new Map<string, number>();
    for (let i = 0; i < 64; i++) {
      const email = uniqueEmail('nobody');
      const first = await ask(http, email, 'a guess', device('Laptop'), `203.0.113.${i}`);
      const again = await ask(http, email, 'another guess', device('Laptop'), `203.0.113.${i}`);
      assert.equal(again.status, first.status, 'asked again, an address gets the same answer');
      if (first.status === 401) assert.deepEqual(first.body, plainWrong.body, 'as a wrong password of an account without approval');
      else assert.deepEqual(Object.keys(PendingSignIn.parse(first.body).pending).sort(), Object.keys(PendingSignIn.parse(real.body).pending).sort());
      answers.set(email, first.status);
    }
    const statuses = [...answers.values()];
    // A quarter: the chance that 64 addresses miss either answer is below one in ten million.
    assert.ok(statuses.includes(202) && statuses.includes(401), `both answers among 64 unknown addresses: ${statuses.filter((s) => s === 202).length} were 202`);

    // Its request takes no recovery code, and its wait ends at once when it is withdrawn, as a real decoy's does.
    const email = [...answers].find(([, status]) => status === 202)![0];
    for (const who of [email, careful.email]) {
      const pending = PendingSignIn.parse((await ask(http, who, 'a guess', device('Laptop'), '198.51.100.200')).body);
      const code = await http.post(`/v1/auth/sign-in-requests/${pending.pending.id}/recover`, { secret: pending.pending.secret, code: 'aaaaa-bbbbb' });
      assert.equal(code.status, 401);
      assert.equal(code.body.error.code, 'invalid_recovery_code');
      const waiting = http.post(`/v1/auth/sign-in-requests/${pending.pending.id}/wait`, { secret: pending.pending.secret });
      await waitFor(() => server.approval.heldWaits === 1, 'the wait held');
      assert.equal((await http.post(`/v1/auth/sign-in-requests/${pending.pending.id}/cancel`, { secret: pending.pending.secret })).status, 204);
      const ended = await settlesWithin(waiting, 'the wait woken by the cancel', 10_000);
      assert.deepEqual(ended.body, { state: 'expired' });
    }
    // And it fills an address's room as an account's requests do.
    for (const who of [email, careful.email]) {
      for (let i = 0; i < 2; i++) assert.equal((await ask(http, who, 'a guess', device('Laptop'), '198.51.100.200')).status, 202);
      const full = await ask(http, who, 'a guess', device('Laptop'), '198.51.100.200');
      assert.equal(full.status, 429, 'three requests from one address in two minutes, account or not');
      assert.equal(full.headers.get('retry-after'), '120');
    }
  });
});
