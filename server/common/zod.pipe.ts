import type { PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { issueDetails, type ErrorSay } from '../../shared/api.js';
import { fieldSaid, en } from '../../shared/messages.js';
import { ApiError } from './api-error.js';

/** Validates a request body or query with a schema from shared/api.ts: 400 validation_failed with details. */
export class ZodBodyPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.output<S> {
    const parsed = this.schema.safeParse(value);
    if (!parsed.success) {
      const ruled = issueDetails(parsed.error, (detail) => fieldSaid(detail, en));
      throw new ApiError(400, 'validation_failed', { key: 'request_invalid' }, {
        details: ruled.map(({ path, message }) => ({ path, message })),
        rules: ruled.map(({ rule, limit }) => ({ ...(rule !== undefined ? { rule } : {}), ...(limit !== undefined ? { limit } : {}) })),
      });
    }
    return parsed.data;
  }
}

/** Validates a path parameter; anything malformed is simply not found. */
export class ZodParamPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(
    private readonly schema: S,
    private readonly notFound: ErrorSay,
  ) {}

  transform(value: unknown): z.output<S> {
    const parsed = this.schema.safeParse(value);
    if (!parsed.success) throw new ApiError(404, 'not_found', this.notFound);
    return parsed.data;
  }
}
