import { Controller, Inject, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { type z } from 'zod';
import type {
  ChangePasswordBody,
  LoginBody,
  ResetBody,
  ResetRequestBody,
  StepUpBody,
  SecondFactorBody,
  SecondFactor,
  PasskeyOptions,
  PasskeySignInBody,
  PasskeyAssertionBody,
  VerifySignUpBody,
  CodeSent,
  StepUp,
  ReauthBody,
  RegisterBody,
  RotateBody,
  Reauthenticated,
  AuthResult,
  PendingSignIn,
  RevokedCount,
} from '../../shared/api.js';
import { Routes } from '../../shared/routes.js';
import { Endpoint, RouteBody } from '../http/endpoint.js';
import { Auth, bearerToken, Client, type AuthContext, type ClientInfo, type LatchRequest } from '../http/request-context.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { AuthService } from './auth.service.js';
import { Passkeys } from '../passkeys/passkeys.js';
import { PasskeySignIns } from './passkey-sign-ins.js';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';

/** `GET /v1/auth/session` is not here: it is a plain Fastify route, session-route.ts. */
@Controller()
export class AuthController {
  constructor(
    @Inject(AuthService) private readonly auth: AuthService,
    @Inject(SessionsService) private readonly sessions: SessionsService,
    @Inject(Passkeys) private readonly passkeys: Passkeys,
    @Inject(PasskeySignIns) private readonly passkeySignIns: PasskeySignIns,
  ) {}

  /** 202 whether or not the address has an account: a code (or a mail saying it has one) goes by mail. */
  @Endpoint(Routes.register)
  register(@RouteBody(Routes.register) body: RegisterBody, @Client() client: ClientInfo): Promise<CodeSent> {
    return this.auth.register(body, client);
  }

  @Endpoint(Routes.verifySignUp)
  verifySignUp(@RouteBody(Routes.verifySignUp) body: z.output<typeof VerifySignUpBody>, @Client() client: ClientInfo): Promise<AuthResult> {
    return this.auth.verifySignUp(body, client);
  }

  /** 202 whether or not the address has an account. */
  @Endpoint(Routes.requestReset)
  requestReset(@RouteBody(Routes.requestReset) body: ResetRequestBody, @Client() client: ClientInfo): Promise<CodeSent> {
    return this.auth.requestReset(body.email, client);
  }

  @Endpoint(Routes.confirmReset)
  async confirmReset(
    @RouteBody(Routes.confirmReset) body: z.output<typeof ResetBody>,
    @Client() client: ClientInfo,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AuthResult | PendingSignIn | SecondFactor> {
    const result = await this.auth.confirmReset(body, client);
    // With sign-in approval on and no recovery code: a request a device must answer, as a sign-in's; with
    // authenticator codes on, a code from the app (or a recovery code) still to give.
    if (!('token' in result)) void reply.status(202);
    return result;
  }

  /**
   * 200 with the session; 202 with a request another device must answer (sign-in approval), with a
   * step-up (a code by mail) past the account's ceiling of wrong passwords, or, right password of an
   * account with authenticator codes on, with a handle to give the code with.
   */
  @Endpoint(Routes.login)
  async login(
    @RouteBody(Routes.login) body: LoginBody,
    @Client() client: ClientInfo,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AuthResult | PendingSignIn | StepUp | SecondFactor> {
    const result = await this.auth.login(body, client);
    if (!('token' in result)) void reply.status(202);
    return result;
  }

  /** The step-up's mailed code with the password: 200 signed in, or 202 when a device must approve. */
  @Endpoint(Routes.loginWithCode)
  async loginWithCode(
    @RouteBody(Routes.loginWithCode) body: z.output<typeof StepUpBody>,
    @Client() client: ClientInfo,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AuthResult | PendingSignIn | SecondFactor> {
    const result = await this.auth.confirmStepUp(body, client);
    if (!('token' in result)) void reply.status(202);
    return result;
  }

  /** A code from the authenticator app, or a recovery code, after the right password (202 `secondFactor`). */
  @Endpoint(Routes.loginWithSecondFactor)
  loginWithSecondFactor(@RouteBody(Routes.loginWithSecondFactor) body: z.output<typeof SecondFactorBody>, @Client() client: ClientInfo): Promise<AuthResult> {
    return this.auth.confirmSecondFactor(body, client);
  }

  @Endpoint(Routes.passkeySignInOptions)
  passkeySignInOptions(@Client() client: ClientInfo): Promise<PasskeyOptions> {
    return this.passkeySignIns.options(client, 'app');
  }

  /** A passkey's assertion, with no email typed: signed in as the account the passkey belongs to. */
  @Endpoint(Routes.passkeySignIn)
  async passkeySignIn(
    @RouteBody(Routes.passkeySignIn) body: z.output<typeof PasskeySignInBody>,
    @Client() client: ClientInfo,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AuthResult | PendingSignIn> {
    const result = await this.passkeySignIns.signIn(body.id, body.response, body.device, client, 'app');
    // With sign-in approval on: a request a device must answer, as a password sign-in's.
    if ('pending' in result) void reply.status(202);
    return result;
  }

  @Endpoint(Routes.logout)
  async logout(@Auth() auth: AuthContext, @Client() client: ClientInfo): Promise<void> {
    await this.sessions.logout(auth, client);
  }

  /**
   * A replacement for the caller's token (docs/architecture.md, "Token rotation"), with the
   * session as `GET /v1/auth/session` gives it. Asked again with the same claim before the new
   * token is used, the answer is the same token.
   */
  @Endpoint(Routes.rotate)
  rotate(@Auth() auth: AuthContext, @RouteBody(Routes.rotate) body: RotateBody, @Req() request: LatchRequest, @Client() client: ClientInfo): Promise<AuthResult> {
    return this.auth.rotate(auth, bearerToken(request.headers.authorization), body.claim, client);
  }

  @Endpoint(Routes.changePassword)
  changePassword(
    @Auth() auth: AuthContext,
    @RouteBody(Routes.changePassword) body: z.output<typeof ChangePasswordBody>,
    @Client() client: ClientInfo,
  ): Promise<RevokedCount> {
    return this.auth.changePassword(auth, body, client);
  }

  @Endpoint(Routes.reauthenticate)
  reauthenticate(@Auth() auth: AuthContext, @RouteBody(Routes.reauthenticate) body: ReauthBody, @Client() client: ClientInfo): Promise<Reauthenticated> {
    return this.auth.reauthenticate(auth, body.password, client);
  }

  @Endpoint(Routes.reauthPasskeyOptions)
  reauthPasskeyOptions(@Auth() auth: AuthContext): Promise<PasskeyOptions> {
    // A signed-in session's own step, not a guess: no address's budget is spent on it.
    return this.passkeys.reauthOptions(auth);
  }

  /** One of the account's passkeys instead of the password (docs/api.md, "Passkeys"). */
  @Endpoint(Routes.reauthenticateWithPasskey)
  reauthenticateWithPasskey(@Auth() auth: AuthContext, @RouteBody(Routes.reauthenticateWithPasskey) body: z.output<typeof PasskeyAssertionBody>, @Client() client: ClientInfo): Promise<Reauthenticated> {
    return this.passkeys.reauthenticate(auth, body.id, body.response as unknown as AuthenticationResponseJSON, client);
  }
}
