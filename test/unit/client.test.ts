// Calling through the route table (shared/client.ts): the request a row makes, and its answer read as the
// row says; and the one conversion of a 401 into the notice a signed-out device shows (shared/ipc.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readAnswer, requestOf } from '../../shared/client.js';
import { noticeOfRefusal } from '../../shared/ipc.js';
import { Routes } from '../../shared/routes.js';

const session = {
  id: 'AAAAAAAAAAAAAAAAAAAAAA',
  deviceName: 'Work laptop',
  platform: 'linux',
  appVersion: '0.1.0',
  ip: '127.0.0.1',
  location: { kind: 'this_computer' },
  createdAt: '2026-12-07T10:00:00.000Z',
  lastSeenAt: '2026-12-07T10:00:00.000Z',
  expiresAt: '2026-12-21T10:00:00.000Z',
  current: true,
  online: false,
};
const user = { id: 'u1', email: 'ada@example.com', createdAt: '2026-12-07T10:00:00.000Z', emailVerified: true };

describe('the route client', () => {
  it('fills path parameters encoded, and a query without its unset fields', () => {
    assert.deepEqual(requestOf(Routes.revokeSession, { params: { id: 'a/b c' } }), { method: 'DELETE', target: '/v1/sessions/a%2Fb%20c' });
    assert.deepEqual(requestOf(Routes.securityEvents, { query: { limit: 20, before: undefined, session: 'S' } }), { method: 'GET', target: '/v1/security-events?limit=20&session=S' });
    assert.deepEqual(requestOf(Routes.reauthenticate, { body: { password: 'pw' } }), { method: 'POST', target: '/v1/auth/reauth', json: { password: 'pw' } });
  });

  it('parses a success with the schema of its status: 200 signed in, 202 a request to wait on', () => {
    const signedIn = readAnswer(Routes.login, 200, { token: 't', user, session });
    assert.equal(signedIn.kind, 'ok');
    const pending = { pending: { id: 'BBBBBBBBBBBBBBBBBBBBBB', secret: 'C'.repeat(43), number: 42, expiresAt: '2026-12-07T10:02:00.000Z' } };
    assert.deepEqual(readAnswer(Routes.login, 202, pending), { kind: 'ok', status: 202, value: pending });
    // The session's shape under 202, or a 201 the route never answers: not cast, named.
    assert.equal(readAnswer(Routes.login, 202, { token: 't', user, session }).kind, 'unexpected');
    assert.match((readAnswer(Routes.login, 201, {}) as { why: string }).why, /POST \/v1\/auth\/login answered 201, which it never does/);
    assert.deepEqual(readAnswer(Routes.logout, 204, undefined), { kind: 'ok', status: 204, value: null });
  });

  it('an error must be in the one error shape', () => {
    const error = { code: 'invalid_credentials', message: 'The email or password is not right.' };
    assert.deepEqual(readAnswer(Routes.login, 401, { error }), { kind: 'error', status: 401, error });
    assert.equal(readAnswer(Routes.login, 502, '<html>Bad gateway</html>').kind, 'unexpected');
  });
});

describe('a 401 as a notice', () => {
  const now = () => '2026-12-07T12:00:00.000Z';
  it('only a 401 that says the session is not valid signs a device out; a wrong code or password does not', () => {
    assert.equal(noticeOfRefusal(401, { code: 'invalid_code', message: 'That code is not right.' }, now), undefined);
    assert.equal(noticeOfRefusal(401, { code: 'invalid_recovery_code', message: 'No.' }, now), undefined);
    assert.equal(noticeOfRefusal(403, { code: 'session_revoked', message: 'No.' }, now), undefined);
    assert.deepEqual(noticeOfRefusal(401, { code: 'unauthenticated', message: 'Sign in to continue.' }, now), { reason: 'expired', at: now() });
    // A code that names something every object has is no reason: a notice crosses to Electron's other processes.
    assert.equal(noticeOfRefusal(401, { code: 'constructor', message: 'x' }, now), undefined);
    assert.equal(noticeOfRefusal(401, { code: 'toString', message: 'x' }, now), undefined);
  });

  it('carries who, where from, and for a copied sign-in where each copy was used', () => {
    const usedFrom = { ip: '203.0.113.9', location: { kind: 'internet' as const, country: 'NL' } };
    const alsoFrom = { ip: '127.0.0.1', location: { kind: 'this_computer' as const } };
    assert.deepEqual(
      noticeOfRefusal(401, { code: 'session_revoked', message: 'x', reason: 'token_reused', revokedAt: '2026-12-07T11:00:00.000Z', usedFrom, alsoFrom }, now),
      { reason: 'token_reused', at: '2026-12-07T11:00:00.000Z', usedFrom, alsoFrom },
    );
    assert.deepEqual(
      noticeOfRefusal(401, { code: 'session_revoked', message: 'x', reason: 'evicted', revokedAt: '2026-12-07T11:00:00.000Z', revokedBy: { deviceName: 'Pixel 8', location: alsoFrom.location } }, now),
      { reason: 'evicted', at: '2026-12-07T11:00:00.000Z', byDeviceName: 'Pixel 8', byLocation: alsoFrom.location },
    );
  });
});
