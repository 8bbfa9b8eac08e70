// The IPC contract between the renderer and the core: channel names, argument
// and result schemas, and the events main forwards to every window. Preload
// exposes exactly these; main and the test bridge parse with these schemas.
import { z } from 'zod';
import {
  AnswerResult,
  AccountChange,
  ApprovalChanged,
  ApprovalSetting,
  AppCode,
  AuthenticatorChanged,
  AuthenticatorSetting,
  AuthenticatorSetup,
  AuthenticationResponse,
  CodeId,
  CodeSent,
  DeviceName,
  EmailCode,
  RuledDetail,
  ErrorSay,
  Location,
  MailSettings,
  NewPassword,
  newPassword,
  PasskeyId,
  PasskeyList,
  PasskeyName,
  PasskeyOptions,
  PasskeyView,
  RegistrationResponse,
  rule,
  Platform,
  RecoveryCode,
  RecoveryCodes,
  SecondFactorCode,
  SecurityEventId,
  SecurityEventList,
  SessionView,
  SignedOutSessionView,
  SignInRequestView,
  SignOutReason,
  UsedFrom,
  User,
  type ErrorBody,
  type ErrorCode,
  type FieldRule,
  type SessionRevokedMessage,
} from './api.js';

/** Why the last session ended, for the notice on the sign-in screen. */
export const Notice = z.strictObject({
  reason: SignOutReason,
  at: z.iso.datetime({ offset: true }),
  byDeviceName: z.string().optional(),
  /** Where that device is (for an eviction: the sign-in that took this one's place). */
  byLocation: Location.optional(),
  /** For `token_reused`: where the old copy of this device's sign-in was used from, and where the newer one was. */
  usedFrom: UsedFrom.optional(),
  alsoFrom: UsedFrom.optional(),
});
export type Notice = z.infer<typeof Notice>;

/** The notice a device shows when the server tells it its session ended (the desktop core and the account page alike). */
export function noticeOf(message: SessionRevokedMessage): Notice {
  return {
    reason: message.reason,
    at: message.at,
    ...(message.by ? { byDeviceName: message.by.deviceName } : {}),
    ...(message.by?.location ? { byLocation: message.by.location } : {}),
    ...(message.usedFrom ? { usedFrom: message.usedFrom } : {}),
    ...(message.alsoFrom ? { alsoFrom: message.alsoFrom } : {}),
  };
}

/** What each 401 that means "this session is not valid" says when it gives no reason of its own. */
const REFUSAL_REASONS: Partial<Record<ErrorCode, SignOutReason>> = {
  session_revoked: 'revoked_by_user',
  session_expired: 'expired',
  // A token the server no longer knows (purged, or a reset store) has simply run out.
  unauthenticated: 'expired',
};

/**
 * The notice for a 401 that ended this device's session, when no socket said so first: the one conversion
 * of such an answer, for the desktop core and the account page alike. Undefined for any other error.
 * `now`: the time to show when the answer gives none.
 */
export function noticeOfRefusal(status: number, error: ErrorBody['error'], now: () => string): Notice | undefined {
  // Own keys only: a code such as "constructor" from a server that is not Latch is no reason.
  const fallback = Object.hasOwn(REFUSAL_REASONS, error.code) ? REFUSAL_REASONS[error.code as ErrorCode] : undefined;
  if (status !== 401 || fallback === undefined) return undefined;
  return {
    reason: error.reason ?? fallback,
    at: error.revokedAt ?? now(),
    ...(error.revokedBy ? { byDeviceName: error.revokedBy.deviceName } : {}),
    ...(error.revokedBy?.location ? { byLocation: error.revokedBy.location } : {}),
    ...(error.usedFrom ? { usedFrom: error.usedFrom } : {}),
    ...(error.alsoFrom ? { alsoFrom: error.alsoFrom } : {}),
  };
}

/** Another device's sign-in was copied and used (docs/architecture.md, "Token rotation"); that device was signed out. */
export const CopiedSignIn = z.strictObject({
  sessionId: z.string(),
  deviceName: z.string(),
  platform: Platform,
  usedFrom: UsedFrom,
  alsoFrom: UsedFrom.optional(),
  at: z.iso.datetime({ offset: true }),
});
export type CopiedSignIn = z.infer<typeof CopiedSignIn>;

/** Which keychain keeps the key (its name and what to do about it are words in shared/messages: `keychain`). */
export const KeychainStore = z.enum(['macos', 'windows', 'secret_service', 'browser']);
export type KeychainStore = z.infer<typeof KeychainStore>;

