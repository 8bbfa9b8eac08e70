// Sign-in approval over HTTP (docs/api.md, "Sign-in approval"): the setting, the requests the account's
// devices answer, and the new device's side, which needs no session: its request's secret stands in.
import { Body, Controller, Get, HttpCode, Inject, Param, Post, Put } from '@nestjs/common';
import {
  AnswerBody,
  ReauthBody,
  RecoverBody,
  SetApprovalBody,
  SignInRequestId,
  WaitBody,
  type AnswerResult,
  type ApprovalChanged,
  type ApprovalSetting,
  type RecoveredSignIn,
  type RecoveryCodes,
  type SignInRequestList,
  type SignInRequestState,
} from '../../shared/api.js';
import { SignInApproval } from '../approval/sign-in-approval.js';
import { Auth, Client, Disconnected, Public, type AuthContext, type ClientInfo } from '../http/request-context.js';
import { LongPoll } from '../common/long-poll.js';
import { ZodBodyPipe, ZodParamPipe } from '../common/zod.pipe.js';
import { AuthService } from './auth.service.js';

const NO_REQUEST = 'This sign-in request does not exist. Sign in again.';

@Controller('v1')
export class ApprovalController {
  constructor(
    @Inject(AuthService) private readonly auth: AuthService,
    @Inject(SignInApproval) private readonly approval: SignInApproval,
  ) {}

  @Get('account/sign-in-approval')
  setting(@Auth() auth: AuthContext): Promise<ApprovalSetting> {
    return this.approval.setting(auth.user.id);
  }

  @Put('account/sign-in-approval')
  setApproval(@Auth() auth: AuthContext, @Body(new ZodBodyPipe(SetApprovalBody)) body: SetApprovalBody, @Client() client: ClientInfo): Promise<ApprovalChanged> {
    return this.auth.setApproval(auth, body, client);
  }

  @Post('account/recovery-codes')
  @HttpCode(200)
  regenerate(@Auth() auth: AuthContext, @Body(new ZodBodyPipe(ReauthBody)) body: ReauthBody, @Client() client: ClientInfo): Promise<RecoveryCodes> {
    return this.auth.regenerateRecoveryCodes(auth, body.password, client);
  }

  @Get('sign-in-requests')
  async pending(@Auth() auth: AuthContext): Promise<SignInRequestList> {
    return { requests: await this.approval.pending(auth.user.id) };
  }

  @Post('sign-in-requests/:id/answer')
  @HttpCode(200)
  answer(@Auth() auth: AuthContext, @Param('id', new ZodParamPipe(SignInRequestId, NO_REQUEST)) id: string, @Body(new ZodBodyPipe(AnswerBody)) body: AnswerBody): Promise<AnswerResult> {
    return this.approval.answer(auth, id, body);
  }

  @Public()
  @LongPoll()
  @Post('auth/sign-in-requests/:id/wait')
  @HttpCode(200)
  wait(
    @Param('id', new ZodParamPipe(SignInRequestId, NO_REQUEST)) id: string,
    @Body(new ZodBodyPipe(WaitBody)) body: WaitBody,
    @Disconnected() disconnected: AbortSignal,
  ): Promise<SignInRequestState> {
    return this.auth.waitForApproval(id, body.secret, disconnected);
  }

  @Public()
  @Post('auth/sign-in-requests/:id/recover')
  @HttpCode(200)
  recover(@Param('id', new ZodParamPipe(SignInRequestId, NO_REQUEST)) id: string, @Body(new ZodBodyPipe(RecoverBody)) body: { secret: string; code: string }): Promise<RecoveredSignIn> {
    return this.auth.recover(id, body.secret, body.code);
  }

  /** The new device (an app's or the account page's) asks its devices again; 429 within 15 s of the last time. */
  @Public()
  @Post('auth/sign-in-requests/:id/resend')
  @HttpCode(204)
  async resend(@Param('id', new ZodParamPipe(SignInRequestId, NO_REQUEST)) id: string, @Body(new ZodBodyPipe(WaitBody)) body: WaitBody): Promise<void> {
    await this.approval.resend(id, body.secret);
  }

  @Public()
  @Post('auth/sign-in-requests/:id/cancel')
  @HttpCode(204)
  async cancel(@Param('id', new ZodParamPipe(SignInRequestId, NO_REQUEST)) id: string, @Body(new ZodBodyPipe(WaitBody)) body: WaitBody): Promise<void> {
    await this.approval.cancel(id, body.secret);
  }
}
