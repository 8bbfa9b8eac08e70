// Sign-in approval over HTTP (docs/api.md, "Sign-in approval"): the setting, the requests the account's
// devices answer, and the new device's side, which needs no session: its request's secret stands in.
import { Controller, Inject } from '@nestjs/common';
import type {
  AnswerBody,
  ReauthBody,
  SetApprovalBody,
  WaitBody,
  AnswerResult,
  ApprovalChanged,
  ApprovalSetting,
  RecoveredSignIn,
  RecoveryCodes,
  SignInRequestList,
  SignInRequestState,
  ErrorSay,
} from '../../shared/api.js';
import { Routes } from '../../shared/routes.js';
import { Endpoint, RouteBody, RouteParam } from '../http/endpoint.js';
import { ApprovalSettings } from '../approval/approval-settings.js';
import { SignInApproval } from '../approval/sign-in-approval.js';
import { Auth, Client, Disconnected, type AuthContext, type ClientInfo } from '../http/request-context.js';
import { AuthService } from './auth.service.js';

const NO_REQUEST: ErrorSay = { key: 'no_such_request' };

@Controller()
export class ApprovalController {
  constructor(
    @Inject(AuthService) private readonly auth: AuthService,
    @Inject(SignInApproval) private readonly approval: SignInApproval,
    @Inject(ApprovalSettings) private readonly settings: ApprovalSettings,
  ) {}

  @Endpoint(Routes.approvalSetting)
  setting(@Auth() auth: AuthContext): Promise<ApprovalSetting> {
    return this.settings.setting(auth.user.id);
  }

  @Endpoint(Routes.setApproval)
  setApproval(@Auth() auth: AuthContext, @RouteBody(Routes.setApproval) body: SetApprovalBody, @Client() client: ClientInfo): Promise<ApprovalChanged> {
    return this.auth.setApproval(auth, body, client);
  }

  @Endpoint(Routes.regenerateRecoveryCodes)
  regenerate(@Auth() auth: AuthContext, @RouteBody(Routes.regenerateRecoveryCodes) body: ReauthBody, @Client() client: ClientInfo): Promise<RecoveryCodes> {
    return this.auth.regenerateRecoveryCodes(auth, body.password, client);
  }

  @Endpoint(Routes.signInRequests)
  async pending(@Auth() auth: AuthContext): Promise<SignInRequestList> {
    return { requests: await this.approval.pending(auth.user.id) };
  }

  @Endpoint(Routes.answerSignInRequest)
  answer(@Auth() auth: AuthContext, @RouteParam(Routes.answerSignInRequest, 'id', NO_REQUEST) id: string, @RouteBody(Routes.answerSignInRequest) body: AnswerBody): Promise<AnswerResult> {
    return this.approval.answer(auth, id, body);
  }

  @Endpoint(Routes.waitForApproval)
  wait(
    @RouteParam(Routes.waitForApproval, 'id', NO_REQUEST) id: string,
    @RouteBody(Routes.waitForApproval) body: WaitBody,
    @Disconnected() disconnected: AbortSignal,
  ): Promise<SignInRequestState> {
    return this.auth.waitForApproval(id, body.secret, disconnected);
  }

  @Endpoint(Routes.recover)
  recover(@RouteParam(Routes.recover, 'id', NO_REQUEST) id: string, @RouteBody(Routes.recover) body: { secret: string; code: string }): Promise<RecoveredSignIn> {
    return this.auth.recover(id, body.secret, body.code);
  }

  /** The new device (an app's or the account page's) asks its devices again; 429 within 15 s of the last time. */
  @Endpoint(Routes.resendSignIn)
  async resend(@RouteParam(Routes.resendSignIn, 'id', NO_REQUEST) id: string, @RouteBody(Routes.resendSignIn) body: WaitBody): Promise<void> {
    await this.approval.resend(id, body.secret);
  }

  @Endpoint(Routes.cancelSignIn)
  async cancel(@RouteParam(Routes.cancelSignIn, 'id', NO_REQUEST) id: string, @RouteBody(Routes.cancelSignIn) body: WaitBody): Promise<void> {
    await this.approval.cancel(id, body.secret);
  }
}