export const KeychainState = z.strictObject({
  kind: z.enum(['os', 'memory-only']),
  store: KeychainStore.optional(),
  /** Why the OS keychain is not used: what it answered, as it came (shown inside the words `keychain.unavailable`). */
  problem: z.string().max(500).optional(),
});
export type KeychainState = z.infer<typeof KeychainState>;

export const Connection = z.enum(['online', 'connecting', 'offline']);
export type Connection = z.infer<typeof Connection>;

/** Why the last sign-in on this device did not happen (sign-in approval): denied, the wrong number picked, or no answer in time. */
export const SignInRefused = z.strictObject({
  outcome: z.enum(['denied', 'wrong_number', 'expired']),
  byDeviceName: z.string().optional(),
});
export type SignInRefused = z.infer<typeof SignInRefused>;

/** What a code by mail is for, while the sign-in screen waits for it. */
export const CodePurpose = z.enum(['signUp', 'stepUp', 'authenticator']);
export type CodePurpose = z.infer<typeof CodePurpose>;

export const SessionState = z.discriminatedUnion('status', [
  z.strictObject({ status: z.literal('starting') }),
  z.strictObject({
    status: z.literal('signedOut'),
    serverUrl: z.string(),
    keychain: KeychainState,
    notice: Notice.optional(),
    refused: SignInRefused.optional(),
    /**
     * The account page signed this browser out while the server could not be reached: `waiting` until the
     * server has ended the session (the page keeps asking, and asks first on its next load), then `done`.
     */
    unfinishedSignOut: z.enum(['waiting', 'done']).optional(),
  }),
  /**
   * The password was sent and the account asks one of its devices to approve: this device shows the
   * number to pick there, and waits (docs/architecture.md, "Sign-in approval").
   */
  z.strictObject({
    status: z.literal('awaitingApproval'),
    serverUrl: z.string(),
    keychain: KeychainState,
    email: z.string(),
    number: z.number().int(),
    expiresAt: z.iso.datetime({ offset: true }),
    /** A password reset waits, not a plain sign-in: approving it signs every other device out. */
    reset: z.literal(true).optional(),
    /** A number this device does not show was picked on that device; forgiven once, one more try is left. */
    wrongPickBy: z.string().optional(),
  }),
  /**
   * A code the server mailed is needed: to finish creating the account (`signUp`), or (`stepUp`) because many
   * wrong passwords were tried on it from elsewhere, and a sign-in from a new place needs the code with the
   * password again (docs/api.md, "Rate limits"); or (`authenticator`) the password was right and the account
   * has authenticator codes on: a code from the app, or a recovery code, finishes it (not mailed).
   */
  z.strictObject({ status: z.literal('awaitingCode'), serverUrl: z.string(), keychain: KeychainState, email: z.string(), purpose: CodePurpose, expiresAt: z.iso.datetime({ offset: true }) }),
  z.strictObject({ status: z.literal('signingIn'), serverUrl: z.string(), keychain: KeychainState }),
  z.strictObject({
    status: z.literal('signedIn'),
    serverUrl: z.string(),
    keychain: KeychainState,
    connection: Connection,
    user: User,
    session: SessionView,
  }),
  /**
   * Signed in, but who is not known yet: the server could not be reached at start and nothing was
   * remembered from the last run. Becomes `signedIn` when the server answers.
   */
  z.strictObject({ status: z.literal('resuming'), serverUrl: z.string(), keychain: KeychainState, connection: Connection }),
]);
export type SessionState = z.infer<typeof SessionState>;

/** What the client itself says (the core, the account page's ports, the bridge), by key, as `ErrorSay` for the server. */
export const CoreSay = z.discriminatedUnion('key', [
  z.strictObject({
    key: z.enum([
      'server_url_not_url',
      'server_url_scheme',
      'already_signed_in',
      'sign_in_under_way',
      'still_starting',
      'no_code_wait',
      'no_approval_wait',
      'sign_out_first',
      'not_signed_in',
      'server_not_answering',
      'server_too_slow',
      'unreachable_check_address',
      'unreachable_check_connection',
      'not_on_page',
      'browser_signed_out',
      'outside_contract',
      'client_fault',
      'page_forbidden',
      'bridge_lost',
    ]),
  }),
  z.strictObject({ key: z.literal('plain_http_elsewhere'), host: z.string().max(2048), hostname: z.string().max(2048) }),
  z.strictObject({ key: z.literal('answer_not_understood'), method: z.string().max(16), path: z.string().max(2048) }),
  z.strictObject({ key: z.literal('status_not_understood'), status: z.number().int() }),
]);
export type CoreSay = z.infer<typeof CoreSay>;
/** Any error's sentence by key: the server's or the client's own. */
export const Say = z.union([ErrorSay, CoreSay]);
export type Say = z.infer<typeof Say>;

