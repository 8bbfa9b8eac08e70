// Every error leaves the server as { error: { code, message, details? } }.
import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { ErrorCode } from '../../shared/api.js';
import { ApiError, isStoreUnavailable, unavailable } from './api-error.js';

const FASTIFY_CODES: Record<string, [number, ErrorCode, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'payload_too_large', 'The request body is larger than 16 KiB.'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type', 'Send the request body as application/json.'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'bad_request', 'The request body is empty; send a JSON object.'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'bad_request', 'The request body is not valid JSON.'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'bad_request', 'The Content-Length header does not match the body.'],
  FST_ERR_BAD_URL: [400, 'bad_request', 'The URL is not valid.'],
};

/** For 4xx errors raised by the framework: a code and a message that echoes nothing of the request. */
const STATUS_CODES: Record<number, [ErrorCode, string]> = {
  400: ['bad_request', 'The request is not valid.'],
  401: ['unauthenticated', 'Sign in to continue.'],
  404: ['not_found', 'Not found.'],
  413: ['payload_too_large', 'The request body is larger than 16 KiB.'],
  414: ['bad_request', 'The URL is too long.'],
  415: ['unsupported_media_type', 'Send the request body as application/json.'],
  429: ['rate_limited', 'Too many requests.'],
};

export function toApiError(error: unknown, request?: { method: string; url: string }): ApiError | undefined {
  if (error instanceof ApiError) return error;
  if (isStoreUnavailable(error)) return unavailable();
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code in FASTIFY_CODES) {
    const [status, apiCode, message] = FASTIFY_CODES[code]!;
    return new ApiError(status, apiCode, message);
  }
  if (error instanceof SyntaxError && (error as { statusCode?: number }).statusCode === 400) {
    return new ApiError(400, 'bad_request', 'The request body is not valid JSON.');
  }
  const status = error instanceof HttpException ? error.getStatus() : (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    if (status === 404 && request) {
      return new ApiError(404, 'not_found', `There is no route ${request.method} ${request.url.split('?')[0]}.`);
    }
    const [apiCode, message] = STATUS_CODES[status] ?? STATUS_CODES[400]!;
    return new ApiError(status, apiCode, message);
  }
  return undefined;
}

@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  constructor(private readonly log: Logger) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    let apiError = toApiError(error, request);
    if (!apiError) {
      // Log the kind and message only: request data, headers and tokens stay out.
      this.log.error({ err: error instanceof Error ? { type: error.name, message: error.message } : String(error) }, 'unhandled error');
      apiError = new ApiError(500, 'internal', 'Something went wrong on the server.');
    }
    void reply.status(apiError.status).headers(apiError.headers).send(apiError.toBody());
  }
}
