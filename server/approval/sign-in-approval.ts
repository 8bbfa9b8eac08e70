// Sign-in approval: with the account's setting on, a right password does not sign a new device in by
// itself. It makes a pending request that one of the account's signed-in devices answers by picking the
// number the new device shows; the new device waits for the answer on a channel bound to a secret only
// it holds, or uses a one-time recovery code instead. See docs/architecture.md, "Sign-in approval".
// Here: the requests and their answers. The setting and the recovery codes are approval-settings.ts; the
// long polls, waits.ts.
import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type {
  AnswerBody,
  AnswerResult,
  DeviceInfo,
  PendingSignIn,
  RecoveredSignIn,
  SignInOutcome,
  SignInRequestState,
  SignInRequestView,
} from '../../shared/api.js';
import { platformOf } from '../../shared/api.js';
import { PasswordHasher } from '../passwords/passwords.js';
import { ApiError, sayIfFits, secondsUntil, tryAgainIn } from '../common/api-error.js';
import { StepUpRequired } from '../common/step-up.js';
import { type Clock } from '../common/clock.js';
import { CLOCK, CONFIG } from '../common/di-tokens.js';
import { addressKey } from '../http/http-edge.js';
import type { AuthContext, ClientInfo } from '../http/request-context.js';
import type { ApprovalPolicy, ServerConfig } from '../config/config.js';
import { Locator } from '../sessions/locations.js';
import { SecurityEventsService } from '../sessions/security-events.service.js';
import { SessionRepository } from '../sessions/session-repository.js';
import { deviceColumns, deviceFacts, userView } from '../sessions/session-view.js';
import { SessionsService, type SignedInHow } from '../sessions/sessions.service.js';
import { hashToken, newSessionId } from '../sessions/tokens.js';
import { sql, type ExpressionBuilder } from 'kysely';
import type { Database, Db, SessionKind, SessionsTable, SignInRequestsTable, UsersTable } from '../storage/schema.js';
import { Store, type UnitOfWork } from '../storage/store.js';
import { settingMadeOnce } from '../storage/settings.js';
import { ApprovalSettings } from './approval-settings.js';
import { PasswordResets } from './reset.js';
import { ApprovalWaits } from './waits.js';

/** Requests are kept this long: well past the 15-minute window their denials count in. */
const REQUEST_RETENTION_MS = 24 * 60 * 60_000;

/** An approval must be collected by the new device within this long (its wait hears of it at once). */
const COLLECT_WITHIN_MS = 30_000;

/**
 * The share of addresses with no account that are answered as an account with approval on, once any account has
 * it on (before, no account answers 202, and neither may an unknown address). Fixed: a share that followed the
 * accounts (which anyone who can sign up moves) would move addresses across the line, and an address whose
 * answer changed would be one with no account (docs/api.md, "Codes by mail").
 */
const UNKNOWN_AS_APPROVAL = 0.25;

/** Who a request with no account is published to: nobody (no socket is of this user; the wake-ups still go). */
const NO_ACCOUNT = '';

/** Whose requests are counted: an account's, or (for a decoy with no account) an address's. */
type Owner = { userId: string } | { email: string };

const ownedBy = (owner: Owner) => (eb: ExpressionBuilder<Database, 'sign_in_requests'>) =>
  'userId' in owner ? eb('user_id', '=', owner.userId) : eb.and([eb('user_id', 'is', null), eb('email', '=', owner.email)]);

/** The number to pick and two others, all different, in random order. */
function numbers(): { number: number; choices: number[] } {
  const number = randomInt(10, 100);
  return { number, choices: choicesWith(number) };
}

/** How often the new device may ask its devices again. */
const RESEND_EVERY_MS = 15_000;

/** Three choices, `number` among them at a random place, the other two drawn at random (anew, after a wrong pick). */
function choicesWith(number: number): number[] {
  const picked = new Set<number>([number]);
  while (picked.size < 3) picked.add(randomInt(10, 100));
  const others = [...picked].slice(1);
  const at = randomInt(0, 3);
  return [...others.slice(0, at), number, ...others.slice(at)];
}

const sameSecret = (row: SignInRequestsTable, secret: string): boolean =>
  timingSafeEqual(Buffer.from(row.secret_hash, 'hex'), Buffer.from(hashToken(secret), 'hex'));

