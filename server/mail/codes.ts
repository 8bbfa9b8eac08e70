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
import type { Db, EmailCodePurpose, EmailCodesTable } from '../storage/schema.js';
import { Store, type UnitOfWork } from '../storage/store.js';
import { MailOutbox } from './outbox.js';
import type { MailData } from './templates.js';

/** Mails of one kind to one address per hour; past it the answer is the same and no mail goes. */
export const MAILS_PER_HOUR = 10;

/** Tries at one step-up code over all the attempts it opens (each attempt has its own five as well). */
const STEP_UP_GUESSES = 50;

/** Keyed by purpose and address, so one mailed code can open several rows (the step-up's attempts). */
const codeHash = (purpose: EmailCodePurpose, email: string, code: string) => createHmac('sha256', `${purpose}|${email}`).update(code).digest('hex');

/** A step-up code mailed this recently serves a new attempt too (no new mail); older, a new code is mailed. */
const STEP_UP_REUSE_MS = 10 * 60_000;

/**
 * The step-up rows whose code was mailed (a few an hour at most: one per ten minutes, or when a code has
 * taken its tries, within the hour's mails) and the ones that have been tried, each with a partial index
 * of its own (migration 0015): under a flood of attempts at one account nearly every row is neither, and
 * each attempt read all of them (docs/performance.md, "Under attack"). A row past the hour's mails is marked
 * mailed but has no code, so the code is part of the condition. Written out, not bound, so that both
 * stores see the index's own condition in the query.
 */
const MAILED_STEP_UP = sql<boolean>`purpose = 'step_up' and code_hash is not null and data like '%"mailed":true%'`;
const TRIED_STEP_UP = sql<boolean>`purpose = 'step_up' and tries > 0`;

/** The code mailed to `email` for a step-up since `since`, the newest first. */
export const mailedStepUp = (db: Db, email: string, since: number) =>
  db.selectFrom('email_codes').select(['code_hash']).where('email', '=', email).where(MAILED_STEP_UP).where('created_at', '>', since).orderBy('created_at', 'desc').limit(1);

/** Tries at one step-up code, over every attempt's row it opens (a row not tried adds nothing). */
export const stepUpTries = (db: Db, email: string, hash: string) =>
  db.selectFrom('email_codes').select(sql<number>`coalesce(sum(tries), 0)`.as('n')).where('email', '=', email).where(TRIED_STEP_UP).where('code_hash', '=', hash);

/**
 * A row that no code opens, only its id: a handle a client answers with (a right password waiting for an
 * authenticator code, a passkey ceremony), with what its answer needs in `data`, counted tries and one use.
 * Its id, made here, is returned.
 */
export async function openHandle(db: Db, handle: { purpose: EmailCodePurpose; email: string; userId: string | null; now: number; ttlMs: number; data: unknown }): Promise<string> {
  const id = randomUUID();
  await db
    .insertInto('email_codes')
    .values({ id, purpose: handle.purpose, email: handle.email, user_id: handle.userId, code_hash: null, tries: 0, created_at: handle.now, expires_at: handle.now + handle.ttlMs, used_at: null, data: JSON.stringify(handle.data) })
    .execute();
  return id;
}

