// Generated bad input (fast-check) over every HTTP route, every realtime
// message the client parses and every IPC handler: each gets a 4xx or a typed
// error, never a 5xx or a crash, and the store is unchanged afterwards.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { WebSocketServer } from 'ws';
import { RealtimeMessage } from '../../../shared/api.js';
import { IpcCalls } from '../../../shared/ipc.js';
import { ErrorBody, PAGE_HEADER } from '../../../shared/api.js';
import { requestOf, type CallInput } from '../../../shared/client.js';
import { Routes, pathOf, type RouteSpec } from '../../../shared/routes.js';
import { createIpcHandlers } from '../../../shared/session/handlers.js';
import { RealtimeClient } from '../../../electron/core/realtime-client.js';
import { Http, register } from '../../../kit/http.js';
import { createAccount, disposeDevice, isOnline, newDevice, waitForState } from '../../support/devices.js';
import { OPENAPI } from '../../support/contract.js';
import { arbitraryOf } from '../../support/schema-arbitrary.js';
import { GENEROUS_RATE_LIMIT, startTestServer, tempSqlite, type TestServer } from '../../support/server.js';
import { storeSnapshot } from '../../support/snapshot.js';
import { ManualClock } from '../../support/clock.js';

/** Case counts: 10,000 or more in all (each HTTP case is one real request). */
export const CASES = { http: Number(process.env.LATCH_CASES_HTTP ?? 6_000), realtime: 2_500, ipc: 2_500, document: Number(process.env.LATCH_CASES_DOCUMENT ?? 1_500) };

const POLLUTING_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'];
const nastyString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 64 }),
  fc.constantFrom('', ' ', '\u0000', '\uFEFF', '\u202E', 'null', '{}', "'; DROP TABLE sessions; --", '../../etc/passwd', 'lt_'),
  // Past the 16 KiB body limit (MAX_BODY_BYTES): a short random string repeated, where fc.string drew each of
  // 17,000 characters (6 ms a string, most of this file's time).
  fc.tuple(fc.string({ minLength: 1, maxLength: 8 }), fc.integer({ min: 17_000, max: 17_100 })).map(([unit, length]) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length)),
);
const nastyValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    nastyString,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom(...POLLUTING_KEYS)), tie('value'), { maxKeys: 5 }),
  ),
})).value;

/** Objects shaped almost like the real bodies: right keys, wrong values. */
const nearMiss = fc.record(
  {
    email: nastyValue,
    password: nastyValue,
    device: fc.oneof(nastyValue, fc.record({ name: nastyValue, platform: nastyValue, appVersion: nastyValue }, { requiredKeys: [] })),
    currentPassword: nastyValue,
    newPassword: nastyValue,
    deviceName: nastyValue,
    signOutOtherSessions: nastyValue,
  },
  { requiredKeys: [] },
);

const rawBody = fc.oneof(
  nastyValue.map((v) => JSON.stringify(v) ?? 'undefined'),
  nearMiss.map((v) => JSON.stringify(v)),
  fc.tuple(nearMiss, fc.nat()).map(([v, cut]) => {
    const json = JSON.stringify(v);
    return json.slice(0, cut % Math.max(1, json.length));
  }),
  fc.constantFrom('{"__proto__": {"polluted": true}}', '{"constructor": {"prototype": {"polluted": true}}}', '{', '[', '"', 'nul', '{"a":1}{"b":2}'),
);

/**
 * Every route of the table that bad input can reach: one with a body, a path parameter or a session.
 * `accepts`: the body its schema takes (a valid request is not bad input).
 */
const ROUTES = (Object.values(Routes) as RouteSpec[])
  .filter((spec) => spec.body !== undefined || spec.params !== undefined || spec.auth === 'session')
  .map((spec) => ({
    method: spec.method,
    path: (id: string) => pathOf(spec, Object.fromEntries(Object.keys(spec.params?.shape ?? {}).map((name) => [name, id]))),
    ...(spec.body ? { accepts: (body: unknown) => spec.body!.safeParse(body).success } : {}),
  }));