const notFound = () => new ApiError(404, 'not_found', { key: 'no_such_request' });
const ended = () => new ApiError(409, 'conflict', { key: 'request_ended_sign_in_again' });
const paused = (ms: number) => {
  const seconds = Math.ceil(ms / 1000);
  return tryAgainIn(seconds, { key: 'sign_ins_paused', seconds }, 'sign_in_paused');
};
const wrongCode = () => new ApiError(401, 'invalid_recovery_code', { key: 'recovery_code_wrong' });

@Injectable()
export class SignInApproval implements OnApplicationBootstrap {
  /** The key that places each address with no account (read once, at start). */
  private decoyKey: Promise<Buffer> | undefined;

  constructor(
    @Inject(Store) private readonly store: Store,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: ServerConfig,
    @Inject(SessionsService) private readonly sessions: SessionsService,
    @Inject(SessionRepository) private readonly repo: SessionRepository,
    @Inject(PasswordHasher) private readonly passwords: PasswordHasher,
    @Inject(SecurityEventsService) private readonly securityEvents: SecurityEventsService,
    @Inject(Locator) private readonly locator: Locator,
    @Inject(PasswordResets) private readonly resets: PasswordResets,
    @Inject(ApprovalSettings) private readonly settings: ApprovalSettings,
    @Inject(ApprovalWaits) private readonly waits: ApprovalWaits,
  ) {}


  /** The key is read at start: the first sign-in to an unknown address must not be the one that waits for it. */
  async onApplicationBootstrap(): Promise<void> {
    await this.keyForDecoys();
  }

  /** Long polls held open on this instance now. */
  get heldWaits(): number {
    return this.waits.held;
  }

  private get policy(): ApprovalPolicy {
    return this.config.approval;
  }

  // ---- the new device ----

  /**
   * Before the password is checked (so the answer says nothing about it): 429 while new sign-ins to
   * the account are paused after denials, or while as many requests as allowed are waiting.
   */
  async admit(userId: string, ip: string): Promise<void> {
    const now = this.clock.now();
    const pausedFor = await this.pausedFor(this.store.db, userId, now);
    if (pausedFor > 0) throw paused(pausedFor);
    await this.checkRoom(this.store.db, { userId }, ip, now, () => this.sessions.hasSignedInFrom(userId, ip));
  }

  /**
   * Whether a sign-in to `email`, which has no account, is answered as one to an account with approval on
   * (a decoy request) rather than as a wrong password: a fixed share of such addresses, each placed once by a
   * key kept in the database, so asking again gets the same answer on every instance. A 202 or a 401 is what
   * some account says too (docs/api.md, "Codes by mail").
   */
  async answersAsApproval(email: string): Promise<boolean> {
    if (!this.settings.anyOn) return false;
    const place = createHmac('sha256', await this.keyForDecoys()).update(email).digest().readUInt32BE(0) / 2 ** 32;
    return place < UNKNOWN_AS_APPROVAL;
  }

  /** `admit` for an address with no account: its requests are counted as an account's are. */
  async admitWithoutAccount(email: string, ip: string): Promise<void> {
    await this.checkRoom(this.store.db, { email }, ip, this.clock.now(), async () => false);
  }

  /** A decoy request for an address with no account: waited on, cancelled and tried with codes like any. */
  async requestWithoutAccount(email: string, device: DeviceInfo, client: ClientInfo, kind: SessionKind = 'app'): Promise<PendingSignIn> {
    const { row, secret } = this.newRow({ userId: null, email }, device, client, kind, { decoy: true });
    await this.store.transaction(async (unit) => {
      if (this.store.kind === 'postgres') await sql`select pg_advisory_xact_lock(hashtext(${`signin|${email}`}))`.execute(unit.db);
      await this.checkRoom(unit.db, { email }, client.ip, row.created_at, async () => false);
      await unit.db.insertInto('sign_in_requests').values(row).execute();
      // Published as a real request is (a NOTIFY on PostgreSQL), to nobody: it costs what one does.
      unit.publish({ kind: 'signin.requested', userId: NO_ACCOUNT, request: this.view(row), shown: false });
    });
    return this.pendingOf(row, secret);
  }

