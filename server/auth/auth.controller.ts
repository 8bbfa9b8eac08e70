import { Body, Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { type z } from 'zod';
import {
  ChangePasswordBody,
  LoginBody,
  ResetBody,
  ResetRequestBody,
  StepUpBody,
  VerifySignUpBody,
  type CodeSent,
  type StepUp,
  ReauthBody,
  RegisterBody,
  RotateBody,
  type Reauthenticated,
  type AuthResult,
  type PendingSignIn,
  type RevokedCount,
} from '../../shared/api.js';
import { ZodBodyPipe } from '../common/zod.pipe.js';
import { Auth, bearerToken, Client, Public, type AuthContext, type ClientInfo, type LatchRequest } from '../http/request-context.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { AuthService } from './auth.service.js';

/** `GET /v1/auth/session` is not here: it is a plain Fastify route, session-route.ts. */
@Controller('v1/auth')
export class AuthController {
  constructor(
    @Inject(AuthService) private readonly auth: AuthService,
    @Inject(SessionsService) private readonly sessions: SessionsService,
  ) {}

  /** 202 whether or not the address has an account: a code (or a mail saying it has one) goes by mail. */
  @Public()
  @Post('register')
  @HttpCode(202)
  register(@Body(new ZodBodyPipe(RegisterBody)) body: RegisterBody, @Client() client: ClientInfo): Promise<CodeSent> {
    return this.auth.register(body, client);
  }

  @Public()
  @Post('register/verify')
  @HttpCode(201)
  verifySignUp(@Body(new ZodBodyPipe(VerifySignUpBody)) body: z.output<typeof VerifySignUpBody>, @Client() client: ClientInfo): Promise<AuthResult> {
    return this.auth.verifySignUp(body, client);
  }

  /** 202 whether or not the address has an account. */
  @Public()
  @Post('password-reset')
  @HttpCode(202)
  requestReset(@Body(new ZodBodyPipe(ResetRequestBody)) body: ResetRequestBody, @Client() client: ClientInfo): Promise<CodeSent> {
    return this.auth.requestReset(body.email, client);
  }

  @Public()
  @Post('password-reset/confirm')
  @HttpCode(200)
  async confirmReset(
    @Body(new ZodBodyPipe(ResetBody)) body: z.output<typeof ResetBody>,
    @Client() client: ClientInfo,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AuthResult | PendingSignIn> {
    const result = await this.auth.confirmReset(body, client);
    // With sign-in approval on and no recovery code: a request a device must answer, as a sign-in's.
    if ('pending' in result) void reply.status(202);
    return result;
  }

  /**
   * 200 with the session; 202 with a request another device must answer (sign-in approval), or with a
   * step-up (a code by mail) past the account's ceiling of wrong passwords.
   */
  @Public()
  @Post('login')
  @HttpCode(200)
  async login(
    @Body(new ZodBodyPipe(LoginBody)) body: LoginBody,
    @Client() client: ClientInfo,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AuthResult | PendingSignIn | StepUp> {
    const result = await this.auth.login(body, client);
    if (!('token' in result)) void reply.status(202);
    return result;
  }

  /** The step-up's mailed code with the password: 200 signed in, or 202 when a device must approve. */
  @Public()
  @Post('login/code')
  @HttpCode(200)
  async loginWithCode(
    @Body(new ZodBodyPipe(StepUpBody)) body: z.output<typeof StepUpBody>,
    @Client() client: ClientInfo,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AuthResult | PendingSignIn> {
    const result = await this.auth.confirmStepUp(body, client);
    if ('pending' in result) void reply.status(202);
    return result;
  }

  @Post('logout')
  @HttpCode(204)
  async logout(@Auth() auth: AuthContext, @Client() client: ClientInfo): Promise<void> {
    await this.sessions.logout(auth, client);
  }

  /**
   * A replacement for the caller's token (docs/architecture.md, "Token rotation"), with the
   * session as `GET /v1/auth/session` gives it. Asked again with the same claim before the new
   * token is used, the answer is the same token.
   */
  @Post('rotate')
  @HttpCode(200)
  rotate(@Auth() auth: AuthContext, @Body(new ZodBodyPipe(RotateBody)) body: RotateBody, @Req() request: LatchRequest, @Client() client: ClientInfo): Promise<AuthResult> {
    return this.auth.rotate(auth, bearerToken(request.headers.authorization), body.claim, client);
  }

  @Post('password')
  @HttpCode(200)
  changePassword(
    @Auth() auth: AuthContext,
    @Body(new ZodBodyPipe(ChangePasswordBody)) body: z.output<typeof ChangePasswordBody>,
    @Client() client: ClientInfo,
  ): Promise<RevokedCount> {
    return this.auth.changePassword(auth, body, client);
  }

  @Post('reauth')
  @HttpCode(200)
  reauthenticate(@Auth() auth: AuthContext, @Body(new ZodBodyPipe(ReauthBody)) body: ReauthBody, @Client() client: ClientInfo): Promise<Reauthenticated> {
    return this.auth.reauthenticate(auth, body.password, client);
  }
}
