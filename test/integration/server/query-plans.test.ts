// How SQLite answers the server's statements over active sessions that name something narrower than
// "active": the presence heartbeat (ids) and the expiry sweep (a range of idle expiries). SQLite plans
// without statistics (nothing runs ANALYZE) and guesses that an equality on an indexed column picks a
// few rows; the index of end times once covered every row, and `revoked_at IS NULL` went through it,
// reading every active session: 1.4 s a heartbeat for 7,800 devices among a million rows
// (docs/performance.md). PostgreSQL keeps the share of NULLs in its statistics and is not misled.
// Also a step-up's two lookups, which read every attempt's row of the address before their partial indexes,
// and a start's look for authenticator secrets to seal again, which would read every account.
import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import { CompiledQuery, type Compilable } from 'kysely';
import { openDatabase, type OpenedDatabase } from '../../../server/storage/database.js';
import { renewal } from '../../../server/realtime/presence.js';
import { endedBefore, expiredBatch } from '../../../server/sessions/sessions.service.js';
import { mailedStepUp, stepUpTries } from '../../../server/mail/codes.js';
import { sealedElsewhere } from '../../../server/authenticator/authenticator.js';
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

    it('the heartbeat looks sessions up by id, the expiry sweep by idle expiry, the purge by end time', async () => {
      opened = await openDatabase(await ctx.newStore());
      const db = opened.db;
      const now = Date.now();
      const ids = Array.from({ length: 500 }, (_, i) => `session-${i}`);
      const heartbeat = renewal(db, ids, { until: now, by: 'instance', now, idleExpiry: now, browserIdleExpiry: now });
      assert.deepEqual(await plan(heartbeat), ['SEARCH sessions USING INDEX sqlite_autoindex_sessions_1 (id=?)']);
      assert.deepEqual(await plan(expiredBatch(db, now)), ['SEARCH sessions USING INDEX sessions_active_by_idle_expiry (idle_expires_at<?)']);
      assert.match((await plan(endedBefore(db, now)))[0]!, /USING COVERING INDEX sessions_ended_by_revoked_at \(revoked_at<\?\)/);
    });

    it('a step-up finds the mailed code and the tries at it by indexes of their own, not by reading every attempt', async () => {
      // Under a flood at one account every attempt past its ceiling adds a row; each attempt read them all.
      opened ??= await openDatabase(await ctx.newStore());
      const db = opened.db;
      assert.deepEqual(await plan(mailedStepUp(db, 'owner@example.test', Date.now())), ['SEARCH email_codes USING INDEX email_codes_mailed_step_ups (email=? AND created_at>?)']);
      assert.deepEqual(await plan(stepUpTries(db, 'owner@example.test', 'hash')), ['SEARCH email_codes USING INDEX email_codes_tried_step_ups (email=? AND code_hash=?)']);
    });

    it('a start looks for authenticator secrets under another key among the accounts with one, not every account', async () => {
      opened ??= await openDatabase(await ctx.newStore());
      assert.deepEqual(await plan(sealedElsewhere(opened.db, 'v1.0123abcd.')), ['SCAN users USING INDEX users_with_authenticator']);
    });
  },
  ['sqlite'],
);