/**
 * An error as it crosses IPC: a code the UI can branch on, the sentence by key (`say`) and in English
 * (`message`, for an error without a key: a server's that this client does not know), and each field's refusal.
 */
export const IpcError = z.strictObject({
  code: z.string(),
  message: z.string(),
  say: Say.optional(),
  details: z.array(RuledDetail).optional(),
  retryAfterSeconds: z.number().optional(),
});
export type IpcError = z.infer<typeof IpcError>;

export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: IpcError };

const ServerUrlInput = z.string().trim().min(1, 'enter_server_url' satisfies FieldRule).max(2048, 'server_url_too_long' satisfies FieldRule);
const EmailInput = z.string().trim().min(1, 'enter_email' satisfies FieldRule).max(254, rule('too_long', 'email'));
const PasswordInput = z.string().min(1, 'enter_password' satisfies FieldRule).max(256, rule('too_long', 'password'));

export const SignInInput = z.strictObject({
  mode: z.enum(['signIn', 'createAccount']),
  serverUrl: ServerUrlInput,
  email: EmailInput,
  password: PasswordInput,
});
export type SignInInput = z.infer<typeof SignInInput>;

/** Creating an account is signing in with a new password: the password rule is the API's (NewPassword). */
export const CreateAccountInput = SignInInput.extend({ mode: z.literal('createAccount'), password: PasswordInput.pipe(NewPassword) });

/** "Forgot password?": a code by mail to this address on this server. */
export const ResetRequestInput = z.strictObject({ serverUrl: ServerUrlInput, email: EmailInput });
export type ResetRequestInput = z.infer<typeof ResetRequestInput>;

const CodeInput = z.string().trim().min(1, 'enter_code' satisfies FieldRule).pipe(EmailCode);

/**
 * The mailed code and a new password, for the account at `email` (shown while a reset waits for approval:
 * with sign-in approval on, one of the account's devices or a recovery code must allow it).
 */
export const ResetPasswordInput = z.strictObject({
  email: EmailInput,
  id: CodeId,
  code: CodeInput,
  password: z.string().min(1, 'enter_new_password' satisfies FieldRule).pipe(newPassword('newPassword')),
});
export type ResetPasswordInput = z.input<typeof ResetPasswordInput>;

/** A code was mailed (if the address can get one): the API's `CodeSent`, unwrapped. */
export const CodeSentInfo = CodeSent.shape.codeSent;

export const ChangePasswordInput = z.strictObject({
  currentPassword: z.string().min(1, 'enter_current_password' satisfies FieldRule).max(256, rule('too_long', 'currentPassword')),
  newPassword: z.string().min(1, 'enter_new_password' satisfies FieldRule).pipe(newPassword('newPassword')),
});
export type ChangePasswordInput = z.infer<typeof ChangePasswordInput>;

const none = z.tuple([]);
const id = z.string().min(1).max(64);

/**
 * What `navigator.credentials` made or got, as plain data no larger than a request body may be (16 KiB as
 * JSON): the schemas let unknown keys through, so the size is held here before the core serialises it.
 */
const CeremonyAnswer = <T extends z.ZodType>(schema: T) =>
  z
    .custom<unknown>((value) => {
      try {
        return JSON.stringify(value).length <= 16_384;
      } catch {
        return false;
      }
    }, rule('too_long', 'passkeyResponse'))
    .pipe(schema);

/**
 * Every call the renderer can make. `args` is the tuple of arguments; the
 * result travels as an IpcResult of `result`.
 */
