import type { ErrorDetail } from '../api.js';
import { readAnswer, type OkValue } from '../client.js';
import { noticeOfRefusal, type IpcError, type Notice } from '../ipc.js';
import type { RouteSpec } from '../routes.js';

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
      /** On `unauthorized`: why the session ended, as the notice will say it (none: there was no session, as on the account page without its cookie). */
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

/**
 * A call's answer as its route's row reads it (shared/client.ts): the value, or the CoreError that says
 * what the failure means. `session`: the call was made with a session, so a 401 with a session code ends it.
 */
export function valueOf<R extends RouteSpec>(spec: R, status: number, body: unknown, session: boolean, now: () => string): OkValue<R> {
  const outcome = readAnswer(spec, status, body);
  if (outcome.kind === 'ok') return outcome.value;
  // The server could not answer now: not a refusal. Its own words when it gave them (a store unreachable, busy).
  if (status >= 500 || status === 408) {
    if (outcome.kind === 'error') throw new CoreError('offline', outcome.error.code, outcome.error.message, { status });
    throw new CoreError('offline', 'server_error', 'The server is not answering right now. Latch will keep trying.', { status });
  }
  if (outcome.kind === 'unexpected') {
    throw new CoreError('unexpected', 'unexpected_response', status < 300 ? `The server sent an answer Latch does not understand (${spec.method} ${spec.path}).` : `The server answered ${status} without an error Latch understands.`, { status });
  }
  const { error } = outcome;
  const signOut = session ? noticeOfRefusal(status, error, now) : undefined;
  if (signOut) throw new CoreError('unauthorized', error.code, error.message, { status, signOut });
  throw new CoreError('rejected', error.code, error.message, {
    status,
    ...(error.details ? { details: error.details } : {}),
    ...(error.retryAfterSeconds !== undefined ? { retryAfterSeconds: error.retryAfterSeconds } : {}),
  });
}
