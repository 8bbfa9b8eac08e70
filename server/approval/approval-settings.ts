// Sign-in approval's setting and its recovery codes (docs/architecture.md, "Sign-in approval"): turning it on
// (with ten codes, shown once) or off, new codes, spending one, and whether any account has it on at all.
import { randomBytes } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { ApprovalChanged, ApprovalSetting, RecoveryCodes } from '../../shared/api.js';
import { RECOVERY_CODE_COUNT } from '../../shared/api.js';
import { ApiError } from '../common/api-error.js';
import { type Clock } from '../common/clock.js';
import { CLOCK } from '../common/di-tokens.js';
import type { AuthContext, ClientInfo } from '../http/request-context.js';
import type { AccountChangeEvent, SessionEvent } from '../events/session-events.js';
import { PasswordHasher } from '../passwords/passwords.js';
import { SecurityEventsService } from '../sessions/security-events.service.js';
import { endOpenRequests } from '../sessions/sign-in-requests.js';
import type { Db } from '../storage/schema.js';
import { Store, type UnitOfWork } from '../storage/store.js';

/** How often an instance looks again whether any account has approval on (its own turning on counts at once). */
const ANY_APPROVAL_EVERY_MS = 10 * 60_000;

/** Crockford's base32 without i, l, o, u: nothing to misread when typed from paper. */
const CODE_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** Ten characters of CODE_ALPHABET (50 random bits), shown as `xxxxx-xxxxx`. */
function newRecoveryCode(): string {
  const code = Array.from(randomBytes(10), (byte) => CODE_ALPHABET[byte & 31]).join('');
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}

/** Every device of the account hears what `auth`'s session changed (it shows the others an OS notification). */
export const changed = (auth: AuthContext, what: AccountChangeEvent['what'], at: number): SessionEvent => ({
  kind: 'account.changed',
  userId: auth.user.id,
  change: { what, sessionId: auth.session.id, byDeviceName: auth.session.device_name, at },
});

