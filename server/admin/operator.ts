// What the server's operator can do for an account (docs/operations.md, "The operator's tool"): find it, see
// and end its sessions, disable or enable it, mail it a reset code, read its security events, and open or close
// sign-up. Each change is a security event "by the server's operator", and its session events leave with the
// transaction like any other: through NOTIFY to every instance on PostgreSQL, and on SQLite to a running
// server through its operator socket (relay.ts).
import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import type { SecurityEvent, SessionView } from '../../shared/api.js';
import { endOpenRequests } from '../sessions/sign-in-requests.js';
import { type Clock } from '../common/clock.js';
import { CLOCK, CONFIG } from '../common/di-tokens.js';
import { registrationOf, serversRegistrationSetting, setRegistration, type Registration } from '../storage/settings.js';
import type { ServerConfig } from '../config/config.js';
import { EmailCodes } from '../mail/codes.js';
import { Locator } from '../sessions/locations.js';
import { SecurityEventsService, toSecurityEvent } from '../sessions/security-events.service.js';
import { SessionRepository } from '../sessions/session-repository.js';
import { VIEW_COLUMNS } from '../sessions/session-view.js';
import type { UsersTable } from '../storage/schema.js';
import { turnCodesOff } from '../authenticator/codes-off.js';
import { Store, type UnitOfWork } from '../storage/store.js';

/** How the operator appears in an account's recent activity (its own event types say "the server's operator"). */
const OPERATOR = { device_name: 'Server operator', platform: 'other' } as const;

/** What went wrong, as one line for the operator; `exitCode` for scripts (docs/operations.md lists them). */
export class OperatorError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** Exit codes: 0 done, 1 a failure (the database cannot be reached), 2 a usage error, 3 no such account or session, 4 ambiguous. */
export const EXIT = { usage: 2, notFound: 3, ambiguous: 4 } as const;

export interface AccountSummary {
  id: string;
  email: string;
  createdAt: string;
  verified: boolean;
  approval: boolean;
  disabled: boolean;
  sessions: number;
  lastActiveAt: string | null;
}

const MATCHES_SHOWN = 50;
/** The longest address an account can have; a longer search finds nothing. */
const LONGEST_ADDRESS = 254;

/** Text typed by the operator, as a message repeats it: no control character reaches the terminal. */
export const printable = (text: string) => Array.from(text, (c) => (/\p{Cc}/u.test(c) ? '?' : c)).join('');

/** `%` and `_` as themselves in a LIKE pattern (escaped with `\`). */
const likeEscaped = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

@Injectable()
export class Operator {
  constructor(
    @Inject(Store) private readonly store: Store,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: ServerConfig,
    @Inject(SessionRepository) private readonly repo: SessionRepository,
    @Inject(SecurityEventsService) private readonly securityEvents: SecurityEventsService,
    @Inject(Locator) private readonly locator: Locator,
    @Inject(EmailCodes) private readonly codes: EmailCodes,
  ) {}

  /** Accounts whose address contains `part` (case-insensitive), the exact match first; at most 50. */
  async find(part: string): Promise<{ accounts: AccountSummary[]; more: boolean }> {
    const needle = part.trim().toLowerCase();
    if (!needle) throw new OperatorError('give an email address or part of one', EXIT.usage);
    if (needle.length > LONGEST_ADDRESS) throw new OperatorError(`an email address has at most ${LONGEST_ADDRESS} characters`, EXIT.usage);
    const rows = await this.store.db
      .selectFrom('users')
      .selectAll()
      // ESCAPE said outright: SQLite has no escape character otherwise.
      .where(sql<boolean>`email like ${`%${likeEscaped(needle)}%`} escape '\\'`)
      .orderBy('email')
      .limit(MATCHES_SHOWN + 1)
      .execute();
    const found = rows.filter((row) => row.email.includes(needle));
    const sorted = [...found.filter((r) => r.email === needle), ...found.filter((r) => r.email !== needle)];
    const accounts = await Promise.all(sorted.slice(0, MATCHES_SHOWN).map((row) => this.summary(row)));
    return { accounts, more: found.length > MATCHES_SHOWN };
  }

