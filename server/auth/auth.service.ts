import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { sql } from 'kysely';
import type {
  ApprovalChanged,
  AuthResult,
  CodeSent,
  CurrentSession,
  DeviceInfo,
  MailSettings,
  StepUp,
  AuthenticatorChanged,
  AuthenticatorSetting,
  AuthenticatorSetup,
  SecondFactor,
  LoginBody,
  PendingSignIn,
  Reauthenticated,
  RecoveredSignIn,
  RecoveryCodes,
  RegisterBody,
  SetApprovalBody,
  SignInRequestState,
  ErrorSay,
} from '../../shared/api.js';
import { endOpenRequests } from '../sessions/sign-in-requests.js';
import { PasswordResets } from '../approval/reset.js';
import { ApprovalSettings } from '../approval/approval-settings.js';
import { SignInApproval } from '../approval/sign-in-approval.js';
import {
  type ChangePasswordBody as ChangePasswordSchema,
  type ConfirmEmailBody as ConfirmEmailSchema,
  type ResetBody as ResetSchema,
  type SecondFactorBody as SecondFactorSchema,
  type StepUpBody as StepUpSchema,
  type VerifySignUpBody as VerifySignUpSchema,
} from '../../shared/api.js';
import { codeEnded, EmailCodes, openHandle, type IssuedCode } from '../mail/codes.js';
import { MailOutbox } from '../mail/outbox.js';
import { userView } from '../sessions/session-view.js';
import type { z } from 'zod';
import { accountDisabled, ApiError } from '../common/api-error.js';
import { type Clock } from '../common/clock.js';
import { CLOCK, CONFIG } from '../common/di-tokens.js';
import type { AuthContext, ClientInfo } from '../http/request-context.js';
import type { ServerConfig } from '../config/config.js';
import { CODES_OFF, SECOND_FACTOR_PURPOSES, type Db, type SessionKind, type SessionsTable, type UsersTable } from '../storage/schema.js';
import { Metrics } from '../metrics/metrics.js';
import { recordRegistrationSetting, registrationOf } from '../storage/settings.js';
import { Store } from '../storage/store.js';
import { SecurityEventsService } from '../sessions/security-events.service.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { newId } from '../sessions/tokens.js';
import { PasswordHasher } from '../passwords/passwords.js';
import { StepUpRequired } from '../common/step-up.js';
import { RateLimits, rateLimited, type Attempt } from './rate-limits.js';
import { AuthenticatorCodes } from '../authenticator/authenticator.js';

/** A sign-in waiting for its step-up code: the device it signs in (the password is sent again with the code). */
interface PendingStepUp {
  device: DeviceInfo;
  kind: SessionKind;
}

/**
 * A right password waiting for a code from the authenticator app (or a recovery code): the device it signs in;
 * for a password reset by mail, the new password's hash, set once the code comes.
 */
interface PendingSecondFactor {
  device: DeviceInfo;
  kind: SessionKind;
  reset?: { passwordHash: string };
}

/** How long a right password waits for its authenticator code. */
export const SECOND_FACTOR_TTL_MS = 5 * 60_000;
/** Codes tried per sign-in, each counted before it is checked; past them, the password again. */
export const SECOND_FACTOR_TRIES = 5;
/**
 * Codes tried at one account in a day, over all its sign-ins: whoever has the password cannot buy five more
 * guesses at a time for ever (a million codes, three of them good at any moment: 20 a day for a year is a
 * 2 % chance). Past it, a right password is told to wait; the owner, whose password is known, resets it by mail.
 */
export const SECOND_FACTOR_TRIES_PER_DAY = 20;
const DAY_MS = 24 * 60 * 60_000;

const secondFactorWrong = () => new ApiError(401, 'invalid_code', { key: 'second_factor_wrong' });
const secondFactorEnded = () => new ApiError(410, 'code_expired', { key: 'second_factor_ended' });

const codeOrPasswordWrong = () => new ApiError(401, 'invalid_code', { key: 'code_or_password_wrong' });
const invalidCredentials = () => new ApiError(401, 'invalid_credentials', { key: 'credentials_wrong' });
const codeSent = (issued: IssuedCode): CodeSent => ({ codeSent: { id: issued.id, expiresAt: new Date(issued.expiresAt).toISOString() } });
const madeMeanwhile = () => new ApiError(409, 'conflict', { key: 'account_made_meanwhile' });

