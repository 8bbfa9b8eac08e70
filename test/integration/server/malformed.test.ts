// Hostile and broken requests: each gets a 4xx JSON error with a code, the
// server stays up and the store is unchanged.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { ErrorBody } from '../../../shared/api.js';
import { Http, register } from '../../../kit/http.js';
import { startTestServer, type TestServer } from '../../support/server.js';
import { forEachStore } from '../../support/stores.js';

interface Case {
  name: string;
  method: string;
  path: string;
  body?: string;
  headers?: Record<string, string>;
  auth?: boolean;
  status: number;
}

const json = { 'content-type': 'application/json' };
const device = { name: 'Laptop', platform: 'linux', appVersion: '1.0.0' };
const good = { email: 'someone@example.test', password: 'long enough password', device };
const withBody = (body: unknown) => JSON.stringify(body);

const cases: Case[] = [
  { name: 'truncated JSON', method: 'POST', path: '/v1/auth/login', body: '{"email": "a@b.c", "pass', headers: json, status: 400 },
  { name: 'not JSON at all', method: 'POST', path: '/v1/auth/login', body: 'hello', headers: json, status: 400 },
  { name: 'empty JSON body', method: 'POST', path: '/v1/auth/register', body: '', headers: json, status: 400 },
  { name: 'JSON null', method: 'POST', path: '/v1/auth/register', body: 'null', headers: json, status: 400 },
  { name: 'JSON array', method: 'POST', path: '/v1/auth/register', body: '[1,2]', headers: json, status: 400 },
  { name: 'JSON string', method: 'POST', path: '/v1/auth/login', body: '"email"', headers: json, status: 400 },
  { name: 'no body', method: 'POST', path: '/v1/auth/login', status: 400 },
  { name: 'form encoded', method: 'POST', path: '/v1/auth/login', body: 'email=a&password=b', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 415 },
  { name: 'XML', method: 'POST', path: '/v1/auth/register', body: '<a/>', headers: { 'content-type': 'application/xml' }, status: 415 },
  { name: 'body over 16 KiB', method: 'POST', path: '/v1/auth/register', body: withBody({ ...good, password: 'x'.repeat(17_000) }), headers: json, status: 413 },
  { name: 'email of wrong type', method: 'POST', path: '/v1/auth/register', body: withBody({ ...good, email: 42 }), headers: json, status: 400 },
  { name: 'email not an email', method: 'POST', path: '/v1/auth/register', body: withBody({ ...good, email: 'nope' }), headers: json, status: 400 },
  { name: 'email too long', method: 'POST', path: '/v1/auth/register', body: withBody({ ...good, email: `${'a'.repeat(250)}@b.co` }), headers: json, status: 400 },
  { name: 'password too short', method: 'POST', path: '/v1/auth/register', body: withBody({ ...good, password: 'short' }), headers: json, status: 400 },
  { name: 'password an object', method: 'POST', path: '/v1/auth/login', body: withBody({ ...good, password: { $ne: '' } }), headers: json, status: 400 },
  { name: 'password empty', method: 'POST', path: '/v1/auth/login', body: withBody({ ...good, password: '' }), headers: json, status: 400 },
  { name: 'device missing', method: 'POST', path: '/v1/auth/register', body: withBody({ email: good.email, password: good.password }), headers: json, status: 400 },
  { name: 'device name empty', method: 'POST', path: '/v1/auth/register', body: withBody({ ...good, device: { ...device, name: '   ' } }), headers: json, status: 400 },
  { name: 'device name 65 chars', method: 'POST', path: '/v1/auth/register', body: withBody({ ...good, device: { ...device, name: 'n'.repeat(65) } }), headers: json, status: 400 },
  { name: 'unknown platform', method: 'POST', path: '/v1/auth/register', body: withBody({ ...good, device: { ...device, platform: 'amiga' } }), headers: json, status: 400 },
  { name: 'extra field', method: 'POST', path: '/v1/auth/register', body: withBody({ ...good, admin: true }), headers: json, status: 400 },
  { name: '__proto__ key', method: 'POST', path: '/v1/auth/register', body: '{"__proto__": {"admin": true}, "email": "p@x.io"}', headers: json, status: 400 },
  { name: 'constructor.prototype key', method: 'POST', path: '/v1/auth/login', body: '{"constructor": {"prototype": {"admin": true}}}', headers: json, status: 400 },
  { name: 'unknown route', method: 'GET', path: '/v1/nothing-here', status: 404 },
  { name: 'unknown version', method: 'GET', path: '/v2/sessions', status: 404 },
  { name: 'wrong method on login', method: 'GET', path: '/v1/auth/login', status: 404 },
  { name: 'wrong method on sessions', method: 'PUT', path: '/v1/sessions', auth: true, body: '{}', headers: json, status: 404 },
  { name: 'malformed URL encoding', method: 'DELETE', path: '/v1/sessions/%00%ff', auth: true, status: 400 },
  { name: 'delete with malformed id', method: 'DELETE', path: '/v1/sessions/..%2F..%2Fusers', auth: true, status: 404 },
  { name: 'delete with a very long id', method: 'DELETE', path: `/v1/sessions/${'a'.repeat(2000)}`, auth: true, status: 414 },
  { name: 'rename with number', method: 'PATCH', path: '/v1/sessions/current', auth: true, body: withBody({ deviceName: 7 }), headers: json, status: 400 },
  { name: 'rename with nothing', method: 'PATCH', path: '/v1/sessions/current', auth: true, body: '{}', headers: json, status: 400 },
  { name: 'password change missing new', method: 'POST', path: '/v1/auth/password', auth: true, body: withBody({ currentPassword: 'x' }), headers: json, status: 400 },
  { name: 'password change flag not boolean', method: 'POST', path: '/v1/auth/password', auth: true, body: withBody({ currentPassword: 'x', newPassword: 'long enough password', signOutOtherSessions: 'no' }), headers: json, status: 400 },
  { name: 'bearer with spaces', method: 'GET', path: '/v1/sessions', headers: { authorization: 'Bearer lt_a lt_b' }, status: 401 },
  { name: 'bearer of unicode', method: 'GET', path: '/v1/sessions', headers: { authorization: 'Bearer lt_\u00e9\u00e9' }, status: 401 },
  { name: 'huge bearer', method: 'GET', path: '/v1/sessions', headers: { authorization: `Bearer lt_${'A'.repeat(8000)}` }, status: 401 },
  { name: 'SQL in email', method: 'POST', path: '/v1/auth/login', body: withBody({ ...good, email: "x'; DROP TABLE users; --@a.io" }), headers: json, status: 400 },
  { name: 'unicode everywhere', method: 'POST', path: '/v1/auth/login', body: withBody({ ...good, email: '\u{1F600}@\u{1F600}.io', password: '\u0000\uFFFF' }), headers: json, status: 400 },
  { name: 'query string pollution', method: 'GET', path: '/v1/sessions?__proto__[x]=1&token=lt_x', status: 401 },
];

