// HTTP to the session-sync server. Every response is parsed with the schema
// from shared/api.ts; every failure becomes a CoreError whose kind says
// whether it is a sign-out (an authoritative 401) or just "offline".
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { z } from 'zod';
import {
  AnswerResult,
  ApprovalChanged,
  ApprovalSetting,
  AuthResult,
  CodeSent,
  MailSettings,
  PendingSignIn,
  StepUp,
  type ResetBody,
  RecoveredSignIn,
  RecoveryCodes,
  SignInRequestList,
  SignInRequestState,
  type AnswerBody,
  CurrentSession,
  ErrorBody,
  Reauthenticated,
  RevokedCount,
  SecurityEventList,
  SessionList,
  SessionView,
  SignedOutSessionList,
  type ChangePasswordBody,
  type DeviceInfo,
  type SignOutReason,
} from '../../shared/api.js';
import { CoreError } from './errors.js';

const SESSION_CODES: Record<string, SignOutReason> = {
  session_revoked: 'revoked_by_user',
  session_expired: 'expired',
  // A token the server no longer knows (purged, or a reset store) has simply run out.
  unauthenticated: 'expired',
};

/** Recent activity is shown this many events at a time. */
const ACTIVITY_PAGE = 20;

export interface ApiClientOptions {
  baseUrl: string;
  /** The bearer token, read from main's memory on each call. */
  token: () => string | undefined;
  timeoutMs?: number;
  userAgent?: string;
}

export class ApiClient {
  private readonly http: AxiosInstance;

  constructor(private readonly options: ApiClientOptions) {
    this.http = axios.create({
      baseURL: options.baseUrl,
      timeout: options.timeoutMs ?? 10_000,
      validateStatus: () => true,
      maxRedirects: 0,
      headers: { 'User-Agent': options.userAgent ?? 'Latch desktop' },
    });
  }

  /** A code by mail; the account is made by `verifySignUp` with it. */
  register = (email: string, password: string, device: DeviceInfo) =>
    this.call('POST', '/v1/auth/register', CodeSent, { body: { email, password, device }, auth: false });
  verifySignUp = (id: string, code: string) => this.call('POST', '/v1/auth/register/verify', AuthResult, { body: { id, code }, auth: false });
  /** Signed in, or (sign-in approval) a request another device must answer, or (a step-up) a code by mail needed. */
  login = (email: string, password: string, device: DeviceInfo) =>
    this.call('POST', '/v1/auth/login', z.union([AuthResult, PendingSignIn, StepUp]), { body: { email, password, device }, auth: false });
  loginWithCode = (id: string, code: string, password: string) =>
    this.call('POST', '/v1/auth/login/code', z.union([AuthResult, PendingSignIn]), { body: { id, code, password }, auth: false });
  requestPasswordReset = (email: string) => this.call('POST', '/v1/auth/password-reset', CodeSent, { body: { email }, auth: false });
  resetPassword = (body: Omit<ResetBody, 'device'>, device: DeviceInfo) =>
    this.call('POST', '/v1/auth/password-reset/confirm', z.union([AuthResult, PendingSignIn]), { body: { ...body, device }, auth: false });
  sendEmailCode = () => this.call('POST', '/v1/account/email/send-code', CodeSent);
  confirmEmail = (code: string) => this.call('POST', '/v1/account/email/confirm', CurrentSession, { body: { code } });
  mailSettings = () => this.call('GET', '/v1/account/mail', MailSettings);
  setMailSettings = (settings: MailSettings) => this.call('PUT', '/v1/account/mail', MailSettings, { body: settings });
  /** A long poll (up to 25 s) for the answer to a sign-in request. */
  waitForApproval = (id: string, secret: string) =>
    this.call('POST', `/v1/auth/sign-in-requests/${encodeURIComponent(id)}/wait`, SignInRequestState, {
      body: { secret },
      auth: false,
      timeoutMs: 40_000,
    });
  recover = (id: string, secret: string, code: string) =>
    this.call('POST', `/v1/auth/sign-in-requests/${encodeURIComponent(id)}/recover`, RecoveredSignIn, { body: { secret, code }, auth: false });
  resendSignIn = (id: string, secret: string) => this.call('POST', `/v1/auth/sign-in-requests/${encodeURIComponent(id)}/resend`, null, { body: { secret }, auth: false });
  cancelSignIn = (id: string, secret: string) => this.call('POST', `/v1/auth/sign-in-requests/${encodeURIComponent(id)}/cancel`, null, { body: { secret }, auth: false });
  signInRequests = async () => (await this.call('GET', '/v1/sign-in-requests', SignInRequestList)).requests;
  answerSignInRequest = (id: string, answer: AnswerBody) =>
    this.call('POST', `/v1/sign-in-requests/${encodeURIComponent(id)}/answer`, AnswerResult, { body: answer });
  approvalSetting = () => this.call('GET', '/v1/account/sign-in-approval', ApprovalSetting);
  setApproval = (required: boolean, password: string) => this.call('PUT', '/v1/account/sign-in-approval', ApprovalChanged, { body: { required, password } });
  regenerateRecoveryCodes = (password: string) => this.call('POST', '/v1/account/recovery-codes', RecoveryCodes, { body: { password } });
  logout = () => this.call('POST', '/v1/auth/logout', null);
  session = () => this.call('GET', '/v1/auth/session', CurrentSession);
  /** A replacement for `token` (the one in use), asked with this device's claim, with the session (docs/architecture.md, "Token rotation"). */
  rotate = (token: string, claim: string) => this.call('POST', '/v1/auth/rotate', AuthResult, { token, body: { claim } });
  changePassword = (body: ChangePasswordBody) => this.call('POST', '/v1/auth/password', RevokedCount, { body });
  listSessions = async () => (await this.call('GET', '/v1/sessions', SessionList)).sessions;
  renameCurrent = (deviceName: string) => this.call('PATCH', '/v1/sessions/current', SessionView, { body: { deviceName } });
  revokeSession = (id: string) => this.call('DELETE', `/v1/sessions/${encodeURIComponent(id)}`, null);
  revokeOthers = () => this.call('POST', '/v1/sessions/revoke-others', RevokedCount);
  signedOutSessions = async () => (await this.call('GET', '/v1/sessions/signed-out', SignedOutSessionList)).sessions;
  reauthenticate = (password: string) => this.call('POST', '/v1/auth/reauth', Reauthenticated, { body: { password } });
  /** A page of recent activity, newest first; `before` continues from a page's `nextBefore`; `session`: one device's. */
  securityEvents = (before?: string, session?: string) =>
    this.call('GET', `/v1/security-events?${new URLSearchParams({ limit: String(ACTIVITY_PAGE), ...(before ? { before } : {}), ...(session ? { session } : {}) })}`, SecurityEventList);