/** A sign-up waiting for its code: the password's hash and the device, kept with the code (never the password). */
interface PendingSignUp {
  passwordHash: string;
  device: DeviceInfo;
  ip: string;
  userAgent: string;
}

const isUniqueViolation = (error: unknown) =>
  error instanceof Error && (/UNIQUE constraint failed/.test(error.message) || (error as { code?: string }).code === '23505');

@Injectable()
export class AuthService implements OnApplicationBootstrap {
  /** Serialized answers of `currentSessionJson`, dropped with their cache entry. */
  private readonly sessionBodies = new WeakMap<AuthContext, { body: string; until: number }>();

  constructor(
    @Inject(Store) private readonly store: Store,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: ServerConfig,
    @Inject(SessionsService) private readonly sessions: SessionsService,
    @Inject(SecurityEventsService) private readonly securityEvents: SecurityEventsService,
    @Inject(PasswordHasher) private readonly passwords: PasswordHasher,
    @Inject(RateLimits) private readonly throttle: RateLimits,
    @Inject(SignInApproval) private readonly approval: SignInApproval,
    @Inject(ApprovalSettings) private readonly approvalSettings: ApprovalSettings,
    @Inject(Metrics) private readonly metrics: Metrics,
    @Inject(EmailCodes) private readonly codes: EmailCodes,
    @Inject(MailOutbox) private readonly outbox: MailOutbox,
    @Inject(PasswordResets) private readonly resets: PasswordResets,
    @Inject(AuthenticatorCodes) private readonly authenticator: AuthenticatorCodes,
  ) {}

  /** Whether this server's environment decides sign-up, where the operator's tool can read it. */
  async onApplicationBootstrap(): Promise<void> {
    await recordRegistrationSetting(this.store.db, this.config);
  }

  /**
   * Starts a sign-up: the same answer whether or not the address has an account (docs/api.md, "Codes by
   * mail"). A new address gets a code, and the account is made when it comes back (`verifySignUp`); an
   * address with an account gets a mail saying so. The password is hashed either way, so the time taken
   * tells nothing either.
   */
  async register(body: RegisterBody, client: ClientInfo): Promise<CodeSent> {
    await this.requireRegistrationOpen();
    const attempt = await this.throttle.admitRegistration(client.ip);
    const passwordHash = await withdrawOnError(attempt, () => this.passwords.hash(body.password));
    const issued = await this.store.transaction(async (unit) => {
      const existing = await unit.db.selectFrom('users').select('id').where('email', '=', body.email).executeTakeFirst();
      const pending: PendingSignUp = { passwordHash, device: body.device, ip: client.ip, userAgent: client.userAgent };
      if (!existing) return this.codes.issue(unit, { purpose: 'sign_up', email: body.email, userId: null, template: 'sign_up_code', data: pending });
      const decoy = await this.codes.issue(unit, { purpose: 'sign_up', email: body.email, userId: null });
      if (await this.codes.mayMail(unit, body.email, 'already_registered')) {
        await this.outbox.enqueue(unit, body.email, { template: 'already_registered', email: body.email }, existing.id);
      }
      return decoy;
    });
    // Its address attempt given back, taken address or not: the answer is the same, so is what it costs.
    await attempt.succeeded();
    return codeSent(issued);
  }

  /** The code from the sign-up's mail: the account is made with its address confirmed, and the device signed in. */
  async verifySignUp(body: z.output<typeof VerifySignUpSchema>, client: ClientInfo): Promise<AuthResult> {
    await this.throttle.admitCode(client.ip);
    // Closed since the code was mailed: no account is made.
    await this.requireRegistrationOpen();
    const row = await this.codes.check(body.id, body.code, 'sign_up');
    const pending = JSON.parse(row.data ?? 'null') as PendingSignUp | null;
    if (!pending) throw codeEnded();
    const now = this.clock.now();
    try {
      return await this.store.transaction(async (unit) => {
        await this.codes.use(unit, row.id);
        const taken = await unit.db.selectFrom('users').select('id').where('email', '=', row.email).executeTakeFirst();
        if (taken) throw madeMeanwhile();
        const user: UsersTable = {
          id: newId(),
          email: row.email,
          password_hash: pending.passwordHash,
          created_at: now,
          approval_required: 0,
          email_verified_at: now,
          mail_new_sign_ins: 1,
          disabled_at: null,
          ...CODES_OFF,
        };
        await unit.db.insertInto('users').values(user).execute();
        // The device that asked for the code is the one the account starts on.
        const { token, session } = await this.sessions.create(unit, user, pending.device, client, 'app', { method: 'new_account' });
        await this.securityEvents.recordBy(unit.db, session, { type: 'account_created', at: now, ip: client.ip });
        await this.securityEvents.recordBy(unit.db, session, { type: 'signed_in', at: now, ip: client.ip }, { quiet: true });
        return { token, user: userView(user), session: this.sessions.view(session, session.id, now) };
      });
    } catch (error) {
      throw isUniqueViolation(error) ? madeMeanwhile() : error;
    }
  }

