// Six-digit codes mailed to prove an address (sign-up, password reset, confirming an address). Only an
// HMAC of each is stored; a try is counted and committed before the code is compared, so however many
// tries arrive at once, no more than `codeTries` are ever compared; a right code works once.
// docs/api.md, "Codes by mail".
import { createHmac, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { ApiError } from '../common/api-error.js';
import { type Clock } from '../common/clock.js';
import { CLOCK, CONFIG } from '../common/di-tokens.js';
import type { ServerConfig } from '../config/config.js';
import type { EmailCodePurpose, EmailCodesTable } from '../storage/schema.js';
import { Store, type UnitOfWork } from '../storage/store.js';
import { MailOutbox } from './outbox.js';
import type { MailData } from './templates.js';

/** Codes mailed to one address for one purpose per hour; past it the answer is the same and no mail goes. */
export const CODES_PER_HOUR = 5;

/** Keyed by purpose and address, so one mailed code can open several rows (the step-up's attempts). */
const codeHash = (purpose: EmailCodePurpose, email: string, code: string) => createHmac('sha256', `${purpose}|${email}`).update(code).digest('hex');

/** A step-up code mailed this recently serves a new attempt too (no new mail); older, a new code is mailed. */
const STEP_UP_REUSE_MS = 10 * 60_000;

export const wrongCode = () => new ApiError(401, 'invalid_code', 'That code is not right. Check the mail and type it again.');
export const codeEnded = () => new ApiError(410, 'code_expired', 'That code has expired, was used, or was tried too many times. Ask for a new one.');

export interface IssuedCode {
  id: string;
  expiresAt: number;
  /** Within the address's hourly allowance: a mail may go (a code's has been queued). */
  mailed: boolean;
}

@Injectable()
export class EmailCodes {
  constructor(
    @Inject(Store) private readonly store: Store,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: ServerConfig,
    @Inject(MailOutbox) private readonly outbox: MailOutbox,
  ) {}

  /**
   * A code for `purpose` at `email`, mailed as `template` in the caller's transaction. Without a template
   * (a decoy: no account, or the address has had its codes this hour), a row no code opens, answered the
   * same way, and no mail.
   */
  async issue(
    unit: UnitOfWork,
    request: { purpose: EmailCodePurpose; email: string; userId: string | null; template?: Extract<MailData, { code: string }>['template'] | undefined; data?: unknown },
  ): Promise<IssuedCode> {
    const now = this.clock.now();
    const { codeTtlMs } = this.config.mail;
    const id = randomUUID();
    const expiresAt = now + codeTtlMs;
    const mailed = (await this.recentCount(unit, request.purpose, request.email, now)) < CODES_PER_HOUR;
    const code = mailed && request.template !== undefined ? String(randomInt(0, 1_000_000)).padStart(6, '0') : undefined;
    await unit.db
      .insertInto('email_codes')
      .values({
        id,
        purpose: request.purpose,
        email: request.email,
        user_id: request.userId,
        code_hash: code === undefined ? null : codeHash(request.purpose, request.email, code),
        tries: 0,
        created_at: now,
        expires_at: expiresAt,
        used_at: null,
        data: request.data === undefined ? null : JSON.stringify(request.data),
      })
      .execute();
    if (code !== undefined && request.template) {
      await this.outbox.enqueue(unit, request.email, { template: request.template, code, minutes: Math.round(codeTtlMs / 60_000) }, request.userId);
    }
    return { id, expiresAt, mailed };
  }

  /**
   * A step-up attempt (docs/api.md, "Rate limits"): a row of its own (its own tries, the attempt's device in
   * `data`) opened by the code mailed for the account in the last ten minutes, or by a new code mailed now.
   * So an attacker's attempts never send the owner more than a mail per ten minutes, and never spend the
   * tries of the owner's attempt. An address with no account gets rows no code opens, alike.
   */
  async issueStepUp(unit: UnitOfWork, request: { email: string; userId: string | null; data: unknown }): Promise<IssuedCode> {
    const now = this.clock.now();
    // Attempts at once find the one mail the first of them queued.
    if (request.userId !== null) await this.store.lockAccount(unit.db, request.userId);
    const recent = await unit.db
      .selectFrom('email_codes')
      .select(['code_hash'])
      .where('email', '=', request.email)
      .where('purpose', '=', 'step_up')
      .where('created_at', '>', now - STEP_UP_REUSE_MS)
      .where('data', 'like', '%"mailed":true%')
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!recent || request.userId === null) {
      return this.issue(unit, { purpose: 'step_up', email: request.email, userId: request.userId, ...(request.userId ? { template: 'step_up_code' as const } : {}), data: { ...(request.data as object), mailed: request.userId !== null } });
    }
    const id = randomUUID();
    const expiresAt = now + this.config.mail.codeTtlMs;
    await unit.db
      .insertInto('email_codes')
      .values({ id, purpose: 'step_up', email: request.email, user_id: request.userId, code_hash: recent.code_hash, tries: 0, created_at: now, expires_at: expiresAt, used_at: null, data: JSON.stringify({ ...(request.data as object), mailed: false }) })
      .execute();
    return { id, expiresAt, mailed: false };
  }

  /** Rows made for this address and purpose in the last hour, decoys included. */
  private async recentCount(unit: UnitOfWork, purpose: EmailCodePurpose, email: string, now: number): Promise<number> {
    const row = await unit.db
      .selectFrom('email_codes')
      .select(sql<number>`count(*)`.as('n'))
      .where('email', '=', email)
      .where('purpose', '=', purpose)
      .where('created_at', '>', now - 60 * 60_000)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * Checks `code` against the row `id` made for `purpose`, the try committed first (outside any transaction:
   * no caller may hold one, or SQLite's one connection would wait for itself). Throws `invalid_code` (401)
   * for a wrong code, `code_expired` (410) for one that has ended. A right code is spent with `use`.
   */
  async check(id: string, code: string, purpose: EmailCodePurpose): Promise<EmailCodesTable> {
    const now = this.clock.now();
    const counted = await this.store.lightly((trx) =>
      trx
        .updateTable('email_codes')
        .set({ tries: sql<number>`tries + 1` })
        .where('id', '=', id)
        .where('purpose', '=', purpose)
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .where('tries', '<', this.config.mail.codeTries)
        .returningAll()
        .executeTakeFirst(),
    );
    if (!counted) throw codeEnded();
    const right = counted.code_hash !== null && timingSafeEqual(Buffer.from(counted.code_hash, 'hex'), Buffer.from(codeHash(purpose, counted.email, code), 'hex'));
    if (!right) throw counted.tries >= this.config.mail.codeTries ? codeEnded() : wrongCode();
    return counted;
  }

  /** Spends a checked code in the caller's transaction: of two uses at once, one wins and the other is told it was used. */
  async use(unit: UnitOfWork, id: string): Promise<void> {
    const { numUpdatedRows } = await unit.db.updateTable('email_codes').set({ used_at: this.clock.now(), data: null }).where('id', '=', id).where('used_at', 'is', null).executeTakeFirst();
    if (numUpdatedRows === 0n) throw codeEnded();
  }

  /** The id of the account's newest open code for `purpose`, if any. */
  async openCode(userId: string, purpose: EmailCodePurpose): Promise<string | undefined> {
    const row = await this.store.db
      .selectFrom('email_codes')
      .select('id')
      .where('user_id', '=', userId)
      .where('purpose', '=', purpose)
      .where('used_at', 'is', null)
      .where('expires_at', '>', this.clock.now())
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row?.id;
  }

  /** Ends every open code of the account for `purposes` (a password changed voids its reset codes). */
  async endOpen(unit: UnitOfWork, userId: string, purposes: EmailCodePurpose[]): Promise<void> {
    await unit.db.updateTable('email_codes').set({ used_at: this.clock.now(), data: null }).where('user_id', '=', userId).where('purpose', 'in', purposes).where('used_at', 'is', null).execute();
  }

  /** Drops rows that ended before `before` (the maintenance job). */
  async purge(before: number): Promise<void> {
    await this.store.db.deleteFrom('email_codes').where('expires_at', '<', before).execute();
  }
}
