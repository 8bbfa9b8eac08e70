// Codes from an authenticator app (RFC 6238; docs/architecture.md, "Authenticator codes"): set up with a QR
// code and the secret as text, in effect only once a code from it is confirmed; a code is good for its
// 30 s step and one step either side, and works once (a step at or before the last one accepted is
// refused). The secret is sealed at rest (secret-box.ts). The recovery codes are the account's one set,
// shared with sign-in approval: codes turned on where there are none makes them.
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { sql } from 'kysely';
import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';
import type { AuthenticatorChanged, AuthenticatorSetting, AuthenticatorSetup } from '../../shared/api.js';
import { ApprovalSettings, changed } from '../approval/approval-settings.js';
import { ApiError } from '../common/api-error.js';
import { type Clock } from '../common/clock.js';
import { CLOCK, CONFIG, LOGGER } from '../common/di-tokens.js';
import type { Logger } from 'pino';
import type { ServerConfig } from '../config/config.js';
import type { AuthContext, ClientInfo } from '../http/request-context.js';
import { SecurityEventsService } from '../sessions/security-events.service.js';
import type { Db } from '../storage/schema.js';
import { EmailCodes } from '../mail/codes.js';
import { Store } from '../storage/store.js';
import { SecretBox, SecretKeyMissing } from './secret-box.js';
import { turnCodesOff } from './codes-off.js';

export const TOTP_PERIOD_S = 30;
/** A secret being set up is confirmed within this long, or set up again. */
export const SETUP_TTL_MS = 10 * 60_000;

/** The accounts holding a secret, set up or being set up: written out, so both stores see the partial index's own condition. */
export const WITH_SECRET = sql<boolean>`(totp_secret is not null or totp_pending is not null)`;

/** The accounts with a secret not sealed under the key of `prefix`: by their own index (migration 0016), so a start reads no other row. */
export const sealedElsewhere = (db: Db, prefix: string) =>
  db
    .selectFrom('users')
    .select(['id', 'totp_secret', 'totp_pending'])
    .where(WITH_SECRET)
    .where((eb) => eb.or([eb('totp_secret', 'not like', `${prefix}%`), eb('totp_pending', 'not like', `${prefix}%`)]));

const totpOf = (secret: Secret, email = '') => new TOTP({ issuer: 'Latch', label: email, algorithm: 'SHA1', digits: 6, period: TOTP_PERIOD_S, secret });

@Injectable()
export class AuthenticatorCodes implements OnApplicationBootstrap {
  private box: SecretBox | undefined;

  constructor(
    @Inject(Store) private readonly store: Store,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: ServerConfig,
    @Inject(ApprovalSettings) private readonly approvalSettings: ApprovalSettings,
    @Inject(SecurityEventsService) private readonly securityEvents: SecurityEventsService,
    @Inject(LOGGER) private readonly log: Logger,
    @Inject(EmailCodes) private readonly codes: EmailCodes,
  ) {}

  /**
   * The key is read (or made) at start, and secrets sealed under LATCH_SECRET_KEY_PREVIOUS are sealed again
   * under the current one. A secret under a key this server does not have is left as it is, and said once:
   * the server starts, its owner signs in with a recovery code (or the operator turns codes off), and an
   * instance given the right key opens it again.
   */
  async onApplicationBootstrap(): Promise<void> {
    const box = this.secrets;
    const old = await sealedElsewhere(this.store.db, box.sealPrefix).execute();
    const unopened = new Map<string, number>();
    for (const row of old) {
      let secret: string | undefined;
      let pending: string | undefined;
      try {
        secret = row.totp_secret === null ? undefined : box.reseal(row.totp_secret, row.id);
        pending = row.totp_pending === null ? undefined : box.reseal(row.totp_pending, row.id);
      } catch (error) {
        if (!(error instanceof SecretKeyMissing)) throw error;
        unopened.set(error.keyId, (unopened.get(error.keyId) ?? 0) + 1);
        continue;
      }
      if (secret === undefined && pending === undefined) continue;
      // Only if unchanged meanwhile: another instance may be doing the same.
      let update = this.store.db.updateTable('users').where('id', '=', row.id);
      if (secret !== undefined) update = update.set({ totp_secret: secret }).where('totp_secret', '=', row.totp_secret);
      if (pending !== undefined) update = update.set({ totp_pending: pending }).where('totp_pending', '=', row.totp_pending);
      await update.execute();
    }
    for (const [key, accounts] of unopened) {
      this.log.error(
        { key, accounts, hasKey: box.sealPrefix.split('.')[1] },
        `${accounts} account(s) have authenticator secrets sealed with key ${key}, which this server does not have: their app codes fail until it is given that key (LATCH_SECRET_KEY, or LATCH_SECRET_KEY_PREVIOUS while rotating; docs/operations.md, "The secret key"); recovery codes still work`,
      );
    }
  }

  private get secrets(): SecretBox {
    this.box ??= new SecretBox(this.config.secretKey);
    return this.box;
  }

  async setting(userId: string): Promise<AuthenticatorSetting> {
    const user = await this.store.db.selectFrom('users').select(['totp_enabled_at']).where('id', '=', userId).executeTakeFirstOrThrow();
    return {
      enabled: user.totp_enabled_at !== null,
      ...(user.totp_enabled_at !== null ? { enabledAt: new Date(user.totp_enabled_at).toISOString() } : {}),
      recoveryCodesLeft: await this.approvalSettings.codesLeft(this.store.db, userId),
    };
  }