  private async requireRegistrationOpen(): Promise<void> {
    if ((await registrationOf(this.store.db, this.config)).open) return;
    throw new ApiError(403, 'registration_closed', { key: 'registration_closed' });
  }

  /** "Forgot password?": a code by mail if the address has an account; the answer is the same either way. */
  async requestReset(email: string, client: ClientInfo): Promise<CodeSent> {
    await this.throttle.admitCode(client.ip);
    const issued = await this.store.transaction(async (unit) => {
      const found = await unit.db.selectFrom('users').select(['id', 'disabled_at']).where('email', '=', email).executeTakeFirst();
      // A disabled account is mailed no code its reset would refuse: answered as an address with no account.
      const user = found?.disabled_at === null ? found : undefined;
      return this.codes.issue(unit, { purpose: 'reset', email, userId: user?.id ?? null, ...(user ? { template: 'reset_code' as const } : {}) });
    });
    return codeSent(issued);
  }

  /**
   * The reset code and a new password: this device is signed in and every other signed out (each told
   * "password reset by email"); open sign-in requests and codes end. With sign-in approval on, a mailbox
   * alone does not undo approval: with one of the recovery codes it is done at once; without, it waits for
   * a device's approval like a sign-in (202, `pending`), and the approval or a recovery code completes it
   * (docs/architecture.md, "Mail").
   */
  async confirmReset(body: z.output<typeof ResetSchema>, client: ClientInfo, kind: SessionKind = 'app'): Promise<AuthResult | PendingSignIn | SecondFactor> {
    await this.throttle.admitCode(client.ip);
    const row = await this.codes.check(body.id, body.code, 'reset');
    if (row.user_id === null) throw codeEnded();
    const userId = row.user_id;
    const passwordHash = await this.passwords.hash(body.password);
    const now = this.clock.now();
    return this.store.transaction(async (unit) => {
      // The account first, then the code: the order a password change takes them in.
      await this.store.lockAccount(unit.db, userId);
      await this.codes.use(unit, row.id);
      const user = await unit.db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
      if (!user) throw codeEnded();
      if (user.disabled_at !== null) throw accountDisabled();
      let codesLeft: number | undefined;
      if (user.approval_required === 1 || user.totp_enabled_at !== null) {
        // A mailbox alone does not undo a second factor: a device's approval, a code from the app, or a recovery code.
        if (!body.recoveryCode) {
          if (user.approval_required === 1) return this.approval.requestReset(unit, user, passwordHash, body.device, client, kind);
          return this.askForCode(user, body.device, kind, { passwordHash }, unit.db);
        }
        codesLeft = await this.approvalSettings.spendRecoveryCode(unit, user.id, body.recoveryCode);
        if (codesLeft === undefined) throw new ApiError(401, 'invalid_recovery_code', { key: 'recovery_code_wrong' });
      }
      const { token, session, user: updated } = await this.resets.apply(unit, user, passwordHash, body.device, client, kind);
      if (codesLeft !== undefined) await this.securityEvents.recordBy(unit.db, session, { type: 'recovery_code_used', at: now, ip: client.ip, count: codesLeft });
      return { token, user: userView(updated), session: this.sessions.view(session, session.id, now) };
    });
  }

  /** Mails a code to the signed-in account's own address, to confirm it. */
  async sendEmailCode(auth: AuthContext, client: ClientInfo): Promise<CodeSent> {
    await this.throttle.admitCode(client.ip);
    if (auth.user.email_verified_at !== null) throw new ApiError(409, 'conflict', { key: 'address_already_confirmed' });
    const issued = await this.store.transaction(async (unit) => {
      // Only the newest code works: the confirm form has one field and no id.
      await this.codes.endOpen(unit, auth.user.id, ['verify']);
      return this.codes.issue(unit, { purpose: 'verify', email: auth.user.email, userId: auth.user.id, template: 'verify_code' });
    });
    return codeSent(issued);
  }

