// The client's session state machine: starting → signedOut ⇄ signingIn → signedIn
// (online / connecting / offline). Every way a session can end, whether the
// person signs out, a session.revoked push, a 401 on any call or expiry, goes
// through endSession(): forget the token, delete the keychain entry, close the
// socket, and leave a notice that says why.
import { createHash } from 'node:crypto';
import type { RealtimeMessage, SessionView, User } from '../../shared/api.js';
import type { ChangePasswordInput, Connection, CopiedSignIn, Notice, SessionState, SignInInput } from '../../shared/ipc.js';
import { AlertList } from './alert-list.js';
import { ApiClient } from './api-client.js';
import type { BackoffPolicy } from './backoff.js';
import { deviceIdentity } from './device.js';
import { CoreError } from './errors.js';
import { ProfileStore } from './profile-store.js';
import { RealtimeClient } from './realtime-client.js';
import { parseServerUrl } from './server-url.js';
import { TokenVault, loadKeytar, type SecretBackend } from './token-vault.js';

export type ControllerEvent =
  | { type: 'state'; state: SessionState }
  | { type: 'sessionsChanged'; sessions: SessionView[] }
  /** The unread new-sign-in alerts, newest first; `added` is the one that just arrived, if any. */
  | { type: 'newSignIns'; sessions: SessionView[]; added?: SessionView }
  /** The unread alerts that another device's sign-in was copied and used, newest first; `added` just arrived. */
  | { type: 'copiedSignIns'; alerts: CopiedSignIn[]; added?: CopiedSignIn }
  | { type: 'presence'; sessionId: string; online: boolean };

export interface SessionControllerOptions {
  /** Selects the data folder and keychain account; two profiles are two devices. */
  profile: string;
  dataDir: string;
  appVersion: string;
  /** Used until the person enters another address. */
  defaultServerUrl: string;
  /** This device's name until renamed (the host name when not given). */
  deviceName?: string;
  /** The OS name and version sent at sign-in (read from the system when not given). */
  os?: string;
  secretBackend?: () => Promise<SecretBackend>;
  backoff?: BackoffPolicy;
  deadAfterMs?: number;
  requestTimeoutMs?: number;
  /** While signed in, the token is replaced this often as well as on every (re)connect (12 hours when not given). */
  rotateEveryMs?: number;
}


const MAX_TIMER_MS = 2 ** 31 - 1;
/** "At least once a day while connected" (docs/architecture.md, "Token rotation"), with room to spare. */
const ROTATE_EVERY_MS = 12 * 60 * 60_000;

export class SessionController {
  private state: SessionState = { status: 'starting' };
  private token: string | undefined;
  private serverUrl: string;
  private vault!: TokenVault;
  private api!: ApiClient;
  private realtime: RealtimeClient | undefined;
  private expiryTimer: NodeJS.Timeout | undefined;
  private rotateTimer: NodeJS.Timeout | undefined;
  /** New sign-ins not yet dismissed: one list for every window. */
  private readonly newSignIns = new AlertList<SessionView>(
    (s) => s.id,
    (sessions, added) => this.emit({ type: 'newSignIns', sessions, ...(added ? { added } : {}) }),
  );
  /** Other devices whose sign-in was copied, not yet dismissed: one list for every window. */
  private readonly copiedSignIns = new AlertList<CopiedSignIn>(
    (a) => a.sessionId,
    (alerts, added) => this.emit({ type: 'copiedSignIns', alerts, ...(added ? { added } : {}) }),
  );
  private readonly listeners = new Set<(event: ControllerEvent) => void>();
  private readonly profileStore: ProfileStore;

  constructor(private readonly options: SessionControllerOptions) {
    this.profileStore = new ProfileStore(options.dataDir);
    this.serverUrl = this.profileStore.read().serverUrl ?? parseServerUrl(options.defaultServerUrl);
    this.useServer(this.serverUrl);
  }

  getState(): SessionState {
    return this.state;
  }

