// The session runner: it feeds what happens (a call's answer, a socket opening, a push, a timer) to the
// pure state machine in machine.ts and runs the effects it returns one at a time, in order, through the
// ports in ports.ts. Every way a session can end, whether the person signs out, a session.revoked push,
// a 401 on any call or expiry, is the machine's `ended`: forget the token, close the socket, and leave a
// notice that says why. The desktop core runs it with the keychain (electron/core/session-controller.ts),
// the account page with its cookie (renderer/src/account/web-bridge.ts). See docs/architecture.md, "The
// session state machine".
import type {
  AccountChange,
  AnswerBody,
  AnswerResult,
  ApprovalChanged,
  ApprovalSetting,
  AuthenticatorChanged,
  AuthenticatorSetting,
  AuthenticatorSetup,
  AuthResult,
  MailSettings,
  PasskeyList,
  PasskeyOptions,
  PasskeyView,
  PendingSignIn,
  RecoveryCodes,
  SecondFactor,
  SessionView,
  SignInRequestView,
  StepUp,
} from '../api.js';
import type { ChangePasswordInput, CopiedSignIn, ResetPasswordInput, ResetRequestInput, SessionState, SignInInput } from '../ipc.js';
import type { z } from 'zod';
import { SessionAlerts, type AlertEvent } from './alerts.js';
import { backoffDelay } from './backoff.js';
import { CoreError } from './errors.js';
import { failureOf, initialState, publicState, step, type Effect, type MachineEvent, type MachineState, type TimerName } from './machine.js';
import type { Api, PasskeyAsserted, PasskeyCreated, Realtime, SessionPorts, Vault } from './ports.js';
import { parseServerUrl } from './server-url.js';

export type ControllerEvent =
  | { type: 'state'; state: SessionState }
  | { type: 'sessionsChanged'; sessions: SessionView[] }
  | AlertEvent
  | { type: 'presence'; sessionId: string; online: boolean }
  /** The account's sign-in approval setting or recovery codes changed; `change` says how, when another device changed them. */
  | { type: 'accountChanged'; change?: AccountChange };

export interface RunnerOptions {
  /** Used until the person enters another address. */
  defaultServerUrl: string;
  /** While signed in, the token is replaced this often as well as on every (re)connect (12 hours when not given). */
  rotateEveryMs?: number;
  /**
   * False on the account page: it lists the devices and keeps no alerts of its own, so a new or copied
   * sign-in reloads the list instead.
   */
  keepAlerts?: boolean;
  /** What every window is told, from the state the runner publishes (the account page adds its unfinished sign-out). */
  present?: (state: SessionState) => SessionState;
}

const MAX_TIMER_MS = 2 ** 31 - 1;
/** "At least once a day while connected" (docs/architecture.md, "Token rotation"), with room to spare. */
const ROTATE_EVERY_MS = 12 * 60 * 60_000;
/** Asking again while the server cannot be reached. */
const OFFLINE_CHECKS = { initialMs: 1_000, maxMs: 60_000 };

/**
 * What a sign-in's answer means to the machine: signed in; waiting for a device (a reset's wait is told
 * apart); or a code still to give, from the mail (a step-up) or from the authenticator app.
 */
function answered(result: AuthResult | PendingSignIn | StepUp | SecondFactor, options: { reset?: true } = {}): MachineEvent {
  if ('pending' in result) return { type: 'approvalPending', pending: result, ...options };
  if ('stepUp' in result) return { type: 'codeRequired', purpose: 'stepUp', code: result.stepUp };
  if ('secondFactor' in result) return { type: 'codeRequired', purpose: 'authenticator', code: result.secondFactor };
  return { type: 'signInSucceeded', result };
}

