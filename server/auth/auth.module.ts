// Signing in and out, passwords and their throttle, authenticator codes, and the guard every route
// passes unless marked @Public().
import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApprovalModule } from '../approval/approval.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { AccountController } from './account.controller.js';
import { ApprovalController } from './approval.controller.js';
import { AuthController } from './auth.controller.js';
import { AuthGuard } from './auth.guard.js';
import { AuthService } from './auth.service.js';
import { PasswordsModule } from '../passwords/passwords.js';
import { RateLimits } from './rate-limits.js';
import { AuthenticatorCodes } from '../authenticator/authenticator.js';
import { Passkeys } from '../passkeys/passkeys.js';
import { PasskeySignIns } from './passkey-sign-ins.js';

@Module({
  imports: [SessionsModule, ApprovalModule, PasswordsModule],
  controllers: [AuthController, ApprovalController, AccountController],
  providers: [AuthService, RateLimits, AuthGuard, AuthenticatorCodes, Passkeys, PasskeySignIns, { provide: APP_GUARD, useExisting: AuthGuard }],
  exports: [RateLimits, AuthService, AuthGuard, Passkeys, PasskeySignIns],
})
export class AuthModule {}
