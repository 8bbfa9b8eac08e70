import { Inject, Injectable } from '@nestjs/common';
import type {
  ApprovalChanged,
  AuthResult,
  CurrentSession,
  LoginBody,
  PendingSignIn,
  Reauthenticated,
  RecoveredSignIn,
  RecoveryCodes,
  RegisterBody,
  SetApprovalBody,
  SignInRequestState,
} from '../../shared/api.js';
import { endOpenRequests, lockAccount } from '../approval/requests.js';
import { SignInApproval } from '../approval/sign-in-approval.js';
import { type ChangePasswordBody as ChangePasswordSchema } from '../../shared/api.js';
import type { z } from 'zod';
import { ApiError } from '../common/api-error.js';
import { type Clock } from '../common/clock.js';
import { CLOCK, CONFIG } from '../common/di-tokens.js';
import type { AuthContext, ClientInfo, UserIdentity } from '../common/request-context.js';
import type { ServerConfig } from '../config/config.js';
import type { SessionKind, UsersTable } from '../storage/schema.js';
import { Metrics } from '../metrics/metrics.js';
import { Store } from '../storage/store.js';
import { SecurityEventsService } from '../sessions/security-events.service.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { newId } from '../sessions/tokens.js';
import { PasswordHasher } from './passwords.js';
import { SignInThrottle, type Attempt } from './sign-in-throttle.js';

const toUserView = (user: UserIdentity) => ({ id: user.id, email: user.email, createdAt: new Date(user.created_at).toISOString() });

const isUniqueViolation = (error: unknown) =>
  error instanceof Error && (/UNIQUE constraint failed/.test(error.message) || (error as { code?: string }).code === '23505');

@Injectable()
export class AuthService {
  /** Serialized answers of `currentSessionJson`, dropped with their cache entry. */
  private readonly sessionBodies = new WeakMap<AuthContext, { body: string; until: number }>();

  constructor(
    @Inject(Store) private readonly store: Store,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: ServerConfig,
    @Inject(SessionsService) private readonly sessions: SessionsService,
    @Inject(SecurityEventsService) private readonly securityEvents: SecurityEventsService,
    @Inject(PasswordHasher) private readonly passwords: PasswordHasher,
    @Inject(SignInThrottle) private readonly throttle: SignInThrottle,
    @Inject(SignInApproval) private readonly approval: SignInApproval,
    @Inject(Metrics) private readonly metrics: Metrics,
  ) {}

  async register(body: RegisterBody, client: ClientInfo): Promise<AuthResult> {
    if (this.config.registration === 'closed') {
      throw new ApiError(403, 'registration_closed', 'This server does not take new accounts. Ask its operator to create one for you.');
    }
    const attempt = await this.throttle.admitRegistration(client.ip);
    const passwordHash = await withdrawOnError(attempt, () => this.passwords.hash(body.password));
    const now = this.clock.now();
    const user: UsersTable = { id: newId(), email: body.email, password_hash: passwordHash, created_at: now, approval_required: 0 };
    try {
      const result = await this.store.transaction(async (unit) => {
        const existing = await unit.db.selectFrom('users').select('id').where('email', '=', body.email).executeTakeFirst();
        if (existing) throw emailTaken();
        await unit.db.insertInto('users').values(user).execute();
        const { token, session } = await this.sessions.create(unit, user, body.device, client);
        await this.securityEvents.recordBy(unit.db, session, { type: 'account_created', at: now, ip: client.ip });
        await this.securityEvents.recordBy(unit.db, session, { type: 'signed_in', at: now, ip: client.ip });
        return { token, user: toUserView(user), session: this.sessions.view(session, session.id, now) };
      });
      // An email that is taken keeps its attempt counted: probing for accounts costs what guessing passwords does.
      await attempt.succeeded();
      return result;
    } catch (error) {
      throw isUniqueViolation(error) ? emailTaken() : error;
    }
  }