export class SessionRunner {
  private machine: MachineState = initialState;
  private published: SessionState = { status: 'starting' };
  /** The machine's state as last published (what `published` was made from). */
  private lastPublished: MachineState = initialState;
  private serverUrl: string;
  private vault!: Vault;
  private api!: Api;
  private realtime: Realtime | undefined;
  private readonly timers = new Map<TimerName, unknown>();
  /** Effects not yet run, and the loop running them (one at a time, in order). */
  private readonly effects: Effect[] = [];
  private running: Promise<void> | undefined;
  private readonly machineWatchers = new Set<() => void>();
  /** The catch-up with account changes under way: one at a time (catchUpAccount). */
  private catchingUp: Promise<void> = Promise.resolve();
  /** New sign-ins, copied sign-ins and requests to answer: one set for every window. */
  private readonly alerts: SessionAlerts;
  private readonly listeners = new Set<(event: ControllerEvent) => void>();
  private disposed = false;
  /** The sign-in request whose answer is being waited for, if any. */
  private waitingFor: string | undefined;
  /**
   * The claim this device's rotations of a token are asked with: one per token, in memory only, so a copy
   * of the keychain never holds it (docs/architecture.md, "Token rotation"). Asked again for the same token
   * (a lost answer, a conflict), the same claim gets the same replacement.
   */
  private rotationClaim: { presented: string; claim: string } | undefined;
  /** The last passkey sign-in's options: their id, and the server that gave them. */
  private passkeyCeremony: { id: string; server: string } | undefined;
  /** Checks of the session in a row that got no answer from it (the next one waits longer). */
  private failedChecks = 0;

  constructor(
    private readonly ports: SessionPorts,
    private readonly options: RunnerOptions,
  ) {
    this.alerts = new SessionAlerts(ports.clock, (event) => this.emit(event));
    this.serverUrl = this.ports.profile.read().serverUrl ?? parseServerUrl(options.defaultServerUrl);
    this.useServer(this.serverUrl);
  }

  getState(): SessionState {
    return this.published;
  }

