// The account's address and its mail (docs/api.md, "Mail"): confirming the address with a mailed code,
// and which optional mail it gets.
import { Body, Controller, Get, HttpCode, Inject, Post, Put } from '@nestjs/common';
import { type z } from 'zod';
import { ConfirmEmailBody, MailSettings, type CodeSent, type CurrentSession } from '../../shared/api.js';
import { Auth, Client, type AuthContext, type ClientInfo } from '../http/request-context.js';
import { ZodBodyPipe } from '../common/zod.pipe.js';
import { AuthService } from './auth.service.js';

@Controller('v1/account')
export class AccountController {
  constructor(@Inject(AuthService) private readonly auth: AuthService) {}

  /** A code to the account's own address; 409 when it is already confirmed. */
  @Post('email/send-code')
  @HttpCode(202)
  sendCode(@Auth() auth: AuthContext, @Client() client: ClientInfo): Promise<CodeSent> {
    return this.auth.sendEmailCode(auth, client);
  }

  @Post('email/confirm')
  @HttpCode(200)
  confirm(@Auth() auth: AuthContext, @Body(new ZodBodyPipe(ConfirmEmailBody)) body: z.output<typeof ConfirmEmailBody>, @Client() client: ClientInfo): Promise<CurrentSession> {
    return this.auth.confirmEmail(auth, body, client);
  }

  @Get('mail')
  mail(@Auth() auth: AuthContext): Promise<MailSettings> {
    return this.auth.mailSettings(auth);
  }

  @Put('mail')
  setMail(@Auth() auth: AuthContext, @Body(new ZodBodyPipe(MailSettings)) body: MailSettings, @Client() client: ClientInfo): Promise<MailSettings> {
    return this.auth.setMailSettings(auth, body, client);
  }
}
