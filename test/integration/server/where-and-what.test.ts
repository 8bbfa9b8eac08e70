// Where and what each device is, and the devices signed out lately, over real
// HTTP and WebSocket on SQLite and PostgreSQL. The server trusts one proxy
// hop, so X-Forwarded-For stands for the address a device signs in from.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { AuthResult, SecurityEventList, SessionList, SignedOutSessionList, type DeviceInfo } from '../../../shared/api.js';
import { DEFAULT_SESSION_POLICY, type StoreConfig } from '../../../server/config/config.js';
import { DAY, MINUTE, ManualClock } from '../../support/clock.js';
import { EventSocket, Http, PASSWORD, device, uniqueEmail, register } from '../../../kit/http.js';
import { startTestServer, type TestServer } from '../../support/server.js';
import { forEachStore } from '../../support/stores.js';

forEachStore('where and what each device is', (ctx) => {
  const clock = new ManualClock();
  let store: StoreConfig;
  let server: TestServer;
  let http: Http;
  const sockets: EventSocket[] = [];

  before(async () => {
    store = await ctx.newStore();
    server = await startTestServer(store, {
      clock,
      config: { trustProxy: 1, sessions: { ...DEFAULT_SESSION_POLICY, maxSessionsPerUser: 3 } },
    });
    http = new Http(server.url);
  });
  after(async () => {
    for (const socket of sockets) socket.close();
    await server?.close();
  });

  const signIn = async (email: string, info: DeviceInfo, from?: string, path = '/v1/auth/login') => {
    const headers: Record<string, string> = from ? { 'x-forwarded-for': from } : {};
    if (path === '/v1/auth/register') return register(http, email, info, headers);
    const reply = await http.request('POST', path, { json: { email, password: PASSWORD, device: info }, headers });
    assert.equal(reply.status, 200, reply.text);
    return AuthResult.parse(reply.body);
  };
  const list = async (token: string) => SessionList.parse((await http.get('/v1/sessions', token)).body).sessions;
  const byName = async (token: string, name: string) => (await list(token)).find((s) => s.deviceName === name);

  it('names the city and country a device signed in from, this computer, or the local network, from the bundled database', async () => {
    const email = uniqueEmail();
    const home = await signIn(email, device('Home'), undefined, '/v1/auth/register');
    assert.deepEqual(home.session.location, { kind: 'this_computer' });
    await signIn(email, device('London laptop'), '81.2.69.142');
    await signIn(email, device('Office PC'), '10.1.2.3');
    const london = await byName(home.token, 'London laptop');
    assert.deepEqual(london?.location, { kind: 'internet', country: 'GB', city: 'London' });
    assert.deepEqual((await byName(home.token, 'Office PC'))?.location, { kind: 'local_network' });

    const events = SecurityEventList.parse((await http.get('/v1/security-events', home.token)).body).events;
    const signedIn = events.find((e) => e.type === 'signed_in' && e.deviceName === 'London laptop');
    assert.deepEqual(signedIn?.location, { kind: 'internet', country: 'GB', city: 'London' });
  });

  it('locates IPv6 addresses too, and drops a district in parentheses from the city', async () => {
    const email = uniqueEmail();
    const home = await signIn(email, device('Home'), undefined, '/v1/auth/register');
    await signIn(email, device('Frankfurt'), '2a00:1450:4001:80b::200e');
    await signIn(email, device('Hanover'), '193.99.144.80');
    assert.deepEqual((await byName(home.token, 'Frankfurt'))?.location, { kind: 'internet', country: 'DE', city: 'Frankfurt am Main' });
    assert.deepEqual((await byName(home.token, 'Hanover'))?.location, { kind: 'internet', country: 'DE', city: 'Hanover' });
  });

  it('lists the OS each device reported, tells the others at once, and refuses an OS name that hides what it says', async () => {
    const email = uniqueEmail();
    const home = await signIn(email, { ...device('Home'), os: 'Ubuntu 24.04' }, undefined, '/v1/auth/register');
    assert.equal(home.session.os, 'Ubuntu 24.04');
    const watching = await EventSocket.open(server.url, home.token);
    sockets.push(watching);
    await signIn(email, { ...device('Mac', 'darwin'), os: 'macOS 15.2' }, '8.8.8.8');
    const created = await watching.next('session.created');
    assert.equal(created.session.os, 'macOS 15.2');
    assert.deepEqual(created.session.location, { kind: 'internet', country: 'US', city: 'Mountain View' });
    await signIn(email, device('Old client'));
    assert.equal((await byName(home.token, 'Old client'))?.os, undefined, 'a device that sends no OS shows none');

    const hostile = await http.post('/v1/auth/login', { email, password: PASSWORD, device: { ...device('X'), os: 'Windows\u202E 11' } });
    assert.equal(hostile.status, 400);
    assert.match(hostile.text, /OS must not contain control, invisible or text-direction characters/);
    const posing = await http.post('/v1/auth/login', { email, password: PASSWORD, device: { ...device('X'), os: 'Windows 11 · This computer · online now' } });
    assert.equal(posing.status, 400, 'an OS name cannot pose as a place or a status');
    assert.match(posing.text, /OS must be letters, digits, spaces/);
  });

  it('says how each device signed in, and lists what one device did (its detail view), never another account’s', async () => {
    const email = uniqueEmail();
    const home = await signIn(email, device('Home'), undefined, '/v1/auth/register');
    const phone = await signIn(email, device('Phone'), '81.2.69.142');
    assert.deepEqual(
      (await list(home.token)).map((s) => [s.deviceName, s.signedInWith]),
      [
        ['Home', 'new_account'],
        ['Phone', 'password'],
      ],
    );
    clock.advance(MINUTE);
    const tablet = await signIn(email, device('Tablet'));
    assert.equal((await http.delete(`/v1/sessions/${tablet.session.id}`, phone.token)).status, 204);
    const did = async (sessionId: string, token = home.token) => {
      const reply = await http.get(`/v1/security-events?session=${sessionId}`, token);
      assert.equal(reply.status, 200, reply.text);
      return SecurityEventList.parse(reply.body).events.map((e) => [e.type, e.deviceName, e.targetDeviceName]);
    };
    assert.deepEqual(await did(phone.session.id), [
      ['session_revoked', 'Phone', 'Tablet'],
      ['signed_in', 'Phone', undefined],
    ]);
    // Both at the same moment: in either order.
    assert.deepEqual((await did(home.session.id)).sort(), [
      ['account_created', 'Home', undefined],
      ['signed_in', 'Home', undefined],
    ]);
    // A page at a time, as the details' "Show older activity" asks.
    const first = SecurityEventList.parse((await http.get(`/v1/security-events?session=${phone.session.id}&limit=1`, home.token)).body);
    assert.equal(first.events[0]?.type, 'session_revoked');
    const second = SecurityEventList.parse((await http.get(`/v1/security-events?session=${phone.session.id}&limit=1&before=${first.nextBefore}`, home.token)).body);
    assert.deepEqual([second.events.map((e) => e.type), second.nextBefore], [['signed_in'], undefined]);
    const stranger = await signIn(uniqueEmail(), device('Stranger'), undefined, '/v1/auth/register');
    assert.deepEqual(await did(phone.session.id, stranger.token), [], 'another account’s device is not found');
    assert.equal((await http.get('/v1/security-events?session=not-an-id', home.token)).status, 400);
  });

  it('lists devices signed out in the last 30 days with who signed each out and why, newest first, and never another account’s', async () => {
    const email = uniqueEmail();
    await signIn(email, device('Setup'), undefined, '/v1/auth/register');
    const old = await signIn(email, device('Old phone'), '81.2.69.142');
    await http.post('/v1/auth/logout', undefined, old.token);
    clock.advance(31 * DAY);
    // Setup, unused for 31 days, ran out of time 17 days ago without anyone marking it.
    const laptop = await signIn(email, device('Laptop'));
    const home = await signIn(email, device('Home'));
    const tablet = await signIn(email, { ...device('Tablet'), os: 'Android 15' });
    assert.equal((await http.delete(`/v1/sessions/${tablet.session.id}`, home.token)).status, 204);
    await signIn(email, device('Phone'));
    clock.advance(MINUTE);
    await list(home.token);
    // The cap is 3: the next sign-in makes room by signing out the longest-idle device, the laptop.
    await signIn(email, device('New laptop'), '193.99.144.80');
    assert.equal((await http.get('/v1/auth/session', laptop.token)).status, 401);
    const other = await signIn(uniqueEmail(), device('Stranger'), undefined, '/v1/auth/register');
    await http.post('/v1/auth/logout', undefined, other.token);

    const reply = await http.get('/v1/sessions/signed-out', home.token);
    assert.equal(reply.status, 200);
    const ended = SignedOutSessionList.parse(reply.body).sessions;
    assert.deepEqual(
      ended.map((s) => [s.deviceName, s.reason, s.by?.deviceName]),
      [
        ['Laptop', 'evicted', 'New laptop'],
        ['Tablet', 'revoked_by_user', 'Home'],
        ['Setup', 'expired', undefined],
      ],
      'the phone signed out 31 days ago has gone; the stranger is another account',
    );
    assert.equal(ended[1]!.os, 'Android 15');
    const near = (iso: string, expected: number) => assert.ok(Math.abs(Date.parse(iso) - expected) < 10_000, `${iso} is not near ${new Date(expected).toISOString()}`);
    near(ended[0]!.signedOutAt, clock.now());
    near(ended[2]!.signedOutAt, clock.now() - MINUTE - 17 * DAY);
    // The hourly sweep marks Setup expired now; it still ended when it ran out of time, 17 days ago.
    await server.sessions.maintain();
    const swept = SignedOutSessionList.parse((await http.get('/v1/sessions/signed-out', home.token)).body).sessions;
    assert.deepEqual(swept.map((s) => s.deviceName), ['Laptop', 'Tablet', 'Setup']);
    assert.equal(swept[2]!.signedOutAt, ended[2]!.signedOutAt);
    assert.equal((await http.get('/v1/sessions/signed-out')).status, 401);
  });

  it('tells the device evicted to make room where the sign-in that took its place came from', async () => {
    const email = uniqueEmail();
    const one = await signIn(email, device('One'), undefined, '/v1/auth/register');
    const two = await signIn(email, device('Two'));
    const three = await signIn(email, device('Three'));
    // All three connected: the longest-idle, One, makes room.
    const opened = await Promise.all([one, two, three].map((d) => EventSocket.open(server.url, d.token)));
    sockets.push(...opened);
    const oneSocket = opened[0];
    await signIn(email, device('Newcomer'), '81.2.69.142');
    const revoked = await oneSocket!.next('session.revoked');
    assert.equal(revoked.reason, 'evicted');
    assert.deepEqual(revoked.by, { deviceName: 'Newcomer', location: { kind: 'internet', country: 'GB', city: 'London' } });
  });
});

forEachStore(
  'locations turned off',
  (ctx) => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(await ctx.newStore(), { config: { trustProxy: 1, locations: 'off' } });
    });
    after(() => server?.close());

    it('says only that a device is on the internet, with no city or country', async () => {
      const http = new Http(server.url);
      const account = await register(http, uniqueEmail(), 'Anywhere', { 'x-forwarded-for': '81.2.69.142' });
      assert.deepEqual(account.session.location, { kind: 'internet' });
    });
  },
  ['sqlite'],
);
