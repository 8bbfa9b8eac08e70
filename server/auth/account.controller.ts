// The account's address and its mail (docs/api.md, "Mail"): confirming the address with a mailed code,
// and which optional mail it gets; codes from an authenticator app (docs/api.md, "Authenticator codes").
import { Controller, Inject } from '@nestjs/common';
import { type z } from 'zod';
import type {
  AddPasskeyBody,
  PasskeyList,
  PasskeyOptions,
  PasskeyView,
  RenamePasskeyBody,
  AuthenticatorChanged,
  AuthenticatorConfirmBody,
  AuthenticatorPasswordBody,
  AuthenticatorSetting,
  AuthenticatorSetup,
  ConfirmEmailBody,
  MailSettings,
  CodeSent,
  CurrentSession,
} from '../../shared/api.js';
import { Routes } from '../../shared/routes.js';
import { Endpoint, RouteBody, RouteParam } from '../http/endpoint.js';
import { Passkeys } from '../passkeys/passkeys.js';
import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import { Auth, Client, type AuthContext, type ClientInfo } from '../http/request-context.js';
import { AuthService } from './auth.service.js';

@Controller()
export class AccountController {
  constructor(
    @Inject(AuthService) private readonly auth: AuthService,
    @Inject(Passkeys) private readonly passkeyService: Passkeys,
  ) {}

  /** A code to the account's own address; 409 when it is already confirmed. */
  @Endpoint(Routes.sendEmailCode)
  sendCode(@Auth() auth: AuthContext, @Client() client: ClientInfo): Promise<CodeSent> {
    return this.auth.sendEmailCode(auth, client);
  }

  @Endpoint(Routes.confirmEmail)
  confirm(@Auth() auth: AuthContext, @RouteBody(Routes.confirmEmail) body: z.output<typeof ConfirmEmailBody>, @Client() client: ClientInfo): Promise<CurrentSession> {
    return this.auth.confirmEmail(auth, body, client);
  }

  @Endpoint(Routes.authenticatorSetting)
  authenticator(@Auth() auth: AuthContext): Promise<AuthenticatorSetting> {
    return this.auth.authenticatorSetting(auth);
  }

  @Endpoint(Routes.beginAuthenticator)
  beginAuthenticator(@Auth() auth: AuthContext, @RouteBody(Routes.beginAuthenticator) body: AuthenticatorPasswordBody, @Client() client: ClientInfo): Promise<AuthenticatorSetup> {
    return this.auth.beginAuthenticator(auth, body.password, client);
  }

  @Endpoint(Routes.confirmAuthenticator)
  confirmAuthenticator(
    @Auth() auth: AuthContext,
    @RouteBody(Routes.confirmAuthenticator) body: z.output<typeof AuthenticatorConfirmBody>,
    @Client() client: ClientInfo,
  ): Promise<AuthenticatorChanged> {
    return this.auth.confirmAuthenticator(auth, body.code, client);
  }

  @Endpoint(Routes.turnOffAuthenticator)
  turnOffAuthenticator(@Auth() auth: AuthContext, @RouteBody(Routes.turnOffAuthenticator) body: AuthenticatorPasswordBody, @Client() client: ClientInfo): Promise<AuthenticatorChanged> {
    return this.auth.turnOffAuthenticator(auth, body.password, client);
  }

  @Endpoint(Routes.passkeys)
  passkeys(@Auth() auth: AuthContext): Promise<PasskeyList> {
    return this.passkeyService.list(auth.user.id);
  }

  @Endpoint(Routes.passkeyAddOptions)
  passkeyAddOptions(@Auth() auth: AuthContext): Promise<PasskeyOptions> {
    return this.passkeyService.addOptions(auth);
  }

  @Endpoint(Routes.addPasskey)
  addPasskey(@Auth() auth: AuthContext, @RouteBody(Routes.addPasskey) body: z.output<typeof AddPasskeyBody>, @Client() client: ClientInfo): Promise<PasskeyView> {
    return this.passkeyService.add(auth, body.id, body.name, body.response as unknown as RegistrationResponseJSON, client);
  }

  @Endpoint(Routes.renamePasskey)
  renamePasskey(@Auth() auth: AuthContext, @RouteParam(Routes.renamePasskey, 'id', { key: 'no_such_passkey' }) id: string, @RouteBody(Routes.renamePasskey) body: RenamePasskeyBody): Promise<PasskeyView> {
    return this.passkeyService.rename(auth, id, body.name);
  }

  @Endpoint(Routes.removePasskey)
  async removePasskey(@Auth() auth: AuthContext, @RouteParam(Routes.removePasskey, 'id', { key: 'no_such_passkey' }) id: string, @Client() client: ClientInfo): Promise<void> {
    await this.passkeyService.remove(auth, id, client);
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
