// The HTTP contract (docs/architecture.md, "The HTTP contract"): the OpenAPI document the server serves
// is the one the repository carries, it is valid OpenAPI 3.1, and every route the server serves is a
// row of shared/routes.ts. That every answer keeps the document is checked on every request of the
// integration tests (test/support/contract.ts).
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Http } from '../../../kit/http.js';
import { checkServedRoutes } from '../../../server/http/endpoint.js';
import { Routes } from '../../../shared/routes.js';
import { contractBreach, OPENAPI } from '../../support/contract.js';
import { startTestServer, type TestServer } from '../../support/server.js';
import { forEachStore } from '../../support/stores.js';

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

    it('the document is valid OpenAPI 3.1, every route of the table is in it with its auth, and every answer schema compiles', async () => {
      const result = await new Validator().validate(structuredClone(OPENAPI));
      assert.equal(result.valid, true, JSON.stringify(result.errors));
      for (const [name, spec] of Object.entries(Routes)) {
        const operation = OPENAPI.paths[spec.path.replace(/:([A-Za-z]+)/g, '{$1}')]?.[spec.method.toLowerCase()];
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
        contractBreach('POST', '/v1/auth/logout', { status: 401, body: { error: { code: 'invalid_password', message: 'x' } }, headers }) ?? '',
        /does not allow: .*must be equal to one of the allowed values/,
      );
      assert.equal(contractBreach('POST', '/v1/auth/logout', { status: 401, body: { error: { code: 'session_revoked', message: 'Signed out.' } }, headers }), undefined);
      assert.equal(contractBreach('DELETE', '/v1/sessions/abc', { status: 404, body: { error: { code: 'not_found', message: 'No.' } }, headers }), undefined);
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
