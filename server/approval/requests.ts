// Ending an account's open sign-in requests, inside the caller's transaction. Kept apart from
// SignInApproval (it needs nothing but the store) so that signing other devices out can do it too.
import type { OpenedDatabase } from '../storage/database.js';
import type { UnitOfWork } from '../storage/store.js';

/**
 * Holds the account's row until the transaction ends (PostgreSQL; SQLite runs one transaction at a time
 * anyway): making, collecting or recovering a sign-in request, and ending them (a password change, "sign
 * out all others") take turns, so none of them acts on what another is about to change.
 */
export async function lockAccount(unit: UnitOfWork, userId: string, store: OpenedDatabase['kind']): Promise<void> {
  if (store === 'postgres') await unit.db.selectFrom('users').select('id').where('id', '=', userId).forUpdate().execute();
}

/**
 * Ends the account's requests that could still sign a device in: those waiting for an answer and those
 * approved but not yet collected. Turning approval off, a password change and "sign out all other
 * devices" all do this: a request made or approved before them must not complete after them.
 */
export async function endOpenRequests(unit: UnitOfWork, userId: string, now: number): Promise<number> {
  const rows = await unit.db
    .updateTable('sign_in_requests')
    .set({ state: 'cancelled', decided_at: now })
    .where('user_id', '=', userId)
    .where('state', 'in', ['pending', 'approved'])
    .returning(['id', 'decoy'])
    .execute();
  for (const row of rows) unit.publish({ kind: 'signin.resolved', userId, id: row.id, outcome: 'cancelled', shown: row.decoy === 0 });
  return rows.length;
}
