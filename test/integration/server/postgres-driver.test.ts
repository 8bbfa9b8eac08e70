// What the PostgreSQL wrapper (server/storage/database.ts) relies on, checked
// against a real PostgreSQL with the pg and Kysely versions installed: an
// upgrade of either that breaks an assumption fails here, not in production.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type pg from 'pg';
import { createPgPool, openDatabase, withPreparedCallbackQueries } from '../../../server/storage/database.js';
import { SessionRepository } from '../../../server/sessions/session-repository.js';
import { Metrics } from '../../../server/metrics/metrics.js';
import { startPostgres, type TestPostgres } from '../../../kit/postgres.js';

describe('the PostgreSQL wrapper’s contract', () => {
  let postgres: TestPostgres;
  let pool: pg.Pool;
  let db: Kysely<{ items: { id: number; name: string } }>;
  const lost: string[] = [];
  before(async () => {
    postgres = await startPostgres();
    // One connection, so every statement below runs on the same one.
    pool = createPgPool(await postgres.newDatabase(), 1, (message, detail) => lost.push(`${message}: ${detail}`));
    db = new Kysely({ dialect: new PostgresDialect({ pool: withPreparedCallbackQueries(pool) }) });
    await sql`create table items (id integer primary key, name text not null)`.execute(db);
    await sql`insert into items values (1, 'one'), (2, 'two')`.execute(db);
  });
  after(async () => {
    await db?.destroy();
    await postgres?.close();
  });

  const prepared = async () => (await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(db)).rows.map((r) => r.statement);

  it('prepares a statement once per connection and runs it by name, count(*) included', async () => {
    for (let i = 0; i < 3; i++) {
      assert.equal((await db.selectFrom('items').select('name').where('id', '=', 1).executeTakeFirst())?.name, 'one');
      assert.equal(Number((await db.selectFrom('items').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst())?.n), 2);
    }
    const statements = await prepared();
    assert.equal(statements.filter((s) => s.includes('"name" from "items"')).length, 1, statements.join('\n'));
    assert.equal(statements.filter((s) => s.includes('count(*)')).length, 1, statements.join('\n'));
  });

  it('leaves every-column statements unprepared, so they survive a column added by a migration', async () => {
    assert.equal((await db.selectFrom('items').selectAll().where('id', '=', 1).executeTakeFirst())?.name, 'one');
    const updated = await db.updateTable('items').set({ name: 'uno' }).where('id', '=', 1).returningAll().executeTakeFirst();
    assert.equal(updated?.name, 'uno');
    await sql`alter table items add column later text`.execute(db);
    const after = (await db.selectFrom('items').selectAll().where('id', '=', 1).executeTakeFirst()) as Record<string, unknown> | undefined;
    assert.deepEqual(Object.keys(after ?? {}).sort(), ['id', 'later', 'name']);
    assert.ok((await db.updateTable('items').set({ name: 'one' }).where('id', '=', 1).returningAll().executeTakeFirst()) !== undefined);
    assert.ok(!(await prepared()).some((s) => /\*/.test(s) && !s.includes('count(*)')), 'no every-column statement was prepared');
  });

  it('hands Kysely the same connection object for the same pooled client (Kysely keys connections by identity)', async () => {
    const wrapped = withPreparedCallbackQueries(pool);
    const first = await wrapped.connect();
    first.release();
    const second = await wrapped.connect();
    second.release();
    assert.equal(first, second);
  });

  it('reports a connection it loses instead of crashing, and serves again on a new one', async () => {
    // The pool's only connection is ours; end it from another session.
    const other = createPgPool(pool.options.connectionString!, 1);
    await other.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()');
    await other.end();
    let answered = false;
    for (let i = 0; i < 20 && !answered; i++) {
      answered = await sql`select 1`.execute(db).then(() => true, () => false);
    }
    assert.ok(answered, 'served again after the connection was lost');
    assert.ok(lost.some((line) => /connection was lost/.test(line)), lost.join('\n') || 'nothing was reported');
  });

  it('prepares the uncached session check’s lookups: they name their columns rather than select *', async () => {
    // Unprepared, Postgres parsed and planned the lookup on every uncached check: 4,617 lookups/s against 9,808 prepared
    // (docs/performance.md, "PostgreSQL driver").
    const opened = await openDatabase({ kind: 'postgres', url: await postgres.newDatabase(), poolSize: 1 });
    try {
      // Only its query builders are used, which need neither the store, the locator nor the clock (the metrics take its gauge).
      const repo = new SessionRepository(undefined as never, undefined as never, undefined as never, new Metrics());
      for (let i = 0; i < 2; i++) {
        await repo.row(opened.db, 'sessions.token_hash', 'no such hash');
        await repo.row(opened.db, 'sessions.id', 'no such id');
      }
      const statements = (await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(opened.db)).rows.map((r) => r.statement);
      assert.equal(statements.filter((s) => /from "sessions" inner join "users"/.test(s)).length, 2, statements.join('\n'));
    } finally {
      await opened.close();
    }
  });
});