  subscribe(listener: (event: ControllerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Restores the session from the keychain and asks the server whether it still holds (renewing its token). */
  async start(): Promise<SessionState> {
    const token = await this.vault.read();
    if (!token) return this.setSignedOut();
    const profile = this.profileStore.read();
    if (profile.replacedToken !== undefined && profile.replacedToken === fingerprint(token)) {
      // Replaced while the keychain could not take the new one: presenting it would look like a copy.
      await this.vault.delete();
      this.profileStore.update({ replacedToken: undefined, lastAccount: undefined });
      return this.setSignedOut();
    }
    this.token = token;
    const remembered = profile.lastAccount;
    try {
      const current = await this.rotateToken();
      this.enterSignedIn(current.user, current.session, 'online');
    } catch (error) {
      const ended = signOutIn(error);
      if (ended) return this.endSession(ended);
      // Offline (or a server answering nonsense) is not a sign-out: stay signed in and keep trying.
      this.enterSignedIn(remembered?.user ?? unknownUser(), remembered?.session ?? unknownSession(), 'offline');
    }
    return this.state;
  }

  async signIn(input: SignInInput): Promise<SessionState> {
    if (this.state.status === 'signedIn') throw new CoreError('rejected', 'already_signed_in', 'This device is already signed in. Sign out first.');
    if (this.state.status === 'signingIn') throw new CoreError('rejected', 'busy', 'Signing in is already under way.');
    const origin = parseServerUrl(input.serverUrl);
    if (origin !== this.serverUrl) {
      this.useServer(origin);
      this.profileStore.update({ serverUrl: origin });
    }
    this.setState({ status: 'signingIn', serverUrl: this.serverUrl, keychain: this.vault.state });
    const device = deviceIdentity({
      name: this.profileStore.read().deviceName ?? this.options.deviceName,
      appVersion: this.options.appVersion,
      os: this.options.os,
    });
    try {
      const result =
        input.mode === 'createAccount'
          ? await this.api.register(input.email, input.password, device)
          : await this.api.login(input.email, input.password, device);
      // Stored only now that the server has accepted it.
      this.token = result.token;
      await this.vault.write(result.token);
      this.enterSignedIn(result.user, result.session, 'online');
      return this.state;
    } catch (error) {
      this.token = undefined;
      this.setSignedOut();
      throw error;
    }
  }

  /** The person signs this device out. Offline, the token is still forgotten here. */
  async signOut(): Promise<SessionState> {
    if (this.state.status !== 'signedIn') return this.state;
    try {
      await this.api.logout();
    } catch {
      // Already ended on the server, or the server cannot be told: either way this device forgets it.
    }
    return this.endSession({ reason: 'signed_out', at: new Date().toISOString() }, { notice: false });
  }

  dismissNotice(): SessionState {
    if (this.state.status === 'signedOut' && this.state.notice) {
      const { notice: _notice, ...rest } = this.state;
      this.setState(rest);
    }
    return this.state;
  }

  listSessions(): Promise<SessionView[]> {
    return this.authed((api) => api.listSessions());
  }

  async revokeSession(id: string): Promise<null> {
    await this.authed((api) => api.revokeSession(id));
    return null;
  }

  revokeOtherSessions(): Promise<{ revoked: number }> {
    return this.authed((api) => api.revokeOthers());
  }

  async renameDevice(name: string): Promise<SessionView> {
    const session = await this.authed((api) => api.renameCurrent(name));
    this.profileStore.update({ deviceName: session.deviceName });
    if (this.state.status === 'signedIn') this.enterSignedIn(this.state.user, session, this.state.connection);
    return session;
  }

  signedOutSessions() {
    return this.authed((api) => api.signedOutSessions());
  }

  /** The new-sign-in alerts every window shows, newest first. */
  getNewSignIns(): SessionView[] {
    return this.newSignIns.all;
  }

  /** Dismisses these alerts in every window. */
  dismissNewSignIns(ids: string[]): SessionView[] {
    return this.newSignIns.dismiss(ids);
  }

  /** The copied-sign-in alerts every window shows, newest first. */
  getCopiedSignIns(): CopiedSignIn[] {
    return this.copiedSignIns.all;
  }

  /** Dismisses these copied-sign-in alerts (by session id) in every window. */
  dismissCopiedSignIns(sessionIds: string[]): CopiedSignIn[] {
    return this.copiedSignIns.dismiss(sessionIds);
  }

  securityEvents(before?: string) {
    return this.authed((api) => api.securityEvents(before));
  }

  /** The password entered again, so this device may sign others out for the next few minutes. */
  async reauthenticate(password: string): Promise<null> {
    await this.authed((api) => api.reauthenticate(password));
    return null;
  }

  changePassword(input: ChangePasswordInput): Promise<{ revoked: number }> {
    return this.authed((api) => api.changePassword({ currentPassword: input.currentPassword, newPassword: input.newPassword }));
  }

  /** Stops sockets and timers without signing out (the app is quitting). */
  dispose(): void {
    this.realtime?.stop();
    clearTimeout(this.expiryTimer);
    clearTimeout(this.rotateTimer);
    this.listeners.clear();
  }

  // ---- internals ----

  private useServer(origin: string): void {
    this.serverUrl = origin;
    this.vault = new TokenVault(TokenVault.accountFor(this.options.profile, origin), this.options.secretBackend ?? loadKeytar);
    this.api = new ApiClient({
      baseUrl: origin,
      token: () => this.token,
      userAgent: `Latch/${this.options.appVersion} (${process.platform})`,
      ...(this.options.requestTimeoutMs ? { timeoutMs: this.options.requestTimeoutMs } : {}),
    });
  }

  /** Runs a call that needs the session; a 401 ends it, a network failure marks us offline. */
  private async authed<T>(call: (api: ApiClient) => Promise<T>): Promise<T> {
    if (this.state.status !== 'signedIn') throw new CoreError('not_signed_in', 'not_signed_in', 'You are not signed in.');
    try {
      const value = await call(this.api);
      // The server answered: if a failure had marked us offline while the socket stayed up, we are back.
      if (this.connection() === 'offline' && this.realtime?.isOpen) this.setConnection('online');
      return value;
    } catch (error) {
      const ended = signOutIn(error);
      if (ended) await this.endSession(ended);
      else if (error instanceof CoreError && error.kind === 'offline') {
        this.setConnection('offline');
        this.realtime?.reconnectNow();
      }
      throw error;
    }
  }

  private enterSignedIn(user: User, session: SessionView, connection: Connection): void {
    // endSession forgets the token first, then waits for the keychain: an answer that arrives in
    // between (a reconnect's check) must not say signed in again.
    if (this.token === undefined) return;
    this.profileStore.update({ lastAccount: { user, session } });
    this.setState({ status: 'signedIn', serverUrl: this.serverUrl, keychain: this.vault.state, connection, user, session });
    this.scheduleExpiryCheck(session.expiresAt);
    this.ensureRealtime();
  }

  private ensureRealtime(): void {
    if (this.realtime) return;
    this.realtime = new RealtimeClient({
      serverUrl: this.serverUrl,
      token: () => this.token,
      ...(this.options.backoff ? { backoff: this.options.backoff } : {}),
      ...(this.options.deadAfterMs ? { deadAfterMs: this.options.deadAfterMs } : {}),
      handlers: {
        onOpen: () => void this.verifyAfterReconnect(),
        onMessage: (message) => void this.onRealtime(message),
        onDown: ({ rejectedWithStatus }) => {
          // A refused upgrade may mean the session ended while we were away: ask, never assume.
          // Refused as too many for this session: another holder of this sign-in may be connected;
          // renewing the token is what ends its sockets (docs/architecture.md, "Token rotation").
          if (rejectedWithStatus === 401 || rejectedWithStatus === 429) void this.verifyAfterReconnect();
          else this.setConnection(this.connection() === 'online' ? 'connecting' : 'offline');
        },
      },
    });
    this.realtime.start();
  }

  private connection(): Connection | undefined {
    return this.state.status === 'signedIn' ? this.state.connection : undefined;
  }

  /**
   * After any (re)connect, and every ROTATE_EVERY_MS: the token is replaced, and the server's word on
   * the session decides, not the socket's.
   */
  private async verifyAfterReconnect(): Promise<void> {
    if (this.state.status !== 'signedIn') return;
    try {
      const current = await this.rotateToken();
      if (this.state.status !== 'signedIn') return;
      this.enterSignedIn(current.user, current.session, this.realtime?.isOpen ? 'online' : 'connecting');
      await this.refreshSessions();
    } catch (error) {
      const ended = signOutIn(error);
      if (ended) await this.endSession(ended);
      else this.setConnection('offline');
    }
  }

  /**
   * Asks for a replacement token and keeps it in the keychain before using it: the old token stays
   * in use until the new one is stored, so a crash in between leaves the old one, which the server
   * still takes (the new one is pending until first used). See docs/architecture.md, "Token rotation".
   */
  private async rotateToken(retried = false): Promise<{ user: User; session: SessionView }> {
    const presented = this.token;
    try {
      const result = await this.api.rotate();
      const stillOurs = () => presented !== undefined && this.token === presented;
      if (result.token !== presented && stillOurs()) {
        const keychainWas = this.vault.state.kind;
        const stored = await this.vault.write(result.token);
        // The keychain failed just now and may still hold the replaced token: remember not to present it.
        if (!stored && keychainWas === 'os') this.profileStore.update({ replacedToken: fingerprint(presented!) });
        if (stillOurs()) {
          this.token = result.token;
          this.realtime?.renew();
        } else if (this.token === undefined) {
          // Signed out while the keychain was written: the entry must not outlive the session.
          await this.vault.delete();
        }
      }
      return result;
    } catch (error) {
      // Another rotation of this session changed it meanwhile: once more is enough.
      if (!retried && error instanceof CoreError && error.code === 'conflict') return this.rotateToken(true);
      throw error;
    } finally {
      clearTimeout(this.rotateTimer);
      if (this.token !== undefined) {
        this.rotateTimer = setTimeout(() => void this.verifyAfterReconnect(), this.options.rotateEveryMs ?? ROTATE_EVERY_MS);
        this.rotateTimer.unref();
      }
    }
  }

  private async onRealtime(message: RealtimeMessage): Promise<void> {
    if (this.state.status !== 'signedIn') return;
    switch (message.type) {
      case 'session.revoked':
        if (message.sessionId === this.state.session.id) {
          await this.endSession({
            reason: message.reason,
            at: message.at,
            ...(message.by ? { byDeviceName: message.by.deviceName } : {}),
            ...(message.by?.location ? { byLocation: message.by.location } : {}),
            ...(message.usedFrom ? { usedFrom: message.usedFrom } : {}),
            ...(message.alsoFrom ? { alsoFrom: message.alsoFrom } : {}),
          });
        }
        return;
      case 'session.token_reused': {
        const { type: _type, ...alert } = message;
        this.copiedSignIns.add(alert);
        // The copied device is gone from the list, and its new-sign-in alert with it.
        await this.refreshSessions();
        return;
      }
      case 'sessions.changed':
        await this.refreshSessions();
        return;
      case 'session.created':
        if (message.session.id === this.state.session.id) return;
        this.newSignIns.add(message.session);
        return;
      case 'session.presence':
        this.emit({ type: 'presence', sessionId: message.sessionId, online: message.online });
        return;
    }
  }

  private async refreshSessions(): Promise<void> {
    try {
      // Only alerts already here when the list was asked for can be judged by it: one that arrives meanwhile may be newer than the answer.
      const judged = new Set(this.newSignIns.all.map((s) => s.id));
      const sessions = await this.authed((api) => api.listSessions());
      this.emit({ type: 'sessionsChanged', sessions });
      // An alert about a device that has since been signed out has nothing left to act on.
      const active = new Set(sessions.map((s) => s.id));
      this.newSignIns.keep((s) => !judged.has(s.id) || active.has(s.id));
    } catch {
      // authed() has already acted on what the failure means.
    }
  }

  private scheduleExpiryCheck(expiresAt: string): void {
    clearTimeout(this.expiryTimer);
    if (!(Date.parse(expiresAt) > 0)) return; // not known yet (an offline start with nothing remembered)
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, Date.parse(expiresAt) - Date.now() + 1_000));
    this.expiryTimer = setTimeout(() => void this.verifyAfterReconnect(), delay);
    this.expiryTimer.unref();
  }

