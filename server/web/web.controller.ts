// The account page's own routes (docs/api.md, "The account page"): signing a browser in and out. Its
// session is handed over only as an HttpOnly cookie, never in a body; every other route takes the
// cookie through AuthGuard.
import { Controller, Inject, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type z } from 'zod';
import type {
  WaitBody,
  StepUpBody,
  WebResetBody,
  WebSignInBody,
  AuthResult,
  CurrentSession,
  StepUp,
  SecondFactor,
  SecondFactorBody,
  PendingSignIn,
  WebRecoveredSignIn,
  WebSignInRequestState,
  ErrorSay,
  PasskeyAssertionBody,
  PasskeyOptions,
} from '../../shared/api.js';
import { Routes } from '../../shared/routes.js';
import { Endpoint, RouteBody, RouteParam } from '../http/endpoint.js';
import { AuthService } from '../auth/auth.service.js';
import { PasskeySignIns } from '../auth/passkey-sign-ins.js';
import { CONFIG } from '../common/di-tokens.js';
import { trustFunction, type TrustFunction } from '../http/http-edge.js';
import { Auth, Client, Disconnected, type AuthContext, type ClientInfo } from '../http/request-context.js';
import type { ServerConfig } from '../config/config.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { browserDevice, clearedCookie, cookiePlace, crossSiteRefusal, insecure, sessionCookie, type CookiePlace } from '../http/browser.js';

const NO_REQUEST: ErrorSay = { key: 'no_such_request' };

/** The page's languages, as its browser asks for them. */
const acceptLanguageOf = (request: FastifyRequest) => {
  const header = request.headers['accept-language'];
  return typeof header === 'string' ? header.slice(0, 256) : undefined;
};

@Controller()
export class WebController {
  private readonly trust: TrustFunction;

  constructor(
    @Inject(AuthService) private readonly auth: AuthService,
    @Inject(SessionsService) private readonly sessions: SessionsService,
    @Inject(CONFIG) private readonly config: ServerConfig,
    @Inject(PasskeySignIns) private readonly passkeySignIns: PasskeySignIns,
  ) {
    this.trust = trustFunction(config.trustProxy);
  }

  /** 200 with the session (its token in the cookie), or 202 with a request another device must answer. */
  @Endpoint(Routes.webSignIn)
  async signIn(
    @RouteBody(Routes.webSignIn) body: WebSignInBody,
    @Client() client: ClientInfo,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CurrentSession | PendingSignIn | StepUp | SecondFactor> {
    const place = this.place(request);
    return this.answer(reply, place, await this.auth.login({ ...body, device: browserDevice(client.userAgent, acceptLanguageOf(request)) }, client, 'browser'));
  }

  /** The step-up's mailed code with the password (docs/api.md, "Rate limits"): the session as the cookie. */
  @Endpoint(Routes.webSignInWithCode)
  async signInWithCode(
    @RouteBody(Routes.webSignInWithCode) body: z.output<typeof StepUpBody>,
    @Client() client: ClientInfo,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CurrentSession | PendingSignIn | SecondFactor> {
    const place = this.place(request);
    return this.answer(reply, place, await this.auth.confirmStepUp(body, client, 'browser'));
  }

  @Endpoint(Routes.webPasskeyOptions)
  async passkeyOptions(@Client() client: ClientInfo, @Req() request: FastifyRequest): Promise<PasskeyOptions> {
    this.place(request);
    return this.passkeySignIns.options(client, 'browser');
  }

  /** A passkey, no email typed: the session as the cookie, or a request a device must answer (202). */
  @Endpoint(Routes.webSignInWithPasskey)
  async signInWithPasskey(
    @RouteBody(Routes.webSignInWithPasskey) body: z.output<typeof PasskeyAssertionBody>,
    @Client() client: ClientInfo,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CurrentSession | PendingSignIn> {
    const place = this.place(request);
    const device = browserDevice(client.userAgent, acceptLanguageOf(request));
    return this.answer(reply, place, await this.passkeySignIns.signIn(body.id, body.response, device, client, 'browser'));
  }

  /** A code from the authenticator app, or a recovery code, after the right password: the session as the cookie. */
  @Endpoint(Routes.webSignInWithSecondFactor)
  async signInWithSecondFactor(
    @RouteBody(Routes.webSignInWithSecondFactor) body: z.output<typeof SecondFactorBody>,
    @Client() client: ClientInfo,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CurrentSession> {
    const place = this.place(request);
    return this.answer(reply, place, await this.auth.confirmSecondFactor(body, client, 'browser'));
  }

  /** "Forgot password?" on the account page: the reset code and a new password sign this browser in (the cookie). */
  @Endpoint(Routes.webConfirmReset)
  async confirmReset(
    @RouteBody(Routes.webConfirmReset) body: z.output<typeof WebResetBody>,
    @Client() client: ClientInfo,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CurrentSession | PendingSignIn | SecondFactor> {
    const place = this.place(request);
    return this.answer(reply, place, await this.auth.confirmReset({ ...body, device: browserDevice(client.userAgent, acceptLanguageOf(request)) }, client, 'browser'));
  }

  /** Signs this browser out: its session ends everywhere, and the cookie is removed. */
  @Endpoint(Routes.webSignOut)
  async signOut(@Auth() auth: AuthContext, @Client() client: ClientInfo, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    await this.sessions.logout(auth, client);
    void reply.header('set-cookie', clearedCookie(cookiePlace(request.raw, this.trust) ?? 'secure'));
  }

  /** The page waits for a device's answer; approved, the session comes as the cookie. */
  @Endpoint(Routes.webWaitForApproval)
  async wait(
    @RouteParam(Routes.webWaitForApproval, 'id', NO_REQUEST) id: string,
    @RouteBody(Routes.webWaitForApproval) body: WaitBody,
    @Disconnected() disconnected: AbortSignal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<WebSignInRequestState> {
    const place = this.place(request);
    const state = await this.auth.waitForApproval(id, body.secret, disconnected, 'browser');
    if (state.state !== 'approved') return state;
    const { token, ...signedIn } = state.result;
    this.handOver(reply, place, token);
    return { state: 'approved', result: signedIn, byDeviceName: state.byDeviceName };
  }

  @Endpoint(Routes.webRecover)
  async recover(
    @RouteParam(Routes.webRecover, 'id', NO_REQUEST) id: string,
    @RouteBody(Routes.webRecover) body: { secret: string; code: string },
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<WebRecoveredSignIn> {
    const place = this.place(request);
    const { token, ...signedIn } = await this.auth.recover(id, body.secret, body.code, 'browser');
    this.handOver(reply, place, token);
    return signedIn;
  }

  /** Before anything else: from the page itself (Origin and header), and over https or on loopback. */
  private place(request: FastifyRequest): CookiePlace {
    const refused = crossSiteRefusal(request.raw, this.trust);
    if (refused) throw refused;
    const place = cookiePlace(request.raw, this.trust);
    if (!place) throw insecure();
    return place;
  }

  /** Signed in: the session, its token as the cookie. Anything else (a request to wait on, a step-up): 202 as it is. */
  private answer<T extends object>(reply: FastifyReply, place: CookiePlace, result: AuthResult | T): CurrentSession | T {
    if (!('token' in result)) {
      void reply.status(202);
      return result;
    }
    const { token, ...signedIn } = result;
    this.handOver(reply, place, token);
    return signedIn;
  }

  private handOver(reply: FastifyReply, place: CookiePlace, token: string): void {
    void reply.header('set-cookie', sessionCookie(place, token, this.config.sessions.browserLifetimeMs));
  }
}