  /**
   * A password reset on an account with approval on, in the caller's transaction (which spent the mailed
   * code and holds the account's lock): a request the account's devices answer like a sign-in's, or a
   * recovery code completes. Its approval resets the password (`PasswordResets.apply`).
   */
  async requestReset(unit: UnitOfWork, user: UsersTable, passwordHash: string, device: DeviceInfo, client: ClientInfo, kind: SessionKind): Promise<PendingSignIn> {
    const now = this.clock.now();
    // As a sign-in: not while new sign-ins are paused after denials; from an address with no room, the mailed
    // code already proved the mailbox (as a step-up does), so the room is not asked.
    const pausedFor = await this.pausedFor(unit.db, user.id, now);
    if (pausedFor > 0) throw paused(pausedFor);
    // One reset waits at a time: a newer one ends the older (each costs a mailed code, so the devices are asked a few times an hour at most).
    const older = await unit.db
      .updateTable('sign_in_requests')
      .set({ state: 'cancelled', decided_at: now })
      .where('user_id', '=', user.id)
      .where('reset_password_hash', 'is not', null)
      .where('state', 'in', ['pending', 'approved'])
      .returning('id')
      .execute();
    for (const { id } of older) unit.publish({ kind: 'signin.resolved', userId: user.id, id, outcome: 'cancelled', shown: true });
    const { row, secret } = this.newRow({ userId: user.id, email: null }, device, client, kind, { decoy: false, resetPasswordHash: passwordHash });
    await unit.db.insertInto('sign_in_requests').values(row).execute();
    unit.publish({ kind: 'signin.requested', userId: user.id, request: this.view(row), shown: true });
    return this.pendingOf(row, secret);
  }

  /**
   * A request for `user`. With a wrong password (`passwordRight` false) it is a decoy: answered the same,
   * shown to no device, never approved, so only the account's devices learn whether the password was right.
   */
  async request(
    user: UsersTable,
    device: DeviceInfo,
    client: ClientInfo,
    passwordRight: boolean,
    kind: SessionKind = 'app',
    options: { steppedUp?: boolean } = {},
  ): Promise<PendingSignIn> {
    const known = await this.sessions.hasSignedInFrom(user.id, client.ip);
    const { row, secret } = this.newRow({ userId: user.id, email: null }, device, client, kind, { decoy: !passwordRight });
    await this.store.transaction(async (unit) => {
      // Checked again where it counts, one request of the account at a time: concurrent ones cannot all
      // slip under the limit.
      await this.store.lockAccount(unit.db, user.id);
      // After a step-up (a mailed code came back) the room is not asked again: the owner is the one asking.
      if (!options.steppedUp) await this.checkRoom(unit.db, { userId: user.id }, client.ip, row.created_at, async () => known);
      // The password was checked against the account as it was read before; changed since, a right old
      // password makes only a decoy.
      const { password_hash: current } = await unit.db.selectFrom('users').select('password_hash').where('id', '=', user.id).executeTakeFirstOrThrow();
      if (current !== user.password_hash) row.decoy = 1;
      await unit.db.insertInto('sign_in_requests').values(row).execute();
      // Published either way (a decoy reaches no device), so a right password costs no more than a wrong one.
      unit.publish({ kind: 'signin.requested', userId: user.id, request: this.view(row), shown: row.decoy === 0 });
    });
    return this.pendingOf(row, secret);
  }

  private newRow(
    owner: { userId: string | null; email: string | null },
    device: DeviceInfo,
    client: ClientInfo,
    kind: SessionKind,
    options: { decoy: boolean; resetPasswordHash?: string },
  ): { row: SignInRequestsTable; secret: string } {
    const now = this.clock.now();
    const secret = randomBytes(32).toString('base64url');
    const { number, choices } = numbers();
    const row: SignInRequestsTable = {
      id: newSessionId(),
      user_id: owner.userId,
      email: owner.email,
      secret_hash: hashToken(secret),
      number,
      choices: JSON.stringify(choices),
      decoy: options.decoy ? 1 : 0,
      ...deviceColumns(device, client),
      address_key: addressKey(client.ip),
      created_at: now,
      expires_at: now + this.policy.requestTtlMs,
      state: 'pending',
      decided_at: null,
      decided_by_name: null,
      decided_by: null,
      code_attempts: 0,
      wrong_pick_by: null,
      wrong_pick_at: null,
      resent_at: null,
      kind,
      reset_password_hash: options.resetPasswordHash ?? null,
    };
    return { row, secret };
  }

  private pendingOf(row: SignInRequestsTable, secret: string): PendingSignIn {
    return { pending: { id: row.id, secret, number: row.number, expiresAt: new Date(row.expires_at).toISOString() } };
  }

