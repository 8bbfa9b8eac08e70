// The HTTP API v1 as one table (docs/architecture.md, "The HTTP contract"): every route's method, path,
// who may call it, its path parameters, query and body, and each status it answers with its schema.
// The server binds its controllers to it (server/http/endpoint.ts), the clients call through it
// (shared/client.ts), and docs/openapi.json is generated from it (shared/openapi.ts), so a route is
// written down once.
import { z } from 'zod';
import {
  AnswerBody,
  AnswerResult,
  ApprovalChanged,
  ApprovalSetting,
  AddPasskeyBody,
  PasskeyId,
  PasskeyList,
  PasskeyOptions,
  PasskeySignInBody,
  PasskeyAssertionBody,
  PasskeyView,
  RenamePasskeyBody,
  AuthenticatorChanged,
  AuthenticatorConfirmBody,
  AuthenticatorPasswordBody,
  AuthenticatorSetting,
  AuthenticatorSetup,
  SecondFactor,
  SecondFactorBody,
  AuthResult,
  ChangePasswordBody,
  CodeSent,
  ConfirmEmailBody,
  CurrentSession,
  ERROR_STATUS,
  type ErrorCode,
  Health,
  LoginBody,
  MailSettings,
  PendingSignIn,
  ReauthBody,
  Reauthenticated,
  RecoverBody,
  RecoveredSignIn,
  RecoveryCodes,
  RegisterBody,
  RenameSessionBody,
  ResetBody,
  ResetRequestBody,
  RevokedCount,
  RotateBody,
  SecurityEventList,
  SecurityEventsQuery,
  SessionId,
  SessionList,
  SessionView,
  SetApprovalBody,
  SignedOutSessionList,
  SignInRequestId,
  SignInRequestList,
  SignInRequestState,
  StepUp,
  StepUpBody,
  VerifySignUpBody,
  WaitBody,
  WebRecoveredSignIn,
  WebResetBody,
  WebSignInBody,
  WebSignInRequestState,
} from './api.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Who may call a route. `session`: a signed-in device, by its bearer token, or the account page's
 * browser by its cookie (then, for anything but GET, only from the page itself). `none`: anyone; a sign-in request's own
 * secret, in the body, stands in where one is needed.
 */
export type RouteAuth = 'session' | 'none';

/** What a status answers with: a JSON body, nothing (`null`), or a page's file (`'page'`, not JSON). */
export type Answer = z.ZodType | null | 'page';

export interface RouteSpec {
  readonly method: Method;
  /** With `:name` for a path parameter, as the server's router writes it. */
  readonly path: string;
  readonly summary: string;
  readonly auth: RouteAuth;
  readonly params?: z.ZodObject;
  readonly query?: z.ZodObject;
  readonly body?: z.ZodType;
  /** Each success status and its answer; the lowest is what the route answers unless it says otherwise. */
  readonly ok: Readonly<Record<number, Answer>>;
  /** The error codes this route gives of its own; those every route of its kind gives are added (`errorsOf`). */
  readonly errors?: readonly ErrorCode[];
  /** A long poll (up to 25 s): the server keeps the request open until there is news. */
  readonly longPoll?: boolean;
  /** The session's cookie is set (`set`) or removed (`clear`) by this route's answer. */
  readonly cookie?: 'set' | 'clear';
}

const route = <const R extends RouteSpec>(spec: R): R => spec;

const requestId = z.strictObject({ id: SignInRequestId });
const sessionId = z.strictObject({ id: SessionId });
/** A mailed code that is wrong, or ended. */
const mailedCode = ['invalid_code', 'code_expired'] as const;
/** What refuses a sign-in, as the account page's sign-in also may. */
const signInRefusals = ['invalid_credentials', 'account_disabled', 'sign_in_paused', 'rate_limited'] as const;
/** Only the account page's own requests, over https or on loopback, set its cookie. */
const pageOnly = ['cross_site', 'insecure_connection'] as const;
const requestEnded = ['not_found', 'conflict'] as const;

