// Ending an account's open sign-in requests, inside the caller's transaction. Kept apart from
// SignInApproval (it needs nothing but the store) so that signing other devices out can do it too.
import type { UnitOfWork } from '../storage/store.js';

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