  /**
   * The new device's long poll: the request's state now if it has one to tell, else once it changes or
   * `waitMs` passes. An approved request is collected here: its session is made and handed over once.
   * `collected` says so (the caller forgives the sign-in's throttle count: the password was right).
   * It says nothing of the account's devices (whether any is online): a request made with a wrong password
   * is answered alike, so whatever it told would be told to anyone who knows the email.
   */
  async wait(
    id: string,
    secret: string,
    closed?: AbortSignal,
    kind: SessionKind = 'app',
  ): Promise<{ state: SignInRequestState; collected?: { email: string; ip: string } }> {
    const deadline = this.clock.now() + this.policy.waitMs;
    let slip: string | null | undefined;
    for (;;) {
      const row = await this.find(id, secret, kind);
      const now = this.clock.now();
      // Its client went away: nothing is collected for an answer nobody will read.
      if (closed?.aborted) return { state: { state: 'expired' } };
      const outcome = await this.stateOf(row, now);
      // A wrong pick forgiven while it waited is news too: the new device says to check the number.
      if (outcome.state.state !== 'pending' || now >= deadline || (slip !== undefined && slip !== row.wrong_pick_by)) return outcome;
      slip = row.wrong_pick_by;
      // The client went away, or a newer wait of the same request took this one's place: nobody is
      // listening for more (and nothing is collected for a wait nobody hears).
      if ((await this.waits.changeOf(id, Math.min(deadline, row.expires_at) - now, closed)) === 'ended') return outcome;
    }
  }

  /**
   * The new device asks again ("Ask my devices again": a prompt missed, a device just woken): every device
   * of the account is shown the request anew, with its OS notification. At most once in RESEND_EVERY_MS;
   * a decoy takes the same steps (published to nobody), so the answer tells nothing of the password.
   */
  async resend(id: string, secret: string): Promise<void> {
    const row = await this.find(id, secret);
    const now = this.clock.now();
    await this.store.transaction(async (unit) => {
      const done = await unit.db
        .updateTable('sign_in_requests')
        .set({ resent_at: now })
        .where('id', '=', row.id)
        .where('state', '=', 'pending')
        .where('expires_at', '>', now)
        .where((eb) => eb.or([eb('resent_at', 'is', null), eb('resent_at', '<=', now - RESEND_EVERY_MS)]))
        .executeTakeFirst();
      if (done.numUpdatedRows === 0n) {
        if (row.state !== 'pending' || row.expires_at <= now) throw ended();
        const wait = secondsUntil((row.resent_at ?? now) + RESEND_EVERY_MS, now);
        throw tryAgainIn(wait, { key: 'asked_recently', seconds: wait });
      }
      unit.publish({ kind: 'signin.requested', userId: row.user_id ?? NO_ACCOUNT, request: this.view(row), shown: row.decoy === 0 });
    });
  }

  /** The new device gives up waiting: the prompt goes away everywhere. */
  async cancel(id: string, secret: string): Promise<void> {
    const row = await this.find(id, secret);
    const now = this.clock.now();
    await this.store.transaction(async (unit) => {
      const done = await unit.db.updateTable('sign_in_requests').set({ state: 'cancelled', decided_at: now }).where('id', '=', row.id).where('state', '=', 'pending').executeTakeFirst();
      if (done.numUpdatedRows > 0n) unit.publish({ kind: 'signin.resolved', userId: row.user_id ?? NO_ACCOUNT, id: row.id, outcome: 'cancelled', shown: row.decoy === 0 });
    });
  }

