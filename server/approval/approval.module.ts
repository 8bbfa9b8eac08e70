// Sign-in approval: the requests and their answers, the setting and its recovery codes, the long polls (docs/architecture.md,
// "Sign-in approval"). Its routes are in AuthModule, next to the password checks they need.
import { Module } from '@nestjs/common';
import { PasswordsModule } from '../passwords/passwords.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { ApprovalSettings } from './approval-settings.js';
import { PasswordResets } from './reset.js';
import { SignInApproval } from './sign-in-approval.js';
import { ApprovalWaits } from './waits.js';

@Module({
  imports: [SessionsModule, PasswordsModule],
  providers: [SignInApproval, ApprovalSettings, ApprovalWaits, PasswordResets],
  exports: [SignInApproval, ApprovalSettings, PasswordResets],
})
export class ApprovalModule {}
