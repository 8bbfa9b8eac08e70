// The store and its session-event bus, opened when the app starts and closed
// after everything else when it stops (a global module: Nest starts it first
// and shuts it down last). The bus lives here because its events leave with
// the store's transactions (storage/store.ts): SQLite hands them on in
// process, PostgreSQL through NOTIFY in the same transaction.
import { Global, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { CONFIG, LOGGER } from '../common/di-tokens.js';
import type { ServerConfig } from '../config/config.js';
import { PostgresListen, SessionEventBus } from '../events/bus.js';
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
      inject: [CONFIG, LOGGER],
      useFactory: async (config: ServerConfig, log: Logger): Promise<Store> => {
        const opened = await openDatabase(config.store, (message, detail) => log.warn({ err: detail }, message));
        const bus = new SessionEventBus(config.store.kind === 'postgres' ? new PostgresListen(config.store.url, log) : undefined);
        try {
          await bus.start();
        } catch (error) {
          await opened.close();
          throw error;
        }
        return new Store(opened, bus);
      },
    },
    { provide: SessionEventBus, inject: [Store], useFactory: (store: Store) => store.bus },
    StoreLifecycle,
  ],
  exports: [Store, SessionEventBus],
})
export class StorageModule {}