export const Routes = {
  health: route({ method: 'GET', path: '/healthz', summary: 'The process is up.', auth: 'none', ok: { 200: Health } }),
  ready: route({ method: 'GET', path: '/readyz', summary: 'The process can serve: its store answers.', auth: 'none', ok: { 200: Health } }),
  openApi: route({ method: 'GET', path: '/v1/openapi.json', summary: 'This document.', auth: 'none', ok: { 200: z.record(z.string(), z.unknown()) } }),
  root: route({ method: 'GET', path: '/', summary: 'Leads to the account page.', auth: 'none', ok: { 302: null } }),
  accountPage: route({ method: 'GET', path: '/account', summary: 'The account page (HTML).', auth: 'none', ok: { 200: 'page' }, errors: ['not_found'] }),
  pageAsset: route({
    method: 'GET',
    path: '/assets/:file',
    summary: "A file of the account page, under its content's hash.",
    auth: 'none',
    params: z.strictObject({ file: z.string() }),
    ok: { 200: 'page' },
    errors: ['not_found'],
  }),

  register: route({
    method: 'POST',
    path: '/v1/auth/register',
    summary: 'Signing up: a code goes by mail (or a mail saying the address has an account); 202 either way.',
    auth: 'none',
    body: RegisterBody,
    ok: { 202: CodeSent },
    errors: ['registration_closed', 'rate_limited'],
  }),
  verifySignUp: route({
    method: 'POST',
    path: '/v1/auth/register/verify',
    summary: "The sign-up's mailed code: the account is made and this device signed in.",
    auth: 'none',
    body: VerifySignUpBody,
    ok: { 201: AuthResult },
    errors: [...mailedCode, 'registration_closed', 'conflict', 'rate_limited'],
  }),
  requestReset: route({
    method: 'POST',
    path: '/v1/auth/password-reset',
    summary: 'A password reset: a code goes by mail; 202 whether or not the address has an account.',
    auth: 'none',
    body: ResetRequestBody,
    ok: { 202: CodeSent },
    errors: ['rate_limited'],
  }),
  confirmReset: route({
    method: 'POST',
    path: '/v1/auth/password-reset/confirm',
    summary: 'The reset code and a new password: every session ends and this device is signed in, or waits for a device to approve (202).',
    auth: 'none',
    body: ResetBody,
    ok: { 200: AuthResult, 202: z.union([PendingSignIn, SecondFactor]) },
    errors: [...mailedCode, 'invalid_recovery_code', 'account_disabled', 'sign_in_paused', 'rate_limited'],
  }),
  login: route({
    method: 'POST',
    path: '/v1/auth/login',
    summary:
      "Signing in: the session (200), a request the account's devices must answer (202 pending), a mailed code to give (202 stepUp), or a code from the authenticator app (202 secondFactor).",
    auth: 'none',
    body: LoginBody,
    ok: { 200: AuthResult, 202: z.union([PendingSignIn, StepUp, SecondFactor]) },
    errors: [...signInRefusals],
  }),
  loginWithCode: route({
    method: 'POST',
    path: '/v1/auth/login/code',
    summary: "The step-up's mailed code with the password: signed in, or waiting for a device (202).",
    auth: 'none',
    body: StepUpBody,
    ok: { 200: AuthResult, 202: z.union([PendingSignIn, SecondFactor]) },
    errors: [...signInRefusals, ...mailedCode],
  }),
  loginWithSecondFactor: route({
    method: 'POST',
    path: '/v1/auth/login/second-factor',
    summary: 'A code from the authenticator app, or a recovery code, after the right password: signed in.',
    auth: 'none',
    body: SecondFactorBody,
    ok: { 200: AuthResult },
    errors: [...signInRefusals, ...mailedCode],
  }),
  passkeySignInOptions: route({
    method: 'POST',
    path: '/v1/auth/passkey/options',
    summary: 'Options to sign in with a passkey, no email typed (5 minutes, once).',
    auth: 'none',
    ok: { 200: PasskeyOptions },
    errors: ['rate_limited'],
  }),
  passkeySignIn: route({
    method: 'POST',
    path: '/v1/auth/passkey',
    summary: 'Signs in with a passkey: the assertion the authenticator made for those options.',
    auth: 'none',
    body: PasskeySignInBody,
    ok: { 200: AuthResult, 202: PendingSignIn },
    errors: [...signInRefusals, 'code_expired'],
  }),
  session: route({ method: 'GET', path: '/v1/auth/session', summary: "The caller's session and account: the check a device makes most.", auth: 'session', ok: { 200: CurrentSession } }),
  logout: route({ method: 'POST', path: '/v1/auth/logout', summary: 'Signs this device out.', auth: 'session', ok: { 204: null } }),
  rotate: route({
    method: 'POST',
    path: '/v1/auth/rotate',
    summary: "A replacement for the caller's token; the same claim asked again before the new token is used gets the same token.",
    auth: 'session',
    body: RotateBody,
    ok: { 200: AuthResult },
    errors: ['conflict'],
  }),
  changePassword: route({
    method: 'POST',
    path: '/v1/auth/password',
    summary: 'A new password; other devices are signed out when asked.',
    auth: 'session',
    body: ChangePasswordBody,
    ok: { 200: RevokedCount },
    errors: ['invalid_password', 'rate_limited'],
  }),
  reauthPasskeyOptions: route({
    method: 'POST',
    path: '/v1/auth/reauth/passkey/options',
    summary: "Options to authenticate again with one of the account's passkeys instead of the password (5 minutes, once, this session's).",
    auth: 'session',
    ok: { 200: PasskeyOptions },
    errors: ['not_found'],
  }),
  reauthenticateWithPasskey: route({
    method: 'POST',
    path: '/v1/auth/reauth/passkey',
    summary: "One of the account's passkeys instead of the password, for what needs it from the last minutes.",
    auth: 'session',
    body: PasskeyAssertionBody,
    ok: { 200: Reauthenticated },
    errors: ['invalid_credentials', 'code_expired'],
  }),
  reauthenticate: route({
    method: 'POST',
    path: '/v1/auth/reauth',
    summary: 'The password again, for what needs it from the last minutes (signing other devices out).',
    auth: 'session',
    body: ReauthBody,
    ok: { 200: Reauthenticated },
    errors: ['invalid_password', 'rate_limited'],
  }),

  sendEmailCode: route({
    method: 'POST',
    path: '/v1/account/email/send-code',
    summary: "A code to the account's own address, to confirm it.",
    auth: 'session',
    ok: { 202: CodeSent },
    errors: ['conflict', 'rate_limited'],
  }),
  confirmEmail: route({
    method: 'POST',
    path: '/v1/account/email/confirm',
    summary: "Confirms the account's address with the mailed code.",
    auth: 'session',
    body: ConfirmEmailBody,
    ok: { 200: CurrentSession },
    errors: [...mailedCode, 'conflict', 'rate_limited'],
  }),
  mailSettings: route({ method: 'GET', path: '/v1/account/mail', summary: 'Which optional mail the account gets.', auth: 'session', ok: { 200: MailSettings } }),
  setMailSettings: route({ method: 'PUT', path: '/v1/account/mail', summary: 'Sets which optional mail the account gets.', auth: 'session', body: MailSettings, ok: { 200: MailSettings } }),

  approvalSetting: route({ method: 'GET', path: '/v1/account/sign-in-approval', summary: 'Whether new sign-ins need a signed-in device to approve.', auth: 'session', ok: { 200: ApprovalSetting } }),
  setApproval: route({
    method: 'PUT',
    path: '/v1/account/sign-in-approval',
    summary: 'Turns sign-in approval on (with the first recovery codes) or off; needs the password.',
    auth: 'session',
    body: SetApprovalBody,
    ok: { 200: ApprovalChanged },
    errors: ['invalid_password', 'rate_limited'],
  }),
  regenerateRecoveryCodes: route({
    method: 'POST',
    path: '/v1/account/recovery-codes',
    summary: 'New recovery codes, the old ones ending; needs the password.',
    auth: 'session',
    body: ReauthBody,
    ok: { 200: RecoveryCodes },
    errors: ['invalid_password', 'conflict', 'rate_limited'],
  }),
  authenticatorSetting: route({
    method: 'GET',
    path: '/v1/account/authenticator',
    summary: 'Whether a password sign-in also needs a code from an authenticator app.',
    auth: 'session',
    ok: { 200: AuthenticatorSetting },
  }),
  beginAuthenticator: route({
    method: 'POST',
    path: '/v1/account/authenticator/setup',
    summary: 'A new authenticator secret (a QR code and the text), in effect once a code from it is confirmed; needs the password.',
    auth: 'session',
    body: AuthenticatorPasswordBody,
    ok: { 200: AuthenticatorSetup },
    errors: ['invalid_password', 'conflict', 'rate_limited'],
  }),
  confirmAuthenticator: route({
    method: 'POST',
    path: '/v1/account/authenticator/confirm',
    summary: 'A code from the new secret turns authenticator codes on (with the first recovery codes, if the account has none).',
    auth: 'session',
    body: AuthenticatorConfirmBody,
    ok: { 200: AuthenticatorChanged },
    errors: [...mailedCode, 'rate_limited'],
  }),
  turnOffAuthenticator: route({
    method: 'POST',
    path: '/v1/account/authenticator/off',
    summary: 'Turns authenticator codes off; needs the password.',
    auth: 'session',
    body: AuthenticatorPasswordBody,
    ok: { 200: AuthenticatorChanged },
    errors: ['invalid_password', 'rate_limited'],
  }),
  passkeys: route({ method: 'GET', path: '/v1/account/passkeys', summary: "The account's passkeys.", auth: 'session', ok: { 200: PasskeyList } }),
  passkeyAddOptions: route({
    method: 'POST',
    path: '/v1/account/passkeys/options',
    summary: 'Options to make a passkey with (5 minutes, once); needs the password or a passkey entered again on this session in the last minutes (its sign-in does not count).',
    auth: 'session',
    ok: { 200: PasskeyOptions },
    errors: ['reauth_required', 'conflict'],
  }),
  addPasskey: route({
    method: 'POST',
    path: '/v1/account/passkeys',
    summary: 'Keeps the passkey the authenticator made for those options.',
    auth: 'session',
    body: AddPasskeyBody,
    ok: { 200: PasskeyView },
    errors: ['reauth_required', 'bad_request', 'code_expired', 'conflict'],
  }),
  renamePasskey: route({ method: 'PATCH', path: '/v1/account/passkeys/:id', summary: 'Renames one of the passkeys.', auth: 'session', params: PasskeyId, body: RenamePasskeyBody, ok: { 200: PasskeyView }, errors: ['not_found'] }),
  removePasskey: route({
    method: 'DELETE',
    path: '/v1/account/passkeys/:id',
    summary: 'Removes one of the passkeys; needs the password from the last minutes.',
    auth: 'session',
    params: PasskeyId,
    ok: { 204: null },
    errors: ['reauth_required', 'not_found'],
  }),
  signInRequests: route({ method: 'GET', path: '/v1/sign-in-requests', summary: 'Sign-in requests waiting for an answer from this account\u2019s devices.', auth: 'session', ok: { 200: SignInRequestList } }),
  answerSignInRequest: route({
    method: 'POST',
    path: '/v1/sign-in-requests/:id/answer',
    summary: 'A device answers a sign-in request: the number it picked, or no.',
    auth: 'session',
    params: requestId,
    body: AnswerBody,
    ok: { 200: AnswerResult },
    errors: ['forbidden', ...requestEnded],
  }),
  waitForApproval: route({
    method: 'POST',
    path: '/v1/auth/sign-in-requests/:id/wait',
    summary: 'The new device waits (a long poll of up to 25 s) for the answer to its sign-in request.',
    auth: 'none',
    params: requestId,
    body: WaitBody,
    ok: { 200: SignInRequestState },
    errors: ['not_found'],
    longPoll: true,
  }),
  recover: route({
    method: 'POST',
    path: '/v1/auth/sign-in-requests/:id/recover',
    summary: 'A recovery code instead of a device\u2019s answer: the new device is signed in.',
    auth: 'none',
    params: requestId,
    body: RecoverBody,
    ok: { 200: RecoveredSignIn },
    errors: ['invalid_recovery_code', ...requestEnded],
  }),
  resendSignIn: route({
    method: 'POST',
    path: '/v1/auth/sign-in-requests/:id/resend',
    summary: "Asks the account's devices again; 429 within 15 s of the last time.",
    auth: 'none',
    params: requestId,
    body: WaitBody,
    ok: { 204: null },
    errors: [...requestEnded, 'rate_limited'],
  }),
  cancelSignIn: route({
    method: 'POST',
    path: '/v1/auth/sign-in-requests/:id/cancel',
    summary: 'The new device gives up its sign-in request; the prompt goes from every device.',
    auth: 'none',
    params: requestId,
    body: WaitBody,
    ok: { 204: null },
    errors: [...requestEnded],
  }),

  listSessions: route({ method: 'GET', path: '/v1/sessions', summary: "The account's active sessions: the caller's first, then the most recently seen.", auth: 'session', ok: { 200: SessionList } }),
  signedOutSessions: route({
    method: 'GET',
    path: '/v1/sessions/signed-out',
    summary: 'Devices signed out in the last 30 days, with who ended each and why.',
    auth: 'session',
    ok: { 200: SignedOutSessionList },
  }),
  renameCurrent: route({ method: 'PATCH', path: '/v1/sessions/current', summary: "Renames the caller's device.", auth: 'session', body: RenameSessionBody, ok: { 200: SessionView } }),
  revokeOthers: route({
    method: 'POST',
    path: '/v1/sessions/revoke-others',
    summary: 'Signs out every other device of the account; needs the password from the last minutes.',
    auth: 'session',
    ok: { 200: RevokedCount },
    errors: ['reauth_required'],
  }),
  revokeSession: route({
    method: 'DELETE',
    path: '/v1/sessions/:id',
    summary: 'Signs out one other device of the account; needs the password from the last minutes.',
    auth: 'session',
    params: sessionId,
    ok: { 204: null },
    errors: ['reauth_required', 'not_found'],
  }),
  securityEvents: route({
    method: 'GET',
    path: '/v1/security-events',
    summary: "The account's recent activity, newest first, a page at a time.",
    auth: 'session',
    query: SecurityEventsQuery,
    ok: { 200: SecurityEventList },
  }),

  webSignIn: route({
    method: 'POST',
    path: '/v1/web/session',
    summary: 'The account page signs in: the session as an HttpOnly cookie, or a request to wait on, a step-up or a code from the authenticator app (202).',
    auth: 'none',
    body: WebSignInBody,
    ok: { 200: CurrentSession, 202: z.union([PendingSignIn, StepUp, SecondFactor]) },
    errors: [...signInRefusals, ...pageOnly],
    cookie: 'set',
  }),
  webSignInWithCode: route({
    method: 'POST',
    path: '/v1/web/session/code',
    summary: "The account page gives the step-up's mailed code with the password.",
    auth: 'none',
    body: StepUpBody,
    ok: { 200: CurrentSession, 202: z.union([PendingSignIn, SecondFactor]) },
    errors: [...signInRefusals, ...mailedCode, ...pageOnly],
    cookie: 'set',
  }),
  webPasskeyOptions: route({
    method: 'POST',
    path: '/v1/web/session/passkey/options',
    summary: 'Options for the account page to sign in with a passkey, no email typed (5 minutes, once).',
    auth: 'none',
    ok: { 200: PasskeyOptions },
    errors: ['rate_limited', ...pageOnly],
  }),
  webSignInWithPasskey: route({
    method: 'POST',
    path: '/v1/web/session/passkey',
    summary: 'The account page signs in with a passkey: the session as an HttpOnly cookie, or a request to wait on (202).',
    auth: 'none',
    body: PasskeyAssertionBody,
    ok: { 200: CurrentSession, 202: PendingSignIn },
    errors: [...signInRefusals, 'code_expired', ...pageOnly],
    cookie: 'set',
  }),
  webSignInWithSecondFactor: route({
    method: 'POST',
    path: '/v1/web/session/second-factor',
    summary: 'The account page gives a code from the authenticator app, or a recovery code, after the right password.',
    auth: 'none',
    body: SecondFactorBody,
    ok: { 200: CurrentSession },
    errors: [...signInRefusals, ...mailedCode, ...pageOnly],
    cookie: 'set',
  }),
  webConfirmReset: route({
    method: 'POST',
    path: '/v1/web/password-reset/confirm',
    summary: 'The account page sets a new password with the reset code, and is signed in.',
    auth: 'none',
    body: WebResetBody,
    ok: { 200: CurrentSession, 202: z.union([PendingSignIn, SecondFactor]) },
    errors: [...mailedCode, 'invalid_recovery_code', 'account_disabled', 'sign_in_paused', 'rate_limited', ...pageOnly],
    cookie: 'set',
  }),
  webSignOut: route({ method: 'DELETE', path: '/v1/web/session', summary: 'Signs this browser out; the cookie is removed.', auth: 'session', ok: { 204: null }, cookie: 'clear' }),
  webWaitForApproval: route({
    method: 'POST',
    path: '/v1/web/sign-in-requests/:id/wait',
    summary: "The account page waits for a device's answer; approved, the session comes as the cookie.",
    auth: 'none',
    params: requestId,
    body: WaitBody,
    ok: { 200: WebSignInRequestState },
    errors: [...pageOnly, 'not_found'],
    longPoll: true,
    cookie: 'set',
  }),
  webRecover: route({
    method: 'POST',
    path: '/v1/web/sign-in-requests/:id/recover',
    summary: 'The account page signs in with a recovery code; the session comes as the cookie.',
    auth: 'none',
    params: requestId,
    body: RecoverBody,
    ok: { 200: WebRecoveredSignIn },
    errors: ['invalid_recovery_code', ...pageOnly, ...requestEnded],
    cookie: 'set',
  }),
} as const satisfies Record<string, RouteSpec>;

