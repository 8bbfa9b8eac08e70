import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { Logger } from 'pino';
import { AuthController } from './auth/auth.controller.js';
import { AuthGuard } from './auth/auth.guard.js';
import { AuthService } from './auth/auth.service.js';
import { PasswordHasher } from './auth/passwords.js';
import { SignInThrottle } from './auth/sign-in-throttle.js';
import { type Clock } from './common/clock.js';
import { CLOCK, CONFIG, LOGGER } from './common/di-tokens.js';
import type { ServerConfig } from './config/config.js';
import { HealthController } from './health/health.controller.js';
import { Presence } from './realtime/presence.js';
import { RealtimeGateway } from './realtime/realtime.gateway.js';
import { Locator } from './sessions/locations.js';
import { MaintenanceJob } from './sessions/maintenance.job.js';
import { SecurityEventsService } from './sessions/security-events.service.js';
import { SecurityEventsController, SessionsController } from './sessions/sessions.controller.js';
import { SessionsService } from './sessions/sessions.service.js';
import { TokenRotation } from './sessions/token-rotation.js';
import { Store } from './storage/store.js';

export interface AppDependencies {
  config: ServerConfig;
  clock: Clock;
  store: Store;
  log: Logger;
}

@Module({})
export class AppModule {
  static forRoot(deps: AppDependencies): DynamicModule {
    return {
      module: AppModule,
      controllers: [AuthController, SessionsController, SecurityEventsController, HealthController],
      providers: [
        { provide: CONFIG, useValue: deps.config },
        { provide: CLOCK, useValue: deps.clock },
        { provide: LOGGER, useValue: deps.log },
        { provide: Store, useValue: deps.store },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: Locator, useFactory: (config: ServerConfig) => new Locator(config.locations), inject: [CONFIG] },
        AuthService,
        PasswordHasher,
        SignInThrottle,
        SessionsService,
        TokenRotation,
        SecurityEventsService,
        Presence,
        RealtimeGateway,
        MaintenanceJob,
      ],
    };
  }
}
