// Several server processes over one store: restart on the same SQLite file,
// and two instances on one PostgreSQL delivering each other's revocations.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import type { StoreConfig } from '../../../server/config/config.js';
import { CLOSE_SESSION_REVOKED } from '../../../shared/api.js';
import { EventSocket, Http, login, PASSWORD, register } from '../../../kit/http.js';
import { startTestServer, tempSqlite, type TestServer } from '../../support/server.js';
import { waitFor } from '../../support/wait.js';
import { StoreContext } from '../../support/stores.js';

describe('restart on the same SQLite file', () => {
  const sqlite = tempSqlite();
  after(() => sqlite.dispose());

  it('keeps sessions signed in and revoked ones revoked, with their reason', async () => {
    const first = await startTestServer(sqlite.store);
    const http = new Http(first.url);
    const a = await register(http, undefined, 'Work laptop');
    const b = await login(http, a.email, 'Home desktop');
    const c = await login(http, a.email, 'Tablet');
    await http.delete(`/v1/sessions/${c.session.id}`, a.token);
    await first.close();

    const second = await startTestServer(sqlite.store);
    try {
      const again = new Http(second.url);
      assert.equal((await again.get('/v1/auth/session', a.token)).status, 200);
      assert.equal((await again.get('/v1/auth/session', b.token)).status, 200);
      const revoked = await again.get('/v1/auth/session', c.token);
      assert.equal(revoked.status, 401);
      assert.equal(revoked.body.error.reason, 'revoked_by_user');
      assert.deepEqual(revoked.body.error.revokedBy, { deviceName: 'Work laptop' });
    } finally {
      await second.close();
    }
  });
});

