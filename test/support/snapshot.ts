import type { Store } from '../../server/storage/store.js';

/** Every row of every table, in a stable order: equal snapshots mean nothing changed. */
export async function storeSnapshot(store: Store): Promise<string> {
  const [users, sessions, events] = await Promise.all([
    store.db.selectFrom('users').selectAll().orderBy('id').execute(),
    store.db.selectFrom('sessions').selectAll().orderBy('id').execute(),
    store.db.selectFrom('security_events').selectAll().orderBy('id').execute(),
  ]);
  return JSON.stringify({ users, sessions, events });
}