  async confirmEmail(auth: AuthContext, body: z.output<typeof ConfirmEmailSchema>, client: ClientInfo): Promise<CurrentSession> {
    await this.throttle.admitCode(client.ip);
    const now = this.clock.now();
    const open = await this.codes.openCode(auth.user.id, 'verify');
    if (!open) throw codeEnded();
    const row = await this.codes.check(open, body.code, 'verify');
    // A code for the account's address as it is now.
    if (row.email !== auth.user.email) throw codeEnded();
    await this.store.transaction(async (unit) => {
      await this.codes.use(unit, row.id);
      await unit.db.updateTable('users').set({ email_verified_at: now }).where('id', '=', auth.user.id).where('email_verified_at', 'is', null).execute();
      await this.securityEvents.recordBy(unit.db, auth.session, { type: 'email_verified', at: now, ip: client.ip });
      // Cached checks of the account's sessions (which carry the account) are dropped on every instance.
      unit.publish({ kind: 'sessions.changed', userId: auth.user.id });
    });
    return { user: userView({ ...auth.user, email_verified_at: now }), session: this.sessions.view(auth.session, auth.session.id, now) };
  }

  async mailSettings(auth: AuthContext): Promise<MailSettings> {
    const row = await this.store.db.selectFrom('users').select('mail_new_sign_ins').where('id', '=', auth.user.id).executeTakeFirstOrThrow();
    return { newSignIns: row.mail_new_sign_ins === 1 };
  }

  /** A change is a security event, mailed whichever way it went (a thief turning the alerts off is heard). */
  async setMailSettings(auth: AuthContext, settings: MailSettings, client: ClientInfo): Promise<MailSettings> {
    const value = settings.newSignIns ? 1 : 0;
    await this.store.transaction(async (unit) => {
      const changed = await unit.db.updateTable('users').set({ mail_new_sign_ins: value }).where('id', '=', auth.user.id).where('mail_new_sign_ins', '!=', value).executeTakeFirst();
      if (changed.numUpdatedRows === 0n) return;
      await this.securityEvents.recordBy(unit.db, auth.session, { type: 'sign_in_mail_changed', at: this.clock.now(), ip: client.ip, count: value });
    });
    return settings;
  }

  /**
   * Signs a device in; for an account with sign-in approval on, a request another device must answer
   * instead, whether or not the password was right (docs/architecture.md, "Sign-in approval").
   */
  async login(body: LoginBody, client: ClientInfo, kind: SessionKind = 'app'): Promise<AuthResult | PendingSignIn | StepUp | SecondFactor> {
    try {
      const result = await this.signIn(body, client, kind);
      // A request for approval is counted alike, right password or not: the metrics tell no more than the answer.
      this.metrics.signIns.inc({ outcome: 'pending' in result ? 'approval_pending' : 'stepUp' in result ? 'step_up' : 'secondFactor' in result ? 'second_factor' : 'signed_in' });
      return result;
    } catch (error) {
      this.metrics.signIns.inc({ outcome: error instanceof ApiError && error.code === 'invalid_credentials' ? 'invalid_credentials' : 'refused' });
      throw error;
    }
  }

  private async signIn(body: LoginBody, client: ClientInfo, kind: SessionKind): Promise<AuthResult | PendingSignIn | StepUp | SecondFactor> {
    const user = await this.store.db.selectFrom('users').selectAll().where('email', '=', body.email).executeTakeFirst();
    try {
      // An address with no account may be answered as an account with approval on: the same steps, a
      // request no device sees (docs/api.md, "Answers that tell nothing").
      if (!user && (await this.approval.answersAsApproval(body.email))) {
        await this.approval.admitWithoutAccount(body.email, client.ip);
        await this.checkPassword(body.email, undefined, body.password, client, undefined, { countAsFailure: true });
        return await this.approval.requestWithoutAccount(body.email, body.device, client, kind);
      }
      if (user?.approval_required === 1) {
        await this.approval.admit(user.id, client.ip);
        // The attempt stays counted until a device approves: a right password must not look different.
        // No rehash here either: its extra work would time a right password apart from a wrong one.
        const right = await this.checkPassword(body.email, user, body.password, client, undefined, { countAsFailure: true });
        // A disabled account answers as ever: its right password makes only a decoy (202 to any password is
        // the rule here, and a different answer to the right one would let it be guessed at).
        return await this.approval.request(user, body.device, client, right && user.disabled_at === null, kind);
      }
      const ok = await this.checkPassword(body.email, user, body.password, client);
      if (!ok || !user) throw invalidCredentials();
      if (user.disabled_at !== null) throw accountDisabled();
    } catch (error) {
      if (error instanceof StepUpRequired) return this.stepUp(body, user, client, kind);
      throw error;
    }
    if (this.passwords.needsRehash(user.password_hash)) await this.rehash(user, body.password);
    if (user.totp_enabled_at !== null) return this.askForCode(user, body.device, kind);
    return this.startSession(user, body.device, client, kind);
  }

