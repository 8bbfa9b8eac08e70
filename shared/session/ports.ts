// What the session runner needs from the world, as interfaces: the token's store, the server's HTTP API,
// the live channel, a clock, what the device remembers, and who it is. The desktop core passes the real
// keychain, axios, ws and its profile file (electron/core/ports.ts); the account page passes its cookie,
// fetch, the browser's WebSocket and memory (renderer/src/account/web-bridge.ts); unit tests pass fakes
// (docs/architecture.md, "The session state machine").
import { z } from 'zod';
import { SessionView, User, type AddPasskeyBody, type PasskeySignInBody, type AnswerBody, type ChangePasswordBody, type DeviceInfo, type MailSettings, type RealtimeMessage, type ResetBody, type SessionView as SessionViewType, type SignedOutSessionView, type SignInRequestView } from '../api.js';
import type { OkValue } from '../client.js';
import type { KeychainState } from '../ipc.js';
import type { Routes } from '../routes.js';

/** Where this device keeps its token: the OS keychain on the desktop, the HttpOnly cookie on the account page. */
export interface Vault {
  readonly state: KeychainState;
  read(): Promise<string | undefined>;
  /** False when the keychain failed and the token is held in memory only from now on. */
  write(token: string): Promise<boolean>;
  delete(): Promise<void>;
}

/** What `navigator.credentials` made and got, as @simplewebauthn/browser hands them over. */
export type PasskeyCreated = AddPasskeyBody['response'];
export type PasskeyAsserted = PasskeySignInBody['response'];

type Ok<K extends keyof typeof Routes> = Promise<OkValue<(typeof Routes)[K]>>;

/**
 * The calls the runner makes, each a route of the table (shared/routes.ts), answered with its parsed value
 * or failed with a CoreError whose kind says what the failure means (errors.ts).
 */
export interface Api {
  register(email: string, password: string, device: DeviceInfo): Ok<'register'>;
  verifySignUp(id: string, code: string): Ok<'verifySignUp'>;
  login(email: string, password: string, device: DeviceInfo): Ok<'login'>;
  loginWithCode(id: string, code: string, password: string): Ok<'loginWithCode'>;
  loginWithSecondFactor(id: string, code: string): Ok<'loginWithSecondFactor'>;
  requestPasswordReset(email: string): Ok<'requestReset'>;
  resetPassword(body: Omit<ResetBody, 'device'>, device: DeviceInfo): Ok<'confirmReset'>;
  sendEmailCode(): Ok<'sendEmailCode'>;
  confirmEmail(code: string): Ok<'confirmEmail'>;
  mailSettings(): Ok<'mailSettings'>;
  setMailSettings(settings: MailSettings): Ok<'setMailSettings'>;
  waitForApproval(id: string, secret: string): Ok<'waitForApproval'>;
  recover(id: string, secret: string, code: string): Ok<'recover'>;
  resendSignIn(id: string, secret: string): Ok<'resendSignIn'>;
  cancelSignIn(id: string, secret: string): Ok<'cancelSignIn'>;
  signInRequests(): Promise<SignInRequestView[]>;
  answerSignInRequest(id: string, answer: AnswerBody): Ok<'answerSignInRequest'>;
  approvalSetting(): Ok<'approvalSetting'>;
  setApproval(required: boolean, password: string): Ok<'setApproval'>;
  regenerateRecoveryCodes(password: string): Ok<'regenerateRecoveryCodes'>;
  authenticatorSetting(): Ok<'authenticatorSetting'>;
  beginAuthenticator(password: string): Ok<'beginAuthenticator'>;
  confirmAuthenticator(code: string): Ok<'confirmAuthenticator'>;
  turnOffAuthenticator(password: string): Ok<'turnOffAuthenticator'>;
  passkeys(): Ok<'passkeys'>;
  passkeyAddOptions(): Ok<'passkeyAddOptions'>;
  addPasskey(id: string, name: string, response: PasskeyCreated): Ok<'addPasskey'>;
  renamePasskey(id: string, name: string): Ok<'renamePasskey'>;
  removePasskey(id: string): Ok<'removePasskey'>;
  /** Options to sign in with a passkey, no email typed (on the account page, the page's own). */
  passkeySignInOptions(): Ok<'passkeySignInOptions'>;
  /** Signed in with a passkey, or (sign-in approval) a request another device must answer. */
  signInWithPasskey(id: string, response: PasskeyAsserted, device: DeviceInfo): Ok<'passkeySignIn'>;
  reauthPasskeyOptions(): Ok<'reauthPasskeyOptions'>;
  reauthenticateWithPasskey(id: string, response: PasskeyAsserted): Ok<'reauthenticateWithPasskey'>;
  logout(): Ok<'logout'>;
  /** A replacement for `token` (the one in use), asked with this device's claim, with the session (docs/architecture.md, "Token rotation"). */
  rotate(token: string, claim: string): Ok<'rotate'>;
  changePassword(body: ChangePasswordBody): Ok<'changePassword'>;
  listSessions(): Promise<SessionViewType[]>;
  renameCurrent(deviceName: string): Ok<'renameCurrent'>;
  revokeSession(id: string): Ok<'revokeSession'>;
  revokeOthers(): Ok<'revokeOthers'>;
  signedOutSessions(): Promise<SignedOutSessionView[]>;
  reauthenticate(password: string): Ok<'reauthenticate'>;
  /** A page of recent activity, newest first; `before` continues from a page's `nextBefore`; `session`: one device's. */
  securityEvents(before?: string, session?: string): Ok<'securityEvents'>;
}

