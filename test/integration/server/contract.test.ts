// The HTTP contract (docs/architecture.md, "The HTTP contract"): the OpenAPI document the server serves
// is the one the repository carries, it is valid OpenAPI 3.1, and every route the server serves is a
// row of shared/routes.ts. That every answer keeps the document is checked on every request of the
// integration tests (test/support/contract.ts).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Http } from '../../../kit/http.js';
import { checkServedRoutes } from '../../../server/http/endpoint.js';
import { openApiPath } from '../../../shared/openapi.js';
import { Routes, type RouteSpec } from '../../../shared/routes.js';
import { contractBreach, OPENAPI } from '../../support/contract.js';
import { startTestServer, type TestServer } from '../../support/server.js';
import { forEachStore } from '../../support/stores.js';

const root = new URL('../../../..', import.meta.url).pathname;

forEachStore(
  'the HTTP contract',
  (ctx) => {
    let server: TestServer;
    let http: Http;
    before(async () => {
      server = await startTestServer(await ctx.newStore());
      http = new Http(server.url);
    });
    after(() => server?.close());

    it('GET /v1/openapi.json serves docs/openapi.json as it is in the repository (npm run openapi writes it)', async () => {
      const reply = await http.get('/v1/openapi.json');
      assert.equal(reply.status, 200);
      assert.match(reply.headers.get('content-type') ?? '', /^application\/json/);
      assert.deepEqual(reply.body, OPENAPI, 'docs/openapi.json is out of date: run npm run openapi');
    });

    it('npm run openapi writes the same document (its script, to a file of its own)', () => {
      const dir = mkdtempSync(join(tmpdir(), 'latch-openapi-'));
      try {
        const run = spawnSync(process.execPath, ['scripts/openapi.mjs', '--out', join(dir, 'openapi.json')], { cwd: root, encoding: 'utf8' });
        assert.equal(run.status, 0, run.stderr);
        assert.match(run.stdout, /^wrote .*openapi\.json \(\d+ paths\)$/m);
        assert.deepEqual(JSON.parse(readFileSync(join(dir, 'openapi.json'), 'utf8')), OPENAPI);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('the document is valid OpenAPI 3.1, every route of the table is in it with its auth, and every answer schema compiles', async () => {
      const result = await new Validator().validate(structuredClone(OPENAPI));
      assert.equal(result.valid, true, JSON.stringify(result.errors));
      for (const [name, spec] of Object.entries(Routes)) {
        const operation = OPENAPI.paths[openApiPath(spec.path)]?.[spec.method.toLowerCase()];
        assert.ok(operation, `${name} is in the document`);
        assert.equal(operation.operationId, name);
        assert.deepEqual(operation.security, spec.auth === 'session' ? [{ bearer: [] }, { cookie: [] }] : []);
        for (const [status, response] of Object.entries(operation.responses as Record<string, { content?: Record<string, unknown> }>)) {
          // A schema ajv cannot compile (a reference to nowhere, or to itself) throws here, not in some test's request.
          if (response.content?.['application/json']) assert.doesNotThrow(() => contractBreach(spec.method, spec.path, { status: Number(status), body: null, headers: new Headers() }), `${name} ${status}`);
        }
      }
    });

    it('an answer the document does not list is named as a breach: its status, or its body', () => {
      const headers = new Headers();
      assert.match(contractBreach('GET', '/v1/sessions', { status: 418, body: {}, headers }) ?? '', /answered 418, which docs\/openapi.json does not list for GET \/v1\/sessions/);
      assert.match(contractBreach('GET', '/v1/sessions', { status: 200, body: { sessions: [{ id: 1 }] }, headers }) ?? '', /with a body docs\/openapi.json does not allow/);
      assert.match(
        contractBreach('POST', '/v1/auth/logout', { status: 401, body: { error: { code: 'invalid_password', message: 'That password is not right.', say: { key: 'password_wrong' } } }, headers }) ?? '',
        /does not allow: .*must be equal to one of the allowed values/,
      );
      assert.equal(contractBreach('POST', '/v1/auth/logout', { status: 401, body: { error: { code: 'session_revoked', message: 'This session was signed out.', say: { key: 'signed_out' } } }, headers }), undefined);
      assert.equal(contractBreach('DELETE', '/v1/sessions/abc', { status: 404, body: { error: { code: 'not_found', message: 'No active session with that id.', say: { key: 'no_such_session' } } }, headers }), undefined);
      // Words by key (docs/api.md, "Errors"): an error without its key, or whose message is not the key's English, is a breach.
      assert.match(contractBreach('POST', '/v1/auth/logout', { status: 401, body: { error: { code: 'session_revoked', message: 'Signed out.' } }, headers }) ?? '', /an error without its sentence by key/);
      assert.match(
        contractBreach('POST', '/v1/auth/logout', { status: 401, body: { error: { code: 'session_revoked', message: 'Signed out.', say: { key: 'signed_out' } } }, headers }) ?? '',
        /its message "Signed out\." is not the English of signed_out/,
      );
    });

    it('the routes anyone may call are these and no more, and every other answers 401 without a session', async () => {
      // Written out here, not read from the table: a row made public by mistake fails this test.
      const PUBLIC = [
        'GET /healthz', 'GET /readyz', 'GET /v1/openapi.json', 'GET /', 'GET /account', 'GET /assets/:file',
        'POST /v1/auth/register', 'POST /v1/auth/register/verify', 'POST /v1/auth/password-reset', 'POST /v1/auth/password-reset/confirm',
        'POST /v1/auth/login', 'POST /v1/auth/login/code', 'POST /v1/auth/login/second-factor', 'POST /v1/auth/passkey/options', 'POST /v1/auth/passkey',
        'POST /v1/auth/sign-in-requests/:id/wait', 'POST /v1/auth/sign-in-requests/:id/recover', 'POST /v1/auth/sign-in-requests/:id/resend', 'POST /v1/auth/sign-in-requests/:id/cancel',
        'POST /v1/web/session', 'POST /v1/web/session/code', 'POST /v1/web/session/second-factor', 'POST /v1/web/session/passkey/options', 'POST /v1/web/session/passkey', 'POST /v1/web/password-reset/confirm', 'POST /v1/web/sign-in-requests/:id/wait', 'POST /v1/web/sign-in-requests/:id/recover',
      ];
      const rows = Object.values(Routes) as RouteSpec[];
      assert.deepEqual(rows.filter((spec) => spec.auth === 'none').map((spec) => `${spec.method} ${spec.path}`).sort(), [...PUBLIC].sort());
      for (const spec of rows.filter((row) => !PUBLIC.includes(`${row.method} ${row.path}`))) {
        const path = spec.path.replace(/:([A-Za-z]+)/g, 'AAAAAAAAAAAAAAAAAAAAAA');
        const reply = await http.request(spec.method, path, spec.body ? { json: {} } : {});
        assert.equal(reply.status, 401, `${spec.method} ${spec.path} without a session`);
        assert.equal(reply.body.error.code, 'unauthenticated');
      }
    });

    it('a route served but not in the table, or in the table but not served, stops the server from starting', () => {
      const served = Object.values(Routes).map((spec) => `${spec.method} ${spec.path}`);
      assert.doesNotThrow(() => checkServedRoutes(served));
      assert.throws(() => checkServedRoutes([...served, 'GET /v1/secret']), /served but not in the table: GET \/v1\/secret/);
      assert.throws(() => checkServedRoutes(served.filter((route) => route !== 'GET /v1/sessions')), /in the table but not served: GET \/v1\/sessions/);
    });
  },
  ['sqlite'],
);