  /**
   * The right password of an account with authenticator codes on (or a reset's mailed code): a handle to give
   * the code with, counted tries, five minutes. Past the day's tries of its kind, the wait.
   */
  private async askForCode(user: UsersTable, device: DeviceInfo, kind: SessionKind, reset?: PendingSecondFactor['reset'], db: Db = this.store.db): Promise<SecondFactor> {
    const now = this.clock.now();
    const purpose = reset ? 'reset_factor' : 'second_factor';
    await this.refusePastTheDay(db, user.id, purpose, now, 0);
    const pending: PendingSecondFactor = { device, kind, ...(reset ? { reset } : {}) };
    const id = await openHandle(db, { purpose, email: user.email, userId: user.id, now, ttlMs: SECOND_FACTOR_TTL_MS, data: pending });
    return { secondFactor: { id, expiresAt: new Date(now + SECOND_FACTOR_TTL_MS).toISOString() } };
  }

  /**
   * 429 when the account's tries of `purpose` in the last day are past `allowed` (0: none left for a new
   * handle; counted after a try's own: that try is one of them). Each try is committed before this sum is
   * read, so of any number at once no more than SECOND_FACTOR_TRIES_PER_DAY are ever checked.
   */
  private async refusePastTheDay(db: Db, userId: string, purpose: (typeof SECOND_FACTOR_PURPOSES)[number], now: number, allowed: number): Promise<void> {
    const tried = await db
      .selectFrom('email_codes')
      .select([sql<number>`coalesce(sum(tries), 0)`.as('n'), sql<number | null>`min(created_at)`.as('first')])
      .where('user_id', '=', userId)
      .where('purpose', '=', purpose)
      .where('created_at', '>', now - DAY_MS)
      .where('tries', '>', 0)
      .executeTakeFirstOrThrow();
    if (Number(tried.n) > SECOND_FACTOR_TRIES_PER_DAY - 1 + allowed) {
      throw rateLimited(Math.max(1, Math.ceil((Number(tried.first ?? now) + DAY_MS - now) / 1000)));
    }
  }

