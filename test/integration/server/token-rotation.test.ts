// Token rotation and reuse detection over real HTTP and WebSocket, on SQLite
// and PostgreSQL, with a clock the test moves: the grace boundaries, lost
// answers, concurrent rotations, old tokens presented after the grace, and
// what every device of the account is told. Then two instances on one
// PostgreSQL, where a cached check of a replaced token must not outlive it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AuthResult, SecurityEventList, SignedOutSessionList } from '../../../shared/api.js';
import type { StoreConfig } from '../../../server/config/config.js';
import { DEFAULT_SESSION_POLICY } from '../../../server/config/config.js';
import { ManualClock, SECOND } from '../../support/clock.js';
import { EventSocket, Http, login, newClaim, register } from '../../../kit/http.js';
import { startTestServer, type TestServer } from '../../support/server.js';
import { forEachStore, StoreContext } from '../../support/stores.js';
import { waitFor } from '../../support/wait.js';

const GRACE = 60 * SECOND;
const THIEF_ADDRESS = '81.2.69.142';
const LONDON = { kind: 'internet', country: 'GB', city: 'London' };
/** The owner's device asks every rotation with its own claim; a copy of the token does not have it. */
const OWNER = newClaim();
const THIEF = newClaim();

forEachStore('token rotation', (ctx) => {
  const clock = new ManualClock({ frozen: true });
  let store: StoreConfig;
  let server: TestServer;
  let http: Http;
  const sockets: EventSocket[] = [];

  before(async () => {
    store = await ctx.newStore();
    server = await startTestServer(store, { clock, config: { trustProxy: 1, sessions: { ...DEFAULT_SESSION_POLICY, rotationGraceMs: GRACE } } });
    http = new Http(server.url);
  });
  after(async () => {
    for (const socket of sockets) socket.close();
    await server?.close();
  });

  const askRotate = (token: string, claim = OWNER, from?: string) =>
    http.request('POST', '/v1/auth/rotate', { token, json: { claim }, ...(from ? { headers: { 'x-forwarded-for': from } } : {}) });
  const rotate = async (token: string, claim = OWNER, from?: string) => {
    const reply = await askRotate(token, claim, from);
    assert.equal(reply.status, 200, reply.text);
    return AuthResult.parse(reply.body);
  };
  const check = (token: string, from?: string) => http.request('GET', '/v1/auth/session', { token, ...(from ? { headers: { 'x-forwarded-for': from } } : {}) });
  const open = async (token: string) => {
    const socket = await EventSocket.open(server.url, token);
    sockets.push(socket);
    return socket;
  };

  it('hands out a new token that works at once; asked again before it is used, the same one', async () => {
    const laptop = await register(http);
    clock.advance(GRACE);
    const first = await rotate(laptop.token);
    assert.notEqual(first.token, laptop.token);
    assert.match(first.token, /^lt_[A-Za-z0-9_-]{43}$/);
    assert.equal(first.session.id, laptop.session.id);
    assert.equal(first.user.email, laptop.email);
    // The answer was lost: the device still holds the old token, which is still current.
    assert.equal((await rotate(laptop.token)).token, first.token, 'rotating again before use gives the same token');
    assert.equal((await check(laptop.token)).status, 200);
    // The new token is presented: it becomes current; the old one works through the grace.
    assert.equal((await check(first.token)).status, 200);
    assert.equal((await check(laptop.token)).status, 200, 'the replaced token works inside the grace');
    assert.equal((await rotate(laptop.token)).token, first.token, 'rotating with the replaced token and its claim inside the grace gives the current one');
    assert.equal((await rotate(first.token, newClaim())).token, first.token, 'a token younger than the grace is not replaced again');
  });

  it('refuses a rotation without a claim, and changes nothing', async () => {
    const laptop = await register(http);
    clock.advance(GRACE);
    for (const json of [undefined, {}, { claim: 'short' }]) {
      const reply = await http.request('POST', '/v1/auth/rotate', { token: laptop.token, ...(json ? { json } : {}) });
      assert.equal(reply.status, 400, JSON.stringify(json));
    }
    assert.equal((await check(laptop.token)).status, 200);
    assert.equal((await ctx.tokenColumns(store, laptop.session.id))?.next_token_hash, null, 'no replacement was made');
  });

  it('a copy that follows the owner’s rotation inside the grace is caught: the session ends and every device is told', async () => {
    const laptop = await register(http, undefined, 'Work laptop');
    const phone = await login(http, laptop.email, 'Phone');
    const phoneSocket = await open(phone.token);
    const stolen = laptop.token;
    clock.advance(GRACE);
    // The owner comes online and rotates; the thief, watching the list with its copy, sees it online.
    const next = (await rotate(laptop.token)).token;
    assert.equal((await check(next)).status, 200);
    const seen = await http.request('GET', '/v1/sessions', { token: stolen, headers: { 'x-forwarded-for': THIEF_ADDRESS } });
    assert.equal(seen.status, 200, 'the copy still works inside the grace');
    clock.advance(3 * SECOND);
    const followed = await askRotate(stolen, THIEF, THIEF_ADDRESS);
    assert.equal(followed.status, 401, 'the copy gets no replacement');
    assert.equal(followed.body.error.reason, 'token_reused');
    assert.equal(followed.body.token, undefined);
    const owner = await check(next);
    assert.equal(owner.body.error.reason, 'token_reused', 'the owner’s device is signed out and told why');
    assert.equal(owner.body.error.usedFrom.ip, THIEF_ADDRESS);
    const alert = await phoneSocket.next('session.token_reused');
    assert.equal(alert.deviceName, 'Work laptop');
    assert.equal(alert.usedFrom.ip, THIEF_ADDRESS);
  });

  it('the owner’s lost answers cost nothing: asked again with its claim before and after the first use, the same token and no alarm', async () => {
    const laptop = await register(http);
    const phone = await login(http, laptop.email, 'Phone');
    const phoneSocket = await open(phone.token);
    clock.advance(GRACE);
    const next = (await rotate(laptop.token)).token;
    assert.equal((await rotate(laptop.token)).token, next, 'pending: the same token');
    assert.equal((await check(next)).status, 200);
    clock.advance(GRACE);
    assert.equal((await rotate(laptop.token)).token, next, 'at the grace’s last millisecond: the same token');
    assert.equal((await check(next)).status, 200);
    assert.equal((await ctx.tokenColumns(store, laptop.session.id))?.prev_token_hash !== null, true);
    const events = SecurityEventList.parse((await http.get('/v1/security-events', phone.token)).body).events;
    assert.equal(events.filter((e) => e.type === 'token_reused').length, 0, 'no alarm');
    assert.equal(phoneSocket.count('session.token_reused'), 0);
  });

  it('a device that restarted before its answer arrived asks with a new claim: a new replacement, and no alarm', async () => {
    const laptop = await register(http);
    const phone = await login(http, laptop.email, 'Phone');
    clock.advance(GRACE);
    const lost = (await rotate(laptop.token)).token;
    // The process died before the answer reached the keychain; the next start makes a new claim.
    const afresh = (await rotate(laptop.token, newClaim())).token;
    assert.notEqual(afresh, lost);
    assert.equal((await check(afresh)).status, 200);
    assert.equal((await check(laptop.token)).status, 200, 'the replaced token works through the grace');
    const events = SecurityEventList.parse((await http.get('/v1/security-events', phone.token)).body).events;
    assert.equal(events.filter((e) => e.type === 'token_reused').length, 0, 'no alarm');
  });

  it('a copy that keeps replacing the pending replacement, to push the owner’s old token out of those kept, is caught after a few', async () => {
    const laptop = await register(http, undefined, 'Work laptop');
    const stolen = laptop.token;
    // The thief rotates twice with its copy while the owner is away, so the owner's token is a retired one.
    let token = stolen;
    for (let i = 0; i < 2; i++) {
      clock.advance(GRACE + 1);
      token = (await rotate(token, THIEF, THIEF_ADDRESS)).token;
      assert.equal((await check(token, THIEF_ADDRESS)).status, 200);
    }
    clock.advance(GRACE + 1);
    // Then asks for a replacement again and again, each time with a new claim.
    const answers: number[] = [];
    for (let i = 0; i < 10 && answers.at(-1) !== 401; i++) answers.push((await askRotate(token, newClaim(), THIEF_ADDRESS)).status);
    assert.deepEqual(answers, [200, 200, 200, 200, 401], 'a new pending replacement, three replaced, then reuse');
    const owner = await check(stolen, '198.51.100.4');
    assert.equal(owner.body.error.reason, 'token_reused', 'the owner’s old token is still known as this sign-in’s');
  });

  it('a copy that replaced the owner’s pending replacement is named in the alert, not only the owner’s own addresses', async () => {
    const laptop = await register(http, undefined, 'Work laptop');
    const phone = await login(http, laptop.email, 'Phone');
    const phoneSocket = await open(phone.token);
    clock.advance(GRACE);
    const owners = (await rotate(laptop.token, OWNER, '198.51.100.4')).token;
    await rotate(laptop.token, THIEF, THIEF_ADDRESS);
    const owner = await check(owners, '198.51.100.4');
    assert.equal(owner.body.error.reason, 'token_reused');
    assert.equal(owner.body.error.usedFrom.ip, '198.51.100.4');
    assert.equal(owner.body.error.alsoFrom.ip, THIEF_ADDRESS, 'the address that asked for the other replacement');
    const alert = await phoneSocket.next('session.token_reused');
    assert.deepEqual([alert.usedFrom.ip, alert.alsoFrom?.ip], ['198.51.100.4', THIEF_ADDRESS]);
  });

  it('a copy that takes the owner’s pending replacement’s place is caught when the owner uses its own', async () => {
    const laptop = await register(http, undefined, 'Work laptop');
    const phone = await login(http, laptop.email, 'Phone');
    const phoneSocket = await open(phone.token);
    clock.advance(GRACE);
    const owners = (await rotate(laptop.token)).token;
    const thiefs = (await rotate(laptop.token, THIEF, THIEF_ADDRESS)).token;
    assert.notEqual(thiefs, owners);
    const owner = await check(owners);
    assert.equal(owner.status, 401);
    assert.equal(owner.body.error.reason, 'token_reused');
    assert.equal((await check(thiefs, THIEF_ADDRESS)).body.error.reason, 'token_reused', 'the copy’s replacement ends with the session');
    assert.equal((await phoneSocket.next('session.token_reused')).deviceName, 'Work laptop');
  });

  it('the grace ends exactly on time: at its last millisecond the old token works, one later it is reuse', async () => {
    const laptop = await register(http);
    clock.advance(GRACE);
    const next = (await rotate(laptop.token)).token;
    assert.equal((await check(next)).status, 200);
    clock.advance(GRACE);
    assert.equal((await check(laptop.token)).status, 200, 'at the grace boundary');
    clock.advance(1);
    const reused = await check(laptop.token, THIEF_ADDRESS);
    assert.equal(reused.status, 401);
    assert.equal(reused.body.error.code, 'session_revoked');
    assert.equal(reused.body.error.reason, 'token_reused');
    assert.deepEqual(reused.body.error.usedFrom, { ip: THIEF_ADDRESS, location: LONDON });
    const after = await check(next);
    assert.equal(after.status, 401, 'the current token ends with the session');
    assert.equal(after.body.error.reason, 'token_reused');
    assert.equal(after.body.error.usedFrom.ip, THIEF_ADDRESS, 'the device that still holds the session learns where the copy was used');
  });

  it('a token two rotations old ends the session, and every device of the account is told which sign-in was copied and where', async () => {
    const laptop = await register(http, undefined, 'Work laptop');
    const phone = await login(http, laptop.email, 'Phone');
    const phoneSocket = await open(phone.token);
    const thiefSocket = await open(laptop.token);
    let token = laptop.token;
    const stolen = laptop.token;
    for (let i = 0; i < 2; i++) {
      clock.advance(GRACE);
      token = (await rotate(token)).token;
      assert.equal((await check(token)).status, 200);
    }
    // A socket opened with a token two rotations old closes at once: a copy must not keep hearing the account.
    assert.equal(await thiefSocket.closed(), 4003);
    assert.equal(thiefSocket.count('session.created'), 0);
    const laptopSocket = await open(token);
    const reused = await check(stolen, THIEF_ADDRESS);
    assert.equal(reused.body.error.reason, 'token_reused');

    const alert = await phoneSocket.next('session.token_reused');
    assert.equal(alert.sessionId, laptop.session.id);
    assert.equal(alert.deviceName, 'Work laptop');
    assert.equal(alert.platform, 'linux');
    assert.deepEqual(alert.usedFrom, { ip: THIEF_ADDRESS, location: LONDON });
    assert.deepEqual(alert.alsoFrom, { ip: '127.0.0.1', location: { kind: 'this_computer' } }, 'and where the new token is in use');
    const revoked = await laptopSocket.next('session.revoked');
    assert.equal(revoked.reason, 'token_reused');
    assert.equal(revoked.usedFrom?.ip, THIEF_ADDRESS);
    assert.equal(await laptopSocket.closed(), 4001);
    assert.equal(laptopSocket.count('session.token_reused'), 0, 'the copied device hears its own sign-out, not the alert');
    assert.equal(phoneSocket.closeCode, undefined, 'the other devices stay signed in');

    const events = SecurityEventList.parse((await http.get('/v1/security-events', phone.token)).body).events;
    const event = events.find((e) => e.type === 'token_reused');
    assert.ok(event, 'recorded as a security event');
    assert.equal(event.deviceName, 'Work laptop');
    assert.equal(event.ip, THIEF_ADDRESS);
    const signedOut = SignedOutSessionList.parse((await http.get('/v1/sessions/signed-out', phone.token)).body).sessions;
    assert.equal(signedOut.find((s) => s.id === laptop.session.id)?.reason, 'token_reused');
    // Presenting more old tokens later changes nothing more.
    assert.equal((await check(token)).body.error.reason, 'token_reused');
    await check(stolen);
    const again = SecurityEventList.parse((await http.get('/v1/security-events', phone.token)).body).events;
    assert.equal(again.filter((e) => e.type === 'token_reused').length, 1);
  });

  it('an old copy learns nothing more of the session it was part of', async () => {
    const laptop = await register(http, undefined, 'Work laptop');
    clock.advance(GRACE);
    const next = (await rotate(laptop.token)).token;
    await check(next);
    clock.advance(GRACE + 1);
    const first = await check(laptop.token, THIEF_ADDRESS);
    assert.equal(first.body.error.usedFrom.ip, THIEF_ADDRESS, 'the presentation that ends the session is told why');
    const again = await check(laptop.token, THIEF_ADDRESS);
    assert.equal(again.status, 401);
    assert.equal(again.body.error.reason, 'token_reused');
    assert.equal(again.body.error.usedFrom, undefined, 'later, an old copy is not told where anyone was');
    assert.equal(again.body.error.alsoFrom, undefined);
    assert.equal((await check(next)).body.error.usedFrom.ip, THIEF_ADDRESS, 'the holder of the current token is');
  });

  it('the owner between storing a new token and first using it is told where the copy was used, as the current token’s holder is', async () => {
    const laptop = await register(http, undefined, 'Work laptop');
    clock.advance(GRACE);
    const next = (await rotate(laptop.token)).token;
    await check(next);
    clock.advance(GRACE);
    // The laptop's next rotation: its answer is stored, not yet used, when the copy of its first token is.
    const pending = (await rotate(next)).token;
    clock.advance(GRACE + 1);
    assert.equal((await check(laptop.token, THIEF_ADDRESS)).body.error.usedFrom.ip, THIEF_ADDRESS);
    const told = await check(pending);
    assert.equal(told.status, 401);
    assert.equal(told.body.error.reason, 'token_reused');
    assert.equal(told.body.error.usedFrom?.ip, THIEF_ADDRESS, 'the pending replacement is the owner’s newest token');
  });

  it('the thief rotates first: the owner’s token, presented after the grace, ends the session for both', async () => {
    const owner = await register(http, undefined, 'Home desktop');
    const other = await login(http, owner.email, 'Tablet');
    const tablet = await open(other.token);
    clock.advance(GRACE);
    const thief = (await rotate(owner.token, THIEF, THIEF_ADDRESS)).token;
    assert.equal((await check(thief, THIEF_ADDRESS)).status, 200);
    clock.advance(GRACE + 1);
    const ownerReply = await check(owner.token, '198.51.100.4');
    assert.equal(ownerReply.body.error.reason, 'token_reused');
    assert.equal(ownerReply.body.error.usedFrom.ip, '198.51.100.4');
    assert.equal(ownerReply.body.error.alsoFrom.ip, THIEF_ADDRESS, 'both places are named: the old copy’s and the new one’s');
    assert.equal((await check(thief, THIEF_ADDRESS)).body.error.reason, 'token_reused');
    assert.equal((await tablet.next('session.token_reused')).deviceName, 'Home desktop');
  });

  it('concurrent rotations with one token all get the same new token', async () => {
    const laptop = await register(http);
    clock.advance(GRACE);
    const tokens = new Set((await Promise.all(Array.from({ length: 12 }, () => rotate(laptop.token)))).map((r) => r.token));
    assert.equal(tokens.size, 1);
    const [next] = tokens;
    const checks = await Promise.all(Array.from({ length: 12 }, () => check(next!)));
    assert.deepEqual(new Set(checks.map((c) => c.status)), new Set([200]), 'concurrent first uses all succeed');
  });

  it('stores no token, only hashes, old tokens included', async () => {
    const laptop = await register(http);
    clock.advance(GRACE);
    const next = (await rotate(laptop.token)).token;
    await check(next);
    clock.advance(GRACE);
    const third = (await rotate(next)).token;
    await check(third);
    const dump = await ctx.dumpStore(store);
    for (const token of [laptop.token, next, third]) assert.ok(!dump.includes(token.slice(3)), 'a token is in the store');
  });

  it('a made-up token is just unknown', async () => {
    const reply = await check(`lt_${'A'.repeat(43)}`);
    assert.equal(reply.status, 401);
    assert.equal(reply.body.error.code, 'unauthenticated');
  });
});

