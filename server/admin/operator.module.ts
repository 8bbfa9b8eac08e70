// The operator's tool as Nest modules: the store, the bus and the sessions, without the HTTP server, the
// maintenance job or the mail sender (mail it queues is sent by a running server).
import { Module, type DynamicModule } from '@nestjs/common';
import { CoreModule, type CoreDependencies } from '../config/core.module.js';
import { EventsModule } from '../events/events.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { StorageModule } from '../storage/storage.module.js';
import { Operator } from './operator.js';

@Module({})
export class OperatorModule {
  static forRoot(deps: CoreDependencies): DynamicModule {
    return {
      module: OperatorModule,
      imports: [CoreModule.forRoot(deps), MetricsModule, EventsModule, StorageModule, SessionsModule],
      providers: [Operator],
      exports: [Operator],
    };
  }
}