  /**
   * A code from the authenticator app (or a recovery code) after the right password: the try is counted and
   * committed before the code is checked (SECOND_FACTOR_TRIES per sign-in, however many arrive at once), and
   * the sign-in's handle works once.
   */
  async confirmSecondFactor(body: z.output<typeof SecondFactorSchema>, client: ClientInfo, kind: SessionKind = 'app'): Promise<AuthResult> {
    await this.throttle.admitCode(client.ip);
    const now = this.clock.now();
    const row = await this.store.lightly((trx) =>
      trx
        .updateTable('email_codes')
        .set({ tries: sql<number>`tries + 1` })
        .where('id', '=', body.id)
        .where('purpose', 'in', SECOND_FACTOR_PURPOSES)
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .where('tries', '<', SECOND_FACTOR_TRIES)
        .returningAll()
        .executeTakeFirst(),
    );
    const pending = JSON.parse(row?.data ?? 'null') as PendingSecondFactor | null;
    if (!row || row.user_id === null || !pending || pending.kind !== kind || (row.purpose === 'reset_factor') !== (pending.reset !== undefined)) throw secondFactorEnded();
    const userId = row.user_id;
    // The account's tries of the day, this one among them: past them, nothing is checked.
    await this.refusePastTheDay(this.store.db, userId, row.purpose as (typeof SECOND_FACTOR_PURPOSES)[number], now, 1);
    const byApp = /^\d{6}$/.test(body.code);
    if (byApp && !(await this.authenticator.spend(userId, body.code))) throw row.tries >= SECOND_FACTOR_TRIES ? secondFactorEnded() : secondFactorWrong();
    return this.store.transaction(async (unit) => {
      const user = await unit.db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
      if (!user) throw secondFactorEnded();
      if (user.disabled_at !== null) throw accountDisabled();
      await this.codes.use(unit, row.id);
      let codesLeft: number | undefined;
      if (!byApp) {
        codesLeft = await this.approvalSettings.spendRecoveryCode(unit, userId, body.code);
        if (codesLeft === undefined) throw row.tries >= SECOND_FACTOR_TRIES ? secondFactorEnded() : secondFactorWrong();
      }
      let made: { token: string; session: SessionsTable; user: UsersTable };
      if (pending.reset) {
        await this.store.lockAccount(unit.db, userId);
        made = await this.resets.apply(unit, user, pending.reset.passwordHash, pending.device, client, kind);
      } else {
        const { token, session } = await this.sessions.create(unit, user, pending.device, client, kind, { method: byApp ? 'password_and_code' : 'recovery_code' });
        await this.securityEvents.recordBy(unit.db, session, { type: 'signed_in', at: now, ip: client.ip });
        made = { token, session, user };
      }
      const { token, session } = made;
      if (codesLeft !== undefined) {
        await this.securityEvents.recordBy(unit.db, session, { type: 'recovery_code_used', at: now, ip: client.ip, count: codesLeft });
        unit.publish({ kind: 'account.changed', userId, change: { what: 'recovery_code_used', sessionId: session.id, byDeviceName: session.device_name, at: now, recoveryCodesLeft: codesLeft } });
      }
      return { token, user: userView(made.user), session: this.sessions.view(session, session.id, now) };
    });
  }

  private startSession(user: UsersTable, device: DeviceInfo, client: ClientInfo, kind: SessionKind): Promise<AuthResult> {
    return this.store.transaction(async (unit) => {
      const { token, session } = await this.sessions.create(unit, user, device, client, kind, { method: 'password' });
      await this.securityEvents.recordBy(unit.db, session, { type: 'signed_in', at: session.created_at, ip: client.ip });
      return { token, user: userView(user), session: this.sessions.view(session, session.id, session.created_at) };
    });
  }

  /**
   * Past the account's ceiling, from a new address: no password is checked; a code goes to the owner (one
   * mail per ten minutes however many attempts), and the same answer to everyone, account or not.
   */
  private async stepUp(body: LoginBody, user: UsersTable | undefined, client: ClientInfo, kind: SessionKind): Promise<StepUp> {
    const pending: PendingStepUp = { device: body.device, kind };
    // A disabled account is mailed nothing: the step-up is answered as for an address with no account.
    const owner = user?.disabled_at === null ? user : undefined;
    // A light commit: under a flood of guesses from new addresses most attempts end here, each with a row of
    // its own, and a sync each held up every check and revocation behind them (docs/performance.md, "Under
    // attack"). A power cut may take the latest rows and the mail queued with them; that person asks again.
    const issued = await this.store.transaction((unit) => this.codes.issueStepUp(unit, { email: body.email, userId: owner?.id ?? null, data: pending }), { lightly: true });
    return { stepUp: { id: issued.id, expiresAt: new Date(issued.expiresAt).toISOString() } };
  }