describe('generated bad input', () => {
  const sqlite = tempSqlite();
  let server: TestServer;
  let http: Http;
  let token: string;

  before(async () => {
    // A frozen clock: the run takes longer than the minute after which a session's last-seen is written,
    // which would change the store for a reason that is not the input.
    server = await startTestServer(sqlite.store, { clock: new ManualClock({ frozen: true }) });
    http = new Http(server.url);
    token = (await register(http)).token;
  });
  after(async () => {
    await server.close();
    sqlite.dispose();
  });

  it(`every HTTP route answers ${CASES.http} generated bad requests with a 4xx error and a code, and the store is unchanged`, async () => {
    const before = await storeSnapshot(server.store);
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES),
        rawBody,
        fc.oneof(fc.constant('application/json'), fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16', '')),
        fc.oneof(fc.constant('valid'), fc.constant('none'), nastyString.map((s) => `Bearer ${s}`.slice(0, 4096)), fc.string({ maxLength: 200 })),
        fc.oneof(nastyString, fc.constant('x')),
        async (route, body, contentType, auth, id) => {
          let parsed: unknown;
          try {
            parsed = JSON.parse(body);
          } catch {
            parsed = undefined;
          }
          if (route.accepts?.(parsed) && contentType.startsWith('application/json') && auth === 'valid') return; // a valid request is not bad input
          // Routes that take no body do what they do when the session is valid; keep them to the bad-session case.
          if (!route.accepts && auth === 'valid') auth = 'none';
          const headers: Record<string, string> = {};
          if (contentType) headers['content-type'] = contentType;
          if (auth === 'valid') headers.authorization = `Bearer ${token}`;
          else if (auth !== 'none') headers.authorization = auth.replace(/[^\t\x20-\x7e]/g, '?');
          const path = route.path(id.slice(0, 300));
          const reply = await http.request(route.method, path, { body: route.method === 'GET' ? undefined : body, headers } as never);
          sent++;
          assert.ok(reply.status >= 400 && reply.status < 500, `${route.method} ${path.slice(0, 60)} answered ${reply.status}: ${reply.text.slice(0, 200)}`);
          assert.ok(ErrorBody.safeParse(reply.body).success, `not an error body: ${reply.text.slice(0, 200)}`);
        },
      ),
      { numRuns: CASES.http, endOnFailure: true },
    );
    assert.ok(sent > CASES.http * 0.9, `only ${sent} requests were sent`);
    assert.equal(await storeSnapshot(server.store), before, 'the store changed');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal((await http.get('/healthz')).status, 200);
  });

  it(`the realtime client survives ${CASES.realtime} generated server messages and passes on only valid ones`, async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => wss.once('listening', resolve));
    const port = (wss.address() as { port: number }).port;
    const frames: string[] = fc.sample(
      fc.oneof(
        nastyValue.map((v) => JSON.stringify(v) ?? ''),
        fc.record({ type: fc.constantFrom('session.revoked', 'sessions.changed', 'session.created', 'x'), sessionId: nastyValue, reason: nastyValue, at: nastyValue, by: nastyValue, session: nastyValue }, { requiredKeys: ['type'] }).map((v) => JSON.stringify(v)),
        fc.string(),
      ),
      CASES.realtime,
    ).filter((frame) => frame.length < 60_000); // larger frames close the socket (maxPayload), a test of its own
    const sentinel = JSON.stringify({ type: 'session.revoked', sessionId: 'sentinel', reason: 'expired', at: new Date().toISOString() });
    const expectedValid = frames.filter((f) => {
      try {
        return RealtimeMessage.safeParse(JSON.parse(f)).success;
      } catch {
        return false;
      }
    }).length;
    wss.on('connection', (socket) => {
      for (const frame of frames) socket.send(frame);
      socket.send(sentinel);
    });
    const received: RealtimeMessage[] = [];
    let done: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const client = new RealtimeClient({
      serverUrl: `http://127.0.0.1:${port}`,
      token: () => 'lt_test',
      handlers: {
        onOpen: () => undefined,
        onDown: () => undefined,
        onMessage: (m) => {
          received.push(m);
          if (m.type === 'session.revoked' && m.sessionId === 'sentinel') done();
        },
      },
    });
    client.start();
    await finished;
    client.stop();
    wss.close();
    assert.equal(received.length, expectedValid + 1);
    for (const m of received) assert.ok(RealtimeMessage.safeParse(m).success);
  });

  it(`every IPC handler answers ${CASES.ipc} generated bad calls with a typed error and the state is unchanged`, async () => {
    const device = newDevice(server.url, { deviceName: 'Laptop' });
    try {
      await device.controller.start();
      await createAccount(device.controller, server.url, `ipc-${Date.now()}@example.test`, 'correct horse battery');
      await waitForState(device.controller, isOnline);
      const handlers = createIpcHandlers(device.controller, { openDevicesWindow: () => assert.fail('opened a window on bad input') });
      const state = JSON.stringify(device.controller.getState());
      const storeBefore = await storeSnapshot(server.store);
      const calls = Object.values(IpcCalls);
      let made = 0;
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...calls), fc.array(fc.oneof(nastyValue, nearMiss), { minLength: 1, maxLength: 3 }), async (call, args) => {
          if (call.args.safeParse(args).success) return; // a valid call is not bad input
          const result = await handlers.get(call.channel)!(...args);
          made++;
          assert.equal(result.ok, false);
          if (!result.ok) {
            assert.equal(result.error.code, 'invalid_argument');
            assert.ok(result.error.message.length > 0 && result.error.message.length < 300);
          }
        }),
        { numRuns: CASES.ipc, endOnFailure: true },
      );
      assert.ok(made > CASES.ipc * 0.9, `only ${made} calls were bad`);
      assert.equal(JSON.stringify(device.controller.getState()), state);
      assert.equal(await storeSnapshot(server.store), storeBefore);
    } finally {
      disposeDevice(device);
    }
  });

  it(`${CASES.document} requests drawn from docs/openapi.json's own schemas, over every operation that takes input: no 5xx, and every answer is one the document lists`, async () => {
    // A server of its own, whose throttle stays out of the way: here the input is under test, not the limits.
    const own = tempSqlite();
    const documented = await startTestServer(own.store, { config: { rateLimit: GENEROUS_RATE_LIMIT } });
    try {
      const client = new Http(documented.url);
      const account = await register(client);
      type Parameter = { name: string; in: 'path' | 'query'; required: boolean; schema: Record<string, unknown> };
      const operations = Object.entries(OPENAPI.paths as Record<string, Record<string, any>>).flatMap(([template, methods]) =>
        Object.entries(methods).map(([method, operation]) => ({ template, method: method.toUpperCase(), operation })),
      );
      const withInput = operations.filter(({ operation }) => operation.requestBody || operation.parameters);
      assert.ok(withInput.length >= 25, `${withInput.length} operations take input`);
      const cases = withInput.map((entry) => {
        const parameters = (entry.operation.parameters ?? []) as Parameter[];
        const of = (where: Parameter['in']) => parameters.filter((p) => p.in === where);
        return fc.record({
          entry: fc.constant(entry),
          body: entry.operation.requestBody ? arbitraryOf(entry.operation.requestBody.content['application/json'].schema) : fc.constant(undefined),
          params: fc.record(Object.fromEntries(of('path').map((p) => [p.name, arbitraryOf(p.schema)]))),
          query: fc.record(Object.fromEntries(of('query').map((p) => [p.name, arbitraryOf(p.schema)])), { requiredKeys: of('query').filter((p) => p.required).map((p) => p.name) }),
          // The desktop's bearer token, or none; and the account page's header and Origin, or not.
          token: fc.boolean(),
          page: fc.boolean(),
        });
      });
      const seen = new Map<string, Set<number>>();
      await fc.assert(
        fc.asyncProperty(fc.oneof(...cases), async ({ entry, body, params, query, token, page }) => {
          // The operation's row of the table (its operationId names it) makes the request of what was drawn.
          const spec = (Routes as Record<string, RouteSpec>)[entry.operation.operationId as string]!;
          // Drawn from the document, not typed by the table: the server is what checks them.
          const request = requestOf(spec, { params, query, body } as unknown as CallInput<RouteSpec>);
          const path = request.target.split('?')[0]!;
          // kit/http.ts holds the answer to the document (test/support/contract.ts) and throws if it breaks it.
          const reply = await client.request(request.method, request.target, {
            ...(request.json !== undefined ? { json: request.json } : {}),
            ...(token ? { token: account.token } : {}),
            ...(page ? { headers: { [PAGE_HEADER]: '1', origin: documented.url } } : {}),
          });
          assert.ok(reply.status < 500, `${entry.method} ${path.slice(0, 80)} answered ${reply.status}: ${reply.text.slice(0, 200)}`);
          // A rotation with a drawn claim is a rotation: the device goes on with the token it was given.
          if (spec === Routes.rotate && reply.status === 200) account.token = reply.body.token;
          const key = `${entry.method} ${entry.template}`;
          seen.set(key, (seen.get(key) ?? new Set()).add(reply.status));
        }),
        { numRuns: CASES.document, endOnFailure: true },
      );
      assert.equal(seen.size, withInput.length, 'every operation that takes input was tried');
      // Not only refusals: schema-valid input gets past validation to the routes' own answers.
      const statuses = new Set([...seen.values()].flatMap((s) => [...s]));
      const table = [...seen].map(([key, s]) => `${key}: ${[...s].sort().join(' ')}`).join('\n');
      for (const status of [200, 202, 400, 401, 403, 404]) assert.ok(statuses.has(status), `some request was answered ${status}:\n${table}`);
    } finally {
      await documented.close();
      own.dispose();
    }
  });
});
