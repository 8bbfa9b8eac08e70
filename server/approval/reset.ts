// What a password reset does once everything it needs has come back (the mailed code; with sign-in
// approval on, a device's approval or a recovery code too): one place, used by the reset's route and by a
// reset request's approval or recovery code. docs/architecture.md, "Mail".
import { Inject, Injectable } from '@nestjs/common';
import type { DeviceInfo } from '../../shared/api.js';
import { type Clock } from '../common/clock.js';
import { CLOCK } from '../common/di-tokens.js';
import type { ClientInfo } from '../http/request-context.js';
import { EmailCodes } from '../mail/codes.js';
import { SecurityEventsService } from '../sessions/security-events.service.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { SECOND_FACTOR_PURPOSES, type SessionKind, type SessionsTable, type UsersTable } from '../storage/schema.js';
import type { UnitOfWork } from '../storage/store.js';
import { endOpenRequests } from '../sessions/sign-in-requests.js';

@Injectable()
export class PasswordResets {
  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SessionsService) private readonly sessions: SessionsService,
    @Inject(SecurityEventsService) private readonly securityEvents: SecurityEventsService,
    @Inject(EmailCodes) private readonly codes: EmailCodes,
  ) {}

  /**
   * In the caller's transaction, which holds the account's lock: the new password, the address confirmed
   * (the code proved the mailbox), open sign-in requests and reset codes ended, `device` signed in and
   * every other session signed out, each told "password reset by email". A security event (mailed).
   */
  async apply(
    unit: UnitOfWork,
    user: UsersTable,
    passwordHash: string,
    device: DeviceInfo,
    client: ClientInfo,
    kind: SessionKind,
  ): Promise<{ token: string; session: SessionsTable; user: UsersTable }> {
    const now = this.clock.now();
    const verifiedAt = user.email_verified_at ?? now;
    await unit.db.updateTable('users').set({ password_hash: passwordHash, email_verified_at: verifiedAt }).where('id', '=', user.id).execute();
    const updated = { ...user, password_hash: passwordHash, email_verified_at: verifiedAt };
    await endOpenRequests(unit, user.id, now);
    await this.codes.endOpen(unit, user.id, ['reset']);
    // Sign-ins waiting for an authenticator code after the old password end, and the day's tries with them.
    await unit.db.deleteFrom('email_codes').where('user_id', '=', user.id).where('purpose', 'in', SECOND_FACTOR_PURPOSES).execute();
    const { token, session } = await this.sessions.create(unit, updated, device, client, kind, { method: 'password_reset' });
    const revoked = await this.sessions.endOtherSessions(unit, { user: updated, session }, 'password_reset');
    await this.securityEvents.recordBy(unit.db, session, { type: 'password_reset', at: now, ip: client.ip, count: revoked });
    return { token, session, user: updated };
  }
}
