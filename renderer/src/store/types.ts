// The store's shape, slice by slice: the slices and the composition root import it, and it imports
// none of them, so there is no cycle.
import type { PasskeyView, AnswerBody, ApprovalChanged, ApprovalSetting, AuthenticatorChanged, AuthenticatorSetting, AuthenticatorSetup, RecoveryCodes, SecurityEvent, SessionView, SignedOutSessionView, SignInRequestView, AnswerResult } from '../../../shared/api.js';
import type { ChangePasswordInput, CopiedSignIn, IpcError, LatchBridge, SessionState, SignInInput } from '../../../shared/ipc.js';

export interface SessionSlice {
  /** The store's bridge, for calls whose answer only their screen keeps (a code sent, a setting). */
  bridge: LatchBridge;
  session: SessionState;
  setSession(session: SessionState): void;
  /** The address of the last sign-in tried here: the form starts from it again. */
  lastEmail: string;
  /** Resolves with the error to show, or nothing when signed in. */
  signIn(input: SignInInput): Promise<IpcError | undefined>;
  /** Undefined once signed out; the error when it could not be done (the account page, offline). */
  signOut(): Promise<IpcError | undefined>;
  dismissNotice(): Promise<void>;
  changePassword(input: ChangePasswordInput): Promise<{ revoked: number } | IpcError>;
  openDevicesWindow(): Promise<void>;
}

export interface DevicesSlice {
  sessions: SessionView[] | undefined;
  activity: SecurityEvent[] | undefined;
  /** Where the next, older page of activity starts; undefined when there is none. */
  activityNext: string | undefined;
  /** Why recent activity could not load, until it does. */
  activityError: string | undefined;
  devicesError: string | undefined;
  /** Devices signed out in the last 30 days; loaded when the person opens the list. */
  signedOut: SignedOutSessionView[] | undefined;
  signedOutError: string | undefined;
  /** Session ids with a sign-out under way. */
  revoking: Record<string, boolean>;
  loadDevices(): Promise<void>;
  /** Reloads recent activity, only where it is shown (loaded). */
  refreshActivity(): Promise<void>;
  setSessions(sessions: SessionView[]): void;
  /** A device came online or went offline: its row changes in place, nothing is fetched. */
  setPresence(sessionId: string, online: boolean): void;
  /** Signs a device out; one already gone (not_found) is a success, so callers see only real failures. */
  revokeSession(id: string): Promise<IpcError | undefined>;
  revokeOtherSessions(): Promise<IpcError | undefined>;
  renameDevice(name: string): Promise<IpcError | undefined>;
  /** The password entered again, for actions that need recent authentication. */
  reauthenticate(password: string): Promise<IpcError | undefined>;
  loadMoreActivity(): Promise<IpcError | undefined>;
  loadSignedOut(): Promise<void>;
  /** Forgets everything loaded (the session ended). */
  resetDevices(): void;
}

export interface AlertsSlice {
  /** New sign-ins elsewhere, newest first, until dismissed: the core keeps one list for every window. */
  newSignIns: SessionView[];
  /** Other devices whose sign-in was copied and used, newest first, until dismissed (one list for every window). */
  copiedSignIns: CopiedSignIn[];
  /** Set after "That wasn't me": the password form opens. */
  passwordFormOpen: boolean;
  /** The latest sentence for the polite live region; `n` makes a repeat of the same words count again. */
  announcement: { text: string; n: number };
  setNewSignIns(sessions: SessionView[]): void;
  dismissNewSignIns(ids: string[]): Promise<void>;
  setCopiedSignIns(alerts: CopiedSignIn[]): void;
  dismissCopiedSignIns(sessionIds: string[]): Promise<void>;
  setPasswordFormOpen(open: boolean): void;
  announce(text: string): void;
  /** Drops the alerts and closes the password form (the session ended); announcements stay. */
  resetAlerts(): void;
}

export interface ApprovalSlice {
  /** Sign-in requests from new devices this device can answer, oldest first (one list for every window). */
  signInRequests: SignInRequestView[];
  /** The account's sign-in approval setting, once loaded (the devices window loads it). */
  approval: ApprovalSetting | undefined;
  approvalError: string | undefined;
  /** Just signed in with a recovery code: how many are left, until dismissed. */
  recoveryCodesLeft: number | undefined;
  setSignInRequests(requests: SignInRequestView[]): void;
  answerSignInRequest(id: string, answer: AnswerBody): Promise<AnswerResult | IpcError>;
  loadApproval(): Promise<void>;
  setApproval(required: boolean, password: string): Promise<ApprovalChanged | IpcError>;
  regenerateRecoveryCodes(password: string): Promise<RecoveryCodes | IpcError>;
  /** Codes from an authenticator app, once loaded (the devices window loads it). */
  authenticator: AuthenticatorSetting | undefined;
  authenticatorError: string | undefined;
  loadAuthenticator(): Promise<void>;
  beginAuthenticator(password: string): Promise<AuthenticatorSetup | IpcError>;
  confirmAuthenticator(code: string): Promise<AuthenticatorChanged | IpcError>;
  turnOffAuthenticator(password: string): Promise<AuthenticatorChanged | IpcError>;
  /** Waiting for approval: give up. */
  cancelSignIn(): Promise<void>;
  /** Asks the account's devices again; the error to show, or nothing. */
  resendSignIn(): Promise<IpcError | undefined>;
  useRecoveryCode(code: string): Promise<{ recoveryCodesLeft: number } | IpcError>;
  dismissRecoveryCodesLeft(): void;
  /** Forgets requests and the setting (the session ended). */
  resetApproval(): void;
}

export interface PasskeysSlice {
  /** The account's passkeys, once loaded (the devices window and the account page load them). */
  passkeys: PasskeyView[] | undefined;
  passkeysError: string | undefined;
  loadPasskeys(): Promise<void>;
  /** The options, this page's authenticator, then the server: the passkey kept, or why not (`reauth_required` first). */
  addPasskey(name: string): Promise<PasskeyView | IpcError>;
  renamePasskey(id: string, name: string): Promise<PasskeyView | IpcError>;
  removePasskey(id: string): Promise<IpcError | undefined>;
  /** Signed out: a passkey signs in on the server of `serverUrl`; the error to show, or nothing. */
  signInWithPasskey(serverUrl: string): Promise<IpcError | undefined>;
  /** A passkey instead of the password, for actions that need recent authentication. */
  reauthenticateWithPasskey(): Promise<IpcError | undefined>;
  /** Forgets the list (the session ended). */
  resetPasskeys(): void;
}

export type LatchStore = SessionSlice & DevicesSlice & AlertsSlice & ApprovalSlice & PasskeysSlice;

export interface StoreDeps {
  bridge: LatchBridge;
}
