// How SQLite answers the statements that name sessions by id (the presence heartbeat, a revocation of
// several devices, the sockets' recheck): by the primary key. SQLite plans without statistics (nothing
// runs ANALYZE) and guesses that an equality on an indexed column picks a few rows; the index of end
// times once covered every row, and `revoked_at IS NULL` went through it, reading every active session
// instead of the ids named: 1.4 s a heartbeat for 7,800 devices among a million rows
// (docs/performance.md). PostgreSQL keeps the share of NULLs in its statistics and is not misled.
import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import { CompiledQuery, type Compilable } from 'kysely';
import { openDatabase, type OpenedDatabase } from '../../../server/storage/database.js';
import { forEachStore } from '../../support/stores.js';

forEachStore(
  'query plans',
  (ctx) => {
    let opened: OpenedDatabase | undefined;
    after(() => opened?.close());

    /** SQLite's plan for a statement, one line per step. */
    const plan = async (query: Compilable) => {
      const { sql, parameters } = query.compile();
      const { rows } = await opened!.db.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${sql}`, [...parameters]));
      return rows.map((row) => row.detail);
    };

    it('sessions named by id are looked up by the primary key, whatever else the statement asks of them', async () => {
      opened = await openDatabase(await ctx.newStore());
      const db = opened.db;
      const ids = Array.from({ length: 500 }, (_, i) => `session-${i}`);
      const now = Date.now();
      const statements = {
        heartbeat: db
          .updateTable('sessions')
          .set({ online_until: now, online_by: 'instance', last_seen_at: now, idle_expires_at: now })
          .where('id', 'in', ids)
          .where('revoked_at', 'is', null)
          .where('idle_expires_at', '>', now),
        revocation: db.updateTable('sessions').set({ revoked_at: now, revoke_reason: 'signed_out' }).where('id', 'in', ids.slice(0, 50)).where('revoked_at', 'is', null),
        recheck: db.selectFrom('sessions').select('id').where('id', 'in', ids).where('revoked_at', 'is', null),
      };
      for (const [name, statement] of Object.entries(statements)) {
        assert.deepEqual(await plan(statement), ['SEARCH sessions USING INDEX sqlite_autoindex_sessions_1 (id=?)'], name);
      }
      // The purge still reads ended sessions by end time.
      assert.match((await plan(db.deleteFrom('sessions').where('revoked_at', '<', now)))[0]!, /USING COVERING INDEX sessions_by_revoked_at \(revoked_at<\?\)/);
    });
  },
  ['sqlite'],
);
