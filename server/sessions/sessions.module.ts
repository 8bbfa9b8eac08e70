// Sessions: the check every request makes (authenticator.ts, with its cache),
// the use cases (sessions.service.ts) over the rows (session-repository.ts),
// token rotation, the security events, and where devices are.
import { Module } from '@nestjs/common';
import { CONFIG } from '../common/di-tokens.js';
import type { ServerConfig } from '../config/config.js';
import { SessionEventBus } from '../events/bus.js';
import { MailModule } from '../mail/mail.module.js';
import { SessionAuthenticator } from './authenticator.js';
import { Locator } from './locations.js';
import { SecurityEventsService } from './security-events.service.js';
import { SecurityEventsController, SessionsController } from './sessions.controller.js';
import { SessionCache } from './session-cache.js';
import { SessionRepository } from './session-repository.js';
import { SessionsService } from './sessions.service.js';
import { TokenRotation } from './token-rotation.js';

@Module({
  imports: [MailModule],
  controllers: [SessionsController, SecurityEventsController],
  providers: [
    SessionsService,
    SessionAuthenticator,
    SessionRepository,
    { provide: SessionCache, useFactory: (bus: SessionEventBus, config: ServerConfig) => new SessionCache(bus, config.sessionCacheSize), inject: [SessionEventBus, CONFIG] },
    TokenRotation,
    SecurityEventsService,
    { provide: Locator, useFactory: (config: ServerConfig) => new Locator(config.locations), inject: [CONFIG] },
  ],
  exports: [MailModule, SessionsService, SessionRepository, SessionAuthenticator, SecurityEventsService, Locator],
})
export class SessionsModule {}
