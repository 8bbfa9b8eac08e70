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

export const unavailable = () =>
  new ApiError(503, 'unavailable', 'The session store is unreachable. Try again shortly.', {}, { 'Retry-After': '5' });