describe('sockets of a replaced token', () => {
  const ctx = new StoreContext('sqlite');
  after(() => ctx.dispose());

  it('close when the grace ends, while the device that renewed its socket stays connected', async () => {
    const clock = new ManualClock();
    const server = await startTestServer(await ctx.newStore(), { clock, config: { sessions: { ...DEFAULT_SESSION_POLICY, rotationGraceMs: 300 } } });
    try {
      const http = new Http(server.url);
      const laptop = await register(http);
      const copy = await EventSocket.open(server.url, laptop.token);
      clock.advance(300);
      const next = AuthResult.parse((await http.post('/v1/auth/rotate', { claim: newClaim() }, laptop.token)).body).token;
      // The device opens a socket with its new token, which makes it current.
      const renewed = await EventSocket.open(server.url, next);
      assert.equal(await copy.closed(), 4003, 'the copy’s socket closes after the grace');
      await login(http, laptop.email, 'Phone');
      assert.equal((await renewed.next('session.created')).session.deviceName, 'Phone', 'the device’s renewed socket still hears the account');
      assert.equal(renewed.closeCode, undefined);
      renewed.close();
    } finally {
      await server.close();
    }
  });
});

describe('token rotation across two instances on one PostgreSQL', () => {
  const ctx = new StoreContext('postgres');
  after(() => ctx.dispose());

  it('a replaced token cached by the other instance is not accepted there after the grace', async () => {
    const clock = new ManualClock();
    const store = await ctx.newStore();
    // A grace shorter than the touch interval: a cache that kept the old token would still answer from memory.
    const config = { sessions: { ...DEFAULT_SESSION_POLICY, rotationGraceMs: 5 * SECOND } };
    const a = await startTestServer(store, { clock, config });
    const b = await startTestServer(store, { clock, config });
    try {
      const httpA = new Http(a.url);
      const httpB = new Http(b.url);
      const laptop = await register(httpA);
      const phone = await login(httpA, laptop.email, 'Phone');
      const phoneOnA = await EventSocket.open(a.url, phone.token);
      const phoneOnB = await EventSocket.open(b.url, phone.token);
      // B has checked the current token: it is in B's cache now.
      assert.equal((await httpB.get('/v1/auth/session', laptop.token)).status, 200);
      assert.equal((await httpB.get('/v1/auth/session', laptop.token)).status, 200);
      clock.advance(5 * SECOND);
      const claim = newClaim();
      const next = AuthResult.parse((await httpA.post('/v1/auth/rotate', { claim }, laptop.token)).body).token;
      assert.equal((await httpA.get('/v1/auth/session', next)).status, 200);
      // The bus delivers in commit order: once B tells the phone of a change made after the rotation, B has
      // heard the rotation too (waiting for that, not for time, is what keeps this from a race with the bus).
      const heard = phoneOnB.count('sessions.changed');
      assert.equal((await httpA.patch('/v1/sessions/current', { deviceName: 'Phone, renamed' }, phone.token)).status, 200);
      await waitFor(() => phoneOnB.count('sessions.changed') > heard, 'B passes on a change made after the rotation');
      // Reconnect storms land on either instance: both hand out one consistent token.
      const [viaA, viaB] = await Promise.all([httpA.post('/v1/auth/rotate', { claim }, next), httpB.post('/v1/auth/rotate', { claim }, next)]);
      assert.equal(viaA.body.token, next);
      assert.equal(viaB.body.token, next);
      clock.advance(5 * SECOND + 1);
      const onB = await httpB.get('/v1/auth/session', laptop.token);
      assert.equal(onB.status, 401, 'B no longer answers from its cache');
      assert.equal(onB.body.error.reason, 'token_reused');
      assert.equal((await phoneOnA.next('session.token_reused')).sessionId, laptop.session.id, 'the alert crosses instances');
      phoneOnA.close();
      phoneOnB.close();
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('a copy following the owner’s rotation through the other instance is caught, and the alert crosses instances', async () => {
    const clock = new ManualClock({ frozen: true });
    const store = await ctx.newStore();
    const config = { sessions: { ...DEFAULT_SESSION_POLICY, rotationGraceMs: GRACE } };
    const a = await startTestServer(store, { clock, config });
    const b = await startTestServer(store, { clock, config });
    try {
      const [httpA, httpB] = [new Http(a.url), new Http(b.url)];
      const laptop = await register(httpA);
      const phone = await login(httpA, laptop.email, 'Phone');
      const phoneOnA = await EventSocket.open(a.url, phone.token);
      clock.advance(GRACE);
      const claim = newClaim();
      const next = AuthResult.parse((await httpA.post('/v1/auth/rotate', { claim }, laptop.token)).body).token;
      assert.equal((await httpA.get('/v1/auth/session', next)).status, 200);
      // The owner's own lost answer, asked again on the other instance: the same token.
      assert.equal((await httpB.post('/v1/auth/rotate', { claim }, laptop.token)).body.token, next);
      clock.advance(3 * SECOND);
      const followed = await httpB.post('/v1/auth/rotate', { claim: newClaim() }, laptop.token);
      assert.equal(followed.status, 401);
      assert.equal(followed.body.error.reason, 'token_reused');
      assert.equal((await phoneOnA.next('session.token_reused')).sessionId, laptop.session.id);
      assert.equal((await httpA.get('/v1/auth/session', next)).body.error.reason, 'token_reused');
      phoneOnA.close();
    } finally {
      await a.close();
      await b.close();
    }
  });
});
