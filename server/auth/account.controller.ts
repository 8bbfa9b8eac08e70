// The account's address and its mail (docs/api.md, "Mail"): confirming the address with a mailed code,
// and which optional mail it gets.
import { Controller, Inject } from '@nestjs/common';
import { type z } from 'zod';
import type { ConfirmEmailBody, MailSettings, CodeSent, CurrentSession } from '../../shared/api.js';
import { Routes } from '../../shared/routes.js';
import { Endpoint, RouteBody } from '../http/endpoint.js';
import { Auth, Client, type AuthContext, type ClientInfo } from '../http/request-context.js';
import { AuthService } from './auth.service.js';

@Controller()
export class AccountController {
  constructor(@Inject(AuthService) private readonly auth: AuthService) {}

  /** A code to the account's own address; 409 when it is already confirmed. */
  @Endpoint(Routes.sendEmailCode)
  sendCode(@Auth() auth: AuthContext, @Client() client: ClientInfo): Promise<CodeSent> {
    return this.auth.sendEmailCode(auth, client);
  }

  @Endpoint(Routes.confirmEmail)
  confirm(@Auth() auth: AuthContext, @RouteBody(Routes.confirmEmail) body: z.output<typeof ConfirmEmailBody>, @Client() client: ClientInfo): Promise<CurrentSession> {
    return this.auth.confirmEmail(auth, body, client);
  }

  @Endpoint(Routes.mailSettings)
  mail(@Auth() auth: AuthContext): Promise<MailSettings> {
    return this.auth.mailSettings(auth);
  }

  @Endpoint(Routes.setMailSettings)
  setMail(@Auth() auth: AuthContext, @RouteBody(Routes.setMailSettings) body: MailSettings, @Client() client: ClientInfo): Promise<MailSettings> {
    return this.auth.setMailSettings(auth, body, client);
  }
}