  /**
   * A new secret to scan or type, waiting for a code from it (`confirm`). The caller has checked the password.
   * Not while codes are on: moving them to another app is turning them off (mailed), then setting up again.
   */
  async begin(auth: AuthContext): Promise<AuthenticatorSetup> {
    if (await this.isOn(this.store.db, auth.user.id)) throw new ApiError(409, 'conflict', { key: 'authenticator_already_on' });
    const secret = new Secret({ size: 20 });
    const totp = totpOf(secret, auth.user.email);
    const uri = totp.toString();
    await this.store.db
      .updateTable('users')
      .set({ totp_pending: this.secrets.seal(secret.base32, auth.user.id), totp_pending_at: this.clock.now() })
      .where('id', '=', auth.user.id)
      .execute();
    const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    return { secret: secret.base32, uri, qrCode: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`, expiresAt: new Date(this.clock.now() + SETUP_TTL_MS).toISOString() };
  }

  /**
   * A code from the secret being set up turns codes on (for that step onward: the code is spent). With no
   * recovery codes yet, the account gets its set now, shown once.
   */
  async confirm(auth: AuthContext, code: string, client: ClientInfo): Promise<AuthenticatorChanged> {
    const now = this.clock.now();
    const row = await this.store.db.selectFrom('users').select(['totp_pending', 'totp_pending_at']).where('id', '=', auth.user.id).executeTakeFirstOrThrow();
    if (row.totp_pending === null || row.totp_pending_at === null || now - row.totp_pending_at > SETUP_TTL_MS) {
      throw new ApiError(410, 'code_expired', { key: 'authenticator_setup_ended' });
    }
    const step = this.stepOf(row.totp_pending, auth.user.id, code, now);
    if (step === undefined) throw new ApiError(401, 'invalid_code', { key: 'authenticator_code_wrong' });
    const codes = await this.approvalSettings.newCodesIfNone(auth.user.id);
    return this.store.transaction(async (unit) => {
      const done = await unit.db
        .updateTable('users')
        .set({ totp_secret: row.totp_pending, totp_enabled_at: now, totp_last_step: step, totp_pending: null, totp_pending_at: null })
        .where('id', '=', auth.user.id)
        .where('totp_pending', '=', row.totp_pending)
        .executeTakeFirst();
      // Two confirmations at once, or a new setup begun meanwhile: only one turns codes on.
      if (done.numUpdatedRows === 0n) throw new ApiError(410, 'code_expired', { key: 'authenticator_setup_ended' });
      const recoveryCodes = codes ? await this.approvalSettings.storeCodesIfNone(unit.db, auth.user.id, codes, now) : undefined;
      await this.securityEvents.recordBy(unit.db, auth.session, { type: 'authenticator_turned_on', at: now, ip: client.ip });
      unit.publish(changed(auth, 'authenticator_turned_on', now));
      return { enabled: true, recoveryCodesLeft: await this.approvalSettings.codesLeft(unit.db, auth.user.id), ...(recoveryCodes ? { recoveryCodes } : {}) };
    });
  }

  /** Codes off; the recovery codes go too unless sign-in approval still uses them. The caller has checked the password. */
  async turnOff(auth: AuthContext, client: ClientInfo): Promise<AuthenticatorChanged> {
    const now = this.clock.now();
    return this.store.transaction(async (unit) => {
      const { changed: done } = await turnCodesOff(unit, auth.user.id, this.codes);
      if (!done) return { enabled: false, recoveryCodesLeft: await this.approvalSettings.codesLeft(unit.db, auth.user.id) };
      await this.securityEvents.recordBy(unit.db, auth.session, { type: 'authenticator_turned_off', at: now, ip: client.ip });
      unit.publish(changed(auth, 'authenticator_turned_off', now));
      return { enabled: false, recoveryCodesLeft: await this.approvalSettings.codesLeft(unit.db, auth.user.id) };
    });
  }

  /** Whether the account has codes on. */
  async isOn(db: Db, userId: string): Promise<boolean> {
    const row = await db.selectFrom('users').select('totp_enabled_at').where('id', '=', userId).executeTakeFirst();
    return row?.totp_enabled_at != null;
  }

  /**
   * Whether `code` is the account's code now (or one step either side), spent if so: of two uses of one
   * code, or of an older one after it, only the first is accepted.
   */
  async spend(userId: string, code: string): Promise<boolean> {
    const now = this.clock.now();
    const row = await this.store.db.selectFrom('users').select(['totp_secret', 'totp_last_step']).where('id', '=', userId).executeTakeFirst();
    if (!row || row.totp_secret === null) return false;
    const step = this.stepOf(row.totp_secret, userId, code, now);
    if (step === undefined || (row.totp_last_step !== null && step <= row.totp_last_step)) return false;
    const spent = await this.store.db
      .updateTable('users')
      .set({ totp_last_step: step })
      .where('id', '=', userId)
      .where('totp_secret', '=', row.totp_secret)
      .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
      .executeTakeFirst();
    return spent.numUpdatedRows === 1n;
  }

  /** The time step `code` belongs to under the sealed secret, within one step of now; undefined if none. */
  private stepOf(sealed: string, userId: string, code: string, now: number): number | undefined {
    if (!/^\d{6}$/.test(code)) return undefined;
    let secret: string;
    try {
      secret = this.secrets.open(sealed, userId);
    } catch (error) {
      // Said to the operator, who can give the key; the owner is told the server failed, not that the code was wrong.
      this.log.error({ err: error, userId }, `an authenticator code could not be checked: ${(error as Error).message}`);
      throw new ApiError(500, 'internal', { key: 'server_fault' });
    }
    const totp = totpOf(Secret.fromBase32(secret));
    const delta = totp.validate({ token: code, timestamp: now, window: 1 });
    return delta === null ? undefined : totp.counter({ timestamp: now }) + delta;
  }
}