  /**
   * Signs the new device in with a recovery code instead of an approval. Each code works once. A request
   * made with a wrong password goes through the very same steps and never matches: a code alone must
   * never sign anyone in, and how long a wrong code takes must not tell the password was right.
   */
  async recover(id: string, secret: string, code: string, kind: SessionKind = 'app'): Promise<{ result: RecoveredSignIn; email: string; ip: string }> {
    const row = await this.find(id, secret, kind);
    const now = this.clock.now();
    // Counted before it is tried (and before its hash is worked out), in one statement: concurrent attempts
    // cannot take more than the limit, nor more argon2 work.
    const counted = await this.store.db
      .updateTable('sign_in_requests')
      .set((eb) => ({ code_attempts: eb('code_attempts', '+', 1) }))
      .where('id', '=', row.id)
      .where('state', '=', 'pending')
      .where('expires_at', '>', now)
      .where('code_attempts', '<', this.policy.maxCodeAttempts)
      .executeTakeFirst();
    if (counted.numUpdatedRows === 0n) throw ended();
    let hash: string;
    try {
      // A request with no account is salted by its own id: the same work, and no code matches.
      hash = await this.settings.codeHash(row.user_id ?? row.id, code);
    } catch (error) {
      // The server was too busy to look at the code (503): that try does not count.
      await this.store.db
        .updateTable('sign_in_requests')
        .set((eb) => ({ code_attempts: eb('code_attempts', '-', 1) }))
        .where('id', '=', row.id)
        .execute();
      throw error;
    }
    const userId = row.user_id ?? '';
    const signedIn = await this.store.transaction(async (unit) => {
      await this.store.lockAccount(unit.db, userId);
      const used = await unit.db
        .updateTable('recovery_codes')
        .set({ used_at: now })
        .where('code_hash', '=', hash)
        .where('user_id', '=', userId)
        .where('used_at', 'is', null)
        .where(({ exists, selectFrom }) => exists(selectFrom('sign_in_requests').select('id').where('id', '=', row.id).where('decoy', '=', 0)))
        .executeTakeFirst();
      if (used.numUpdatedRows === 0n) return undefined;
      const taken = await unit.db
        .updateTable('sign_in_requests')
        .set({ state: 'recovered', decided_at: now })
        .where('id', '=', row.id)
        .where('state', '=', 'pending')
        // Looked at again: the hash may have waited its turn past the request's two minutes.
        .where('expires_at', '>', this.clock.now())
        .executeTakeFirst();
      if (taken.numUpdatedRows === 0n) throw ended();
      const found = await unit.db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirstOrThrow();
      const left = await this.settings.codesLeft(unit.db, userId);
      unit.publish({ kind: 'signin.resolved', userId, id: row.id, outcome: 'recovered', shown: true });
      const { token, session, user } = await this.complete(unit, row, found, { type: 'recovery_code_used', count: left });
      unit.publish({
        kind: 'account.changed',
        userId,
        change: { what: 'recovery_code_used', sessionId: session.id, byDeviceName: session.device_name, at: now, recoveryCodesLeft: left },
      });
      return { result: { token, ...this.signedIn(user, session, now), recoveryCodesLeft: left }, email: user.email, ip: row.ip };
    });
    if (signedIn) return signedIn;
    throw wrongCode();
  }

  /**
   * Requests nobody answered in time are logged, once, as the new device asking (recent activity shows them):
   * by the maintenance job, never on the new device's own path, so a decoy's wait (a wrong password) looks the
   * same as a real one's. Decoys are not logged: they belong to no device of the account.
   */
  async logExpired(now = this.clock.now()): Promise<number> {
    const rows = await this.store.db
      .selectFrom('sign_in_requests')
      .selectAll()
      .where('state', '=', 'pending')
      .where('decoy', '=', 0)
      .where('user_id', 'is not', null)
      .where('expires_at', '<=', now)
      .execute();
    let logged = 0;
    for (const row of rows) {
      await this.store.transaction(async (unit) => {
        const marked = await unit.db.updateTable('sign_in_requests').set({ state: 'expired', decided_at: row.expires_at }).where('id', '=', row.id).where('state', '=', 'pending').executeTakeFirst();
        if (marked.numUpdatedRows === 0n) return;
        const asking = { user_id: row.user_id!, device_name: row.device_name, platform: platformOf(row.platform) };
        await this.securityEvents.recordBy(unit.db, asking, { type: 'sign_in_expired', at: row.expires_at, ip: row.ip });
        logged++;
      });
    }
    return logged;
  }