export type RouteName = keyof typeof Routes;

/**
 * Every error a route can answer with, by status: its own, and those of its kind. Any route: a request
 * the server cannot read (400), a host it does not answer to (421), a fault (500) or a store it cannot
 * reach (503). With a body or query: one that does not validate. With any method but GET: a body too
 * large or not JSON. With a path parameter: 404 for one that names nothing, 414 for one too long to
 * read. With a session: 401 without a valid one (why it ended, if it did), 403 for the page's cookie
 * sent from elsewhere. (A disabled account's sessions are ended: 401 `session_revoked`, reason
 * `account_disabled`.)
 */
export function errorsOf(spec: RouteSpec): Map<number, ErrorCode[]> {
  const errors = new Map<number, Set<ErrorCode>>();
  const add = (status: number, ...codes: ErrorCode[]) => {
    const set = errors.get(status) ?? new Set<ErrorCode>();
    for (const code of codes) set.add(code);
    errors.set(status, set);
  };
  add(400, 'bad_request');
  add(421, 'misdirected_request');
  add(500, 'internal');
  add(503, 'unavailable');
  if (spec.body || spec.query) add(400, 'validation_failed');
  // Any method but GET may come with a body, and the server reads it (and may refuse it) before the route does.
  if (spec.method !== 'GET') {
    add(413, 'payload_too_large');
    add(415, 'unsupported_media_type');
  }
  if (spec.params) {
    add(404, 'not_found');
    add(414, 'bad_request');
  }
  if (spec.auth === 'session') {
    add(401, 'unauthenticated', 'session_revoked', 'session_expired');
    add(403, 'cross_site');
  }
  for (const code of spec.errors ?? []) add(ERROR_STATUS[code], code);
  return new Map([...errors].sort(([a], [b]) => a - b).map(([status, codes]) => [status, [...codes]]));
}

/** The status a route answers with unless it says otherwise: its lowest success status. */
export const defaultStatus = (spec: RouteSpec): number => Math.min(...Object.keys(spec.ok).map(Number));

/** A route's path with its parameters filled in, each encoded. */
export function pathOf(spec: RouteSpec, params: Record<string, string> = {}): string {
  return spec.path.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`${spec.method} ${spec.path} needs its parameter ${name}`);
    return encodeURIComponent(value);
  });
}