export const wrongCode = () => new ApiError(401, 'invalid_code', { key: 'code_wrong' });
export const codeEnded = () => new ApiError(410, 'code_expired', { key: 'code_ended' });

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
   * (a decoy: no account), or past the address's mails of that kind this hour, a row no code opens, answered
   * the same way, and no mail.
   */
  async issue(
    unit: UnitOfWork,
    request: { purpose: EmailCodePurpose; email: string; userId: string | null; template?: Extract<MailData, { code: string }>['template'] | undefined; data?: unknown },
  ): Promise<IssuedCode> {
    const now = this.clock.now();
    const { codeTtlMs } = this.config.mail;
    const id = randomUUID();
    const expiresAt = now + codeTtlMs;
    const mailed = request.template !== undefined && (await this.mayMail(unit, request.email, request.template));
    const code = mailed ? String(randomInt(0, 1_000_000)).padStart(6, '0') : undefined;
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
      const minutes = Math.round(codeTtlMs / 60_000);
      // The operator's mail links to the code's form, so it carries the code's id (and the address the form shows).
      const data: MailData = request.template === 'operator_reset' ? { template: request.template, code, minutes, id, email: request.email } : { template: request.template, code, minutes };
      await this.outbox.enqueue(unit, request.email, data, request.userId);
    }
    return { id, expiresAt, mailed };
  }

  /**
   * Whether one more mail of `template` may go to `email` this hour (MAILS_PER_HOUR, counted from the outbox:
   * mail sent, not rows asked for). The address is locked to the end of the transaction on PostgreSQL, so a
   * burst of requests at once cannot all see room.
   */
  async mayMail(unit: UnitOfWork, email: string, template: MailData['template']): Promise<boolean> {
    if (this.store.kind === 'postgres') await sql`select pg_advisory_xact_lock(hashtext(${`mail|${email}`}))`.execute(unit.db);
    const row = await unit.db
      .selectFrom('mail_outbox')
      .select(sql<number>`count(*)`.as('n'))
      .where('to_address', '=', email)
      .where('template', '=', template)
      .where('created_at', '>', this.clock.now() - 60 * 60_000)
      .executeTakeFirstOrThrow();
    return Number(row.n) < MAILS_PER_HOUR;
  }

  /**
   * A step-up attempt (docs/api.md, "Rate limits"): a row of its own (its own tries, the attempt's device in
   * `data`) opened by the code mailed for the account in the last ten minutes, or by a new code mailed now.
   * So an attacker's attempts send the owner at most a mail per ten minutes, and never spend the tries of the
   * owner's attempt. All the rows of one code take STEP_UP_GUESSES tries together; past that, the next attempt
   * gets a new code. An address with no account gets rows no code opens, alike.
   */
  async issueStepUp(unit: UnitOfWork, request: { email: string; userId: string | null; data: unknown }): Promise<IssuedCode> {
    const now = this.clock.now();
    // Attempts at once find the one mail the first of them queued.
    if (request.userId !== null) await this.store.lockAccount(unit.db, request.userId);
    const recent = await mailedStepUp(unit.db, request.email, now - STEP_UP_REUSE_MS).executeTakeFirst();
    const reusable = recent?.code_hash && (await this.triesOf(unit.db, request.email, recent.code_hash)) < STEP_UP_GUESSES ? recent.code_hash : undefined;
    if (!reusable || request.userId === null) {
      return this.issue(unit, { purpose: 'step_up', email: request.email, userId: request.userId, ...(request.userId ? { template: 'step_up_code' as const } : {}), data: { ...(request.data as object), mailed: request.userId !== null } });
    }
    const id = randomUUID();
    const expiresAt = now + this.config.mail.codeTtlMs;
    await unit.db
      .insertInto('email_codes')
      .values({ id, purpose: 'step_up', email: request.email, user_id: request.userId, code_hash: reusable, tries: 0, created_at: now, expires_at: expiresAt, used_at: null, data: JSON.stringify({ ...(request.data as object), mailed: false }) })
      .execute();
    return { id, expiresAt, mailed: false };
  }

  /** Tries at one step-up code, over every attempt's row it opens. */
  private async triesOf(db: Db, email: string, hash: string): Promise<number> {
    return Number((await stepUpTries(db, email, hash).executeTakeFirstOrThrow()).n);
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
    // A step-up's code opens many rows: their tries together are bounded too.
    if (purpose === 'step_up' && counted.code_hash !== null && (await this.triesOf(this.store.db, counted.email, counted.code_hash)) > STEP_UP_GUESSES) throw codeEnded();
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
