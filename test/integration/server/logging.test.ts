// What the server writes to its log per request (docs/operations.md, "Service, logs and backups"): by default
// nothing for a request answered well and in time; one line for a slow one (and for a 5xx: the faults test);
// with LATCH_ACCESS_LOG=on one line for every request, never with its token or query string.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { loadConfig, type ServerConfig } from '../../../server/config/config.js';
import { Http, device, register, uniqueEmail } from '../../../kit/http.js';
import { ManualClock } from '../../support/clock.js';
import { startTestServer, tempSqlite, type TestServer } from '../../support/server.js';

interface Line {
  level: number;
  msg: string;
  unlogged?: number;
  status?: number;
  ms?: number;
  req?: { method: string; path: string; remoteAddress: string };
}

describe('the request log', () => {
  const sqlite = tempSqlite();
  const servers: TestServer[] = [];
  after(async () => {
    for (const server of servers) await server.close();
    sqlite.dispose();
  });

  /** A server with this request log; an account signed in on it; then a check, a list, and a check refused. */
  async function traffic(requestLog: ServerConfig['requestLog'], clock?: ManualClock): Promise<{ lines: Line[]; token: string; server: TestServer; http: Http }> {
    const server = await startTestServer(sqlite.store, { config: { requestLog }, ...(clock ? { clock } : {}) });
    servers.push(server);
    const http = new Http(server.url);
    const { token } = await register(http, uniqueEmail(), device('Laptop'));
    const before = server.logs.length;
    assert.equal((await http.get('/v1/auth/session?note=secret-in-query', token)).status, 200);
    assert.equal((await http.get('/v1/sessions', token)).status, 200);
    assert.equal((await http.get('/v1/auth/session', 'lt_not-a-token')).status, 401);
    const lines = server.logs.slice(before).map((line) => JSON.parse(line) as Line);
    return { lines, token, server, http };
  }
  const linesOf = (server: TestServer, from: number) => server.logs.slice(from).map((line) => JSON.parse(line) as Line);

  it('by default, writes nothing for requests answered well and in time', async () => {
    const { lines } = await traffic(loadConfig({}).requestLog);
    assert.deepEqual(lines, []);
  });

  it('with LATCH_ACCESS_LOG=on, one line a request: method, path without its query, status, time; never a token', async () => {
    assert.deepEqual(loadConfig({ LATCH_ACCESS_LOG: 'on' }).requestLog, { access: true, slowMs: 1_000 });
    const { lines, token } = await traffic(loadConfig({ LATCH_ACCESS_LOG: 'on' }).requestLog);
    assert.deepEqual(
      lines.map((l) => [l.level, l.msg, l.req?.method, l.req?.path, l.status]),
      [
        [30, 'request', 'GET', '/v1/auth/session', 200],
        [30, 'request', 'GET', '/v1/sessions', 200],
        [30, 'request', 'GET', '/v1/auth/session', 401],
      ],
    );
    assert.ok(lines.every((l) => typeof l.ms === 'number' && l.req?.remoteAddress === '127.0.0.1'));
    const text = JSON.stringify(lines);
    assert.ok(!text.includes(token.slice(3)) && !text.includes('secret-in-query') && !text.includes('not-a-token'));
  });

  it('a request slower than LATCH_SLOW_REQUEST_MS is a warning (here every one: the bound is 0), never a long poll, at most 10 a second', async () => {
    assert.equal(loadConfig({ LATCH_SLOW_REQUEST_MS: '250' }).requestLog.slowMs, 250);
    assert.throws(() => loadConfig({ LATCH_ACCESS_LOG: 'yes' }), /LATCH_ACCESS_LOG must be on or off/);
    const clock = new ManualClock({ frozen: true });
    const { lines, server, http, token } = await traffic({ access: false, slowMs: 0 }, clock);
    assert.deepEqual(
      lines.map((l) => [l.level, l.msg, l.req?.path, l.status]),
      [
        [40, 'slow request', '/v1/auth/session', 200],
        [40, 'slow request', '/v1/sessions', 200],
        [40, 'slow request', '/v1/auth/session', 401],
      ],
    );
    // A sign-in's wait for a device holds its request on purpose (up to 25 s): never "slow".
    clock.advance(1_000);
    let from = server.logs.length;
    const wait = await http.post('/v1/auth/sign-in-requests/AAAAAAAAAAAAAAAAAAAAAA/wait', { secret: 'A'.repeat(43) });
    assert.equal(wait.status, 404);
    assert.deepEqual(linesOf(server, from), []);
    // Many at once (here in one second of the server's clock): ten lines, then one that says how many were left out.
    from = server.logs.length;
    for (let i = 0; i < 25; i++) await http.get('/v1/auth/session', token);
    assert.equal(linesOf(server, from).length, 10);
    clock.advance(1_000);
    from = server.logs.length;
    await http.get(`/v1/auth/session/${'x'.repeat(1_000)}`, token);
    const [next] = linesOf(server, from);
    assert.deepEqual([next?.msg, next?.unlogged, next?.req?.path.length], ['slow request', 15, 200], 'a long path is cut short');
  });

  it('with the access log on, a failure is still a warning', async () => {
    const clock = new ManualClock({ frozen: true });
    const { server, http } = await traffic({ access: true, slowMs: 1_000 }, clock);
    const from = server.logs.length;
    await server.store.close();
    assert.equal((await http.get('/readyz')).status, 503);
    const failed = linesOf(server, from).find((l) => l.req?.path === '/readyz');
    assert.deepEqual([failed?.level, failed?.msg, failed?.status], [40, 'request failed', 503]);
  });
});
