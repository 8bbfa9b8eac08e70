import { Controller, Get, Inject } from '@nestjs/common';
import { unavailable } from '../common/api-error.js';
import { Public } from '../http/request-context.js';
import { Store } from '../storage/store.js';

@Public()
@Controller()
export class HealthController {
  constructor(@Inject(Store) private readonly store: Store) {}

  /** The process is up. */
  @Get('healthz')
  health() {
    return { status: 'ok' as const };
  }

  /** The process can serve: the store answers. */
  @Get('readyz')
  async ready() {
    try {
      await this.store.ping();
    } catch {
      throw unavailable();
    }
    return { status: 'ok' as const };
  }
}