  /** The one way a session ends on this device. */
  private async endSession(signOut: Notice, options: { notice: boolean } = { notice: true }): Promise<SessionState> {
    if (this.token === undefined && this.state.status !== 'signedIn') return this.state;
    this.token = undefined;
    this.realtime?.stop();
    this.realtime = undefined;
    clearTimeout(this.expiryTimer);
    clearTimeout(this.rotateTimer);
    await this.vault.delete();
    this.profileStore.update({ lastAccount: undefined });
    this.newSignIns.clear();
    this.copiedSignIns.clear();
    return this.setSignedOut(options.notice ? signOut : undefined);
  }

  private setSignedOut(notice?: Notice): SessionState {
    this.setState({ status: 'signedOut', serverUrl: this.serverUrl, keychain: this.vault.state, ...(notice ? { notice } : {}) });
    return this.state;
  }

  private setConnection(connection: Connection): void {
    if (this.state.status === 'signedIn' && this.state.connection !== connection) this.setState({ ...this.state, connection });
  }

  private setState(state: SessionState): void {
    this.state = state;
    this.emit({ type: 'state', state });
  }

  private emit(event: ControllerEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

/** Enough of a token's SHA-256 to recognise it again, and nothing that could be used as it. */
const fingerprint = (token: string): string => createHash('sha256').update(token).digest('hex').slice(0, 16);

/** The notice a failure carries when it means the session is over. */
function signOutIn(error: unknown): Notice | undefined {
  return error instanceof CoreError && error.kind === 'unauthorized' ? error.extra.signOut : undefined;
}

const unknownUser = (): User => ({ id: '', email: 'your account', createdAt: new Date(0).toISOString() });
const unknownSession = (): SessionView => ({
  id: '',
  deviceName: 'This device',
  platform: 'other',
  appVersion: '',
  ip: '',
  location: { kind: 'unknown' },
  createdAt: new Date(0).toISOString(),
  lastSeenAt: new Date(0).toISOString(),
  expiresAt: new Date(0).toISOString(),
  current: true,
  online: false,
});
