// The server's edges under attack, over real sockets: too many WebSockets,
// bodies that never arrive, a page on a DNS name that points at loopback, a
// lying X-Forwarded-For, hostile device names, a flood of sign-ins, and what
// reaches the log. Storage plays no part here, so SQLite only.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { availableParallelism, getPriority } from 'node:os';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { ErrorBody } from '../../../shared/api.js';
import { cpuTicks } from '../../../server/common/proc.js';
import { DEFAULT_TIMEOUTS, type ServerConfig } from '../../../server/config/config.js';
import { EventSocket, Http, PASSWORD, device, login, register, uniqueEmail, type Reply } from '../../../kit/http.js';
import { GENEROUS_RATE_LIMIT, startTestServer, tempSqlite, TEST_PASSWORD_POLICY, type TestServer } from '../../support/server.js';
import { ManualClock } from '../../support/clock.js';
import { waitFor } from '../../support/wait.js';

/** A server on a store of its own: attempt counters outlive a server, so each case starts from zero. */
async function withServer(config: Partial<ServerConfig>, body: (server: TestServer, http: Http) => Promise<void>): Promise<void> {
  const sqlite = tempSqlite();
  const server = await startTestServer(sqlite.store, { config });
  try {
    await body(server, new Http(server.url));
  } finally {
    await server.close();
    sqlite.dispose();
  }
}

/** A request with a Host header of our choosing (fetch will not send one). */
function withHost(port: number, method: string, path: string, host: string, token?: string): Promise<{ status: number; body: { error?: { code: string } } }> {
  return new Promise((resolve, reject) => {
    const body = method === 'POST' ? JSON.stringify({ email: uniqueEmail(), password: PASSWORD, device: device('X') }) : undefined;
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: { host, ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : {} }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** Everything the server answers to one request written as raw bytes (a request no client library would send). */
function rawExchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
    socket.on('error', reject);
    socket.on('close', () => resolve(text));
  });
}

/**
 * A raw connection that sends `first` (if anything) and then `drip` every
 * `everyMs`, as a slow or stubborn client would; resolves with the ms until
 * the server hangs up.
 */
function holdConnection(port: number, first: string | undefined, drip?: { text: string; everyMs: number }): Promise<number> {
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => first !== undefined && socket.write(first));
    const timer = drip ? setInterval(() => socket.write(drip.text), drip.everyMs) : undefined;
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      resolve(Date.now() - started);
    });
  });
}