forEachStore('malformed requests', (ctx) => {
  let server: TestServer;
  let http: Http;
  let token: string;

  before(async () => {
    server = await startTestServer(await ctx.newStore());
    http = new Http(server.url);
    token = (await register(http)).token;
  });
  after(() => server?.close());

  it(`answers ${cases.length} malformed requests with a 4xx JSON error and a code, and changes nothing`, async () => {
    assert.ok(cases.length >= 30);
    const countRows = async () =>
      Promise.all((['users', 'sessions', 'security_events'] as const).map(async (t) => (await server.store.db.selectFrom(t).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n));
    const before = await countRows();
    for (const c of cases) {
      const reply = await http.request(c.method, c.path, {
        ...(c.body !== undefined ? { body: c.body } : {}),
        headers: { ...c.headers, ...(c.auth ? { authorization: `Bearer ${token}` } : {}) },
      });
      assert.equal(reply.status, c.status, `${c.name}: ${reply.status} ${reply.text.slice(0, 300)}`);
      const body = ErrorBody.safeParse(reply.body);
      assert.ok(body.success, `${c.name}: not an error body: ${reply.text.slice(0, 300)}`);
      assert.match(body.data.error.code, /^[a-z_]+$/, c.name);
      assert.ok(body.data.error.message.length < 200, `${c.name}: the message echoes the request`);
    }
    assert.deepEqual((await countRows()).map(Number), before.map(Number), 'no rows were added or removed');
    assert.equal((await http.get('/healthz')).status, 200, 'the server is still up');
    assert.equal((await http.get('/v1/sessions', token)).status, 200, 'the good session still works');
    assert.equal(({} as Record<string, unknown>).admin, undefined, 'no prototype was polluted');
  });
});
