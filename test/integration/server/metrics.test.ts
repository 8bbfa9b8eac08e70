// GET /metrics on its own port (docs/operations.md, "Metrics"), scraped as Prometheus would: the series an
// operator graphs move as devices sign in, are checked, are signed out and are refused, on both stores.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { EventSocket, Http, PASSWORD, device, login, register } from '../../../kit/http.js';
import { GENEROUS_RATE_LIMIT, startTestServer, type TestServer } from '../../support/server.js';
import { forEachStore } from '../../support/stores.js';
import { waitFor } from '../../support/wait.js';

/** One scrape, as series name with its labels → value. */
async function scrape(url: string): Promise<Map<string, number>> {
  const response = await fetch(`${url}/metrics`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const series = new Map<string, number>();
  for (const line of (await response.text()).split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    series.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return series;
}

forEachStore('metrics', (ctx) => {
  let server: TestServer;
  let http: Http;

  before(async () => {
    server = await startTestServer(await ctx.newStore(), { config: { metrics: { host: '127.0.0.1', port: 0 }, rateLimit: { ...GENEROUS_RATE_LIMIT, freeFailuresPerPair: 2 } } });
    http = new Http(server.url);
  });
  after(() => server?.close());

  it('is on a port of its own, on loopback, and only GET /metrics is there', async () => {
    assert.match(server.metricsUrl ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(new URL(server.metricsUrl!).port, String(server.port));
    assert.equal((await fetch(`${server.metricsUrl}/v1/auth/session`)).status, 404);
    assert.equal((await http.get('/metrics')).status, 404, 'not on the API’s port');
  });

  it('the series move: sign-ins, checks by outcome, live sockets, active sessions, revocations with their push latency, 429s, hashing, the event loop', async () => {
    const before = await scrape(server.metricsUrl!);
    const delta = (after: Map<string, number>, name: string) => (after.get(name) ?? 0) - (before.get(name) ?? 0);

    const laptop = await register(http);
    const phone = await login(http, laptop.email, 'Phone');
    assert.equal((await http.get('/v1/auth/session', laptop.token)).status, 200);
    assert.equal((await http.get('/v1/auth/session', `lt_${'A'.repeat(43)}`)).status, 401);
    const socket = await EventSocket.open(server.url, phone.token);
    let now = await scrape(server.metricsUrl!);
    assert.equal(now.get('latch_sockets_live'), 1);
    assert.ok((now.get('latch_sessions_active') ?? 0) >= 2);
    assert.ok(delta(now, 'latch_session_checks_total{outcome="valid"}') >= 2, 'valid checks counted');
    assert.equal(delta(now, 'latch_session_checks_total{outcome="unauthenticated"}'), 1);
    assert.equal(delta(now, 'latch_sign_ins_total{outcome="signed_in"}'), 1);

    assert.equal((await http.delete(`/v1/sessions/${phone.session.id}`, laptop.token)).status, 204);
    await socket.next('session.revoked');
    for (let i = 0; i < 3; i++) await http.post('/v1/auth/login', { email: laptop.email, password: 'not it', device: device('X') });
    assert.equal((await http.post('/v1/auth/login', { email: laptop.email, password: PASSWORD, device: device('X') })).status, 429);
    await waitFor(async () => (await scrape(server.metricsUrl!)).get('latch_sockets_live') === 0, 'the revoked socket gone from the gauge');
    now = await scrape(server.metricsUrl!);
    assert.equal(delta(now, 'latch_revocations_total{reason="revoked_by_user"}'), 1);
    assert.equal(delta(now, 'latch_push_latency_seconds_count'), 1, 'one revocation pushed to a socket here');
    assert.ok(delta(now, 'latch_sign_ins_total{outcome="invalid_credentials"}') >= 2);
    assert.ok(delta(now, 'latch_limited_total{limiter="rate_limited"}') >= 1, 'the 429 counted by its limiter');
    assert.ok(delta(now, 'latch_hashing_wait_seconds_count') >= 3, 'each password check’s wait');
    assert.ok(now.has('latch_hashing_queue'));
    assert.ok(now.has('latch_nodejs_eventloop_lag_seconds'), 'the event loop’s lag');
    if (ctx.kind === 'postgres') {
      await waitFor(async () => ((await scrape(server.metricsUrl!)).get('latch_bus_heartbeat_seconds_count') ?? 0) > 0, 'a heartbeat of the listening connection timed');
      assert.ok(now.has('latch_bus_reconnects_total'));
    }
    socket.close();
  });

  it('every series the Grafana dashboard in docs/ graphs is one the server serves', async () => {
    const dashboard = readFileSync(fileURLToPath(new URL('../../../../docs/grafana-dashboard.json', import.meta.url)), 'utf8');
    const graphed = new Set([...dashboard.matchAll(/latch_[a-z0-9_]+/g)].map((m) => m[0].replace(/_(bucket|count|sum)$/, '')));
    const served = [...(await scrape(server.metricsUrl!)).keys()].map((key) => key.split('{')[0]!);
    for (const name of graphed) assert.ok(served.some((series) => series === name || series.startsWith(`${name}_`)), `${name} is graphed but not served`);
  });
});
