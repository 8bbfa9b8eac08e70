// The session-event bus, its transport chosen by the store: in process for SQLite, NOTIFY and LISTEN for
// PostgreSQL (a global module). It is built here and started and stopped by the StorageModule's store,
// because its events leave with the store's transactions: the database opens first, then the bus starts
// (the database is closed again if it cannot), and at shutdown the bus stops before the database closes.
import { Global, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { CONFIG, LOGGER } from '../common/di-tokens.js';
import type { ServerConfig } from '../config/config.js';
import { Metrics } from '../metrics/metrics.js';
import { PostgresListen, SessionEventBus } from './bus.js';

@Global()
@Module({
  providers: [
    {
      provide: SessionEventBus,
      inject: [CONFIG, LOGGER, Metrics],
      useFactory: (config: ServerConfig, log: Logger, metrics: Metrics) =>
        new SessionEventBus(
          config.store.kind === 'postgres'
            ? new PostgresListen(config.store.url, log, (seconds) => metrics.busHeartbeat.observe(seconds), () => metrics.busReconnects.inc())
            : undefined,
        ),
    },
  ],
  exports: [SessionEventBus],
})
export class EventsModule {}
