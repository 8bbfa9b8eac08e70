// Sessions: creating, checking, listing and ending them, token rotation, the
// security events, and where devices are.
import { Module } from '@nestjs/common';
import { CONFIG } from '../common/di-tokens.js';
import type { ServerConfig } from '../config/config.js';
import { Locator } from './locations.js';
import { SecurityEventsService } from './security-events.service.js';
import { SecurityEventsController, SessionsController } from './sessions.controller.js';
import { SessionsService } from './sessions.service.js';
import { TokenRotation } from './token-rotation.js';

@Module({
  controllers: [SessionsController, SecurityEventsController],
  providers: [
    SessionsService,
    TokenRotation,
    SecurityEventsService,
    { provide: Locator, useFactory: (config: ServerConfig) => new Locator(config.locations), inject: [CONFIG] },
  ],
  exports: [SessionsService, SecurityEventsService],
})
export class SessionsModule {}