  /**
   * The step-up's code with the password: the code is spent whatever the password, which is checked once;
   * right, the device is signed in (or, with sign-in approval on, asks a device as any sign-in does).
   */
  async confirmStepUp(body: z.output<typeof StepUpSchema>, client: ClientInfo, kind: SessionKind = 'app'): Promise<AuthResult | PendingSignIn | SecondFactor> {
    await this.throttle.admitCode(client.ip);
    // One answer for a wrong code and for a wrong password, and the attempt's row unspent by either: nothing
    // tells a guesser that a code was right. A password is checked only with the right code, so only
    // whoever reads the owner's mail can try one.
    const row = await this.codes.check(body.id, body.code, 'step_up').catch((error: unknown) => {
      throw error instanceof ApiError && error.code === 'invalid_code' ? codeOrPasswordWrong() : error;
    });
    const pending = JSON.parse(row.data ?? 'null') as PendingStepUp | null;
    if (!pending || pending.kind !== kind || row.user_id === null) throw codeOrPasswordWrong();
    const user = await this.store.db.selectFrom('users').selectAll().where('id', '=', row.user_id).executeTakeFirst();
    if (!user || !(await this.passwords.verify(user.password_hash, body.password))) throw codeOrPasswordWrong();
    if (user.disabled_at !== null) throw accountDisabled();
    await this.store.transaction((unit) => this.codes.use(unit, row.id));
    this.metrics.signIns.inc({ outcome: 'stepped_up' });
    // The mailbox is proven: the room of waiting requests that sent this sign-in here is not asked again.
    if (user.approval_required === 1) return this.approval.request(user, pending.device, client, true, kind, { steppedUp: true });
    // The mailbox stands in for the password's ceiling, not for the account's second factor.
    if (user.totp_enabled_at !== null) return this.askForCode(user, pending.device, kind);
    return this.startSession(user, pending.device, client, kind);
  }

  /** The new device waits for its request's answer; approved, the sign-in counts as a right password. */
  async waitForApproval(id: string, secret: string, disconnected?: AbortSignal, kind: SessionKind = 'app'): Promise<SignInRequestState> {
    const { state, collected } = await this.approval.wait(id, secret, disconnected, kind);
    if (collected) await this.throttle.forgive(collected.email, collected.ip);
    return state;
  }

  async recover(id: string, secret: string, code: string, kind: SessionKind = 'app'): Promise<RecoveredSignIn> {
    const { result, email, ip } = await this.approval.recover(id, secret, code, kind);
    await this.throttle.forgive(email, ip);
    return result;
  }

  /** Sign-in approval on or off; the password is asked for either way. */
  async setApproval(auth: AuthContext, body: SetApprovalBody, client: ClientInfo): Promise<ApprovalChanged> {
    await this.requireAccountPassword(auth, body.password, client, { key: 'password_wrong' });
    return this.approvalSettings.setRequired(auth, body.required, client);
  }

  async authenticatorSetting(auth: AuthContext): Promise<AuthenticatorSetting> {
    return this.authenticator.setting(auth.user.id);
  }

  async beginAuthenticator(auth: AuthContext, password: string, client: ClientInfo): Promise<AuthenticatorSetup> {
    await this.requireAccountPassword(auth, password, client, { key: 'password_wrong' });
    return this.authenticator.begin(auth);
  }

  async confirmAuthenticator(auth: AuthContext, code: string, client: ClientInfo): Promise<AuthenticatorChanged> {
    await this.throttle.admitCode(client.ip);
    return this.authenticator.confirm(auth, code, client);
  }

  async turnOffAuthenticator(auth: AuthContext, password: string, client: ClientInfo): Promise<AuthenticatorChanged> {
    await this.requireAccountPassword(auth, password, client, { key: 'password_wrong' });
    return this.authenticator.turnOff(auth, client);
  }

  async regenerateRecoveryCodes(auth: AuthContext, password: string, client: ClientInfo): Promise<RecoveryCodes> {
    await this.requireAccountPassword(auth, password, client, { key: 'password_wrong' });
    return this.approvalSettings.regenerate(auth, client);
  }

  currentSession(auth: AuthContext) {
    return { user: userView(auth.user), session: this.sessions.view(auth.session, auth.session.id, this.clock.now()) };
  }

  /**
   * `currentSession` as the JSON `GET /v1/auth/session` answers. A session from the cache is the same
   * frozen object on every check until anything about its account commits, so its answer is
   * serialized once and sent again: it says what `currentSession` of that object would, the view
   * moving with the clock only when the device's presence runs out. (Presence and the minute's
   * `last_seen` write do not replace a cache entry, so `online`, `lastSeenAt` and `expiresAt` may lag
   * the store by up to a minute, as they did before the answer was kept.) Any other object is new per
   * request and is answered without being kept.
   */
  currentSessionJson(auth: AuthContext): string {
    if (!Object.isFrozen(auth)) return JSON.stringify(this.currentSession(auth) satisfies CurrentSession);
    const now = this.clock.now();
    const kept = this.sessionBodies.get(auth);
    if (kept && now < kept.until) return kept.body;
    const body = JSON.stringify(this.currentSession(auth) satisfies CurrentSession);
    const onlineUntil = auth.session.online_until;
    this.sessionBodies.set(auth, { body, until: onlineUntil !== null && onlineUntil > now ? onlineUntil : Infinity });
    return body;
  }

