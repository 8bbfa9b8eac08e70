// Turning an account's authenticator codes off, in the caller's transaction: what the owner does from the
// devices window and what the operator's tool does for an owner who lost the phone (docs/operations.md,
// "A lost phone"). Kept apart from authenticator.ts, so the operator's tool loads no TOTP or QR code library.
import type { EmailCodes } from '../mail/codes.js';
import { CODES_OFF, SECOND_FACTOR_PURPOSES } from '../storage/schema.js';
import type { UnitOfWork } from '../storage/store.js';

/**
 * The secret goes, sign-ins waiting for a code end (nothing checks one now), and the recovery codes go too
 * unless sign-in approval uses them. `changed`: whether codes were on; `approval`: whether approval is.
 */
export async function turnCodesOff(unit: UnitOfWork, userId: string, codes: EmailCodes): Promise<{ changed: boolean; approval: boolean }> {
  const done = await unit.db.updateTable('users').set(CODES_OFF).where('id', '=', userId).where('totp_enabled_at', 'is not', null).executeTakeFirst();
  const { approval_required } = await unit.db.selectFrom('users').select('approval_required').where('id', '=', userId).executeTakeFirstOrThrow();
  const approval = approval_required === 1;
  if (done.numUpdatedRows === 0n) return { changed: false, approval };
  await codes.endOpen(unit, userId, [...SECOND_FACTOR_PURPOSES]);
  if (!approval) await unit.db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
  return { changed: true, approval };
}