export const IpcCalls = {
  getState: { channel: 'latch:get-state', args: none, result: SessionState },
  signIn: { channel: 'latch:sign-in', args: z.tuple([SignInInput]), result: SessionState },
  signOut: { channel: 'latch:sign-out', args: none, result: SessionState },
  dismissNotice: { channel: 'latch:dismiss-notice', args: none, result: SessionState },
  listSessions: { channel: 'latch:list-sessions', args: none, result: z.array(SessionView) },
  revokeSession: { channel: 'latch:revoke-session', args: z.tuple([id]), result: z.null() },
  revokeOtherSessions: { channel: 'latch:revoke-other-sessions', args: none, result: z.strictObject({ revoked: z.number() }) },
  renameDevice: { channel: 'latch:rename-device', args: z.tuple([DeviceName]), result: SessionView },
  /** Recent activity, newest first; with an event id, the page older than it. */
  securityEvents: { channel: 'latch:security-events', args: z.union([none, z.tuple([SecurityEventId])]), result: SecurityEventList },
  /** What one device did, newest first (its detail view); with an event id, the page older than it. */
  deviceActivity: { channel: 'latch:device-activity', args: z.union([z.tuple([id]), z.tuple([id, SecurityEventId])]), result: SecurityEventList },
  /** Devices signed out in the last 30 days, most recently first. */
  signedOutSessions: { channel: 'latch:signed-out-sessions', args: none, result: z.array(SignedOutSessionView) },
  /** The new-sign-in alerts, shared by every window, newest first. */
  newSignIns: { channel: 'latch:new-sign-ins', args: none, result: z.array(SessionView) },
  dismissNewSignIns: { channel: 'latch:dismiss-new-sign-ins', args: z.tuple([z.array(id).max(200)]), result: z.array(SessionView) },
  /** Alerts that another device's sign-in was copied and used, newest first, shared by every window. */
  copiedSignIns: { channel: 'latch:copied-sign-ins', args: none, result: z.array(CopiedSignIn) },
  dismissCopiedSignIns: { channel: 'latch:dismiss-copied-sign-ins', args: z.tuple([z.array(id).max(200)]), result: z.array(CopiedSignIn) },
  reauthenticate: { channel: 'latch:reauthenticate', args: z.tuple([PasswordInput]), result: z.null() },
  changePassword: { channel: 'latch:change-password', args: z.tuple([ChangePasswordInput]), result: z.strictObject({ revoked: z.number() }) },
  openDevicesWindow: { channel: 'latch:open-devices-window', args: none, result: z.null() },
  /** Waiting for approval: stop, and withdraw the request. */
  cancelSignIn: { channel: 'latch:cancel-sign-in', args: none, result: SessionState },
  /** Waiting for approval: asks the account's devices again (at most once in 15 s). */
  resendSignIn: { channel: 'latch:resend-sign-in', args: none, result: z.null() },
  /** Waiting for approval: sign in with a recovery code instead; says how many are left. */
  useRecoveryCode: { channel: 'latch:use-recovery-code', args: z.tuple([RecoveryCode]), result: z.strictObject({ recoveryCodesLeft: z.number() }) },
  /** Sign-in requests from new devices that this device can answer, oldest first. */
  signInRequests: { channel: 'latch:sign-in-requests', args: none, result: z.array(SignInRequestView) },
  /** Answers one: the number picked, or no. */
  answerSignInRequest: {
    channel: 'latch:answer-sign-in-request',
    args: z.tuple([id, z.union([z.strictObject({ number: z.number().int().min(10).max(99) }), z.strictObject({ deny: z.literal(true) })])]),
    result: AnswerResult,
  },
  approvalSetting: { channel: 'latch:approval-setting', args: none, result: ApprovalSetting },
  setApproval: { channel: 'latch:set-approval', args: z.tuple([z.boolean(), PasswordInput]), result: ApprovalChanged },
  regenerateRecoveryCodes: { channel: 'latch:regenerate-recovery-codes', args: z.tuple([PasswordInput]), result: RecoveryCodes },
  /** Codes from an authenticator app (docs/architecture.md, "Authenticator codes"): on, off, and setting them up. */
  authenticatorSetting: { channel: 'latch:authenticator-setting', args: none, result: AuthenticatorSetting },
  beginAuthenticator: { channel: 'latch:begin-authenticator', args: z.tuple([PasswordInput]), result: AuthenticatorSetup },
  confirmAuthenticator: { channel: 'latch:confirm-authenticator', args: z.tuple([z.string().trim().min(1, 'app_code_digits' satisfies FieldRule).pipe(AppCode)]), result: AuthenticatorChanged },
  turnOffAuthenticator: { channel: 'latch:turn-off-authenticator', args: z.tuple([PasswordInput]), result: AuthenticatorChanged },
  /**
   * Passkeys (docs/architecture.md, "Passkeys"): the window runs `navigator.credentials` with the options
   * these give, and hands what the authenticator made back.
   */
  passkeys: { channel: 'latch:passkeys', args: none, result: PasskeyList },
  passkeyAddOptions: { channel: 'latch:passkey-add-options', args: none, result: PasskeyOptions },
  addPasskey: { channel: 'latch:add-passkey', args: z.tuple([CodeId, PasskeyName, CeremonyAnswer(RegistrationResponse)]), result: PasskeyView },
  renamePasskey: { channel: 'latch:rename-passkey', args: z.tuple([PasskeyId.shape.id, PasskeyName]), result: PasskeyView },
  removePasskey: { channel: 'latch:remove-passkey', args: z.tuple([PasskeyId.shape.id]), result: z.null() },
  /** Signed out: options to sign in with a passkey on this server, no email typed. */
  passkeySignInOptions: { channel: 'latch:passkey-sign-in-options', args: z.tuple([ServerUrlInput]), result: PasskeyOptions },
  signInWithPasskey: { channel: 'latch:sign-in-with-passkey', args: z.tuple([CodeId, CeremonyAnswer(AuthenticationResponse)]), result: SessionState },
  /** A passkey instead of the password, for what needs recent authentication. */
  reauthPasskeyOptions: { channel: 'latch:reauth-passkey-options', args: none, result: PasskeyOptions },
  reauthenticateWithPasskey: { channel: 'latch:reauthenticate-with-passkey', args: z.tuple([CodeId, CeremonyAnswer(AuthenticationResponse)]), result: z.null() },
  /** "Forgot password?": the answer is the same whether or not the address has an account. */
  requestPasswordReset: { channel: 'latch:request-password-reset', args: z.tuple([ResetRequestInput]), result: CodeSentInfo },
  /** The mailed code and a new password: this device is signed in, every other one signed out (with approval on, once a device allows it). */
  resetPassword: { channel: 'latch:reset-password', args: z.tuple([ResetPasswordInput]), result: SessionState },
  /** Waiting for a code (`awaitingCode`): the code from the mail (for a step-up, with the password again; a sign-up ignores it). */
  signInWithCode: { channel: 'latch:sign-in-with-code', args: z.tuple([CodeInput, z.string().max(256, rule('too_long', 'password'))]), result: SessionState },
  /** Waiting for a code (`awaitingCode`, `authenticator`): six digits from the authenticator app, or a recovery code. */
  signInWithAuthenticatorCode: { channel: 'latch:sign-in-with-authenticator-code', args: z.tuple([z.string().trim().min(1, 'enter_code' satisfies FieldRule).pipe(SecondFactorCode)]), result: SessionState },
  /** A new code to confirm the account's address. */
  sendEmailCode: { channel: 'latch:send-email-code', args: none, result: CodeSentInfo },
  confirmEmail: { channel: 'latch:confirm-email', args: z.tuple([CodeInput]), result: SessionState },
  mailSettings: { channel: 'latch:mail-settings', args: none, result: MailSettings },
  setMailSettings: { channel: 'latch:set-mail-settings', args: z.tuple([MailSettings]), result: MailSettings },
} as const;
export type IpcCallName = keyof typeof IpcCalls;
export type IpcArgs<K extends IpcCallName> = z.input<(typeof IpcCalls)[K]['args']>;
export type IpcValue<K extends IpcCallName> = z.output<(typeof IpcCalls)[K]['result']>;

