// The account page's sign-in and sign-out (docs/architecture.md, "The account page").
import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { PageController } from './page.controller.js';
import { WebController } from './web.controller.js';

@Module({
  imports: [AuthModule, SessionsModule],
  controllers: [WebController, PageController],
})
export class WebModule {}
