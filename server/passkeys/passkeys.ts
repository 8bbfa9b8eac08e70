// Passkeys (docs/api.md, "Passkeys"): WebAuthn credentials through @simplewebauthn/server. Made after recent
// authentication, listed, renamed and removed (every device hears it); a sign-in with one needs no email
// typed (a discoverable credential), and stands for the password and an authenticator code both (it is
// something held, unlocked by the person); with sign-in approval on, a signed-in device still says yes. Each ceremony's challenge is a row of its own: single use, five
// minutes, bound to the session that asked (making one) or to its kind (signing in). A sign counter that
// goes back marks the passkey as copied, and it signs nothing in from then on.
import { Inject, Injectable } from '@nestjs/common';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransportFuture,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { sql } from 'kysely';
import type { AuthResult, DeviceInfo, PasskeyList, PasskeyOptions, PasskeyView, PendingSignIn, Reauthenticated } from '../../shared/api.js';
import { changed } from '../approval/approval-settings.js';
import { openHandle } from '../mail/codes.js';
import { SignInApproval } from '../approval/sign-in-approval.js';
import { accountDisabled, ApiError } from '../common/api-error.js';
import { type Clock } from '../common/clock.js';
import { CLOCK, CONFIG } from '../common/di-tokens.js';
import type { ServerConfig } from '../config/config.js';
import type { AuthContext, ClientInfo } from '../http/request-context.js';
import { Metrics } from '../metrics/metrics.js';
import { SecurityEventsService } from '../sessions/security-events.service.js';
import { userView } from '../sessions/session-view.js';
import { SessionsService } from '../sessions/sessions.service.js';
import type { Db, PasskeysTable, SessionKind } from '../storage/schema.js';
import { Store } from '../storage/store.js';

type PasskeyPurpose = 'passkey_add' | 'passkey_sign_in' | 'passkey_reauth';

/** A ceremony's options are answered within this long, once. */
export const CEREMONY_TTL_MS = 5 * 60_000;
/** Passkeys one account may hold. */
export const MAX_PASSKEYS = 20;

const ended = () => new ApiError(410, 'code_expired', { key: 'passkey_ceremony_ended' });
const refused = () => new ApiError(401, 'invalid_credentials', { key: 'passkey_refused' });
const tooMany = () => new ApiError(409, 'conflict', { key: 'too_many_passkeys' });
const noSuchPasskey = () => new ApiError(404, 'not_found', { key: 'no_such_passkey' });

interface Asserted {
  passkey: PasskeysTable;
  newCounter: number;
  backedUp: boolean;
}

interface Ceremony {
  challenge: string;
  /** When the options were given (from the row). */
  createdAt: number;
  /** Making one, or authenticating again: the session that asked. Signing in: the kind of session it makes. */
  sessionId?: string;
  kind?: SessionKind;
}

const iso = (ms: number) => new Date(ms).toISOString();
export const passkeyView = (row: PasskeysTable): PasskeyView => ({
  id: row.id,
  name: row.name,
  createdAt: iso(row.created_at),
  ...(row.last_used_at !== null ? { lastUsedAt: iso(Number(row.last_used_at)) } : {}),
  synced: row.device_type === 'multiDevice' && row.backed_up === 1,
  ...(row.cloned_at !== null ? { clonedAt: iso(Number(row.cloned_at)) } : {}),
});

@Injectable()
export class Passkeys {
  constructor(
    @Inject(Store) private readonly store: Store,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: ServerConfig,
    @Inject(SessionsService) private readonly sessions: SessionsService,
    @Inject(SecurityEventsService) private readonly securityEvents: SecurityEventsService,
    @Inject(SignInApproval) private readonly approval: SignInApproval,
    @Inject(Metrics) private readonly metrics: Metrics,
  ) {}

  async list(userId: string): Promise<PasskeyList> {
    const rows = await this.store.db.selectFrom('passkeys').selectAll().where('user_id', '=', userId).orderBy('created_at').execute();
    return { passkeys: rows.map(passkeyView) };
  }