  /** Drops requests older than a day: long past their answer, their pause and anything a device could ask. */
  async purge(now = this.clock.now()): Promise<number> {
    const result = await this.store.db.deleteFrom('sign_in_requests').where('created_at', '<', now - REQUEST_RETENTION_MS).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  // ---- the account's devices ----

  /** Requests waiting for an answer, oldest first (a device that comes online catches up with these). */
  async pending(userId: string): Promise<SignInRequestView[]> {
    const rows = await this.store.db
      .selectFrom('sign_in_requests')
      .selectAll()
      .where('user_id', '=', userId)
      .where('state', '=', 'pending')
      .where('decoy', '=', 0)
      .where('expires_at', '>', this.clock.now())
      .orderBy('created_at')
      .execute();
    return rows.map((row) => this.view(row));
  }

  /**
   * A signed-in device answers: the right number approves, another number or no denies. Only a session
   * that existed before the request may answer (not the new device itself, nor one signed in since).
   */
  async answer(auth: AuthContext, id: string, body: AnswerBody): Promise<AnswerResult> {
    const now = this.clock.now();
    const row = await this.store.db.selectFrom('sign_in_requests').selectAll().where('id', '=', id).where('user_id', '=', auth.user.id).where('decoy', '=', 0).executeTakeFirst();
    if (!row) throw notFound();
    if (auth.session.created_at >= row.created_at) throw new ApiError(403, 'forbidden', { key: 'device_too_new' });
    if (row.expires_at <= now) throw new ApiError(409, 'conflict', { key: 'request_expired' });
    const outcome: SignInOutcome = 'deny' in body ? 'denied' : body.number === row.number ? 'approved' : 'wrong_number';
    // A first wrong number is a slip of the finger as often as a stranger's sign-in: the question stands, on
    // every device, with one more try; the second refuses. A stranger still needs the one number in three.
    if (outcome === 'wrong_number' && row.wrong_pick_by === null) {
      const askedAgain = await this.forgive(auth, row, now);
      if (askedAgain) return { outcome: 'try_again', request: askedAgain };
    }
    await this.store.transaction(async (unit) => {
      const done = await unit.db
        .updateTable('sign_in_requests')
        .set({
          state: outcome === 'approved' ? 'approved' : outcome === 'denied' ? 'denied' : 'wrong_number',
          decided_at: now,
          decided_by_name: auth.session.device_name,
          decided_by: auth.session.id,
          // The new device's wait hears of it at once; an approval it has not taken by then lapses.
          ...(outcome === 'approved' ? { expires_at: now + COLLECT_WITHIN_MS } : {}),
        })
        .where('id', '=', row.id)
        .where('state', '=', 'pending')
        .executeTakeFirst();
      if (done.numUpdatedRows === 0n) {
        const current = await unit.db.selectFrom('sign_in_requests').select(['decided_by_name']).where('id', '=', row.id).executeTakeFirst();
        throw new ApiError(409, 'conflict', current?.decided_by_name ? sayIfFits({ key: 'request_answered_on', device: current.decided_by_name }, { key: 'request_answered' }) : { key: 'request_ended' });
      }
      await this.securityEvents.recordBy(unit.db, auth.session, {
        type: outcome === 'approved' ? 'sign_in_approved' : outcome === 'denied' ? 'sign_in_denied' : 'sign_in_wrong_number',
        at: now,
        ip: row.ip,
        targetDeviceName: row.device_name,
      });
      unit.publish({ kind: 'signin.resolved', userId: auth.user.id, id: row.id, outcome, byDeviceName: auth.session.device_name, shown: true });
    });
    return { outcome };
  }

  // ---- internals ----

  /**
   * Marks a first wrong pick and asks every device again, with the two wrong choices drawn anew: a careless
   * pick then approves with 1/3 each time (5/9 in two), not 1/2 the second time. False when another answer
   * came first.
   */
  private forgive(auth: AuthContext, row: SignInRequestsTable, now: number): Promise<SignInRequestView | undefined> {
    const choices = JSON.stringify(choicesWith(row.number));
    return this.store.transaction(async (unit) => {
      const marked = await unit.db
        .updateTable('sign_in_requests')
        .set({ wrong_pick_by: auth.session.device_name, wrong_pick_at: now, choices })
        .where('id', '=', row.id)
        .where('state', '=', 'pending')
        .where('wrong_pick_by', 'is', null)
        .executeTakeFirst();
      if (marked.numUpdatedRows === 0n) return undefined;
      await this.securityEvents.recordBy(unit.db, auth.session, { type: 'sign_in_wrong_pick', at: now, ip: row.ip, targetDeviceName: row.device_name });
      const request = this.view({ ...row, wrong_pick_by: auth.session.device_name, wrong_pick_at: now, choices });
      unit.publish({ kind: 'signin.requested', userId: auth.user.id, request, shown: true });
      return request;
    });
  }

  /** Made once per database (the first instance to need it writes it; every other reads the same). */
  private keyForDecoys(): Promise<Buffer> {
    this.decoyKey ??= settingMadeOnce(this.store.db, 'decoy_key', () => randomBytes(32).toString('hex')).then((hex) => Buffer.from(hex, 'hex'));
    this.decoyKey.catch(() => (this.decoyKey = undefined));
    return this.decoyKey;
  }

  /** The request this secret is for; a browser's is collected only through the account page's routes, an app's only through the app's. */
  private async find(id: string, secret: string, kind?: SessionKind): Promise<SignInRequestsTable> {
    const row = await this.store.db.selectFrom('sign_in_requests').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row || !sameSecret(row, secret) || (kind !== undefined && row.kind !== kind)) throw notFound();
    return row;
  }

