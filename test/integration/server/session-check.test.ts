// The session check, `GET /v1/auth/session`, served as a plain Fastify route with a reused answer
// (server/auth/session-route.ts): it answers as every other route does, on SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { CurrentSession } from '../../../shared/api.js';
import { Http, login, register } from '../../../kit/http.js';
import { ManualClock, MINUTE } from '../../support/clock.js';
import { startTestServer, type TestServer } from '../../support/server.js';
import { forEachStore } from '../../support/stores.js';

forEachStore('the session check', (ctx) => {
  let server: TestServer;
  let http: Http;

  before(async () => {
    server = await startTestServer(await ctx.newStore());
    http = new Http(server.url);
  });
  after(() => server?.close());

  it('shows a rename at once, though the answer before it came from the cache', async () => {
    const laptop = await register(http, undefined, 'Laptop');
    for (let i = 0; i < 3; i++) {
      const check = await http.get('/v1/auth/session', laptop.token);
      assert.equal(check.status, 200);
      assert.match(check.headers.get('content-type') ?? '', /^application\/json/);
      assert.equal(CurrentSession.parse(check.body).session.deviceName, 'Laptop');
    }
    assert.equal((await http.patch('/v1/sessions/current', { deviceName: 'Work laptop' }, laptop.token)).status, 200);
    assert.equal(CurrentSession.parse((await http.get('/v1/auth/session', laptop.token)).body).session.deviceName, 'Work laptop');
  });

  it('refuses as every route does: the error body, its headers, and the security headers', async () => {
    const missing = await http.get('/v1/auth/session');
    assert.equal(missing.status, 401);
    assert.equal(missing.body.error.code, 'unauthenticated');
    assert.equal(missing.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(missing.headers.get('cache-control'), 'no-store');
    const malformed = await http.get('/v1/auth/session', 'lt_not-a-token');
    assert.equal(malformed.status, 401);
    assert.equal(malformed.body.error.code, 'unauthenticated');
    // Another device of the account signs this one out: the next check says who and when.
    const laptop = await register(http, undefined, 'Laptop');
    const phone = await login(http, laptop.email, 'Phone');
    assert.equal((await http.get('/v1/auth/session', phone.token)).status, 200);
    assert.equal((await http.delete(`/v1/sessions/${phone.session.id}`, laptop.token)).status, 204);
    const ended = await http.get('/v1/auth/session', phone.token);
    assert.equal(ended.status, 401);
    assert.equal(ended.body.error.code, 'session_revoked');
    assert.deepEqual(ended.body.error.revokedBy, { deviceName: 'Laptop' });
    // Any other method is an unknown route, with the same error body.
    const posted = await http.post('/v1/auth/session', {}, laptop.token);
    assert.equal(posted.status, 404);
    assert.equal(posted.body.error.code, 'not_found');
  });

  it('checks a HEAD as it checks a GET, and takes an app’s token only as a bearer header, cached or not', async () => {
    const laptop = await register(http, undefined, 'Laptop');
    assert.equal((await http.request('HEAD', '/v1/auth/session', { token: laptop.token })).status, 200);
    assert.equal((await http.request('HEAD', '/v1/auth/session')).status, 401);
    // The session is in the cache now; its token in a cookie is still no browser's session.
    assert.equal((await http.get('/v1/auth/session', laptop.token)).status, 200);
    const asCookie = await http.request('GET', '/v1/auth/session', { headers: { cookie: `latch_session=${laptop.token}` } });
    assert.equal(asCookie.status, 401);
    assert.equal(asCookie.body.error.code, 'unauthenticated');
  });
});

forEachStore(
  'the session check, many at once',
  (ctx) => {
    it('answers many checks at once with one look at the store when the session is due to be marked as seen', async () => {
      // A device's session is marked as seen once a minute; until then the cache answers. The checks that
      // arrive together when it falls due once all went to the store, each reading and writing the row:
      // a stall of a fifth of a second at 50 connections on PostgreSQL (docs/performance.md). On SQLite a
      // look at the store ends within one turn of the event loop, before the next request is read.
      const clock = new ManualClock({ frozen: true });
      const own = await startTestServer(await ctx.newStore(), { clock });
      try {
        const ownHttp = new Http(own.url);
        const laptop = await register(ownHttp, undefined, 'Laptop');
        assert.equal((await ownHttp.get('/v1/auth/session', laptop.token)).status, 200);
        clock.advance(2 * MINUTE);
        let writes = 0;
        const lightly = own.store.lightly.bind(own.store);
        own.store.lightly = (work) => (writes++, lightly(work));
        const checks = await Promise.all(Array.from({ length: 50 }, () => ownHttp.get('/v1/auth/session', laptop.token)));
        own.store.lightly = lightly;
        assert.deepEqual(new Set(checks.map((check) => check.status)), new Set([200]));
        assert.equal(writes, 1, 'the session is marked as seen once');
        const seen = CurrentSession.parse(checks[0]!.body).session.lastSeenAt;
        assert.equal(seen, new Date(clock.now()).toISOString());
      } finally {
        await own.close();
      }
    });
  },
  ['postgres'],
);