  /** Options to make a passkey with, bound to this session; the account's own passkeys are excluded. */
  async addOptions(auth: AuthContext): Promise<PasskeyOptions> {
    await this.sessions.requireRecentAuth(auth, { reentered: true });
    const mine = await this.store.db.selectFrom('passkeys').select(['id', 'transports']).where('user_id', '=', auth.user.id).execute();
    // Said before the browser's prompt, not after it (the authenticator would keep a passkey the server does not).
    if (mine.length >= MAX_PASSKEYS) throw tooMany();
    const options = await generateRegistrationOptions({
      rpName: 'Latch',
      rpID: this.config.passkeys.rpId,
      userName: auth.user.email,
      userID: new TextEncoder().encode(auth.user.id),
      attestationType: 'none',
      excludeCredentials: mine.map((row) => ({ id: row.id, transports: JSON.parse(row.transports ?? '[]') as AuthenticatorTransportFuture[] })),
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      timeout: CEREMONY_TTL_MS,
    });
    const id = await this.begin('passkey_add', auth.user.id, auth.user.email, { challenge: options.challenge, sessionId: auth.session.id });
    return { id, options: options as unknown as Record<string, unknown> };
  }

  /** Keeps what the authenticator made for the options of `id` (this session's, unanswered, in time). */
  async add(auth: AuthContext, id: string, name: string, response: RegistrationResponseJSON, client: ClientInfo): Promise<PasskeyView> {
    await this.sessions.requireRecentAuth(auth, { reentered: true });
    const ceremony = await this.take(id, 'passkey_add');
    if (ceremony.sessionId !== auth.session.id) throw ended();
    const verified = await verifyRegistrationResponse({
      response,
      expectedChallenge: ceremony.challenge,
      expectedOrigin: this.config.passkeys.origins,
      expectedRPID: this.config.passkeys.rpId,
      requireUserVerification: true,
    }).catch(() => undefined);
    if (!verified?.verified || !verified.registrationInfo) throw new ApiError(400, 'bad_request', { key: 'passkey_not_verified' });
    const { credential, credentialDeviceType, credentialBackedUp } = verified.registrationInfo;
    // The id the authenticator's data names is the one sent (and held to its bounds), so it can be named later.
    if (credential.id !== response.id) throw new ApiError(400, 'bad_request', { key: 'passkey_not_verified' });
    const now = this.clock.now();
    const row: PasskeysTable = {
      id: credential.id,
      user_id: auth.user.id,
      name,
      public_key: Buffer.from(credential.publicKey).toString('base64url'),
      counter: credential.counter,
      transports: credential.transports ? JSON.stringify(credential.transports) : null,
      device_type: credentialDeviceType,
      backed_up: credentialBackedUp ? 1 : 0,
      created_at: now,
      last_used_at: null,
      cloned_at: null,
    };
    return this.store.transaction(async (unit) => {
      await this.store.lockAccount(unit.db, auth.user.id);
      const count = await unit.db.selectFrom('passkeys').select(sql<number>`count(*)`.as('n')).where('user_id', '=', auth.user.id).executeTakeFirstOrThrow();
      if (Number(count.n) >= MAX_PASSKEYS) throw tooMany();
      const taken = await unit.db.selectFrom('passkeys').select('id').where('id', '=', row.id).executeTakeFirst();
      if (taken) throw new ApiError(400, 'bad_request', { key: 'passkey_not_verified' });
      await unit.db.insertInto('passkeys').values(row).execute();
      await this.securityEvents.recordBy(unit.db, auth.session, { type: 'passkey_added', at: now, ip: client.ip, targetDeviceName: name });
      unit.publish(changed(auth, 'passkey_added', now));
      return passkeyView(row);
    });
  }

  async rename(auth: AuthContext, id: string, name: string): Promise<PasskeyView> {
    return this.store.transaction(async (unit) => {
      const row = await unit.db.updateTable('passkeys').set({ name }).where('id', '=', id).where('user_id', '=', auth.user.id).returningAll().executeTakeFirst();
      if (!row) throw noSuchPasskey();
      unit.publish(changed(auth, 'passkey_renamed', this.clock.now()));
      return passkeyView(row);
    });
  }

  async remove(auth: AuthContext, id: string, client: ClientInfo): Promise<void> {
    await this.sessions.requireRecentAuth(auth);
    const now = this.clock.now();
    await this.store.transaction(async (unit) => {
      const row = await unit.db.deleteFrom('passkeys').where('id', '=', id).where('user_id', '=', auth.user.id).returning('name').executeTakeFirst();
      if (!row) throw noSuchPasskey();
      await this.securityEvents.recordBy(unit.db, auth.session, { type: 'passkey_removed', at: now, ip: client.ip, targetDeviceName: row.name });
      unit.publish(changed(auth, 'passkey_removed', now));
    });
  }

  /** Options to sign in with a passkey: no account named, so any of this server's passkeys may answer. */
  async signInOptions(kind: SessionKind): Promise<PasskeyOptions> {
    const options = await generateAuthenticationOptions({ rpID: this.config.passkeys.rpId, userVerification: 'required', timeout: CEREMONY_TTL_MS });
    const id = await this.begin('passkey_sign_in', null, '', { challenge: options.challenge, kind });
    return { id, options: options as unknown as Record<string, unknown> };
  }