  async rotate(auth: AuthContext, token: string | undefined, claim: string, client: ClientInfo): Promise<AuthResult> {
    // A browser's token lives in a cookie no script can read; it ends with its shorter lifetime instead.
    if (auth.session.kind === 'browser' || token === undefined) throw new ApiError(409, 'conflict', { key: 'browser_not_rotated' });
    return { token: await this.sessions.rotate(auth, token, claim, client), ...this.currentSession(auth) };
  }

  /** Changes the password; by default every other session is signed out. */
  async changePassword(auth: AuthContext, body: z.output<typeof ChangePasswordSchema>, client: ClientInfo): Promise<{ revoked: number }> {
    await this.requireAccountPassword(auth, body.currentPassword, client, { key: 'current_password_wrong' });
    const passwordHash = await this.passwords.hash(body.newPassword);
    return this.store.transaction(async (unit) => {
      await unit.db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', auth.user.id).execute();
      await this.sessions.markReauthenticated(unit.db, auth.session.id, this.clock.now());
      // A sign-in request made with the old password, or approved before, never completes (the lock: one being
      // made or collected now finishes first, or sees the new password).
      await this.store.lockAccount(unit.db, auth.user.id);
      await endOpenRequests(unit, auth.user.id, this.clock.now());
      await this.codes.endOpen(unit, auth.user.id, ['reset']);
      // Sign-ins waiting for a code after the old password end, and their tries with them.
      await unit.db.deleteFrom('email_codes').where('user_id', '=', auth.user.id).where('purpose', 'in', SECOND_FACTOR_PURPOSES).execute();
      const revoked = body.signOutOtherSessions ? await this.sessions.endOtherSessions(unit, auth, 'password_changed') : 0;
      await this.securityEvents.recordBy(unit.db, auth.session, { type: 'password_changed', at: this.clock.now(), ip: client.ip, count: revoked });
      return { revoked };
    });
  }

  /** The password entered again on this session: destructive actions are open for RECENT_AUTH_MS. */
  async reauthenticate(auth: AuthContext, password: string, client: ClientInfo): Promise<Reauthenticated> {
    await this.requireAccountPassword(auth, password, client, { key: 'password_wrong' });
    const now = this.clock.now();
    await this.sessions.markReauthenticated(this.store.db, auth.session.id, now);
    return { until: new Date(now + this.config.recentAuthMs).toISOString() };
  }

  /**
   * Checks a password through the throttle; true only when `user` exists and it matches.
   * Entered on a signed-in device (`session`), it counts against that session's ceiling, not
   * the account's, so guesses at sign-in from elsewhere cannot stop the owner signing a thief out.
   */
  private async checkPassword(
    account: string,
    user: { id: string; password_hash: string } | undefined,
    password: string,
    client: ClientInfo,
    session?: { id: string },
    options: { countAsFailure?: boolean } = {},
  ): Promise<boolean> {
    const attempt = await this.throttle.admit(
      account,
      client.ip,
      () => this.sessions.hasSignedInFrom(user?.id, client.ip),
      session ? `sess:${session.id}` : undefined,
    );
    const ok = await withdrawOnError(attempt, () => this.passwords.verify(user?.password_hash, password));
    if (ok && !options.countAsFailure) await attempt.succeeded();
    return ok;
  }

  private async rehash(user: UsersTable, password: string): Promise<void> {
    user.password_hash = await this.passwords.hash(password);
    await this.store.db.updateTable('users').set({ password_hash: user.password_hash }).where('id', '=', user.id).execute();
  }

  /** A signed-in caller's own password, as on password change and re-authentication: 403 when wrong. */
  private async requireAccountPassword(auth: AuthContext, password: string, client: ClientInfo, wrong: ErrorSay): Promise<void> {
    const stored = await this.store.db.selectFrom('users').select(['id', 'password_hash']).where('id', '=', auth.user.id).executeTakeFirst();
    if (!(await this.checkPassword(auth.user.email, stored, password, client, auth.session))) throw new ApiError(403, 'invalid_password', wrong);
  }
}

/** Runs the password work of an admitted attempt; if it never ran (the server was busy), the attempt is given back. */
async function withdrawOnError<T>(attempt: Attempt, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    await attempt.withdrawn();
    throw error;
  }
}