/** Opens a socket and reports how the upgrade ended: 101, or the refusal's status and JSON body. */
function upgrade(url: string, token: string, headers: Record<string, string> = {}): Promise<{ status: number; body?: unknown; socket?: WebSocket }> {
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/events`, { headers: { authorization: `Bearer ${token}`, ...headers } });
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve({ status: 101, socket }));
    socket.once('unexpected-response', (_request, response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) }));
    });
    socket.once('error', reject);
  });
}

describe('live connection caps', () => {
  it('one token holds at most two sockets: 200 upgrades at once, 2 open, the rest 429 too_many_connections with a JSON body', async () => {
    await withServer({}, async (server, http) => {
      const account = await register(http);
      const results = await Promise.all(Array.from({ length: 200 }, () => upgrade(server.url, account.token)));
      assert.equal(results.filter((r) => r.status === 101).length, 2);
      const refused = results.filter((r) => r.status !== 101);
      assert.ok(refused.every((r) => r.status === 429 && ErrorBody.parse(r.body).error.code === 'too_many_connections'));
      assert.equal(server.gateway.connectionCount, 2);
      // When one closes, the device can connect again.
      const open = results.filter((r) => r.socket);
      open[0]!.socket!.close();
      await new Promise((resolve) => open[0]!.socket!.once('close', resolve));
      const held = () => server.gateway.connectionCount;
      const deadline = Date.now() + 5_000;
      while (held() !== 1 && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
      assert.equal((await upgrade(server.url, account.token)).status, 101);
      for (const r of results) r.socket?.close();
    });
  });

  it('caps sockets per account and per address, and at the server ceiling answers 503 while HTTP keeps working', async () => {
    await withServer({ sockets: { perSession: 2, perAccount: 3, perAddress: 6, total: 8, connections: 1_000 } }, async (server, http) => {
      const a = await register(http);
      const tokensA = [a.token, ...(await Promise.all([1, 2, 3].map((i) => login(http, a.email, `A${i}`)))).map((r) => r.token)];
      const perAccount = [];
      for (const token of tokensA) perAccount.push(await upgrade(server.url, token));
      assert.deepEqual(perAccount.map((r) => r.status), [101, 101, 101, 429]);
      assert.match(ErrorBody.parse(perAccount[3]!.body).error.message, /for this account/);
      const b = await register(http);
      const tokensB = [b.token, ...(await Promise.all([1, 2].map((i) => login(http, b.email, `B${i}`)))).map((r) => r.token)];
      const perAddress = [];
      for (const token of tokensB) perAddress.push(await upgrade(server.url, token));
      assert.deepEqual(perAddress.map((r) => r.status), [101, 101, 101], 'six from one address');
      const c = await register(http);
      const seventh = await upgrade(server.url, c.token);
      assert.equal(seventh.status, 429);
      assert.match(ErrorBody.parse(seventh.body).error.message, /from this network address/);
      assert.equal((await upgrade(server.url, c.token, { 'x-forwarded-for': '192.0.2.1' })).status, 429, 'without a trusted proxy, X-Forwarded-For changes nothing');
      const all = [...perAccount, ...perAddress];
      assert.equal(server.gateway.connectionCount, 6);
      for (const r of all) r.socket?.close();
    });
    await withServer({ trustProxy: 1, sockets: { perSession: 2, perAccount: 100, perAddress: 100, total: 4, connections: 1_000 } }, async (server, http) => {
      const a = await register(http);
      const tokens = [a.token, ...(await Promise.all([1, 2, 3, 4].map((i) => login(http, a.email, `A${i}`)))).map((r) => r.token)];
      const results = [];
      for (const [i, token] of tokens.entries()) results.push(await upgrade(server.url, token, { 'x-forwarded-for': `192.0.2.${i + 1}` }));
      assert.deepEqual(results.map((r) => r.status), [101, 101, 101, 101, 503]);
      assert.equal(ErrorBody.parse(results[4]!.body).error.code, 'unavailable');
      assert.deepEqual((await http.get('/healthz')).body, { status: 'ok' });
      assert.equal((await http.get('/v1/sessions', a.token)).status, 200);
      for (const r of results) r.socket?.close();
    });
  });
});

describe('slow and silent clients', () => {
  it('drops a request whose announced body never arrives within the timeout, and keeps serving others', async () => {
    await withServer({ timeouts: { ...DEFAULT_TIMEOUTS, requestMs: 1_500, headersMs: 1_000 } }, async (server, http) => {
      const announced = `POST /v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nContent-Type: application/json\r\nContent-Length: 16000\r\n\r\n`;
      const stalled = await Promise.all([0, 1, 2].map(() => holdConnection(server.port, announced)));
      for (const ms of stalled) assert.ok(ms < 5_000, `closed after ${ms} ms`);
      assert.equal((await http.get('/healthz')).status, 200);
    });
  });

  it('has request, header and keep-alive timeouts by default', () => {
    assert.deepEqual(DEFAULT_TIMEOUTS, { requestMs: 15_000, headersMs: 10_000, keepAliveMs: 5_000 });
  });

  it('closes a connection that keeps itself alive with bare line ends between requests', async () => {
    await withServer({ timeouts: { requestMs: 1_000, headersMs: 1_000, keepAliveMs: 500 } }, async (server) => {
      const closedAfter = await holdConnection(server.port, `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`, { text: '\r\n', everyMs: 100 });
      assert.ok(closedAfter < 6_000, `closed after ${closedAfter} ms`);
    });
  });

  it('refuses connections past its ceiling at once, and takes new ones when they go', async () => {
    await withServer({ sockets: { perSession: 2, perAccount: 100, perAddress: 512, total: 4, connections: 5 } }, async (server, http) => {
      const held = await Promise.all(
        Array.from({ length: 5 }, () => new Promise<ReturnType<typeof connect>>((resolve) => { const s = connect(server.port, '127.0.0.1', () => resolve(s)); })),
      );
      const refused = await new Promise<boolean>((resolve) => {
        const extra = connect(server.port, '127.0.0.1');
        extra.on('error', () => resolve(true));
        extra.on('close', () => resolve(true));
        extra.on('data', () => resolve(false));
        extra.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`);
      });
      assert.ok(refused, 'the sixth connection is closed without an answer');
      for (const socket of held) socket.destroy();
      await waitFor(async () => (await http.get('/healthz')).status === 200, 'a connection is taken again');
    });
  });

  it('closes a connection that never sends a byte', async () => {
    await withServer({ timeouts: { requestMs: 1_000, headersMs: 1_000, keepAliveMs: 500 } }, async (server) => {
      const closedAfter = await holdConnection(server.port, undefined);
      assert.ok(closedAfter < 6_000, `closed after ${closedAfter} ms`);
    });
  });

  it('a body that trickles in a byte at a time is cut off at the request timeout', async () => {
    await withServer({ timeouts: { ...DEFAULT_TIMEOUTS, requestMs: 1_500, headersMs: 1_000 } }, async (server) => {
      const closedAfter = await holdConnection(server.port, `POST /v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nContent-Type: application/json\r\nContent-Length: 16000\r\n\r\n`, { text: '{', everyMs: 200 });
      assert.ok(closedAfter < 6_000, `closed after ${closedAfter} ms`);
    });
  });
});

