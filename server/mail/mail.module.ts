// Mail: the outbox and its sender, and the codes it carries (docs/architecture.md, "Mail"). It imports no
// feature: sessions, auth and approval queue mail through it.
import { Module } from '@nestjs/common';
import { EmailCodes } from './codes.js';
import { MailOutbox } from './outbox.js';

@Module({
  providers: [MailOutbox, EmailCodes],
  exports: [MailOutbox, EmailCodes],
})
export class MailModule {}