  /**
   * Signs a device in; for an account with sign-in approval on, a request another device must answer
   * instead, whether or not the password was right (docs/architecture.md, "Sign-in approval").
   */
  async login(body: LoginBody, client: ClientInfo, kind: SessionKind = 'app'): Promise<AuthResult | PendingSignIn> {
    try {
      const result = await this.signIn(body, client, kind);
      // A request for approval is counted alike, right password or not: the metrics tell no more than the answer.
      this.metrics.signIns.inc({ outcome: 'pending' in result ? 'approval_pending' : 'signed_in' });
      return result;
    } catch (error) {
      this.metrics.signIns.inc({ outcome: error instanceof ApiError && error.code === 'invalid_credentials' ? 'invalid_credentials' : 'refused' });
      throw error;
    }
  }

  private async signIn(body: LoginBody, client: ClientInfo, kind: SessionKind): Promise<AuthResult | PendingSignIn> {
    const user = await this.store.db.selectFrom('users').selectAll().where('email', '=', body.email).executeTakeFirst();
    if (user?.approval_required === 1) {
      await this.approval.admit(user.id, client.ip);
      // The attempt stays counted until a device approves: a right password must not look different.
      // No rehash here either: its extra work would time a right password apart from a wrong one.
      const right = await this.checkPassword(body.email, user, body.password, client, undefined, { countAsFailure: true });
      return this.approval.request(user, body.device, client, right, kind);
    }
    const ok = await this.checkPassword(body.email, user, body.password, client);
    if (!ok || !user) throw new ApiError(401, 'invalid_credentials', 'The email or password is not right.');
    if (this.passwords.needsRehash(user.password_hash)) await this.rehash(user, body.password);
    return this.store.transaction(async (unit) => {
      const { token, session } = await this.sessions.create(unit, user, body.device, client, kind);
      await this.securityEvents.recordBy(unit.db, session, { type: 'signed_in', at: session.created_at, ip: client.ip });
      return { token, user: toUserView(user), session: this.sessions.view(session, session.id, session.created_at) };
    });
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
    await this.requireAccountPassword(auth, body.password, client, 'That password is not right.');
    return this.approval.setRequired(auth, body.required, client);
  }

  async regenerateRecoveryCodes(auth: AuthContext, password: string, client: ClientInfo): Promise<RecoveryCodes> {
    await this.requireAccountPassword(auth, password, client, 'That password is not right.');
    return this.approval.regenerate(auth, client);
  }

  currentSession(auth: AuthContext) {
    return { user: toUserView(auth.user), session: this.sessions.view(auth.session, auth.session.id, this.clock.now()) };
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
    if (auth.session.kind === 'browser' || token === undefined) throw new ApiError(409, 'conflict', 'A browser’s session is not rotated.');
    return { token: await this.sessions.rotate(auth, token, claim, client), ...this.currentSession(auth) };
  }

  /** Changes the password; by default every other session is signed out. */
  async changePassword(auth: AuthContext, body: z.output<typeof ChangePasswordSchema>, client: ClientInfo): Promise<{ revoked: number }> {
    await this.requireAccountPassword(auth, body.currentPassword, client, 'The current password is not right.');
    const passwordHash = await this.passwords.hash(body.newPassword);
    return this.store.transaction(async (unit) => {
      await unit.db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', auth.user.id).execute();
      await this.sessions.markReauthenticated(unit.db, auth.session.id, this.clock.now());
      // A sign-in request made with the old password, or approved before, never completes (the lock: one being
      // made or collected now finishes first, or sees the new password).
      await lockAccount(unit, auth.user.id, this.store.kind);
      await endOpenRequests(unit, auth.user.id, this.clock.now());
      const revoked = body.signOutOtherSessions ? await this.sessions.endOtherSessions(unit, auth, 'password_changed') : 0;
      await this.securityEvents.recordBy(unit.db, auth.session, { type: 'password_changed', at: this.clock.now(), ip: client.ip, count: revoked });
      return { revoked };
    });
  }

  /** The password entered again on this session: destructive actions are open for RECENT_AUTH_MS. */
  async reauthenticate(auth: AuthContext, password: string, client: ClientInfo): Promise<Reauthenticated> {
    await this.requireAccountPassword(auth, password, client, 'That password is not right.');
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
  private async requireAccountPassword(auth: AuthContext, password: string, client: ClientInfo, wrong: string): Promise<void> {
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

const emailTaken = () => new ApiError(409, 'email_taken', 'An account with that email already exists. Sign in instead.');
