import type { ErrorDetail } from '../../shared/api.js';
import type { IpcError, Notice } from '../../shared/ipc.js';

/**
 * Everything a core call can fail with. `offline` never signs anyone out;
 * only `unauthorized` (an authoritative 401 from the server) does.
 */
export type CoreErrorKind =
  | 'offline' // network error, timeout, 5xx: the server could not answer
  | 'unauthorized' // 401 on a session route: this session is over
  | 'rejected' // the server refused the request (4xx with a code)
  | 'invalid_input' // refused before anything was sent
  | 'not_signed_in'
  | 'unexpected'; // the server answered something the contract does not allow

export class CoreError extends Error {
  constructor(
    readonly kind: CoreErrorKind,
    readonly code: string,
    message: string,
    readonly extra: {
      details?: ErrorDetail[];
      retryAfterSeconds?: number;
      status?: number;
      /** On `unauthorized`: why the session ended, as the notice will say it. */
      signOut?: Notice;
    } = {},
  ) {
    super(message);
    this.name = 'CoreError';
  }

  toIpc(): IpcError {
    return {
      code: this.code,
      message: this.message,
      ...(this.extra.details ? { details: this.extra.details } : {}),
      ...(this.extra.retryAfterSeconds !== undefined ? { retryAfterSeconds: this.extra.retryAfterSeconds } : {}),
    };
  }
}