  private async call<S extends z.ZodType | null>(
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    path: string,
    schema: S,
    /** `token`: this one rather than the one in use. */
    options: { body?: unknown; auth?: boolean; token?: string; timeoutMs?: number } = {},
  ): Promise<S extends z.ZodType ? z.output<S> : null> {
    const needsSession = options.auth !== false;
    const token = needsSession ? (options.token ?? this.options.token()) : undefined;
    if (needsSession && !token) throw new CoreError('not_signed_in', 'not_signed_in', 'You are not signed in.');
    let response: AxiosResponse<unknown>;
    try {
      response = await this.http.request({
        method,
        url: path,
        ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
        ...(options.body !== undefined ? { data: options.body } : {}),
        headers: {
          // axios would otherwise label an empty POST as a form, which the server refuses.
          ...(options.body === undefined ? { 'Content-Type': false } : {}),
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
        },
      });
    } catch (error) {
      // Never pass axios' error on: its config holds the Authorization header.
      throw offline(error);
    }
    if (response.status >= 200 && response.status < 300) {
      if (schema === null) return null as never;
      const parsed = schema.safeParse(response.data);
      if (!parsed.success) throw new CoreError('unexpected', 'unexpected_response', `The server sent an answer Latch does not understand (${method} ${path}).`);
      return parsed.data as never;
    }
    throw this.failure(response, needsSession);
  }

  private failure(response: AxiosResponse<unknown>, needsSession: boolean): CoreError {
    const status = response.status;
    if (status >= 500 || status === 408) {
      const body = ErrorBody.safeParse(response.data);
      return new CoreError('offline', body.success ? body.data.error.code : 'server_error', 'The server is not answering right now. Latch will keep trying.', { status });
    }
    const body = ErrorBody.safeParse(response.data);
    if (!body.success) return new CoreError('unexpected', 'unexpected_response', `The server answered ${status} without an error Latch understands.`, { status });
    const error = body.data.error;
    if (status === 401 && needsSession && error.code in SESSION_CODES) {
      return new CoreError('unauthorized', error.code, error.message, {
        status,
        signOut: {
          reason: error.reason ?? SESSION_CODES[error.code]!,
          at: error.revokedAt ?? new Date().toISOString(),
          ...(error.revokedBy ? { byDeviceName: error.revokedBy.deviceName } : {}),
          ...(error.usedFrom ? { usedFrom: error.usedFrom } : {}),
          ...(error.alsoFrom ? { alsoFrom: error.alsoFrom } : {}),
        },
      });
    }
    return new CoreError('rejected', error.code, error.message, {
      status,
      ...(error.details ? { details: error.details } : {}),
      ...(error.retryAfterSeconds !== undefined ? { retryAfterSeconds: error.retryAfterSeconds } : {}),
    });
  }
}

function offline(error: unknown): CoreError {
  const code = (error as { code?: unknown }).code;
  const timedOut = code === 'ECONNABORTED' || code === 'ETIMEDOUT';
  return new CoreError(
    'offline',
    timedOut ? 'timeout' : 'unreachable',
    timedOut ? 'The server took too long to answer.' : 'The server cannot be reached. Check the address and your connection.',
  );
}