  /** The account with exactly this address; an unknown one says which addresses contain it. */
  async account(email: string): Promise<UsersTable> {
    const address = email.trim().toLowerCase();
    if (!address) throw new OperatorError('give the account’s email address', EXIT.usage);
    if (address.length > LONGEST_ADDRESS) throw new OperatorError(`an email address has at most ${LONGEST_ADDRESS} characters`, EXIT.usage);
    const exact = await this.store.db.selectFrom('users').selectAll().where('email', '=', address).executeTakeFirst();
    if (exact) return exact;
    const { accounts, more } = await this.find(address);
    const shown = printable(address);
    if (accounts.length === 0) throw new OperatorError(`no account has the address ${shown}`, EXIT.notFound);
    const list = accounts.slice(0, 5).map((a) => a.email).join(', ');
    const many = more || accounts.length > 5;
    const which = accounts.length === 1 ? `only ${list} contains it` : `${many ? 'many' : accounts.length} contain it (${list}${many ? ', …' : ''})`;
    throw new OperatorError(`no account has the address ${shown}; ${which}: give the whole address`, EXIT.ambiguous);
  }

  async summary(row: UsersTable): Promise<AccountSummary> {
    const now = this.clock.now();
    const active = await this.repo
      .activeQuery(this.store.db, row.id, now)
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('last_seen_at').as('last')])
      .executeTakeFirstOrThrow();
    const last = active.last === null ? null : Number(active.last);
    return {
      id: row.id,
      email: row.email,
      createdAt: new Date(row.created_at).toISOString(),
      verified: row.email_verified_at !== null,
      approval: row.approval_required === 1,
      disabled: row.disabled_at !== null,
      sessions: Number(active.n),
      lastActiveAt: last === null ? null : new Date(last).toISOString(),
    };
  }

  /** Every active session of the account, as the devices window shows them (the most recently active first). */
  async sessions(email: string): Promise<{ account: AccountSummary; sessions: SessionView[] }> {
    const user = await this.account(email);
    const now = this.clock.now();
    const rows = await this.repo.activeQuery(this.store.db, user.id, now).select(VIEW_COLUMNS).orderBy('last_seen_at', 'desc').orderBy('id').execute();
    return { account: await this.summary(user), sessions: rows.map((row) => this.repo.view(row, undefined, now)) };
  }

  /**
   * Signs out one session of the account (by id) or all of them: each device is told at once, with the
   * reason "signed out by the server's operator". The names of the devices signed out.
   */
  async endSessions(email: string, which: { all: true } | { id: string }): Promise<{ email: string; ended: string[] }> {
    const user = await this.account(email);
    const now = this.clock.now();
    return this.store.transaction(async (unit) => {
      await this.store.lockAccount(unit.db, user.id);
      let query = this.repo.activeQuery(unit.db, user.id, now).select(['id', 'device_name']);
      if ('id' in which) query = query.where('id', '=', which.id);
      const rows = await query.execute();
      if ('id' in which && rows.length === 0) throw new OperatorError(`${user.email} has no active session ${printable(which.id)} (sessions list ${user.email} shows them)`, EXIT.notFound);
      // Signing every device out leaves nothing that could approve a waiting sign-in: none completes after.
      if ('all' in which) await endOpenRequests(unit, user.id, now);
      const ended = await this.repo.markRevoked(unit, user.id, rows.map((r) => r.id), { reason: 'revoked_by_operator' }, now);
      if (ended.length > 0) {
        const names = rows.filter((r) => ended.includes(r.id)).map((r) => r.device_name);
        await this.record(unit, user, 'operator_signed_out', 'id' in which ? { targetDeviceName: names[0] } : { count: ended.length });
        return { email: user.email, ended: names };
      }
      return { email: user.email, ended: [] };
    });
  }

  /**
   * Disabled: every session ends (reason `account_disabled`), waiting sign-ins and reset codes with them, and
   * no sign-in, reset or new session is let in until it is enabled again (`account_disabled`).
   */
  async setDisabled(email: string, disabled: boolean): Promise<{ email: string; changed: boolean; signedOut: number }> {
    const user = await this.account(email);
    const now = this.clock.now();
    return this.store.transaction(async (unit) => {
      await this.store.lockAccount(unit.db, user.id);
      const changed = await unit.db
        .updateTable('users')
        .set({ disabled_at: disabled ? now : null })
        .where('id', '=', user.id)
        .where('disabled_at', disabled ? 'is' : 'is not', null)
        .executeTakeFirst();
      if (changed.numUpdatedRows === 0n) return { email: user.email, changed: false, signedOut: 0 };
      if (!disabled) {
        await this.record(unit, user, 'account_enabled', {});
        return { email: user.email, changed: true, signedOut: 0 };
      }
      await endOpenRequests(unit, user.id, now);
      await this.codes.endOpen(unit, user.id, ['reset', 'verify', 'step_up']);
      const rows = await this.repo.activeQuery(unit.db, user.id, now).select('id').execute();
      const ended = await this.repo.markRevoked(unit, user.id, rows.map((r) => r.id), { reason: 'account_disabled' }, now);
      await this.record(unit, user, 'account_disabled', { count: ended.length });
      return { email: user.email, changed: true, signedOut: ended.length };
    });
  }

  /**
   * The account's authenticator codes off (its owner lost the phone and the recovery codes; docs/operations.md,
   * "A lost phone"): the secret goes, sign-ins waiting for a code end, and the recovery codes go too unless
   * sign-in approval uses them. Every device hears it.
   */
  async turnOffCodes(email: string): Promise<{ email: string; changed: boolean; approval: boolean }> {
    const user = await this.account(email);
    const now = this.clock.now();
    return this.store.transaction(async (unit) => {
      await this.store.lockAccount(unit.db, user.id);
      const { changed, approval } = await turnCodesOff(unit, user.id, this.codes);
      if (!changed) return { email: user.email, changed: false, approval };
      await this.record(unit, user, 'operator_turned_off_codes', {});
      unit.publish({ kind: 'account.changed', userId: user.id, change: { what: 'authenticator_turned_off', sessionId: '', byDeviceName: OPERATOR.device_name, at: now } });
      return { email: user.email, changed: true, approval };
    });
  }

  /** A password reset code mailed to the account's address, as "Forgot password?" sends one. */
  async sendReset(email: string): Promise<{ queued: boolean; to: string }> {
    const user = await this.account(email);
    if (user.disabled_at !== null) throw new OperatorError(`${user.email} is disabled: enable it first (account enable ${user.email})`, 1);
    const issued = await this.store.transaction(async (unit) => {
      const code = await this.codes.issue(unit, { purpose: 'reset', email: user.email, userId: user.id, template: 'operator_reset' });
      if (code.mailed) await this.record(unit, user, 'operator_sent_reset', {});
      return code;
    });
    return { queued: issued.mailed, to: user.email };
  }

  /** The account's security events, newest first, since `since` (at most 1,000). */
  async events(email: string, since: number | undefined): Promise<{ account: AccountSummary; events: SecurityEvent[] }> {
    const user = await this.account(email);
    let query = this.store.db.selectFrom('security_events').selectAll().where('user_id', '=', user.id);
    if (since !== undefined) query = query.where('at', '>=', since);
    const rows = await query.orderBy('id', 'desc').limit(1000).execute();
    return { account: await this.summary(user), events: rows.map((row) => toSecurityEvent(row, this.locator)) };
  }

  /** Sign-up as it stands (and who decided it); with `open`, the operator's choice is saved first. */
  async registration(open?: boolean): Promise<Registration & { saved?: boolean }> {
    if (open !== undefined) await setRegistration(this.store.db, open);
    // As the servers decide it: by their LATCH_REGISTRATION (which they record at start), not this tool's.
    return { ...(await registrationOf(this.store.db, { registration: await serversRegistrationSetting(this.store.db) })), ...(open !== undefined ? { saved: true } : {}) };
  }

  private async record(
    unit: UnitOfWork,
    user: UsersTable,
    type: 'operator_signed_out' | 'account_disabled' | 'account_enabled' | 'operator_sent_reset' | 'operator_turned_off_codes',
    detail: { targetDeviceName?: string | undefined; count?: number }) {
    await this.securityEvents.recordBy(unit.db, { user_id: user.id, ...OPERATOR }, { type, at: this.clock.now(), ip: '', ...detail });
    // Every device of the account hears it (their recent activity and alerts), and every instance drops its
    // cached checks of the account (which carry whether it is disabled).
    unit.publish({ kind: 'sessions.changed', userId: user.id });
  }
}
