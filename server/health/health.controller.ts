import { Controller, Header, Inject } from '@nestjs/common';
import type { Health } from '../../shared/api.js';
import { openApiDocument } from '../../shared/openapi.js';
import { Routes } from '../../shared/routes.js';
import { unavailable } from '../common/api-error.js';
import { Endpoint } from '../http/endpoint.js';
import { Store } from '../storage/store.js';

@Controller()
export class HealthController {
  constructor(@Inject(Store) private readonly store: Store) {}

  /** The process is up. */
  @Endpoint(Routes.health)
  health(): Health {
    return { status: 'ok' as const };
  }

  /** The process can serve: the store answers. */
  @Endpoint(Routes.ready)
  async ready(): Promise<Health> {
    try {
      await this.store.ping();
    } catch {
      throw unavailable();
    }
    return { status: 'ok' as const };
  }
}

/** The API's OpenAPI 3.1 document (docs/api.md, "OpenAPI"), made and written out once from the route table. */
@Controller()
export class OpenApiController {
  private document: string | undefined;

  @Endpoint(Routes.openApi)
  @Header('content-type', 'application/json; charset=utf-8')
  openApi(): string {
    return (this.document ??= JSON.stringify(openApiDocument()));
  }
}