/** Events main sends to every window. */
export const IpcEvents = {
  state: { channel: 'latch:event:state', payload: SessionState },
  sessionsChanged: { channel: 'latch:event:sessions-changed', payload: z.array(SessionView) },
  /** The new-sign-in alerts changed (one arrived, or a window dismissed some). */
  newSignIns: { channel: 'latch:event:new-sign-ins', payload: z.array(SessionView) },
  /** The copied-sign-in alerts changed (one arrived, or a window dismissed some). */
  copiedSignIns: { channel: 'latch:event:copied-sign-ins', payload: z.array(CopiedSignIn) },
  /** A device of the account came online or went offline. */
  presence: { channel: 'latch:event:presence', payload: z.strictObject({ sessionId: z.string(), online: z.boolean() }) },
  /** The sign-in requests this device can answer changed (one arrived, or one was answered, here or elsewhere). */
  signInRequests: { channel: 'latch:event:sign-in-requests', payload: z.array(SignInRequestView) },
  /** Reload the approval setting; with a change, another device made it (the window says so). */
  accountChanged: { channel: 'latch:event:account-changed', payload: AccountChange.nullable() },
} as const;
export type IpcEventName = keyof typeof IpcEvents;
export type IpcEventPayload<K extends IpcEventName> = z.output<(typeof IpcEvents)[K]['payload']>;

/** The shape of `window.latch`, derived from the contract above. */
export type LatchBridge = {
  [K in IpcCallName]: (...args: IpcArgs<K>) => Promise<IpcResult<IpcValue<K>>>;
} & {
  on<K extends IpcEventName>(event: K, listener: (payload: IpcEventPayload<K>) => void): () => void;
};