  subscribe(listener: (event: ControllerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Restores the session from the token's store and asks the server whether it still holds (renewing its token). */
  async start(): Promise<SessionState> {
    const token = await this.vault.read();
    const profile = this.ports.profile.read();
    await this.dispatch({
      type: 'started',
      token,
      replaced: token !== undefined && profile.replacedToken !== undefined && profile.replacedToken === this.ports.identity.fingerprint(token),
      remembered: profile.lastAccount,
    });
    // Until the server answers (or cannot be reached) the state is still "starting".
    await this.until((state) => state.status !== 'restoring');
    return this.published;
  }

  async signIn(input: SignInInput): Promise<SessionState> {
    this.mustBeSignedOut();
    this.switchServer(input.serverUrl);
    await this.dispatch({ type: 'signInStarted', email: input.email });
    const device = this.device();
    try {
      if (input.mode === 'createAccount') {
        const { codeSent } = await this.api.register(input.email, input.password, device);
        await this.dispatch({ type: 'codeRequired', purpose: 'signUp', code: codeSent });
        return this.published;
      }
      const result = await this.api.login(input.email, input.password, device);
      await this.dispatch(answered(result));
      return this.published;
    } catch (error) {
      await this.dispatch({ type: 'signInFailed' });
      throw error;
    }
  }

  /**
   * Waiting for a code: the sign-up's makes the account; a step-up's goes with the password. A wrong code
   * keeps the wait (the person types it again); an ended code or a wrong password goes back to the form.
   */
  async signInWithCode(code: string, password: string): Promise<SessionState> {
    if (this.machine.status !== 'awaitingCode' || this.machine.purpose === 'authenticator') throw new CoreError('rejected', 'not_waiting', { key: 'no_code_wait' });
    const { id } = this.machine.code;
    try {
      const result = this.machine.purpose === 'signUp' ? await this.api.verifySignUp(id, code) : await this.api.loginWithCode(id, code, password);
      await this.dispatch(answered(result));
      return this.published;
    } catch (error) {
      if (!(error instanceof CoreError && error.code === 'invalid_code')) await this.dispatch({ type: 'signInFailed' });
      throw error;
    }
  }

  /**
   * The right password of an account with authenticator codes on: a code from the app, or a recovery code,
   * signs in. A wrong code keeps the wait; an ended one (five wrong, or five minutes) goes back to the form.
   */
  async signInWithAuthenticatorCode(code: string): Promise<SessionState> {
    if (this.machine.status !== 'awaitingCode' || this.machine.purpose !== 'authenticator') throw new CoreError('rejected', 'not_waiting', { key: 'no_code_wait' });
    try {
      await this.dispatch({ type: 'signInSucceeded', result: await this.api.loginWithSecondFactor(this.machine.code.id, code) });
      return this.published;
    } catch (error) {
      if (!(error instanceof CoreError && error.code === 'invalid_code')) await this.dispatch({ type: 'signInFailed' });
      throw error;
    }
  }

  /** Signed out: options to sign in with a passkey on the server of `serverUrl`, no email typed. */
  async passkeySignInOptions(serverUrl: string): Promise<PasskeyOptions> {
    this.mustBeSignedOut();
    this.switchServer(serverUrl);
    const asked = await this.api.passkeySignInOptions();
    this.passkeyCeremony = { id: asked.id, server: this.serverUrl };
    return asked;
  }

  /** What the passkey answered to those options: signed in, or (sign-in approval) waiting for a device. */
  async signInWithPasskey(id: string, response: PasskeyAsserted): Promise<SessionState> {
    this.mustBeSignedOut();
    // The answer goes to the server that asked, never to one chosen since (another window's sign-in or reset).
    const ceremony = this.passkeyCeremony;
    this.passkeyCeremony = undefined;
    if (ceremony?.id !== id || ceremony.server !== this.serverUrl) throw new CoreError('rejected', 'code_expired', { key: 'passkey_ceremony_ended' });
    // The passkey names the account: no address was typed, and the server says whose it is.
    await this.dispatch({ type: 'signInStarted', email: '' });
    try {
      await this.dispatch(answered(await this.api.signInWithPasskey(id, response, this.device())));
      return this.published;
    } catch (error) {
      await this.dispatch({ type: 'signInFailed' });
      throw error;
    }
  }

  private mustBeSignedOut(): void {
    if (this.machine.status === 'signedIn') throw new CoreError('rejected', 'already_signed_in', { key: 'already_signed_in' });
    if (this.machine.status === 'signingIn') throw new CoreError('rejected', 'busy', { key: 'sign_in_under_way' });
    if (this.machine.status !== 'signedOut') throw new CoreError('rejected', 'busy', { key: 'still_starting' });
  }

  passkeys(): Promise<PasskeyList> {
    return this.authed((api) => api.passkeys());
  }

  passkeyAddOptions(): Promise<PasskeyOptions> {
    return this.authed((api) => api.passkeyAddOptions());
  }

  addPasskey(id: string, name: string, response: PasskeyCreated): Promise<PasskeyView> {
    return this.authed((api) => api.addPasskey(id, name, response));
  }

  renamePasskey(id: string, name: string): Promise<PasskeyView> {
    return this.authed((api) => api.renamePasskey(id, name));
  }

  async removePasskey(id: string): Promise<null> {
    await this.authed((api) => api.removePasskey(id));
    return null;
  }

  reauthPasskeyOptions(): Promise<PasskeyOptions> {
    return this.authed((api) => api.reauthPasskeyOptions());
  }

  /** One of the account's passkeys instead of the password, for the next few minutes. */
  async reauthenticateWithPasskey(id: string, response: PasskeyAsserted): Promise<null> {
    await this.authed((api) => api.reauthenticateWithPasskey(id, response));
    return null;
  }

  /** "Forgot password?": a code by mail, if the address has an account on that server (the answer is the same). */
  async requestPasswordReset(input: ResetRequestInput): Promise<{ id: string; expiresAt: string }> {
    if (this.machine.status !== 'signedOut') throw new CoreError('rejected', 'busy', { key: 'sign_out_first' });
    this.switchServer(input.serverUrl);
    return (await this.api.requestPasswordReset(input.email)).codeSent;
  }

  /**
   * The mailed code and a new password: this device signs in; the server signs every other one out. With
   * sign-in approval on, the reset waits for a device's approval (or a recovery code) as a sign-in does.
   */
  async resetPassword(input: z.output<typeof ResetPasswordInput>): Promise<SessionState> {
    if (this.machine.status !== 'signedOut') throw new CoreError('rejected', 'busy', { key: 'sign_out_first' });
    await this.dispatch({ type: 'signInStarted', email: input.email });
    try {
      const result = await this.api.resetPassword({ id: input.id, code: input.code, password: input.password }, this.device());
      await this.dispatch(answered(result, { reset: true }));
      return this.published;
    } catch (error) {
      await this.dispatch({ type: 'signInFailed' });
      throw error;
    }
  }

  /** A new code to confirm the account's address. */
  async sendEmailCode(): Promise<{ id: string; expiresAt: string }> {
    return (await this.authed((api) => api.sendEmailCode())).codeSent;
  }

  async confirmEmail(code: string): Promise<SessionState> {
    const current = await this.authed((api) => api.confirmEmail(code));
    await this.dispatch({ type: 'userUpdated', user: current.user });
    return this.published;
  }

  mailSettings(): Promise<MailSettings> {
    return this.authed((api) => api.mailSettings());
  }

  setMailSettings(settings: MailSettings): Promise<MailSettings> {
    return this.authed((api) => api.setMailSettings(settings));
  }

  /** What this device says it is when it signs in. */
  private device() {
    return this.ports.identity.device(this.ports.profile.read().deviceName);
  }

  /** The person signs this device out. Offline, the token is still forgotten here. */
  async signOut(): Promise<SessionState> {
    if (this.machine.status !== 'signedIn') return this.published;
    const token = this.machine.token;
    await this.dispatch({ type: 'signOutStarted' });
    try {
      await this.api.logout();
    } catch {
      // Already ended on the server, or the server cannot be told: either way this device forgets it.
    }
    // Only this sign-in: if its end was pushed first and the person has signed in again since, that one stays.
    await this.dispatch({ type: 'ended', notice: { reason: 'signed_out', at: new Date(this.ports.clock.now()).toISOString() }, showNotice: false, token });
    return this.published;
  }

  /** Waiting for approval: the account's devices are asked again. */
  async resendSignIn(): Promise<null> {
    if (this.machine.status !== 'awaitingApproval') throw new CoreError('rejected', 'not_waiting', { key: 'no_approval_wait' });
    await this.api.resendSignIn(this.machine.request.id, this.machine.request.secret);
    return null;
  }

  /** Waiting for approval: stop, and withdraw the request. */
  async cancelSignIn(): Promise<SessionState> {
    await this.dispatch({ type: 'approvalCancelled' });
    return this.published;
  }

  /** Waiting for approval: sign in with a recovery code instead. */
  async useRecoveryCode(code: string): Promise<{ recoveryCodesLeft: number }> {
    if (this.machine.status !== 'awaitingApproval') throw new CoreError('rejected', 'not_waiting', { key: 'no_approval_wait' });
    const { id, secret } = this.machine.request;
    // Meanwhile the wait hears the request end (it was used up by the code): that is not an expiry.
    await this.dispatch({ type: 'recoveryStarted' });
    try {
      const { recoveryCodesLeft, ...result } = await this.api.recover(id, secret, code);
      await this.dispatch({ type: 'signInSucceeded', result });
      return { recoveryCodesLeft };
    } catch (error) {
      await this.dispatch({ type: 'recoveryFailed' });
      throw error;
    }
  }

  /** Sign-in requests from new devices that this device can answer, oldest first. */
  getSignInRequests(): SignInRequestView[] {
    return this.alerts.signInRequests;
  }

  async answerSignInRequest(id: string, answer: AnswerBody): Promise<AnswerResult> {
    try {
      const result = await this.authed((api) => api.answerSignInRequest(id, answer));
      // A first wrong number is forgiven: the question stands, with one more try and its choices drawn anew.
      if (result.outcome !== 'try_again') this.alerts.dropRequest(id);
      else if (result.request) this.alerts.addRequest(result.request);
      return result;
    } catch (error) {
      // Already answered elsewhere, expired or gone: the prompt has nothing left to ask.
      if (error instanceof CoreError && (error.code === 'conflict' || error.code === 'not_found')) this.alerts.dropRequest(id);
      throw error;
    }
  }

  approvalSetting(): Promise<ApprovalSetting> {
    return this.authed((api) => api.approvalSetting());
  }

  setApproval(required: boolean, password: string): Promise<ApprovalChanged> {
    return this.authed((api) => api.setApproval(required, password));
  }

  regenerateRecoveryCodes(password: string): Promise<RecoveryCodes> {
    return this.authed((api) => api.regenerateRecoveryCodes(password));
  }

  authenticatorSetting(): Promise<AuthenticatorSetting> {
    return this.authed((api) => api.authenticatorSetting());
  }

  beginAuthenticator(password: string): Promise<AuthenticatorSetup> {
    return this.authed((api) => api.beginAuthenticator(password));
  }

  confirmAuthenticator(code: string): Promise<AuthenticatorChanged> {
    return this.authed((api) => api.confirmAuthenticator(code));
  }

  turnOffAuthenticator(password: string): Promise<AuthenticatorChanged> {
    return this.authed((api) => api.turnOffAuthenticator(password));
  }

  async dismissNotice(): Promise<SessionState> {
    await this.dispatch({ type: 'noticeDismissed' });
    return this.published;
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
    this.ports.profile.update({ deviceName: session.deviceName });
    await this.dispatch({ type: 'renamed', session });
    return session;
  }

  signedOutSessions() {
    return this.authed((api) => api.signedOutSessions());
  }

  /** The new-sign-in alerts every window shows, newest first. */
  getNewSignIns(): SessionView[] {
    return this.alerts.newSignIns.all;
  }

  /** Dismisses these alerts in every window. */
  dismissNewSignIns(ids: string[]): SessionView[] {
    return this.alerts.newSignIns.dismiss(ids);
  }

  /** The copied-sign-in alerts every window shows, newest first. */
  getCopiedSignIns(): CopiedSignIn[] {
    return this.alerts.copiedSignIns.all;
  }

  /** Dismisses these copied-sign-in alerts (by session id) in every window. */
  dismissCopiedSignIns(sessionIds: string[]): CopiedSignIn[] {
    return this.alerts.copiedSignIns.dismiss(sessionIds);
  }

  securityEvents(before?: string) {
    return this.authed((api) => api.securityEvents(before));
  }

  deviceActivity(sessionId: string, before?: string) {
    return this.authed((api) => api.securityEvents(before, sessionId));
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
    this.disposed = true;
    this.realtime?.stop();
    this.realtime = undefined;
    this.clearTimers();
    this.alerts.stopTimers();
    this.effects.length = 0;
    this.listeners.clear();
  }

  // ---- the runner ----

  /** Steps the machine and resolves once every effect queued so far has run. */
  private dispatch(event: MachineEvent): Promise<void> {
    // Quitting: a late answer must not start a socket or a timer again.
    if (this.disposed) return Promise.resolve();
    const { state, effects } = step(this.machine, event);
    this.machine = state;
    this.effects.push(...effects);
    for (const watcher of this.machineWatchers) watcher();
    return this.drain();
  }

  private drain(): Promise<void> {
    if (this.running) return this.running;
    if (this.effects.length === 0) return Promise.resolve();
    this.running = (async () => {
      try {
        while (this.effects.length > 0) {
          const effect = this.effects.shift()!;
          try {
            await this.run(effect);
          } catch (error) {
            // One effect failing (a profile file that cannot be written) must not stop the ones after it.
            this.ports.report(error);
          }
        }
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** Resolves when the machine reaches a state `done` accepts and the effects that got it there have run. */
  private async until(done: (state: MachineState) => boolean): Promise<void> {
    if (!done(this.machine)) {
      await new Promise<void>((resolve) => {
        const watcher = () => {
          if (!done(this.machine)) return;
          this.machineWatchers.delete(watcher);
          resolve();
        };
        this.machineWatchers.add(watcher);
      });
    }
    await this.drain();
  }

  private async run(effect: Effect): Promise<void> {
    switch (effect.type) {
      case 'publish':
        this.lastPublished = effect.state;
        return this.republish();
      case 'writeToken':
        await this.vault.write(effect.token);
        return;
      case 'storeReplacement': {
        const keychainWas = this.vault.state.kind;
        const stored = await this.vault.write(effect.token);
        void this.dispatch({ type: 'tokenStored', presented: effect.presented, token: effect.token, account: effect.account, stored, keychainWas });
        return;
      }
      case 'deleteToken':
        return this.vault.delete();
      case 'rememberAccount':
        this.ports.profile.update({ lastAccount: effect.account });
        return;
      case 'rememberReplaced':
        this.ports.profile.update({ replacedToken: effect.presented === undefined ? undefined : this.ports.identity.fingerprint(effect.presented) });
        return;
      case 'rotate':
        // Answered later, as an event: the queue does not wait on the network.
        void this.api.rotate(effect.presented, this.claimFor(effect.presented)).then(
          (result) => {
            this.failedChecks = 0;
            return this.dispatch({ type: 'rotated', presented: effect.presented, result });
          },
          (error: unknown) => {
            this.failedChecks++;
            return this.dispatch({ type: 'rotateFailed', presented: effect.presented, failure: failureOf(error), retried: effect.retried });
          },
        );
        return;
      case 'startRealtime':
        if (this.realtime) return;
        this.realtime = this.ports.realtime(this.serverUrl, () => this.token(), {
          onOpen: () => void this.dispatch({ type: 'socketOpened' }),
          onMessage: (message) => void this.dispatch({ type: 'message', message }),
          onDown: ({ rejectedWithStatus }) => void this.dispatch({ type: 'socketDown', ...(rejectedWithStatus !== undefined ? { rejectedWithStatus } : {}) }),
        });
        return this.realtime.start();
      case 'renewRealtime':
        return this.realtime?.renew();
      case 'reconnectNow':
        return this.realtime?.reconnectNow();
      case 'stopRealtime':
        this.realtime?.stop();
        this.realtime = undefined;
        return;
      case 'setTimer':
        return this.setTimer(effect.timer, effect.timer === 'expiry' ? this.untilExpiry(effect.at) : this.untilRotation());
      case 'clearTimers':
        return this.clearTimers();
      case 'refreshSessions':
        void this.refreshSessions();
        return;
      case 'newSignInAlert':
        if (this.options.keepAlerts === false) return void this.refreshSessions();
        return this.alerts.newSignIns.add(effect.session);
      case 'copiedSignInAlert':
        // Without alerts, the refresh that follows it in the machine's effects shows the copied device gone.
        if (this.options.keepAlerts === false) return;
        return this.alerts.copiedSignIns.add(effect.alert);
      case 'clearAlerts':
        return this.alerts.clear();
      case 'presence':
        return this.emit({ type: 'presence', sessionId: effect.sessionId, online: effect.online });
      case 'waitForApproval':
        void this.waitForApproval(effect.id, effect.secret);
        return;
      case 'cancelRequest':
        void this.api.cancelSignIn(effect.id, effect.secret).catch(() => undefined);
        return;
      case 'signInRequestAlert':
        return this.alerts.addRequest(effect.request);
      case 'signInRequestResolved':
        return this.alerts.dropRequest(effect.id);
      case 'catchUpAccount':
        void this.catchUpAccount();
        return;
      case 'refreshSignInRequests':
        void this.refreshSignInRequests();
        return;
      case 'accountChanged':
        if (effect.change) this.heard(effect.change.at);
        return this.emit({ type: 'accountChanged', ...(effect.change ? { change: effect.change } : {}) });
    }
  }

  /**
   * Long polls for the answer while this request is the one waited for, reporting each. The network
   * failing is not an answer: it tries again every two seconds until the request expires.
   */
  private async waitForApproval(id: string, secret: string): Promise<void> {
    // One loop per request: a failed recovery code asks for the wait again, which may still be running.
    if (this.waitingFor === id) return;
    this.waitingFor = id;
    try {
      await this.pollForApproval(id, secret);
    } finally {
      if (this.waitingFor === id) this.waitingFor = undefined;
    }
  }

  private async pollForApproval(id: string, secret: string): Promise<void> {
    const waiting = () => this.machine.status === 'awaitingApproval' && this.machine.request.id === id;
    while (waiting()) {
      try {
        const state = await this.api.waitForApproval(id, secret);
        await this.dispatch({ type: 'approvalAnswered', id, state });
        if (state.state !== 'pending') return;
      } catch (error) {
        if (error instanceof CoreError && (error.code === 'not_found' || error.code === 'conflict')) {
          await this.dispatch({ type: 'approvalAnswered', id, state: { state: 'expired' } });
          return;
        }
        if (this.machine.status === 'awaitingApproval' && Date.parse(this.machine.request.expiresAt) <= this.ports.clock.now()) {
          await this.dispatch({ type: 'approvalAnswered', id, state: { state: 'expired' } });
          return;
        }
        await new Promise<void>((resolve) => this.ports.clock.setTimeout(resolve, 2_000));
      }
    }
  }

  /** The latest account change this session has heard, by the server's clock; undefined before its first catch-up. */
  private heardUntil(sessionId: string): string | undefined {
    const heard = this.ports.profile.read().heard;
    return heard?.sessionId === sessionId ? heard.until : undefined;
  }

  private heard(at: string): void {
    const sessionId = this.machine.status === 'signedIn' ? this.machine.account?.session.id : undefined;
    if (!sessionId) return;
    const until = this.heardUntil(sessionId);
    if (until === undefined || at > until) this.ports.profile.update({ heard: { sessionId, until: at } });
  }

  /**
   * A recovery code used while this device was off or offline would otherwise reach it only as a line in
   * recent activity: told now as the live change would have been (an OS notification, an announcement).
   * Since the last change heard, or since this device signed in; each once.
   */
  private catchUpAccount(): Promise<void> {
    // One at a time: two at once (at start, then when the socket opens) would both tell the same change.
    this.catchingUp = this.catchingUp.then(() => this.catchUpOnce());
    return this.catchingUp;
  }

  private async catchUpOnce(): Promise<void> {
    const session = this.machine.status === 'signedIn' ? this.machine.account?.session : undefined;
    if (!session) return;
    try {
      const { events } = await this.authed((api) => api.securityEvents());
      // The first catch-up of a session only marks where it stands: what came before, it was there for (or it
      // is its own sign-in, a recovery code's included).
      const since = this.heardUntil(session.id);
      if (since !== undefined) {
        const missed = events.filter((e) => e.type === 'recovery_code_used' && e.at > since).reverse();
        for (const e of missed) {
          this.emit({ type: 'accountChanged', change: { what: 'recovery_code_used', sessionId: '', byDeviceName: e.deviceName, at: e.at, ...(e.count !== undefined ? { recoveryCodesLeft: e.count } : {}) } });
        }
      }
      this.heard(events[0]?.at ?? session.createdAt);
    } catch {
      // authed() has already acted on what the failure means; the next reconnect tries again.
    }
  }

  private async refreshSignInRequests(): Promise<void> {
    try {
      this.alerts.syncRequests(await this.authed((api) => api.signInRequests()));
    } catch {
      // authed() has already acted on what the failure means.
    }
  }

  /** Asks the server now whether the session holds (the account page: another tab signed this browser out). */
  checkNow(): void {
    void this.dispatch({ type: 'timerFired', timer: 'rotate' });
  }

  /** Tells every window the state again, as `options.present` now shows it (the account page's sign-out finished). */
  republish(): void {
    const state = publicState(this.lastPublished, this.serverUrl, this.vault.state);
    this.published = this.options.present ? this.options.present(state) : state;
    this.emit({ type: 'state', state: this.published });
  }

  /** The address the person entered, if it is another server than the one in use: from now on, that one. */
  private switchServer(input: string): void {
    if (input === this.serverUrl) return;
    const origin = parseServerUrl(input);
    if (origin === this.serverUrl) return;
    this.useServer(origin);
    this.ports.profile.update({ serverUrl: origin });
  }

  private useServer(origin: string): void {
    this.serverUrl = origin;
    this.vault = this.ports.vault(origin);
    this.api = this.ports.api(origin, () => this.token());
  }

  private claimFor(presented: string): string {
    if (this.rotationClaim?.presented !== presented) this.rotationClaim = { presented, claim: this.ports.identity.claim() };
    return this.rotationClaim.claim;
  }

  /** The token in use; a replacement being written to the keychain is not used until it is stored. */
  private token(): string | undefined {
    return this.machine.status === 'signedIn' || this.machine.status === 'restoring' ? this.machine.token : undefined;
  }

  /** Runs a call that needs the session; a 401 ends it, a network failure marks us offline. */
  private async authed<T>(call: (api: Api) => Promise<T>): Promise<T> {
    if (this.machine.status !== 'signedIn') throw new CoreError('not_signed_in', 'not_signed_in', { key: 'not_signed_in' });
    const token = this.machine.token;
    let value: T;
    try {
      value = await call(this.api);
    } catch (error) {
      // A 401: the caller hears of it once the session is over here.
      await this.dispatch({ type: 'callSettled', token, failure: failureOf(error) });
      throw error;
    }
    // The answer need not wait for effects queued before it (a slow keychain write, say).
    void this.dispatch({ type: 'callSettled', token });
    return value;
  }

  private async refreshSessions(): Promise<void> {
    try {
      // Only alerts already here when the list was asked for can be judged by it: one that arrives meanwhile may be newer than the answer.
      const judged = new Set(this.alerts.newSignIns.all.map((s) => s.id));
      const sessions = await this.authed((api) => api.listSessions());
      this.emit({ type: 'sessionsChanged', sessions });
      // An alert about a device that has since been signed out has nothing left to act on.
      const active = new Set(sessions.map((s) => s.id));
      this.alerts.newSignIns.keep((s) => !judged.has(s.id) || active.has(s.id));
    } catch {
      // authed() has already acted on what the failure means.
    }
  }

  /**
   * When to renew the token next: on schedule or, while calls fail to reach the server, soon, from 1 s
   * doubling to a minute with each check that failed (the live channel may be up meanwhile, or down with
   * nothing else to wake us).
   */
  private untilRotation(): number {
    const every = this.options.rotateEveryMs ?? ROTATE_EVERY_MS;
    if (this.machine.status !== 'signedIn' || this.machine.connection !== 'offline') return every;
    return Math.min(every, backoffDelay(Math.max(0, this.failedChecks - 1), Math.random, OFFLINE_CHECKS));
  }

  /** A second after the session expires; undefined when that is not known yet. */
  private untilExpiry(at: string): number | undefined {
    const expires = Date.parse(at);
    if (!(expires > 0)) return undefined;
    return Math.min(MAX_TIMER_MS, Math.max(0, expires - this.ports.clock.now() + 1_000));
  }

  private setTimer(timer: TimerName, ms: number | undefined): void {
    this.ports.clock.clearTimeout(this.timers.get(timer));
    this.timers.delete(timer);
    if (ms === undefined) return;
    this.timers.set(timer, this.ports.clock.setTimeout(() => void this.dispatch({ type: 'timerFired', timer }), ms));
  }

  private clearTimers(): void {
    for (const handle of this.timers.values()) this.ports.clock.clearTimeout(handle);
    this.timers.clear();
  }

  private emit(event: ControllerEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
