// Latch's PostgreSQL connections are held to timeouts (docs/operations.md, "PostgreSQL"): a row locked by
// something else gives the request a clear 503 within the lock timeout instead of hanging it.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { DEFAULT_PG_TIMEOUTS, type StoreConfig } from '../../../server/config/config.js';
import { Http, login, register } from '../../../kit/http.js';
import { startTestServer } from '../../support/server.js';
import { StoreContext } from '../../support/stores.js';
import { settlesWithin } from '../../support/wait.js';

describe('PostgreSQL timeouts', () => {
  const ctx = new StoreContext('postgres');
  after(() => ctx.dispose());

  it('an account row held locked elsewhere: signing the others out gets 503 with Retry-After, not a hung request; released, it works', async () => {
    const store = (await ctx.newStore()) as Extract<StoreConfig, { kind: 'postgres' }>;
    const server = await startTestServer({ ...store, timeouts: { ...DEFAULT_PG_TIMEOUTS, lockMs: 500 } });
    const holder = new pg.Client({ connectionString: store.url });
    try {
      const http = new Http(server.url);
      const laptop = await register(http);
      await login(http, laptop.email, 'Phone');
      const setting = async (name: string) => ((await sql.raw(`show ${name}`).execute(server.store.db)).rows[0] as Record<string, string>)[name];
      const settings = [await setting('lock_timeout'), await setting('statement_timeout'), await setting('idle_in_transaction_session_timeout')];
      assert.deepEqual(settings, ['500ms', '10s', '1min'], 'set on the server’s own connections');

      await holder.connect();
      await holder.query('BEGIN');
      await holder.query('SELECT id FROM users WHERE id = $1 FOR UPDATE', [laptop.user.id]);
      const held = await settlesWithin(http.post('/v1/sessions/revoke-others', undefined, laptop.token), 'an answer while the row is held');
      assert.equal(held.status, 503);
      assert.equal(held.body.error.code, 'unavailable');
      assert.equal(held.headers.get('retry-after'), '2');
      await holder.query('ROLLBACK');
      const released = await http.post('/v1/sessions/revoke-others', undefined, laptop.token);
      assert.equal(released.status, 200);
      assert.equal(released.body.revoked, 1);
    } finally {
      await holder.end().catch(() => undefined);
      await server.close();
    }
  });
});
