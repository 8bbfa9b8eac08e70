// Sign-in approval: the requests, their answers and the recovery codes (docs/architecture.md,
// "Sign-in approval"). Its routes are in AuthModule, next to the password checks they need.
import { Module } from '@nestjs/common';
import { PasswordsModule } from '../passwords/passwords.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { PasswordResets } from './reset.js';
import { SignInApproval } from './sign-in-approval.js';

@Module({
  imports: [SessionsModule, PasswordsModule],
  providers: [SignInApproval, PasswordResets],
  exports: [SignInApproval, PasswordResets],
})
export class ApprovalModule {}
