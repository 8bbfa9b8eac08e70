// The server as Nest modules (docs/architecture.md, "The server", which draws what each imports):
//   AppModule ── Web, Realtime, Auth, Approval and Sessions modules; health, the maintenance job,
//                the operator's socket (admin/relay.ts)
//   global: CoreModule (config, clock, logger), MetricsModule, EventsModule (the session-event bus),
//           StorageModule (the store, which starts and stops the bus)
import { Module, type DynamicModule } from '@nestjs/common';
import { OperatorRelay } from './admin/relay.js';
import { ApprovalModule } from './approval/approval.module.js';
import { AuthModule } from './auth/auth.module.js';
import { CoreModule, type CoreDependencies } from './config/core.module.js';
import { EventsModule } from './events/events.module.js';
import { HealthController, OpenApiController } from './health/health.controller.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { RealtimeModule } from './realtime/realtime.module.js';
import { MaintenanceJob } from './maintenance/maintenance.job.js';
import { SessionsModule } from './sessions/sessions.module.js';
import { StorageModule } from './storage/storage.module.js';
import { WebModule } from './web/web.module.js';

@Module({})
export class AppModule {
  static forRoot(deps: CoreDependencies): DynamicModule {
    return {
      module: AppModule,
      imports: [CoreModule.forRoot(deps), MetricsModule, EventsModule, StorageModule, SessionsModule, AuthModule, RealtimeModule, ApprovalModule, WebModule],
      controllers: [HealthController, OpenApiController],
      // The operator's socket (SQLite): what the operator's tool commits reaches this server's devices and cache.
      providers: [MaintenanceJob, OperatorRelay],
    };
  }
}