  /**
   * The assertion for the options of `id`: the passkey's account is signed in on `device`. A counter that
   * went back marks the passkey as copied (every device hears it) and refuses; so does a copied one after.
   */
  async signIn(id: string, response: AuthenticationResponseJSON, device: DeviceInfo, client: ClientInfo, kind: SessionKind): Promise<AuthResult | PendingSignIn> {
    try {
      const result = await this.signInOnce(id, response, device, client, kind);
      this.metrics.signIns.inc({ outcome: 'pending' in result ? 'passkey_approval_pending' : 'passkey_signed_in' });
      return result;
    } catch (error) {
      this.metrics.signIns.inc({ outcome: 'passkey_refused' });
      throw error;
    }
  }

  private async signInOnce(id: string, response: AuthenticationResponseJSON, device: DeviceInfo, client: ClientInfo, kind: SessionKind): Promise<AuthResult | PendingSignIn> {
    const ceremony = await this.take(id, 'passkey_sign_in');
    if (ceremony.kind !== kind) throw ended();
    const asserted = await this.verifyAssertion(ceremony, response, client);
    const now = this.clock.now();
    const approval = await this.store.db.selectFrom('users').select('approval_required').where('id', '=', asserted.passkey.user_id).executeTakeFirst();
    const signedIn = await this.store.transaction(async (unit) => {
      await this.moveCounter(unit.db, asserted, now);
      const user = await unit.db.selectFrom('users').selectAll().where('id', '=', asserted.passkey.user_id).executeTakeFirst();
      if (!user) throw refused();
      if (user.disabled_at !== null) throw accountDisabled();
      // With sign-in approval on, a passkey is the password's part: a signed-in device still says yes.
      if (approval?.approval_required === 1) return user;
      const { token, session } = await this.sessions.create(unit, user, device, client, kind, { method: 'passkey' });
      await this.securityEvents.recordBy(unit.db, session, { type: 'signed_in', at: now, ip: client.ip });
      return { token, user: userView(user), session: this.sessions.view(session, session.id, now) };
    });
    if ('token' in signedIn) return signedIn;
    await this.approval.admit(signedIn.id, client.ip);
    return this.approval.request(signedIn, device, client, true, kind);
  }

  /** Options to authenticate again with one of the account's own passkeys, bound to this session. */
  async reauthOptions(auth: AuthContext): Promise<PasskeyOptions> {
    const mine = await this.store.db.selectFrom('passkeys').select(['id', 'transports']).where('user_id', '=', auth.user.id).where('cloned_at', 'is', null).execute();
    // None to offer: the browser would offer every passkey it holds for the RP ID, other accounts' too.
    if (mine.length === 0) throw noSuchPasskey();
    const options = await generateAuthenticationOptions({
      rpID: this.config.passkeys.rpId,
      userVerification: 'required',
      timeout: CEREMONY_TTL_MS,
      allowCredentials: mine.map((row) => ({ id: row.id, transports: JSON.parse(row.transports ?? '[]') as AuthenticatorTransportFuture[] })),
    });
    const id = await this.begin('passkey_reauth', auth.user.id, auth.user.email, { challenge: options.challenge, sessionId: auth.session.id });
    return { id, options: options as unknown as Record<string, unknown> };
  }

  /** Recent authentication by one of the account's passkeys, for the options this session asked for. */
  async reauthenticate(auth: AuthContext, id: string, response: AuthenticationResponseJSON, client: ClientInfo): Promise<Reauthenticated> {
    const ceremony = await this.take(id, 'passkey_reauth');
    if (ceremony.sessionId !== auth.session.id) throw ended();
    const asserted = await this.verifyAssertion(ceremony, response, client);
    if (asserted.passkey.user_id !== auth.user.id) throw refused();
    const now = this.clock.now();
    await this.store.transaction(async (unit) => {
      await this.moveCounter(unit.db, asserted, now);
      await this.sessions.markReauthenticated(unit.db, auth.session.id, now);
    });
    return { until: new Date(now + this.config.recentAuthMs).toISOString() };
  }

