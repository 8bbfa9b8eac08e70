// What the server is built with (configuration, clock, logger), for every module.
import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import type { ServerConfig } from './config.js';
import type { Clock } from '../common/clock.js';
import { CLOCK, CONFIG, LOGGER } from '../common/di-tokens.js';

export interface CoreDependencies {
  config: ServerConfig;
  clock: Clock;
  log: Logger;
}

@Global()
@Module({})
export class CoreModule {
  static forRoot(deps: CoreDependencies): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: CONFIG, useValue: deps.config },
        { provide: CLOCK, useValue: deps.clock },
        { provide: LOGGER, useValue: deps.log },
      ],
      exports: [CONFIG, CLOCK, LOGGER],
    };
  }
}