describe('two instances on one PostgreSQL', () => {
  const ctx = new StoreContext('postgres', { ownPostgres: true }); // restarted below
  after(() => ctx.dispose());

  /** Instances A and B on one new database, and an account signed in on B as 'Work laptop'. */
  async function withTwoInstances(
    body: (env: { store: StoreConfig; instanceA: TestServer; httpA: Http; httpB: Http; revoker: Awaited<ReturnType<typeof register>> }) => Promise<void>,
  ): Promise<void> {
    const store = await ctx.newStore();
    const instanceA = await startTestServer(store);
    const instanceB = await startTestServer(store);
    try {
      const httpB = new Http(instanceB.url);
      await body({ store, instanceA, httpA: new Http(instanceA.url), httpB, revoker: await register(httpB, undefined, 'Work laptop') });
    } finally {
      await instanceA.close();
      await instanceB.close();
    }
  }

  it('a device connected to instance A is signed out through instance B and hears it', async (t) => {
    await withTwoInstances(async ({ instanceA, httpA, httpB, revoker }) => {
      const latencies: number[] = [];
      for (let i = 0; i < 20; i++) {
        const device = await login(httpA, revoker.email, `Phone ${i}`);
        const socket = await EventSocket.open(instanceA.url, device.token);
        const started = performance.now();
        const reply = await httpB.delete(`/v1/sessions/${device.session.id}`, revoker.token);
        assert.equal(reply.status, 204);
        const pushed = await socket.next('session.revoked');
        assert.deepEqual(pushed.by, { deviceName: 'Work laptop', location: { kind: 'this_computer' } });
        assert.equal(await socket.closed(), CLOSE_SESSION_REVOKED);
        latencies.push(pushed.receivedAt - started);
      }
      latencies.sort((x, y) => x - y);
      t.diagnostic(`cross-instance revoke call to push, 20 runs: p50 ${latencies[10]!.toFixed(2)} ms, max ${latencies[19]!.toFixed(2)} ms`);
    });
  });

  it('a session instance A has checked is refused there once B has revoked it', async () => {
    await withTwoInstances(async ({ instanceA, httpA, httpB, revoker }) => {
      for (let i = 0; i < 5; i++) {
        const phone = await login(httpA, revoker.email, `Phone ${i}`);
        assert.equal((await httpA.get('/v1/auth/session', phone.token)).status, 200);
        assert.equal((await httpA.get('/v1/sessions', phone.token)).status, 200);
        const socket = await EventSocket.open(instanceA.url, phone.token);
        assert.equal((await httpB.delete(`/v1/sessions/${phone.session.id}`, revoker.token)).status, 204);
        await socket.next('session.revoked');
        const refused = await httpA.get('/v1/auth/session', phone.token);
        assert.equal(refused.status, 401);
        assert.equal(refused.body.error.reason, 'revoked_by_user');
        assert.deepEqual(refused.body.error.revokedBy, { deviceName: 'Work laptop' });
      }
    });
  });

  it('an instance keeps serving every route after another instance\'s migration adds columns', async () => {
    await withTwoInstances(async ({ store, httpA, revoker }) => {
      assert.equal(store.kind, 'postgres');
      // Everything a device does, on A; A prepares each statement it sends on first use.
      const everything = async (round: number) => {
        const phone = await login(httpA, revoker.email, `Phone ${round}`);
        assert.equal((await httpA.get('/v1/auth/session', phone.token)).status, 200);
        assert.equal((await httpA.get('/v1/sessions', phone.token)).status, 200);
        assert.equal((await httpA.patch('/v1/sessions/current', { deviceName: `Renamed ${round}` }, phone.token)).status, 200);
        assert.equal((await httpA.get('/v1/security-events', phone.token)).status, 200);
        assert.equal((await httpA.delete(`/v1/sessions/${phone.session.id}`, revoker.token)).status, 204);
        assert.equal((await httpA.post('/v1/sessions/revoke-others', undefined, revoker.token)).status, 200);
        assert.equal((await httpA.post('/v1/auth/logout', undefined, (await login(httpA, revoker.email, `Spare ${round}`)).token)).status, 204);
        const changed = { currentPassword: PASSWORD, newPassword: `a brand new passphrase ${round}` };
        assert.equal((await httpA.post('/v1/auth/password', changed, revoker.token)).status, 200);
        const back = { currentPassword: changed.newPassword, newPassword: PASSWORD };
        assert.equal((await httpA.post('/v1/auth/password', back, revoker.token)).status, 200);
        assert.equal((await register(httpA, undefined, `New account ${round}`)).session.current, true);
      };
      await everything(1);
      // What a newer release's migration would do while this one is still running.
      const client = new pg.Client({ connectionString: store.url });
      await client.connect();
      try {
        for (const table of ['users', 'sessions', 'security_events']) await client.query(`alter table ${table} add column later_release text`);
      } finally {
        await client.end();
      }
      await everything(2);
    });
  });

  it('an instance whose listener was cut by a Postgres restart delivers again, and enforces what it missed', async () => {
    await withTwoInstances(async ({ instanceA, httpA, httpB, revoker }) => {
      const phone = await login(httpA, revoker.email, 'Phone');
      const tablet = await login(httpA, revoker.email, 'Tablet');
      assert.equal((await httpA.get('/v1/auth/session', phone.token)).status, 200, 'A has checked the phone before the restart');
      const phoneSocket = await EventSocket.open(instanceA.url, phone.token);
      await ctx.pg.restart();
      // A revocation right after the restart still reaches the device on the other instance,
      // whether by the notification or by the recheck when the listener comes back.
      await waitFor(async () => (await httpB.delete(`/v1/sessions/${phone.session.id}`, revoker.token)).status === 204);
      assert.equal((await httpA.get('/v1/auth/session', phone.token)).body.error.reason, 'revoked_by_user');
      const pushed = await phoneSocket.next('session.revoked', 15_000);
      assert.deepEqual(pushed.by, { deviceName: 'Work laptop', location: { kind: 'this_computer' } }, 'the same words by either path');
      const socket = await EventSocket.open(instanceA.url, tablet.token);
      await httpB.delete(`/v1/sessions/${tablet.session.id}`, revoker.token);
      assert.equal((await socket.next('session.revoked')).reason, 'revoked_by_user');
    });
  });
});