  private async stateOf(row: SignInRequestsTable, now: number): Promise<{ state: SignInRequestState; collected?: { email: string; ip: string } }> {
    switch (row.state) {
      case 'pending':
        if (row.expires_at <= now) return { state: { state: 'expired' } };
        return {
          state: { state: 'pending', expiresAt: new Date(row.expires_at).toISOString(), ...(row.wrong_pick_by !== null ? { wrongPick: { byDeviceName: row.wrong_pick_by } } : {}) },
        };
      case 'approved':
        return this.collect(row, now);
      case 'denied':
      case 'wrong_number':
        return { state: { state: 'denied', reason: row.state, byDeviceName: row.decided_by_name ?? '', at: new Date(row.decided_at ?? now).toISOString() } };
      default:
        return { state: { state: 'expired' } };
    }
  }

  /**
   * The approved request's session, made once: a second collection (a lost answer asked again) finds it
   * gone. Only within COLLECT_WITHIN_MS of the approval, and only while the session that approved is
   * still signed in: an approval does not outlive its approver being signed out.
   */
  private async collect(row: SignInRequestsTable, now: number): Promise<{ state: SignInRequestState; collected?: { email: string; ip: string } }> {
    const userId = row.user_id;
    // Only a request of an account is ever approved.
    if (userId === null) return { state: { state: 'expired' } };
    return this.store.transaction(async (unit) => {
      await this.store.lockAccount(unit.db, userId);
      const taken = await unit.db
        .updateTable('sign_in_requests')
        .set({ state: 'collected' })
        .where('id', '=', row.id)
        .where('state', '=', 'approved')
        .where('expires_at', '>', now)
        .where(({ exists }) => exists(this.repo.activeQuery(unit.db, userId, now).select('id').where('id', '=', row.decided_by ?? '')))
        .executeTakeFirst();
      if (taken.numUpdatedRows === 0n) return { state: { state: 'expired' } };
      const found = await unit.db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirstOrThrow();
      const { token, session, user } = await this.complete(unit, row, found, { type: 'signed_in' });
      return {
        state: { state: 'approved', result: { token, ...this.signedIn(user, session, now) }, byDeviceName: row.decided_by_name ?? '' },
        collected: { email: user.email, ip: row.ip },
      };
    });
  }

  /**
   * The session an approved or recovered request makes, recorded as `event`; a reset request's also sets
   * its password and signs every other session out.
   */
  private async complete(
    unit: UnitOfWork,
    row: SignInRequestsTable,
    user: UsersTable,
    event: { type: 'signed_in' | 'recovery_code_used'; count?: number },
  ): Promise<{ token: string; session: SessionsTable; user: UsersTable }> {
    const client = { ip: row.ip, userAgent: row.user_agent };
    const device = this.deviceOf(row);
    const how: SignedInHow =
      event.type === 'recovery_code_used'
        ? { method: 'recovery_code' }
        : { method: 'approval', ...(row.decided_by ? { approvedBy: { sessionId: row.decided_by, name: row.decided_by_name ?? '' } } : {}) };
    const made =
      row.reset_password_hash === null
        ? { ...(await this.sessions.create(unit, user, device, client, row.kind, how)), user }
        : await this.resets.apply(unit, user, row.reset_password_hash, device, client, row.kind);
    const at = this.clock.now();
    if (event.type === 'recovery_code_used') await this.securityEvents.recordBy(unit.db, made.session, { type: event.type, at, ip: row.ip, count: event.count ?? 0 });
    // A reset records itself (password_reset).
    else if (row.reset_password_hash === null) await this.securityEvents.recordBy(unit.db, made.session, { type: 'signed_in', at, ip: row.ip });
    return made;
  }

