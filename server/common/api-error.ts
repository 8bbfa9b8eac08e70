import { HttpException } from '@nestjs/common';
import type { ErrorBody, ErrorCode } from '../../shared/api.js';

type ErrorExtra = Omit<ErrorBody['error'], 'code' | 'message'>;

/** An error with an HTTP status and a code from the shared contract. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly extra: ErrorExtra = {},
    /** Extra response headers, such as Retry-After. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...this.extra } };
  }
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);
const SQLITE_UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|IOERR|CANTOPEN|FULL|READONLY)/;

/** True when an error means the store cannot be reached, not that the request was wrong. */
export function isStoreUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (CONNECTION_CODES.has(code) || SQLITE_UNAVAILABLE.test(code)) return true;
    // PostgreSQL: class 08 connection exception, 57P0x shutdown / cannot connect now.
    if (/^08/.test(code) || /^57P0[1-3]$/.test(code)) return true;
  }
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|driver has already been destroyed/i.test(
    error.message,
  );
}

/** Whole seconds from `now` until `at`, at least one: what a 429 says to wait. */
export const secondsUntil = (at: number, now: number) => Math.max(1, Math.ceil((at - now) / 1000));

/** A 429 that says when to try again, in its body (`retryAfterSeconds`) and in its Retry-After header. */
export const tryAgainIn = (seconds: number, message: string, code: ErrorCode = 'rate_limited') =>
  new ApiError(429, code, message, { retryAfterSeconds: seconds }, { 'Retry-After': String(seconds) });

export const unavailable = () =>
  new ApiError(503, 'unavailable', 'The session store is unreachable. Try again shortly.', {}, { 'Retry-After': '5' });

/**
 * PostgreSQL gave up on a statement under its timeouts (docs/operations.md, "PostgreSQL"): 55P03 a lock held
 * past lock_timeout, 57014 a statement past statement_timeout, 25P03 a transaction left idle too long.
 */
const STORE_BUSY_CODES = new Set(['55P03', '57014', '25P03']);
export const storeBusy = () =>
  new ApiError(503, 'unavailable', 'The session store is busy with other work. Try again in a few seconds.', {}, { 'Retry-After': '2' });

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

/** Any error as the API error it stands for; undefined for a fault in the server itself. */
export function toApiError(error: unknown, request?: { method: string; url: string }): ApiError | undefined {
  if (error instanceof ApiError) return error;
  if (isStoreUnavailable(error)) return unavailable();
  if (STORE_BUSY_CODES.has(String((error as { code?: unknown } | null)?.code))) return storeBusy();
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

/** A sign-in, a reset or any new session of an account the server's operator disabled (docs/operations.md, "The operator's tool"). */
export const accountDisabled = () =>
  new ApiError(403, 'account_disabled', "This account is disabled by the server's operator, so it cannot sign in. Ask them to enable it.");