export interface RealtimeHandlers {
  /** The socket is open (again): time to ask the server what is true. */
  onOpen(): void;
  onMessage(message: RealtimeMessage): void;
  /** The connection dropped or could not be made (`rejectedWithStatus`: the upgrade was refused so); a retry is scheduled. */
  onDown(info: { rejectedWithStatus?: number }): void;
}

export interface Realtime {
  start(): void;
  stop(): void;
  /** Open a socket with the current token, then close the one it replaces. */
  renew(): void;
  reconnectNow(): void;
}

export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** What a device remembers between runs (the desktop's profile file; the account page's memory). Never the token. */
export const ProfileData = z.object({
  serverUrl: z.string().optional(),
  deviceName: z.string().optional(),
  lastAccount: z.object({ user: User, session: SessionView }).optional(),
  /**
   * The first 16 hex digits of SHA-256 of a token that was replaced while the keychain could not be
   * written: if the keychain still holds it, it is not presented (the server would take it as a copy).
   */
  replacedToken: z.string().optional(),
  /**
   * The server's time of the last account change this session has heard (live or caught up): one made
   * since, while it was off or offline, is told when it is back, once.
   */
  heard: z.object({ sessionId: z.string(), until: z.string() }).optional(),
});
export type ProfileData = z.infer<typeof ProfileData>;

export interface Profile {
  read(): ProfileData;
  update(change: Partial<ProfileData>): ProfileData;
}

/** Who this device is, and the secrets it makes: Node's crypto and OS on the desktop. */
export interface Identity {
  /** What this device says it is when it signs in; `savedName`: the name the person gave it. */
  device(savedName: string | undefined): DeviceInfo;
  /** A fresh rotation claim: 32 random bytes, base64url. */
  claim(): string;
  /** Enough of a token's SHA-256 to recognise it again, and nothing that could be used as it. */
  fingerprint(token: string): string;
}

export interface SessionPorts {
  /** The token's store for this profile on this server. */
  vault(serverUrl: string): Vault;
  api(serverUrl: string, token: () => string | undefined): Api;
  realtime(serverUrl: string, token: () => string | undefined, handlers: RealtimeHandlers): Realtime;
  clock: Clock;
  profile: Profile;
  identity: Identity;
  /** Where a failed effect is reported (the log); the queue goes on with the next one. */
  report(error: unknown): void;
}