describe('the loopback server answers only to its own names', () => {
  const sqlite = tempSqlite();
  let server: TestServer;
  let http: Http;
  before(async () => {
    // With the access log on: a test below reads the request lines.
    server = await startTestServer(sqlite.store, { config: { requestLog: { access: true, slowMs: 1_000 } } });
    http = new Http(server.url);
  });
  after(async () => {
    await server.close();
    sqlite.dispose();
  });

  it('refuses a DNS-rebinding Host with 421 on every route and on the WebSocket upgrade', async () => {
    const account = await register(http);
    const rebinding = `attacker.example:${server.port}`;
    for (const [method, path] of [
      ['POST', '/v1/auth/register'],
      ['POST', '/v1/auth/login'],
      ['GET', '/v1/auth/session'],
      ['GET', '/healthz'],
    ] as const) {
      const reply = await withHost(server.port, method, path, rebinding, account.token);
      assert.equal(reply.status, 421, `${method} ${path}`);
      assert.equal(reply.body.error?.code, 'misdirected_request');
    }
    assert.equal((await withHost(server.port, 'GET', '/v1/auth/session', `127.0.0.1:${server.port + 1}`, account.token)).status, 421, 'another port');
    assert.equal((await withHost(server.port, 'GET', '/v1/auth/session', `127.0.0.1:${server.port}:${server.port}`, account.token)).status, 421, 'a doubled port');
    assert.equal((await withHost(server.port, 'GET', '/v1/auth/session', `localhost.:${server.port}`, account.token)).status, 421, 'a trailing dot');
    assert.equal((await upgrade(server.url, account.token, { host: rebinding })).status, 421);
    for (const host of [`127.0.0.1:${server.port}`, `localhost:${server.port}`, `[::1]:${server.port}`, `LOCALHOST:${server.port}`]) {
      assert.equal((await withHost(server.port, 'GET', '/v1/auth/session', host, account.token)).status, 200, host);
    }
  });

  it('behind a proxy on the same machine: a loopback bind answers to LATCH_ALLOWED_HOSTS beside its own names, and logs a refused Host once a minute with a count', async () => {
    const clock = new ManualClock();
    const sqlite = tempSqlite();
    const server = await startTestServer(sqlite.store, { clock, config: { allowedHosts: ['latch.example.com'] } });
    try {
      const account = await register(new Http(server.url));
      assert.ok(server.allowedHosts?.has('latch.example.com') && server.allowedHosts.has(`127.0.0.1:${server.port}`), 'the start-up line lists both');
      for (const path of ['/healthz', '/v1/auth/session']) {
        assert.equal((await withHost(server.port, 'GET', path, 'latch.example.com', account.token)).status, 200, `${path} through the proxy`);
      }
      const ws = await upgrade(server.url, account.token, { host: 'latch.example.com' });
      assert.equal(ws.status, 101, 'the WebSocket through the proxy');
      ws.socket?.close();
      assert.equal((await withHost(server.port, 'GET', '/healthz', `localhost:${server.port}`)).status, 200, 'its own loopback names still');
      const refusedLines = () =>
        server.logs.map((line) => JSON.parse(line) as { msg: string; host?: string; hosts?: string[]; refused?: number }).filter((line) => /refused a request at the edge/.test(line.msg));
      assert.equal((await withHost(server.port, 'GET', '/healthz', 'attacker.example')).status, 421);
      for (let i = 0; i < 2; i++) assert.equal((await withHost(server.port, 'GET', '/healthz', 'probe.example')).status, 421);
      assert.deepEqual(refusedLines().map((l) => [l.host, l.refused]), [['attacker.example', 1]], 'one line, not one per request');
      clock.advance(60_000);
      assert.equal((await upgrade(server.url, account.token, { host: 'attacker.example' })).status, 421);
      const [, second] = refusedLines();
      assert.equal(second?.refused, 3, 'a minute later, one line counting those refused since (an upgrade too)');
      assert.deepEqual(second?.hosts, ['probe.example', 'attacker.example'], 'naming the Host values refused meanwhile, not only the last');
    } finally {
      await server.close();
      sqlite.dispose();
    }
  });

  it('refuses a request that names its Host twice with 400, on a route and on the WebSocket upgrade', async () => {
    const account = await register(http);
    const twice = (path: string, extra = '') =>
      rawExchange(server.port, `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nHost: attacker.example\r\nAuthorization: Bearer ${account.token}\r\n${extra}Connection: close\r\n\r\n`);
    for (const reply of [await twice('/v1/auth/session'), await twice('/v1/events', 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n')]) {
      assert.match(reply, /^HTTP\/1\.1 400 /);
      assert.match(reply, /"code":"bad_request"/);
    }
  });

  it('refuses an absolute request target, which names a host besides the Host header, with 400', async () => {
    const account = await register(http);
    const reply = await rawExchange(server.port, `GET http://attacker.example/v1/auth/session HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAuthorization: Bearer ${account.token}\r\nConnection: close\r\n\r\n`);
    assert.match(reply, /^HTTP\/1\.1 400 /);
    assert.match(reply, /"code":"bad_request"/);
  });

  it('answers a body that is not JSON with 415, as documented', async () => {
    const reply = await http.request('POST', '/v1/auth/login', { body: 'email=a@example.test', headers: { 'content-type': 'text/plain' } });
    assert.equal(reply.status, 415);
    assert.equal(reply.body.error.code, 'unsupported_media_type');
  });

  it('judges loopback by where it is bound, however HOST is spelled', async () => {
    await withServer({ host: 'localhost' }, async (server) => {
      assert.equal((await withHost(server.port, 'GET', '/healthz', `attacker.example:${server.port}`)).status, 421);
      assert.equal((await withHost(server.port, 'GET', '/healthz', `localhost:${server.port}`)).status, 200);
    });
  });

  it('never caches an answer and never lets a browser sniff a type, however the path is spelled', async () => {
    const account = await register(http);
    const replies = [
      await http.post('/v1/auth/login', { email: account.email, password: PASSWORD, device: device('X') }),
      await http.get('/v1/auth/session', account.token),
      await http.get('/v1/sessions', account.token),
      await http.get('/v1/nowhere'),
    ];
    replies.push(await http.get('/%761/auth/session', account.token), await http.get('/healthz'));
    assert.equal(replies.at(-2)!.status, 200, 'the encoded path reaches the route');
    for (const reply of replies) {
      assert.equal(reply.headers.get('cache-control'), 'no-store');
      assert.equal(reply.headers.get('x-content-type-options'), 'nosniff');
    }
  });

  it('logs the path, never the query string: a token put in a URL stays out of the log', async () => {
    const account = await register(http);
    await http.get(`/v1/sessions?token=${account.token}`, account.token);
    await http.get(`/nowhere?access_token=${account.token}`);
    const logs = server.logs.join('');
    assert.ok(logs.includes('"path":"/v1/sessions"'), 'requests are logged by path');
    assert.ok(!logs.includes('lt_'), 'no token-shaped string in any log line');
  });

  it('at LATCH_LOG_LEVEL=warn: every route answers as at info, with no line per request', async () => {
    // Slow requests are warnings at any level, and a sign-up past a second on a busy machine is one: this is
    // about the lines of requests answered well, so none of these may count as slow.
    await withServer({ logLevel: 'warn', requestLog: { access: false, slowMs: 3_600_000 } }, async (server, http) => {
      const account = await register(http);
      assert.equal((await http.get('/v1/auth/session', account.token)).status, 200);
      assert.equal((await http.get('/v1/sessions', account.token)).status, 200);
      assert.equal((await http.get('/v1/auth/session', 'lt_nothing')).status, 401);
      assert.equal((await http.get('/nowhere')).status, 404);
      assert.deepEqual(server.logs.filter((line) => line.includes('"path"')), [], 'no request is logged');
    });
  });
});

describe('client addresses behind proxies', () => {
  const stored = async (server: TestServer, xff: string) => {
    const account = await register(new Http(server.url), uniqueEmail(), 'X', { 'x-forwarded-for': xff });
    return account.session.ip;
  };

  it('believes only the configured hops: the address the nearest proxy saw, never one the client wrote', async () => {
    await withServer({ trustProxy: 1 }, async (server) => {
      assert.equal(await stored(server, '6.6.6.6, 192.0.2.10'), '192.0.2.10');
    });
    await withServer({ trustProxy: ['127.0.0.1'] }, async (server) => {
      assert.equal(await stored(server, '6.6.6.6, 192.0.2.10'), '192.0.2.10');
    });
    await withServer({ trustProxy: false }, async (server) => {
      assert.equal(await stored(server, '192.0.2.10'), '127.0.0.1');
    });
  });

  it('the log names the client as decided behind the proxy: on each request line, on a WebSocket opened and on one refused', async () => {
    await withServer({ trustProxy: 1, requestLog: { access: true, slowMs: 1_000 } }, async (server, http) => {
      const account = await register(http);
      const from = { 'x-forwarded-for': '192.0.2.44' };
      await http.request('GET', '/v1/sessions', { token: account.token, headers: from });
      const opened = await upgrade(server.url, account.token, from);
      assert.equal(opened.status, 101);
      opened.socket?.close();
      assert.equal((await upgrade(server.url, 'lt_not-a-token', from)).status, 401);
      const lines = server.logs.map((line) => JSON.parse(line) as { msg: string; req?: { path: string; remoteAddress: string }; remoteAddress?: string; code?: string });
      const requestLine = lines.find((l) => l.req?.path === '/v1/sessions');
      assert.equal(requestLine?.req?.remoteAddress, '192.0.2.44', 'the request line');
      assert.equal(lines.find((l) => l.msg === 'websocket opened')?.remoteAddress, '192.0.2.44', 'the opened socket');
      const refused = lines.find((l) => l.msg === 'websocket upgrade refused');
      assert.deepEqual([refused?.remoteAddress, refused?.code], ['192.0.2.44', 'unauthenticated'], 'the refused upgrade');
    });
  });

  it('never stores or shows what is not an IP address, and keeps one spelling of each', async () => {
    await withServer({ trustProxy: 1 }, async (server) => {
      assert.equal(await stored(server, 'not-an-ip<script>'), '127.0.0.1');
      assert.equal(await stored(server, '10.77.0.1:5555'), '10.77.0.1');
      assert.equal(await stored(server, '[2001:DB8::7]:443'), '2001:db8::7');
      assert.equal(await stored(server, '::ffff:10.77.0.2'), '10.77.0.2');
      assert.equal(await stored(server, 'fe80::1%eth0'), 'fe80::1');
    });
  });

  it('a new X-Forwarded-For per request does not escape the per-address limit when no proxy is trusted', async () => {
    await withServer({}, async (server, http) => {
      const replies: Reply[] = [];
      for (let i = 0; i < 22; i++) {
        replies.push(
          await http.request('POST', '/v1/auth/login', {
            json: { email: uniqueEmail(), password: 'guess', device: device('X') },
            headers: { 'x-forwarded-for': `10.0.0.${i}` },
          }),
        );
      }
      assert.deepEqual(replies.slice(19).map((r) => r.status), [401, 429, 429]);
    });
  });
});

describe('device names', () => {
  it('refuses control and text-direction characters at sign-up, sign-in and rename', async () => {
    await withServer({}, async (_server, http) => {
      const account = await register(http);
      for (const name of ['Work\u202Elaptop', 'nul\u0000', 'esc\u001b[31m', 'line\u2028break', 'iso\u2066late']) {
        for (const reply of [
          await http.post('/v1/auth/register', { email: uniqueEmail(), password: PASSWORD, device: device(name) }),
          await http.post('/v1/auth/login', { email: account.email, password: PASSWORD, device: device(name) }),
          await http.patch('/v1/sessions/current', { deviceName: name }, account.token),
        ]) {
          assert.equal(reply.status, 400, JSON.stringify(name));
          assert.match(reply.body.error.details[0].message, /must not contain control, invisible or text-direction characters/);
        }
      }
      for (const name of ['zero\u200Bwidth', 'soft\u00ADhyphen', '\u200B', '\u3164', 'tag\u{E0041}']) {
        assert.equal((await http.patch('/v1/sessions/current', { deviceName: name }, account.token)).status, 400, JSON.stringify(name));
      }
      assert.equal((await http.patch('/v1/sessions/current', { deviceName: 'Ноутбук 💻 العمل' }, account.token)).status, 200, 'other scripts are welcome');
      assert.equal((await http.patch('/v1/sessions/current', { deviceName: 'Family 👨\u200D👩\u200D👧 PC' }, account.token)).status, 200, 'emoji sequences keep their joiner');
    });
  });
});

describe('a flood of sign-ins', () => {
  it('waits in a bounded queue for argon2: past it, 503 with Retry-After, and session checks keep answering', async () => {
    await withServer(
      { trustProxy: 1, passwords: { memoryCost: 19_456, timeCost: 2, parallelism: 1, maxConcurrent: 1, maxQueued: 4 } },
      async (server, http) => {
        const account = await register(http);
        const flood = Array.from({ length: 30 }, (_, i) =>
          http.request('POST', '/v1/auth/login', {
            json: { email: uniqueEmail('flood'), password: 'guess', device: device('X') },
            headers: { 'x-forwarded-for': `192.0.2.${i + 1}` },
          }),
        );
        const check = await http.get('/v1/auth/session', account.token);
        assert.equal(check.status, 200, 'a session check is not stuck behind the queue');
        const replies = await Promise.all(flood);
        const busy = replies.filter((r) => r.status === 503);
        assert.ok(busy.length >= 20, `turned away: ${busy.length}`);
        assert.ok(busy.every((r) => r.headers.get('retry-after') === '2' && r.body.error.code === 'unavailable'));
        assert.ok(replies.every((r) => r.status === 503 || r.status === 401));
        // Turned-away attempts were given back: those addresses can try again at once.
        const again = await http.request('POST', '/v1/auth/login', {
          json: { email: account.email, password: PASSWORD, device: device('X') },
          headers: { 'x-forwarded-for': '192.0.2.30' },
        });
        assert.equal(again.status, 200);
      },
    );
  });
});

describe('password hashing', () => {
  /** The nice value and scheduling policy of every thread of process `pid` (Linux: proc(5), fields 19 and 41). */
  const threadsOf = (pid: number) =>
    readdirSync(`/proc/${pid}/task`).map((thread) => {
      const stat = readFileSync(`/proc/${pid}/task/${thread}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return { nice: Number(fields[16]), policy: Number(fields[38]) };
    });
  const SCHED_IDLE = 5;
  const hasChrt = ['/usr/bin/chrt', '/bin/chrt'].some((path) => existsSync(path));
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  // Tests that are not about a starved check never move one (the machine may be busy with other tests).
  const NO_MOVES = { passwords: { ...TEST_PASSWORD_POLICY, starvedCheckMs: 0 } };

  it('runs in a process of its own, every thread below the server’s CPU priority, gone when the server stops', { skip: process.platform !== 'linux' }, async () => {
    let pid: number | undefined;
    await withServer(NO_MOVES, async (server, http) => {
      await register(http);
      pid = server.passwords.processId;
      assert.ok(pid !== undefined && pid !== process.pid, 'argon2 ran in another process');
      const threads = threadsOf(pid);
      const shown = threads.map((t) => `nice ${t.nice} policy ${t.policy}`).join(', ');
      // Ten below this process's own priority (the server's: it runs here), at most 19.
      const expected = Math.min(19, getPriority() + 10);
      assert.ok(threads.length > 1 && threads.every((t) => t.nice === expected), shown);
      // Where util-linux's chrt is installed (CI installs it), SCHED_IDLE as well.
      if (hasChrt) assert.ok(threads.every((t) => t.policy === SCHED_IDLE), shown);
    });
    await waitFor(() => !alive(pid!), 'the hashing process to exit with its server');
  });

  it('with every core busy with other work, a sign-in still goes through while they run; after the cool-down, checks go back to the idle lane', { skip: process.platform !== 'linux' }, async () => {
    // Looked at every 250 ms, so the cool-down after a move is 2.5 s.
    await withServer({ rateLimit: GENEROUS_RATE_LIMIT, passwords: { ...TEST_PASSWORD_POLICY, starvedCheckMs: 250 } }, async (server, http) => {
      const account = await register(http);
      // Ordinary programs at this process's priority, one per core (a build, a backup, the database); each
      // stops by itself after two minutes, should this test be cut short. At SCHED_IDLE a check gets no CPU
      // at all while they run, however cheap it is: only the move to the normal lane lets it finish.
      const busy = Array.from({ length: availableParallelism() }, () =>
        spawn(process.execPath, ['-e', 'const end = Date.now() + 120000; while (Date.now() < end);'], { stdio: 'ignore' }),
      );
      try {
        await waitFor(() => busy.every((child) => child.pid !== undefined && (cpuTicks(child.pid) ?? 0) > 5), 'every core is busy');
        const reply = await http.request('POST', '/v1/auth/login', { json: { email: account.email, password: PASSWORD, device: device('Busy') } });
        assert.equal(reply.status, 200);
        assert.ok(busy.every((child) => child.exitCode === null && child.signalCode === null), 'answered while every core was still busy');
      } finally {
        for (const child of busy) child.kill('SIGKILL');
      }
      // After the cool-down a sign-in's check is sent to the idle lane again. Whether it stays there depends on
      // what else the machine runs (beside other tests it may move again, and the cool-down grows): that each
      // cool-down ends is what keeps hashing from staying at the normal priority. The idle lane's priority has
      // its test above.
      const idleBefore = server.passwords.sentToLanes.idle;
      await waitFor(async () => {
        assert.equal((await http.request('POST', '/v1/auth/login', { json: { email: account.email, password: PASSWORD, device: device('Quiet') } })).status, 200);
        return server.passwords.sentToLanes.idle > idleBefore;
      }, 'a sign-in after the cool-down checked in the idle lane');
    });
  });

  it('a hashing process that dies is replaced: the sign-in it was checking gets 503, the next one signs in', async () => {
    // Slow checks (60 passes). Looked at every 500 ms: on a machine busy with other work the sign-up's check
    // moves to the normal lane, and the checks after it follow for the cool-down, where none moves again.
    await withServer({ passwords: { memoryCost: 19_456, timeCost: 60, parallelism: 1, maxConcurrent: 1, maxQueued: 4, starvedCheckMs: 500 } }, async (server, http) => {
      const account = await register(http);
      const pending = http.request('POST', '/v1/auth/login', { json: { email: account.email, password: PASSWORD, device: device('X') } });
      await waitFor(() => server.passwords.load.active === 1, 'the password check to be under way');
      const killed = server.passwords.processIds;
      for (const pid of killed) process.kill(pid, 'SIGKILL');
      const reply = await pending;
      assert.equal(reply.status, 503);
      assert.equal(reply.body.error.code, 'unavailable');
      const again = await http.request('POST', '/v1/auth/login', { json: { email: account.email, password: PASSWORD, device: device('X') } });
      assert.equal(again.status, 200);
      assert.ok(server.passwords.processIds.every((pid) => !killed.includes(pid)), 'checked by a new process');
    });
  });
});

describe('the socket registry', () => {
  it('refused upgrades leave nothing behind: a revocation still reaches the device’s own socket', async () => {
    await withServer({}, async (server, http) => {
      const account = await register(http);
      const socket = await EventSocket.open(server.url, account.token);
      await Promise.all(Array.from({ length: 20 }, () => upgrade(server.url, account.token).then((r) => r.socket?.close())));
      const other = await login(http, account.email, 'Phone');
      await socket.next('session.created');
      assert.equal((await http.delete(`/v1/sessions/${account.session.id}`, other.token)).status, 204);
      assert.equal(await socket.closed(), 4001);
    });
  });
});
