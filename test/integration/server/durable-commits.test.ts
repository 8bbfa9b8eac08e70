// Which commits wait for the disk (server/storage/database.ts): every one by default, so a revocation
// that was answered survives a power cut; attempt counters, presence and last-seen go through
// `lightly`, whose commits do not wait. Checked on both stores, through the settings each store reads
// at commit: SQLite's `synchronous`, PostgreSQL's `synchronous_commit`.
import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { openDatabase, type OpenedDatabase } from '../../../server/storage/database.js';
import type { Database } from '../../../server/storage/schema.js';
import { forEachStore } from '../../support/stores.js';

/** How a commit on `db` meets the disk: 'durable' or 'light'. */
async function commitMode(db: Kysely<Database>, kind: OpenedDatabase['kind']): Promise<'durable' | 'light'> {
  if (kind === 'sqlite') {
    // 2 is FULL (the WAL is synced at each commit), 1 is NORMAL (synced at checkpoints only).
    const { rows } = await sql<{ synchronous: number }>`pragma synchronous`.execute(db);
    return rows[0]!.synchronous === 2 ? 'durable' : 'light';
  }
  const { rows } = await sql<{ synchronous_commit: string }>`show synchronous_commit`.execute(db);
  return rows[0]!.synchronous_commit === 'on' ? 'durable' : 'light';
}

forEachStore('durable commits', (ctx) => {
  const opened: OpenedDatabase[] = [];
  after(async () => {
    for (const database of opened) await database.close();
  });
  const open = async (store: Parameters<typeof openDatabase>[0]) => {
    const database = await openDatabase(store);
    opened.push(database);
    return database;
  };

  it('commits durably by default, also once the store is reopened (SQLite fell back to NORMAL there)', async () => {
    const store = await ctx.newStore();
    const first = await open(store);
    assert.equal(await commitMode(first.db, first.kind), 'durable');
    await first.close();
    opened.pop();
    // A SQLite file already in WAL mode was where better-sqlite3's own default (NORMAL) applied.
    const again = await open(store);
    assert.equal(await commitMode(again.db, again.kind), 'durable');
  });

  it('commits lightly only inside `lightly`, and durably again after it, even when the work fails', async () => {
    const database = await open(await ctx.newStore());
    assert.equal(await database.lightly((db) => commitMode(db, database.kind)), 'light');
    assert.equal(await commitMode(database.db, database.kind), 'durable');
    await assert.rejects(
      database.lightly(async (db) => {
        await sql`select 1`.execute(db);
        throw new Error('failed');
      }),
      /failed/,
    );
    assert.equal(await commitMode(database.db, database.kind), 'durable');
  });

  it('a light commit is seen at once by the durable handle; a light transaction that fails leaves nothing', async () => {
    const database = await open(await ctx.newStore());
    const counter = (key: string) => ({ key, count: 1, last_at: 1, prev_at: null, reset_at: 2 });
    await database.lightly((trx) => trx.insertInto('attempt_counters').values(counter('ip:192.0.2.1')).execute());
    const row = await database.db.selectFrom('attempt_counters').select('count').where('key', '=', 'ip:192.0.2.1').executeTakeFirst();
    assert.equal(Number(row?.count), 1);
    await assert.rejects(
      database.lightly(async (trx) => {
        await trx.insertInto('attempt_counters').values(counter('ip:192.0.2.2')).execute();
        throw new Error('failed');
      }),
      /failed/,
    );
    assert.equal(await database.db.selectFrom('attempt_counters').select('key').where('key', '=', 'ip:192.0.2.2').executeTakeFirst(), undefined);
    assert.equal(await commitMode(database.db, database.kind), 'durable');
  });
});
