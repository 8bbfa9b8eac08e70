import { Inject, Injectable } from '@nestjs/common';
import type { AuthResult, LoginBody, RegisterBody } from '../../shared/api.js';
import { type ChangePasswordBody as ChangePasswordSchema } from '../../shared/api.js';
import type { z } from 'zod';
import { ApiError } from '../common/api-error.js';
import { type Clock } from '../common/clock.js';
import { CLOCK, CONFIG } from '../common/di-tokens.js';
import type { AuthContext, ClientInfo, UserIdentity } from '../common/request-context.js';
import type { ServerConfig } from '../config/config.js';
import type { UsersTable } from '../storage/schema.js';
import { Store } from '../storage/store.js';
import { SecurityEventsService } from '../sessions/security-events.service.js';
import { SessionsService, toSessionView } from '../sessions/sessions.service.js';
import { newId } from '../sessions/tokens.js';
import { PasswordHasher } from './passwords.js';
import { FailedSignInLimiter } from './rate-limiter.js';

const toUserView = (user: UserIdentity) => ({ id: user.id, email: user.email, createdAt: new Date(user.created_at).toISOString() });

const isUniqueViolation = (error: unknown) =>
  error instanceof Error && (/UNIQUE constraint failed/.test(error.message) || (error as { code?: string }).code === '23505');

@Injectable()
export class AuthService {
  private readonly passwords: PasswordHasher;
  private readonly limiter: FailedSignInLimiter;

  constructor(
    @Inject(Store) private readonly store: Store,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) config: ServerConfig,
    @Inject(SessionsService) private readonly sessions: SessionsService,
    @Inject(SecurityEventsService) private readonly securityEvents: SecurityEventsService,
  ) {
    this.passwords = new PasswordHasher(config.passwords);
    this.limiter = new FailedSignInLimiter(config.rateLimit, clock);
  }

  async register(body: RegisterBody, client: ClientInfo): Promise<AuthResult> {
    const passwordHash = await this.passwords.hash(body.password);
    const now = this.clock.now();
    const user: UsersTable = { id: newId(), email: body.email, password_hash: passwordHash, created_at: now };
    try {
      return await this.store.transaction(async (unit) => {
        const existing = await unit.db.selectFrom('users').select('id').where('email', '=', body.email).executeTakeFirst();
        if (existing) throw emailTaken();
        await unit.db.insertInto('users').values(user).execute();
        const { token, session } = await this.sessions.create(unit, user, body.device, client);
        const actor = { userId: user.id, at: now, deviceName: session.device_name, platform: session.platform, ip: client.ip };
        await this.securityEvents.record(unit.db, { ...actor, type: 'account_created' });
        await this.securityEvents.record(unit.db, { ...actor, type: 'signed_in' });
        return { token, user: toUserView(user), session: toSessionView(session, session.id) };
      });
    } catch (error) {
      throw isUniqueViolation(error) ? emailTaken() : error;
    }
  }

  async login(body: LoginBody, client: ClientInfo): Promise<AuthResult> {
    const wait = this.limiter.retryAfterSeconds(body.email, client.ip);
    if (wait > 0) throw rateLimited(wait);
    const user = await this.store.db.selectFrom('users').selectAll().where('email', '=', body.email).executeTakeFirst();
    const ok = await this.passwords.verify(user?.password_hash, body.password);
    if (!ok || !user) {
      this.limiter.recordFailure(body.email, client.ip);
      throw new ApiError(401, 'invalid_credentials', 'The email or password is not right.');
    }
    this.limiter.recordSuccess(body.email);
    if (this.passwords.needsRehash(user.password_hash)) {
      user.password_hash = await this.passwords.hash(body.password);
      await this.store.db.updateTable('users').set({ password_hash: user.password_hash }).where('id', '=', user.id).execute();
    }
    return this.store.transaction(async (unit) => {
      const { token, session } = await this.sessions.create(unit, user, body.device, client);
      await this.securityEvents.record(unit.db, {
        userId: user.id,
        type: 'signed_in',
        at: session.created_at,
        deviceName: session.device_name,
        platform: session.platform,
        ip: client.ip,
      });
      return { token, user: toUserView(user), session: toSessionView(session, session.id) };
    });
  }

  currentSession(auth: AuthContext) {
    return { user: toUserView(auth.user), session: toSessionView(auth.session, auth.session.id) };
  }

  /** Changes the password; by default every other session is signed out. */
  async changePassword(auth: AuthContext, body: z.output<typeof ChangePasswordSchema>, client: ClientInfo): Promise<{ revoked: number }> {
    const wait = this.limiter.retryAfterSeconds(auth.user.email, client.ip);
    if (wait > 0) throw rateLimited(wait);
    const stored = await this.store.db.selectFrom('users').select('password_hash').where('id', '=', auth.user.id).executeTakeFirst();
    if (!(await this.passwords.verify(stored?.password_hash, body.currentPassword))) {
      this.limiter.recordFailure(auth.user.email, client.ip);
      throw new ApiError(403, 'invalid_password', 'The current password is not right.');
    }
    const passwordHash = await this.passwords.hash(body.newPassword);
    return this.store.transaction(async (unit) => {
      await unit.db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', auth.user.id).execute();
      const revoked = body.signOutOtherSessions ? await this.sessions.revokeOthers(unit, auth, 'password_changed') : 0;
      await this.securityEvents.record(unit.db, {
        userId: auth.user.id,
        type: 'password_changed',
        at: this.clock.now(),
        deviceName: auth.session.device_name,
        platform: auth.session.platform,
        ip: client.ip,
        count: revoked,
      });
      return { revoked };
    });
  }
}

const emailTaken = () => new ApiError(409, 'email_taken', 'An account with that email already exists. Sign in instead.');

const rateLimited = (seconds: number) =>
  new ApiError(
    429,
    'rate_limited',
    `Too many failed sign-in attempts. Try again in ${seconds} second${seconds === 1 ? '' : 's'}.`,
    { retryAfterSeconds: seconds },
    { 'Retry-After': String(seconds) },
  );
