// Every error leaves the server as { error: { code, message, details? } }.
import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { ApiError, toApiError } from './api-error.js';

@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  constructor(
    private readonly log: Logger,
    /** Where a refusal as too many (429) is counted, by its code (the metrics' latch_limited_total). */
    private readonly countLimited: (code: string) => void = () => undefined,
  ) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = sendError(error, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>(), this.log);
    if (reply.statusCode === 429 && error instanceof ApiError) this.countLimited(error.code);
  }
}

/** Writes any error as the API's error body: the filter's work, shared with the plain route of session-route.ts. */
export function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply, log: Logger): FastifyReply {
  let apiError = toApiError(error, request);
  if (!apiError) {
    // Log the kind and message only: request data, headers and tokens stay out.
    log.error({ err: error instanceof Error ? { type: error.name, message: error.message } : String(error) }, 'unhandled error');
    apiError = new ApiError(500, 'internal', { key: 'server_fault' });
  }
  return reply.status(apiError.status).headers(apiError.headers).send(apiError.toBody());
}