  private signedIn(user: UsersTable, session: Parameters<SessionsService['view']>[0], now: number) {
    return { user: userView(user), session: this.sessions.view(session, session.id, now) };
  }

  private deviceOf(row: SignInRequestsTable): DeviceInfo {
    return { name: row.device_name, platform: platformOf(row.platform), appVersion: row.app_version, ...(row.os ? { os: row.os } : {}) };
  }

  private view(row: SignInRequestsTable): SignInRequestView {
    return {
      ...deviceFacts(row, this.locator),
      expiresAt: new Date(row.expires_at).toISOString(),
      choices: JSON.parse(row.choices) as number[],
      ...(row.reset_password_hash !== null ? { reset: true as const } : {}),
      ...(row.wrong_pick_by !== null ? { wrongPickBy: row.wrong_pick_by } : {}),
    };
  }

  /**
   * 429 when this address made as many requests for the account as allowed within a request's lifetime
   * (whatever became of them: one withdrawn at once still counts), or the account has `maxPendingPerAccount`
   * waiting and this address never signed in to it. Requests made with a wrong password count too (the
   * check comes before the password's, so its answer tells nothing), so someone who knows only the email
   * fills only the room of their own addresses: not the account's for an address the owner has signed in from.
   */
  private async checkRoom(db: Db, owner: Owner, ip: string, now: number, known: () => Promise<boolean>): Promise<void> {
    const count = (eb: ExpressionBuilder<Database, 'sign_in_requests'>) => eb.fn.countAll<number>().as('n');
    const fromHere = await db
      .selectFrom('sign_in_requests')
      .select(count)
      .where(ownedBy(owner))
      .where('address_key', '=', addressKey(ip))
      .where('created_at', '>', now - this.policy.requestTtlMs)
      .executeTakeFirstOrThrow();
    const retryAfterSeconds = Math.ceil(this.policy.requestTtlMs / 1000);
    if (Number(fromHere.n) >= this.policy.maxPending) throw tryAgainIn(retryAfterSeconds, { key: 'too_many_requests_here', seconds: retryAfterSeconds });
    const waiting = await db.selectFrom('sign_in_requests').select(count).where(ownedBy(owner)).where('state', '=', 'pending').where('expires_at', '>', now).executeTakeFirstOrThrow();
    // Others cannot fill the room to keep the owner out: from a new address, past it, a code by mail instead.
    if (Number(waiting.n) >= this.policy.maxPendingPerAccount && !(await known())) throw new StepUpRequired();
  }

  /** How long new requests are refused: a cooldown after a denial, a pause after several. */
  private async pausedFor(db: Db, userId: string, now: number): Promise<number> {
    const since = now - Math.max(this.policy.denialWindowMs, this.policy.pauseMs);
    const denials = await db
      .selectFrom('sign_in_requests')
      .select(['state', 'decided_at', 'wrong_pick_at'])
      .where('user_id', '=', userId)
      // A denied reset is someone with the mailbox: the owner's own new devices are not paused for it.
      .where('reset_password_hash', 'is', null)
      .where((eb) =>
        eb.or([
          eb.and([eb('state', 'in', ['denied', 'wrong_number']), eb('decided_at', '>', since)]),
          // A forgiven wrong pick on a request that then got no approval (withdrawn, expired, still waiting) is a
          // no as well: withdrawing after a wrong pick must not dodge the pause.
          eb.and([eb('state', 'in', ['pending', 'cancelled', 'expired']), eb('wrong_pick_at', '>', since)]),
        ]),
      )
      .execute();
    const times = denials.map((d) => (d.state === 'denied' || d.state === 'wrong_number' ? d.decided_at! : d.wrong_pick_at!)).sort((a, b) => b - a);
    let until = times[0] !== undefined ? times[0] + this.policy.cooldownMs : 0;
    // Any run of `pauseAfterDenials` denials within the window pauses from the last of them.
    for (let i = 0; i + this.policy.pauseAfterDenials - 1 < times.length; i++) {
      const newest = times[i]!;
      const oldest = times[i + this.policy.pauseAfterDenials - 1]!;
      if (newest - oldest <= this.policy.denialWindowMs) until = Math.max(until, newest + this.policy.pauseMs);
    }
    return Math.max(0, until - now);
  }

}
