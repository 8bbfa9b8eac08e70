import { HttpException } from '@nestjs/common';
import { ErrorSay, type ErrorBody, type ErrorCode } from '../../shared/api.js';
import { serverSays } from '../../shared/messages.js';

type ErrorExtra = Omit<ErrorBody['error'], 'code' | 'message' | 'say'>;

/**
 * An error with an HTTP status, a code from the shared contract and its sentence by key (`say`): the words are
 * in shared/messages, and `message` is their English.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    readonly say: ErrorSay,
    readonly extra: ErrorExtra = {},
    /** Extra response headers, such as Retry-After. */
    readonly headers: Record<string, string> = {},
  ) {
    super(serverSays(say));
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, say: this.say, ...this.extra } };
  }
}

/**
 * `say` when the text it carries fits what a client puts into its own sentence (shared/api.ts, `ErrorSay`: no
 * quotes in a name, no spaces in a path), else `otherwise`, which carries none.
 */
export const sayIfFits = (say: ErrorSay, otherwise: ErrorSay): ErrorSay => (ErrorSay.safeParse(say).success ? say : otherwise);

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
export const tryAgainIn = (seconds: number, say: ErrorSay, code: ErrorCode = 'rate_limited') =>
  new ApiError(429, code, say, { retryAfterSeconds: seconds }, { 'Retry-After': String(seconds) });

export const unavailable = () =>
  new ApiError(503, 'unavailable', { key: 'store_unreachable' }, {}, { 'Retry-After': '5' });

/**
 * PostgreSQL gave up on a statement under its timeouts (docs/operations.md, "PostgreSQL"): 55P03 a lock held
 * past lock_timeout, 57014 a statement past statement_timeout, 25P03 a transaction left idle too long.
 */
const STORE_BUSY_CODES = new Set(['55P03', '57014', '25P03']);
export const storeBusy = () =>
  new ApiError(503, 'unavailable', { key: 'store_busy' }, {}, { 'Retry-After': '2' });

const FASTIFY_CODES: Record<string, [number, ErrorCode, ErrorSay]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'payload_too_large', { key: 'body_too_large' }],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type', { key: 'json_only' }],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'bad_request', { key: 'body_empty' }],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'bad_request', { key: 'body_not_json' }],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'bad_request', { key: 'content_length_mismatch' }],
  FST_ERR_BAD_URL: [400, 'bad_request', { key: 'bad_url' }],
};

/** For 4xx errors raised by the framework: a code and a message that echoes nothing of the request. */
const STATUS_CODES: Record<number, [ErrorCode, ErrorSay]> = {
  400: ['bad_request', { key: 'request_invalid' }],
  401: ['unauthenticated', { key: 'sign_in_needed' }],
  404: ['not_found', { key: 'not_found' }],
  413: ['payload_too_large', { key: 'body_too_large' }],
  414: ['bad_request', { key: 'url_too_long' }],
  415: ['unsupported_media_type', { key: 'json_only' }],
  429: ['rate_limited', { key: 'too_many_requests' }],
};

/** Any error as the API error it stands for; undefined for a fault in the server itself. */
export function toApiError(error: unknown, request?: { method: string; url: string }): ApiError | undefined {
  if (error instanceof ApiError) return error;
  if (isStoreUnavailable(error)) return unavailable();
  if (STORE_BUSY_CODES.has(String((error as { code?: unknown } | null)?.code))) return storeBusy();
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code in FASTIFY_CODES) {
    const [status, apiCode, say] = FASTIFY_CODES[code]!;
    return new ApiError(status, apiCode, say);
  }
  if (error instanceof SyntaxError && (error as { statusCode?: number }).statusCode === 400) {
    return new ApiError(400, 'bad_request', { key: 'body_not_json' });
  }
  const status = error instanceof HttpException ? error.getStatus() : (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    if (status === 404 && request) {
      return new ApiError(404, 'not_found', sayIfFits({ key: 'no_route', method: request.method, path: request.url.split('?')[0] ?? '' }, { key: 'not_found' }));
    }
    const [apiCode, say] = STATUS_CODES[status] ?? STATUS_CODES[400]!;
    return new ApiError(status, apiCode, say);
  }
  return undefined;
}

/** A sign-in, a reset or any new session of an account the server's operator disabled (docs/operations.md, "The operator's tool"). */
export const accountDisabled = () =>
  new ApiError(403, 'account_disabled', { key: 'account_disabled' });
