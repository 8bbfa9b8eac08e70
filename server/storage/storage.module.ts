// The store, opened when the app starts and closed after everything else when
// it stops (a global module: Nest starts it first and shuts it down last). It
// starts and stops the session-event bus (EventsModule builds it) because the
// bus's events leave with the store's transactions (storage/store.ts): SQLite
// hands them on in process, PostgreSQL through NOTIFY in the same transaction.
import { Global, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { CONFIG, LOGGER } from '../common/di-tokens.js';
import type { ServerConfig } from '../config/config.js';
import { SessionEventBus } from '../events/bus.js';
import { openDatabase } from './database.js';
import { Store } from './store.js';

/** Closes the bus, then the database, when the app has stopped serving. */
@Injectable()
class StoreLifecycle implements OnApplicationShutdown {
  constructor(@Inject(Store) private readonly store: Store) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}

@Global()
@Module({
  providers: [
    {
      provide: Store,
      inject: [CONFIG, LOGGER, SessionEventBus],
      useFactory: async (config: ServerConfig, log: Logger, bus: SessionEventBus): Promise<Store> => {
        const opened = await openDatabase(config.store, (message, detail) => log.warn({ err: detail }, message));
        try {
          await bus.start();
        } catch (error) {
          await opened.close();
          throw error;
        }
        return new Store(opened, bus);
      },
    },
    StoreLifecycle,
  ],
  exports: [Store],
})
export class StorageModule {}
