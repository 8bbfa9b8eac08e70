// HTTP to the session-sync server, through the route table (shared/routes.ts): every answer is parsed
// with its status's schema (shared/client.ts); every failure becomes a CoreError whose kind says
// whether it is a sign-out (an authoritative 401) or just "offline".
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import type { AnswerBody, ChangePasswordBody, DeviceInfo, MailSettings, ResetBody } from '../../shared/api.js';
import { requestOf, type CallInput, type OkValue } from '../../shared/client.js';
import { Routes, type RouteSpec } from '../../shared/routes.js';
import { CoreError, valueOf } from '../../shared/session/errors.js';
import type { Api, PasskeyAsserted, PasskeyCreated } from '../../shared/session/ports.js';

/** Recent activity is shown this many events at a time. */
const ACTIVITY_PAGE = 20;

export interface ApiClientOptions {
  baseUrl: string;
  /** The bearer token, read from main's memory on each call. */
  token: () => string | undefined;
  timeoutMs?: number;
  userAgent?: string;
}

export class ApiClient implements Api {
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
  register = (email: string, password: string, device: DeviceInfo) => this.call(Routes.register, { body: { email, password, device } });
  verifySignUp = (id: string, code: string) => this.call(Routes.verifySignUp, { body: { id, code } });
  /** Signed in, or (sign-in approval) a request another device must answer, or a code needed: by mail (a step-up) or from the authenticator app. */
  login = (email: string, password: string, device: DeviceInfo) => this.call(Routes.login, { body: { email, password, device } });
  loginWithCode = (id: string, code: string, password: string) => this.call(Routes.loginWithCode, { body: { id, code, password } });
  loginWithSecondFactor = (id: string, code: string) => this.call(Routes.loginWithSecondFactor, { body: { id, code } });
  requestPasswordReset = (email: string) => this.call(Routes.requestReset, { body: { email } });
  resetPassword = (body: Omit<ResetBody, 'device'>, device: DeviceInfo) => this.call(Routes.confirmReset, { body: { ...body, device } });
  sendEmailCode = () => this.call(Routes.sendEmailCode, {});
  confirmEmail = (code: string) => this.call(Routes.confirmEmail, { body: { code } });
  mailSettings = () => this.call(Routes.mailSettings, {});
  setMailSettings = (settings: MailSettings) => this.call(Routes.setMailSettings, { body: settings });
  /** A long poll (up to 25 s) for the answer to a sign-in request. */
  waitForApproval = (id: string, secret: string) => this.call(Routes.waitForApproval, { params: { id }, body: { secret } }, { timeoutMs: 40_000 });
  recover = (id: string, secret: string, code: string) => this.call(Routes.recover, { params: { id }, body: { secret, code } });
  resendSignIn = (id: string, secret: string) => this.call(Routes.resendSignIn, { params: { id }, body: { secret } });
  cancelSignIn = (id: string, secret: string) => this.call(Routes.cancelSignIn, { params: { id }, body: { secret } });
  signInRequests = async () => (await this.call(Routes.signInRequests, {})).requests;
  answerSignInRequest = (id: string, answer: AnswerBody) => this.call(Routes.answerSignInRequest, { params: { id }, body: answer });
  approvalSetting = () => this.call(Routes.approvalSetting, {});
  setApproval = (required: boolean, password: string) => this.call(Routes.setApproval, { body: { required, password } });
  regenerateRecoveryCodes = (password: string) => this.call(Routes.regenerateRecoveryCodes, { body: { password } });
  authenticatorSetting = () => this.call(Routes.authenticatorSetting, {});
  beginAuthenticator = (password: string) => this.call(Routes.beginAuthenticator, { body: { password } });
  confirmAuthenticator = (code: string) => this.call(Routes.confirmAuthenticator, { body: { code } });
  turnOffAuthenticator = (password: string) => this.call(Routes.turnOffAuthenticator, { body: { password } });
  passkeys = () => this.call(Routes.passkeys, {});
  passkeyAddOptions = () => this.call(Routes.passkeyAddOptions, {});
  addPasskey = (id: string, name: string, response: PasskeyCreated) => this.call(Routes.addPasskey, { body: { id, name, response } });
  renamePasskey = (id: string, name: string) => this.call(Routes.renamePasskey, { params: { id }, body: { name } });
  removePasskey = (id: string) => this.call(Routes.removePasskey, { params: { id } });
  passkeySignInOptions = () => this.call(Routes.passkeySignInOptions, {});
  signInWithPasskey = (id: string, response: PasskeyAsserted, device: DeviceInfo) => this.call(Routes.passkeySignIn, { body: { id, response, device } });
  reauthPasskeyOptions = () => this.call(Routes.reauthPasskeyOptions, {});
  reauthenticateWithPasskey = (id: string, response: PasskeyAsserted) => this.call(Routes.reauthenticateWithPasskey, { body: { id, response } });
  logout = () => this.call(Routes.logout, {});
  session = () => this.call(Routes.session, {});
  /** A replacement for `token` (the one in use), asked with this device's claim, with the session (docs/architecture.md, "Token rotation"). */
  rotate = (token: string, claim: string) => this.call(Routes.rotate, { body: { claim } }, { token });
  changePassword = (body: ChangePasswordBody) => this.call(Routes.changePassword, { body });
  listSessions = async () => (await this.call(Routes.listSessions, {})).sessions;
  renameCurrent = (deviceName: string) => this.call(Routes.renameCurrent, { body: { deviceName } });
  revokeSession = (id: string) => this.call(Routes.revokeSession, { params: { id } });
  revokeOthers = () => this.call(Routes.revokeOthers, {});
  signedOutSessions = async () => (await this.call(Routes.signedOutSessions, {})).sessions;
  reauthenticate = (password: string) => this.call(Routes.reauthenticate, { body: { password } });
  /** A page of recent activity, newest first; `before` continues from a page's `nextBefore`; `session`: one device's. */
  securityEvents = (before?: string, session?: string) => this.call(Routes.securityEvents, { query: { limit: ACTIVITY_PAGE, before, session } });

  /** A route of the table (shared/routes.ts), its answer parsed as its row says. `token`: this one rather than the one in use. */
  private async call<R extends RouteSpec>(spec: R, input: CallInput<R>, options: { token?: string; timeoutMs?: number } = {}): Promise<OkValue<R>> {
    const needsSession = spec.auth === 'session';
    const token = needsSession ? (options.token ?? this.options.token()) : undefined;
    if (needsSession && !token) throw new CoreError('not_signed_in', 'not_signed_in', { key: 'not_signed_in' });
    const request = requestOf(spec, input);
    let response: AxiosResponse<unknown>;
    try {
      response = await this.http.request({
        method: request.method,
        url: request.target,
        ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
        ...(request.json !== undefined ? { data: request.json } : {}),
        headers: {
          // axios would otherwise label an empty POST as a form, which the server refuses.
          ...(request.json === undefined ? { 'Content-Type': false } : {}),
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
        },
      });
    } catch (error) {
      // Never pass axios' error on: its config holds the Authorization header.
      throw offline(error);
    }
    return valueOf(spec, response.status, response.data === '' ? undefined : response.data, needsSession, () => new Date().toISOString());
  }
}

function offline(error: unknown): CoreError {
  const code = (error as { code?: unknown }).code;
  const timedOut = code === 'ECONNABORTED' || code === 'ETIMEDOUT';
  return timedOut ? new CoreError('offline', 'timeout', { key: 'server_too_slow' }) : new CoreError('offline', 'unreachable', { key: 'unreachable_check_address' });
}
