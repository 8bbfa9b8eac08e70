// The HTTP API v1 and the realtime channel, over real HTTP and WebSocket,
// against SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { CLOSE_SESSION_REVOKED, ErrorBody, SecurityEventList, SessionList } from '../../../shared/api.js';
import type { StoreConfig } from '../../../server/config/config.js';
import { DAY, MINUTE, ManualClock } from '../../support/clock.js';
import { EventSocket, Http, PASSWORD, SIGN_UP_SUBJECT, device, login, register, uniqueEmail } from '../../../kit/http.js';
import { mailboxes, mailedCode, waitForMail } from '../../../kit/mailbox.js';
import { startTestServer, type TestServer } from '../../support/server.js';
import { waitFor } from '../../support/wait.js';
import { forEachStore } from '../../support/stores.js';

forEachStore('session-sync server', (ctx) => {
  let server: TestServer;
  let http: Http;
  let store: StoreConfig;
  const clock = new ManualClock();
  const tokens: string[] = [];
  const sockets: EventSocket[] = [];

  const signUp = async (deviceName = 'Work laptop') => {
    const result = await register(http, uniqueEmail(), deviceName);
    tokens.push(result.token);
    return result;
  };
  const signIn = async (email: string, deviceName: string) => {
    const result = await login(http, email, deviceName);
    tokens.push(result.token);
    return result;
  };
  const listen = async (token: string) => {
    const socket = await EventSocket.open(server.url, token);
    sockets.push(socket);
    return socket;
  };

  before(async () => {
    store = await ctx.newStore();
    // With the access log on, so that every request is a line of the log the token test below reads.
    server = await startTestServer(store, { clock, config: { requestLog: { access: true, slowMs: 1_000 } } });
    http = new Http(server.url);
  });
  after(async () => {
    for (const s of sockets) s.close();
    await server?.close();
  });

  it('creates an account and its first session with a fresh lt_ token', async () => {
    const a = await signUp('Work laptop');
    assert.match(a.token, /^lt_[A-Za-z0-9_-]{43}$/);
    assert.equal(a.session.current, true);
    assert.equal(a.session.deviceName, 'Work laptop');
    assert.equal(a.session.ip, '127.0.0.1');
    const me = await http.get('/v1/auth/session', a.token);
    assert.equal(me.status, 200);
    assert.equal(me.body.user.email, a.email);
    assert.equal(me.body.session.id, a.session.id);
  });

  it('answers a sign-up for a taken email, whatever its case, exactly as for a new one; the owner gets "you already have an account"', async () => {
    const a = await signUp();
    const fresh = await http.post('/v1/auth/register', { email: uniqueEmail(), password: PASSWORD, device: device('Other') });
    const again = await http.post('/v1/auth/register', { email: a.email.toUpperCase(), password: PASSWORD, device: device('Other') });
    assert.equal(again.status, 202);
    assert.equal(again.status, fresh.status);
    assert.deepEqual(Object.keys(again.body.codeSent).sort(), Object.keys(fresh.body.codeSent).sort());
    const mail = await waitForMail(mailboxes.get(server.url)!, (m) => m.to.includes(a.email) && /already have/.test(m.subject));
    assert.match(mail.text, /You already have one, so nothing was made/);
    // No code opens the decoy: a guess is told as any wrong code, and the owner's account is untouched.
    const guessed = await http.post('/v1/auth/register/verify', { id: again.body.codeSent.id, code: '123456' });
    assert.equal(guessed.status, 401);
    assert.equal(guessed.body.error.code, 'invalid_code');
    assert.equal((await http.get('/v1/auth/session', a.token)).status, 200);
  });

  it('makes the account only with the code from the mail, once', async () => {
    const email = uniqueEmail();
    const asked = await http.post('/v1/auth/register', { email, password: PASSWORD, device: device('Work laptop') });
    assert.equal(asked.status, 202);
    assert.equal((await http.post('/v1/auth/login', { email, password: PASSWORD, device: device('X') })).status, 401, 'no account before the code');
    const code = await mailedCode(server.url, email, SIGN_UP_SUBJECT);
    const made = await http.post('/v1/auth/register/verify', { id: asked.body.codeSent.id, code });
    assert.equal(made.status, 201, made.text);
    assert.equal(made.body.user.emailVerified, true);
    assert.equal(made.body.session.deviceName, 'Work laptop');
    tokens.push(made.body.token);
    assert.equal((await http.post('/v1/auth/register/verify', { id: asked.body.codeSent.id, code })).status, 410, 'a code works once');
  });

  it('explains every invalid field of a registration', async () => {
    const reply = await http.post('/v1/auth/register', { email: 'not-an-email', password: 'short', device: { name: '', platform: 'beos', appVersion: '1' } });
    assert.equal(reply.status, 400);
    const body = ErrorBody.parse(reply.body);
    assert.equal(body.error.code, 'validation_failed');
    const paths = body.error.details?.map((d) => d.path).sort();
    assert.deepEqual(paths, ['device.name', 'device.platform', 'email', 'password']);
  });

  it('gives a new token at every sign-in and the same 401 for unknown email and wrong password', async () => {
    const a = await signUp();
    const b = await signIn(a.email, 'Home desktop');
    assert.notEqual(a.token, b.token);
    const wrongPassword = await http.post('/v1/auth/login', { email: a.email, password: 'not the password', device: device('X') });
    const unknownEmail = await http.post('/v1/auth/login', { email: uniqueEmail('nobody'), password: 'not the password', device: device('X') });
    assert.equal(wrongPassword.status, 401);
    assert.equal(unknownEmail.status, 401);
    assert.deepEqual(wrongPassword.body, unknownEmail.body);
    assert.equal(wrongPassword.body.error.code, 'invalid_credentials');
    clock.advance(16 * MINUTE); // let the failed-attempt windows lapse for the tests that follow
  });

  it('answers 401 unauthenticated without a token or with a token it never issued', async () => {
    for (const token of [undefined, 'lt_' + 'A'.repeat(43), 'garbage']) {
      const reply = await http.get('/v1/sessions', token);
      assert.equal(reply.status, 401);
      assert.equal(reply.body.error.code, 'unauthenticated');
    }
    const malformedHeader = await http.request('GET', '/v1/sessions', { headers: { authorization: 'Basic abc' } });
    assert.equal(malformedHeader.body.error.code, 'unauthenticated');
  });

  it('lists active sessions with the current one first, then the most recently seen', async () => {
    const a = await signUp('Laptop');
    const b = await signIn(a.email, 'Desktop');
    clock.advance(2 * MINUTE);
    const c = await signIn(a.email, 'Phone');
    clock.advance(2 * MINUTE);
    await http.get('/v1/auth/session', b.token); // B is now the most recently seen
    const list = SessionList.parse((await http.get('/v1/sessions', c.token)).body);
    assert.deepEqual(list.sessions.map((s) => s.deviceName), ['Phone', 'Desktop', 'Laptop']);
    assert.deepEqual(list.sessions.map((s) => s.current), [true, false, false]);
  });

  it('renames this device and tells the account’s other devices', async () => {
    const a = await signUp('Laptop');
    const b = await signIn(a.email, 'Desktop');
    const socketB = await listen(b.token);
    const renamed = await http.patch('/v1/sessions/current', { deviceName: '  Work laptop  ' }, a.token);
    assert.equal(renamed.status, 200);
    assert.equal(renamed.body.deviceName, 'Work laptop');
    await socketB.next('sessions.changed');
    for (const deviceName of ['', 'x'.repeat(65), 42]) {
      const bad = await http.patch('/v1/sessions/current', { deviceName }, a.token);
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.code, 'validation_failed');
    }
  });

  it('signs out another device: it hears who did it, then 401 carries the same facts', async (t) => {
    const a = await signUp('Work laptop');
    const b = await signIn(a.email, 'Home desktop');
    const socketA = await listen(a.token);
    const socketB = await listen(b.token);
    const before = performance.now();
    const revoke = await http.delete(`/v1/sessions/${b.session.id}`, a.token);
    const answered = performance.now();
    assert.equal(revoke.status, 204);
    const pushed = await socketB.next('session.revoked');
    t.diagnostic(`revocation reached the socket ${(pushed.receivedAt - answered).toFixed(2)} ms after the response (${(pushed.receivedAt - before).toFixed(2)} ms after the call)`);
    assert.equal(pushed.sessionId, b.session.id);
    assert.equal(pushed.reason, 'revoked_by_user');
    assert.deepEqual(pushed.by, { deviceName: 'Work laptop', location: { kind: 'this_computer' } });
    assert.equal(await socketB.closed(), CLOSE_SESSION_REVOKED);
    await socketA.next('sessions.changed');

    const after = await http.get('/v1/auth/session', b.token);
    assert.equal(after.status, 401);
    assert.equal(after.body.error.code, 'session_revoked');
    assert.equal(after.body.error.reason, 'revoked_by_user');
    assert.equal(after.body.error.revokedAt, pushed.at);
    assert.deepEqual(after.body.error.revokedBy, { deviceName: 'Work laptop' });
    const upgrade = await EventSocket.open(server.url, b.token).catch((e: { status?: number }) => e);
    assert.equal((upgrade as { status?: number }).status, 401);
  });

  it('refuses a revoked token on the very next request, even one it has just accepted', async () => {
    const a = await signUp('Work laptop');
    for (let i = 0; i < 10; i++) {
      const b = await signIn(a.email, `Phone ${i}`);
      assert.equal((await http.get('/v1/auth/session', b.token)).status, 200);
      assert.equal((await http.delete(`/v1/sessions/${b.session.id}`, a.token)).status, 204);
      const refused = await http.get('/v1/auth/session', b.token);
      assert.equal(refused.status, 401);
      assert.equal(refused.body.error.reason, 'revoked_by_user');
      assert.equal((await http.post('/v1/auth/logout', undefined, b.token)).status, 401);
    }
  });

  it('answers 404 for another account’s session and leaves it alive', async () => {
    const mallory = await signUp('Mallory');
    const victim = await signUp('Victim laptop');
    const reply = await http.delete(`/v1/sessions/${victim.session.id}`, mallory.token);
    assert.equal(reply.status, 404);
    assert.equal(reply.body.error.code, 'not_found');
    assert.equal((await http.get('/v1/auth/session', victim.token)).status, 200);
    assert.equal((await http.delete('/v1/sessions/not-a-session-id', mallory.token)).status, 404);
  });

  it('signs out all other devices at once and keeps this one', async () => {
    const a = await signUp('Laptop');
    const others = [await signIn(a.email, 'Desktop'), await signIn(a.email, 'Tablet')];
    const otherSockets = await Promise.all(others.map((o) => listen(o.token)));
    const reply = await http.post('/v1/sessions/revoke-others', undefined, a.token);
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body, { revoked: 2 });
    for (const socket of otherSockets) {
      const pushed = await socket.next('session.revoked');
      assert.deepEqual(pushed.by, { deviceName: 'Laptop', location: { kind: 'this_computer' } });
      assert.equal(await socket.closed(), CLOSE_SESSION_REVOKED);
    }
    const list = SessionList.parse((await http.get('/v1/sessions', a.token)).body);
    assert.deepEqual(list.sessions.map((s) => s.deviceName), ['Laptop']);
    assert.deepEqual((await http.post('/v1/sessions/revoke-others', undefined, a.token)).body, { revoked: 0 });
  });

  it('signs out on logout, server side, and a second logout is a plain 401', async () => {
    const a = await signUp();
    const socket = await listen(a.token);
    assert.equal((await http.post('/v1/auth/logout', undefined, a.token)).status, 204);
    assert.equal((await socket.next('session.revoked')).reason, 'signed_out');
    const after = await http.get('/v1/auth/session', a.token);
    assert.equal(after.status, 401);
    assert.equal(after.body.error.reason, 'signed_out');
    assert.equal(after.body.error.revokedBy, undefined);
    assert.equal((await http.post('/v1/auth/logout', undefined, a.token)).status, 401);
  });

  it('changes the password and signs every other device out with password_changed', async () => {
    const a = await signUp('Laptop');
    const b = await signIn(a.email, 'Desktop');
    const socketB = await listen(b.token);
    const wrong = await http.post('/v1/auth/password', { currentPassword: 'wrong password', newPassword: 'a brand new passphrase' }, a.token);
    assert.equal(wrong.status, 403);
    assert.equal(wrong.body.error.code, 'invalid_password');
    assert.equal((await http.get('/v1/auth/session', b.token)).status, 200, 'a wrong current password changes nothing');
    const weak = await http.post('/v1/auth/password', { currentPassword: PASSWORD, newPassword: 'short' }, a.token);
    assert.equal(weak.status, 400);

    const changed = await http.post('/v1/auth/password', { currentPassword: PASSWORD, newPassword: 'a brand new passphrase' }, a.token);
    assert.equal(changed.status, 200);
    assert.deepEqual(changed.body, { revoked: 1 });
    assert.equal((await socketB.next('session.revoked')).reason, 'password_changed');
    const afterB = await http.get('/v1/auth/session', b.token);
    assert.equal(afterB.body.error.reason, 'password_changed');
    assert.equal((await http.get('/v1/auth/session', a.token)).status, 200, 'the device that changed it stays signed in');
    assert.equal((await http.post('/v1/auth/login', { email: a.email, password: PASSWORD, device: device('X') })).status, 401);
    assert.equal((await http.post('/v1/auth/login', { email: a.email, password: 'a brand new passphrase', device: device('X') })).status, 200);
  });

  it('can change the password without signing other devices out when asked', async () => {
    const a = await signUp('Laptop');
    const b = await signIn(a.email, 'Desktop');
    const changed = await http.post(
      '/v1/auth/password',
      { currentPassword: PASSWORD, newPassword: 'another new passphrase', signOutOtherSessions: false },
      a.token,
    );
    assert.deepEqual(changed.body, { revoked: 0 });
    assert.equal((await http.get('/v1/auth/session', b.token)).status, 200);
    const again = { newPassword: 'a third new passphrase', signOutOtherSessions: false };
    const withOld = await http.post('/v1/auth/password', { ...again, currentPassword: PASSWORD }, a.token);
    assert.equal(withOld.status, 403, 'the old password no longer counts as the current one');
    const withNew = await http.post('/v1/auth/password', { ...again, currentPassword: 'another new passphrase' }, a.token);
    assert.equal(withNew.status, 200);
  });

  it('tells the other devices of a new sign-in, with its device, platform and IP', async () => {
    const a = await signUp('Laptop');
    const socketA = await listen(a.token);
    const b = await http.post('/v1/auth/login', { email: a.email, password: PASSWORD, device: device('Strange PC', 'win32') });
    const created = await socketA.next('session.created');
    assert.equal(created.session.id, b.body.session.id);
    assert.equal(created.session.deviceName, 'Strange PC');
    assert.equal(created.session.platform, 'win32');
    assert.equal(created.session.ip, '127.0.0.1');
    assert.equal(created.session.current, false);
    await socketA.next('sessions.changed');
  });

  it('keeps recent activity: sign-ins, sign-outs of other devices and password changes', async () => {
    const a = await signUp('Laptop');
    const b = await signIn(a.email, 'Desktop');
    await http.delete(`/v1/sessions/${b.session.id}`, a.token);
    await http.post('/v1/auth/password', { currentPassword: PASSWORD, newPassword: 'a brand new passphrase' }, a.token);
    const events = SecurityEventList.parse((await http.get('/v1/security-events', a.token)).body).events;
    assert.deepEqual(
      events.map((e) => e.type),
      ['password_changed', 'session_revoked', 'signed_in', 'signed_in', 'account_created'],
    );
    assert.equal(events[1]?.targetDeviceName, 'Desktop');
    assert.equal(events[1]?.deviceName, 'Laptop');
    assert.equal(events[2]?.deviceName, 'Desktop');
  });

  it('writes last_seen at most once a minute', async () => {
    const a = await signUp();
    const first = (await http.get('/v1/auth/session', a.token)).body.session.lastSeenAt;
    clock.advance(30_000);
    assert.equal((await http.get('/v1/auth/session', a.token)).body.session.lastSeenAt, first);
    clock.advance(31_000);
    assert.notEqual((await http.get('/v1/auth/session', a.token)).body.session.lastSeenAt, first);
  });

  it('expires an idle session after 14 days and tells its socket', async () => {
    const a = await signUp();
    const socket = await listen(a.token);
    clock.advance(14 * DAY + MINUTE);
    const reply = await http.get('/v1/auth/session', a.token);
    assert.equal(reply.status, 401);
    assert.equal(reply.body.error.code, 'session_expired');
    assert.equal(reply.body.error.reason, 'expired');
    assert.equal((await socket.next('session.revoked')).reason, 'expired');
  });

  it('slides the idle timeout on use but ends every session at the 90-day lifetime', async () => {
    const a = await signUp();
    for (let day = 10; day < 90; day += 10) {
      clock.advance(10 * DAY);
      assert.equal((await http.get('/v1/auth/session', a.token)).status, 200, `still valid on day ${day}`);
    }
    clock.advance(10 * DAY + MINUTE);
    const reply = await http.get('/v1/auth/session', a.token);
    assert.equal(reply.body.error.code, 'session_expired');
  });

  it('marks expired sessions in maintenance and purges ended rows after 30 days', async () => {
    const a = await signUp();
    const b = await signIn(a.email, 'Desktop');
    const socketB = await listen(b.token);
    await http.delete(`/v1/sessions/${b.session.id}`, a.token);
    await socketB.closed();
    clock.advance(15 * DAY);
    const first = await server.sessions.maintain();
    assert.ok(first.expired >= 1, 'the idle session of A is marked expired');
    assert.equal((await server.store.db.selectFrom('sessions').select('revoke_reason').where('id', '=', a.session.id).executeTakeFirst())?.revoke_reason, 'expired');
    clock.advance(31 * DAY);
    await server.sessions.maintain();
    const rows = await server.store.db.selectFrom('sessions').select('id').where('id', 'in', [a.session.id, b.session.id]).execute();
    assert.deepEqual(rows, [], 'rows ended over 30 days ago are gone');
  });

  it('evicts the least recently seen session past 50 and tells that device which sign-in took its place', async () => {
    const first = await signUp('Oldest');
    const socket = await listen(first.token);
    // Offline, so that it is the one to go (a connected device is kept: presence.test.ts).
    await waitFor(async () => SessionList.parse((await http.get('/v1/sessions', first.token)).body).sessions[0]!.online);
    socket.close();
    await waitFor(async () => !SessionList.parse((await http.get('/v1/sessions', first.token)).body).sessions[0]!.online);
    clock.advance(MINUTE);
    let last = first;
    for (let i = 2; i <= 50; i++) last = { ...(await signIn(first.email, `Device ${i}`)), email: first.email };
    assert.equal(SessionList.parse((await http.get('/v1/sessions', last.token)).body).sessions.length, 50, '50 sessions are allowed');
    assert.equal(socket.count('session.revoked'), 0);
    clock.advance(MINUTE);
    const newest = await signIn(first.email, 'Newest');
    const refused = (await http.get('/v1/auth/session', first.token)).body.error;
    assert.equal(refused.reason, 'evicted');
    assert.deepEqual(refused.revokedBy, { deviceName: 'Newest' });
    const list = SessionList.parse((await http.get('/v1/sessions', newest.token)).body);
    assert.equal(list.sessions.length, 50);
    assert.ok(!list.sessions.some((s) => s.deviceName === 'Oldest'));
    const events = SecurityEventList.parse((await http.get('/v1/security-events', newest.token)).body).events;
    assert.equal(events.find((e) => e.type === 'session_evicted')?.targetDeviceName, 'Oldest');
  });

  it('refuses a WebSocket upgrade without a valid session with a JSON 401', async () => {
    const noToken = await EventSocket.open(server.url, 'lt_nothing').catch((e: { status?: number }) => e);
    assert.equal((noToken as { status?: number }).status, 401);
  });

  it('answers health and readiness', async () => {
    assert.deepEqual((await http.get('/healthz')).body, { status: 'ok' });
    assert.deepEqual((await http.get('/readyz')).body, { status: 'ok' });
  });

  it('never stores or logs a token in plain text', async () => {
    const dump = await ctx.dumpStore(store);
    const logs = server.logs.join('');
    assert.ok(tokens.length > 50);
    for (const token of tokens) {
      assert.ok(!dump.includes(token), 'a token is stored in plain text');
      assert.ok(!dump.includes(token.slice(3)), 'a token body is stored in plain text');
      assert.ok(!logs.includes(token.slice(3)), 'a token appears in the logs');
    }
    assert.ok(logs.includes('"msg":"request"'), 'the logs were captured');
  });
});