  /**
   * The passkey that made `response`, and what its signature says, for a ceremony already taken. A counter
   * that went back on a signature that verifies marks it as copied; anything else that does not verify is
   * refused and marks nothing.
   */
  private async verifyAssertion(ceremony: Ceremony, response: AuthenticationResponseJSON, client: ClientInfo): Promise<Asserted> {
    const passkey = await this.store.db.selectFrom('passkeys').selectAll().where('id', '=', response.id).executeTakeFirst();
    if (!passkey || passkey.cloned_at !== null) throw refused();
    // The account the passkey was made for, as the authenticator keeps it (WebAuthn's user handle).
    const handle = response.response.userHandle;
    if (handle && Buffer.from(handle, 'base64url').toString('utf8') !== passkey.user_id) throw refused();
    const verify = (counter: number) =>
      verifyAuthenticationResponse({
        response,
        expectedChallenge: ceremony.challenge,
        expectedOrigin: this.config.passkeys.origins,
        expectedRPID: this.config.passkeys.rpId,
        credential: {
          id: passkey.id,
          publicKey: new Uint8Array(Buffer.from(passkey.public_key, 'base64url')),
          counter,
          transports: JSON.parse(passkey.transports ?? '[]') as AuthenticatorTransportFuture[],
        },
        requireUserVerification: true,
      });
    let verified: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
    try {
      verified = await verify(Number(passkey.counter));
    } catch (error) {
      // The library compares the counter before the signature: only a counter that went back on a signature
      // that verifies is a copy. Anything else (anyone who learned a credential's id could send a low counter)
      // is refused and marks nothing.
      if (/counter value/.test(String((error as Error).message)) && (await verify(0).then((again) => again.verified, () => false))) {
        await this.markCloned(passkey.id, ceremony.createdAt, client.ip);
      }
      throw refused();
    }
    if (!verified.verified) throw refused();
    return { passkey, newCounter: verified.authenticationInfo.newCounter, backedUp: verified.authenticationInfo.credentialBackedUp };
  }

  /** Of two uses of one assertion's counter, one moves it; the other finds it moved and is refused. */
  private async moveCounter(db: Db, { passkey, newCounter, backedUp }: Asserted, now: number): Promise<void> {
    const moved = await db
      .updateTable('passkeys')
      .set({ counter: newCounter, last_used_at: now, backed_up: backedUp ? 1 : 0 })
      .where('id', '=', passkey.id)
      .where('counter', '=', passkey.counter)
      .where('cloned_at', 'is', null)
      .executeTakeFirst();
    if (moved.numUpdatedRows === 0n) throw refused();
  }

  /**
   * A counter that went back on a signature that verifies: a copy was used, unless the counter moved after
   * this ceremony began (the owner's own sign-in at the same moment, its higher counter committed first: a
   * race, refused but not a copy).
   */
  private async markCloned(id: string, ceremonyBegan: number, ip: string): Promise<void> {
    const now = this.clock.now();
    await this.store.transaction(async (unit) => {
      const passkey = await unit.db.selectFrom('passkeys').selectAll().where('id', '=', id).executeTakeFirst();
      if (!passkey || (passkey.last_used_at !== null && Number(passkey.last_used_at) > ceremonyBegan)) return;
      const marked = await unit.db.updateTable('passkeys').set({ cloned_at: now }).where('id', '=', passkey.id).where('cloned_at', 'is', null).executeTakeFirst();
      if (marked.numUpdatedRows === 0n) return;
      await this.securityEvents.recordBy(unit.db, { user_id: passkey.user_id, device_name: passkey.name, platform: 'other' }, { type: 'passkey_cloned', at: now, ip, targetDeviceName: passkey.name });
      unit.publish({ kind: 'account.changed', userId: passkey.user_id, change: { what: 'passkey_cloned', sessionId: '', byDeviceName: passkey.name, at: now } });
    });
  }

  /** A ceremony's challenge kept as a single-use row (no code of its own; the options name it by `id`). */
  private async begin(purpose: PasskeyPurpose, userId: string | null, email: string, ceremony: Omit<Ceremony, 'createdAt'>): Promise<string> {
    const now = this.clock.now();
    return this.store.lightly((trx) => openHandle(trx, { purpose, email, userId, now, ttlMs: CEREMONY_TTL_MS, data: ceremony }));
  }

  /** The ceremony of `id`, spent now: whatever its answer, it is not answered twice. */
  private async take(id: string, purpose: PasskeyPurpose): Promise<Ceremony> {
    const now = this.clock.now();
    const row = await this.store.lightly((trx) =>
      trx
        .updateTable('email_codes')
        .set({ used_at: now })
        .where('id', '=', id)
        .where('purpose', '=', purpose)
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .returning(['data', 'created_at'])
        .executeTakeFirst(),
    );
    if (!row) throw ended();
    return { ...(JSON.parse(row.data ?? 'null') as Omit<Ceremony, 'createdAt'>), createdAt: Number(row.created_at) };
  }
}