@Injectable()
export class ApprovalSettings implements OnApplicationBootstrap, OnModuleDestroy {
  /** Whether any account has approval on, as last looked at (off the request path: the answer takes no longer). */
  private anyApproval = false;
  private anyApprovalTimer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(Store) private readonly store: Store,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(PasswordHasher) private readonly passwords: PasswordHasher,
    @Inject(SecurityEventsService) private readonly securityEvents: SecurityEventsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.lookForApproval();
    this.anyApprovalTimer = setInterval(() => void this.lookForApproval(), ANY_APPROVAL_EVERY_MS);
    this.anyApprovalTimer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.anyApprovalTimer);
  }

  /** Whether any account has approval on, as last looked at; this instance's own turning on counts at once. */
  get anyOn(): boolean {
    return this.anyApproval;
  }

  private async lookForApproval(): Promise<void> {
    try {
      const row = await this.store.db.selectFrom('users').select('id').where('approval_required', '=', 1).limit(1).executeTakeFirst();
      this.anyApproval = row !== undefined;
    } catch {
      // Unreachable for now: the next look tries again; meanwhile the last answer stands.
    }
  }

  async setting(userId: string): Promise<ApprovalSetting> {
    const user = await this.store.db.selectFrom('users').select('approval_required').where('id', '=', userId).executeTakeFirstOrThrow();
    return { required: user.approval_required === 1, recoveryCodesLeft: await this.codesLeft(this.store.db, userId) };
  }

  /** Turns approval on (with new recovery codes, shown once) or off. The caller has checked the password. */
  async setRequired(auth: AuthContext, required: boolean, client: ClientInfo): Promise<ApprovalChanged> {
    const now = this.clock.now();
    // Hashed before the transaction, which then holds no lock while argon2 runs.
    const codes = required ? await this.newCodes(auth.user.id) : undefined;
    return this.store.transaction(async (unit) => {
      const { approval_required: was } = await unit.db.selectFrom('users').select('approval_required').where('id', '=', auth.user.id).executeTakeFirstOrThrow();
      if ((was === 1) === required) return { required, recoveryCodesLeft: await this.codesLeft(unit.db, auth.user.id) };
      await unit.db.updateTable('users').set({ approval_required: required ? 1 : 0 }).where('id', '=', auth.user.id).execute();
      if (required) unit.afterCommit(() => (this.anyApproval = true));
      // The codes are the account's one set: while authenticator codes use them, approval neither drops them
      // (turned off) nor replaces the set the owner saved (turned on); it makes one only where there is none.
      const { totp_enabled_at: codesOn } = await unit.db.selectFrom('users').select('totp_enabled_at').where('id', '=', auth.user.id).executeTakeFirstOrThrow();
      const keep = codesOn !== null && (!required || (await this.codesLeft(unit.db, auth.user.id)) > 0);
      if (!keep) await unit.db.deleteFrom('recovery_codes').where('user_id', '=', auth.user.id).execute();
      const recoveryCodes = codes && !keep ? await this.storeCodes(unit.db, auth.user.id, codes, now) : undefined;
      // Nothing waits for an answer that can no longer be asked for.
      if (!required) await endOpenRequests(unit, auth.user.id, now);
      const what = required ? 'approval_turned_on' : 'approval_turned_off';
      await this.securityEvents.recordBy(unit.db, auth.session, { type: what, at: now, ip: client.ip });
      unit.publish(changed(auth, what, now));
      return { required, recoveryCodesLeft: recoveryCodes?.length ?? (await this.codesLeft(unit.db, auth.user.id)), ...(recoveryCodes ? { recoveryCodes } : {}) };
    });
  }

  /** New recovery codes replace every old one. The caller has checked the password. */
  async regenerate(auth: AuthContext, client: ClientInfo): Promise<RecoveryCodes> {
    const now = this.clock.now();
    const codes = await this.newCodes(auth.user.id);
    return this.store.transaction(async (unit) => {
      const user = await unit.db.selectFrom('users').select(['approval_required', 'totp_enabled_at']).where('id', '=', auth.user.id).executeTakeFirstOrThrow();
      if (user.approval_required !== 1 && user.totp_enabled_at === null) throw new ApiError(409, 'conflict', { key: 'approval_first' });
      await unit.db.deleteFrom('recovery_codes').where('user_id', '=', auth.user.id).execute();
      const recoveryCodes = await this.storeCodes(unit.db, auth.user.id, codes, now);
      await this.securityEvents.recordBy(unit.db, auth.session, { type: 'recovery_codes_regenerated', at: now, ip: client.ip });
      unit.publish(changed(auth, 'recovery_codes_regenerated', now));
      return { recoveryCodes };
    });
  }

  /** The account's recovery codes not yet used. */
  async codesLeft(db: Db, userId: string): Promise<number> {
    const row = await db
      .selectFrom('recovery_codes')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', userId)
      .where('used_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** New codes, hashed, for an account that has none left (authenticator codes turned on); undefined if it has some. */
  async newCodesIfNone(userId: string): Promise<Array<{ code: string; hash: string }> | undefined> {
    return (await this.codesLeft(this.store.db, userId)) === 0 ? this.newCodes(userId) : undefined;
  }

  /** Stores `codes` in the caller's transaction if the account still has none; the codes to show once, or undefined. */
  async storeCodesIfNone(db: Db, userId: string, codes: Array<{ code: string; hash: string }>, now: number): Promise<string[] | undefined> {
    if ((await this.codesLeft(db, userId)) > 0) return undefined;
    await db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
    return this.storeCodes(db, userId, codes, now);
  }

  /** New recovery codes and their hashes, made before any transaction opens (argon2 takes a while). */
  private async newCodes(userId: string): Promise<Array<{ code: string; hash: string }>> {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    return Promise.all(codes.map(async (code) => ({ code, hash: await this.codeHash(userId, code.replace('-', '')) })));
  }

  private async storeCodes(db: Db, userId: string, codes: Array<{ code: string; hash: string }>, now: number): Promise<string[]> {
    await db
      .insertInto('recovery_codes')
      .values(codes.map(({ hash }) => ({ code_hash: hash, user_id: userId, created_at: now, used_at: null })))
      .execute();
    return codes.map(({ code }) => code);
  }

  /**
   * Spends one of the account's recovery codes in the caller's transaction (a password reset on an account
   * with approval on); the codes left, or undefined when it is not one of them.
   */
  async spendRecoveryCode(unit: UnitOfWork, userId: string, code: string): Promise<number | undefined> {
    const hash = await this.codeHash(userId, code);
    const used = await unit.db
      .updateTable('recovery_codes')
      .set({ used_at: this.clock.now() })
      .where('code_hash', '=', hash)
      .where('user_id', '=', userId)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return used.numUpdatedRows === 0n ? undefined : this.codesLeft(unit.db, userId);
  }

  /** What is stored of a code (without its dash): salted by the account, so a copied table cannot be searched. */
  codeHash(userId: string, normalized: string): Promise<string> {
    return this.passwords.oneTimeCodeHash(normalized, userId);
  }
}
