import type { RuledDetail } from '../api.js';
import { readAnswer, type OkValue } from '../client.js';
import { noticeOfRefusal, type IpcError, type Notice, type Say } from '../ipc.js';
import { en, errorWords } from '../messages.js';
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
  /** The sentence by key; none for a server's error that came without one this client knows. */
  readonly say: Say | undefined;

  constructor(
    readonly kind: CoreErrorKind,
    readonly code: string,
    /** By key; a string only for a server's words that came without a key (they are shown as they came). */
    words: Say | string,
    readonly extra: {
      details?: RuledDetail[];
      retryAfterSeconds?: number;
      status?: number;
      /** On `unauthorized`: why the session ended, as the notice will say it (none: there was no session, as on the account page without its cookie). */
      signOut?: Notice;
    } = {},
  ) {
    super(typeof words === 'string' ? words : errorWords(words, en));
    this.name = 'CoreError';
    this.say = typeof words === 'string' ? undefined : words;
  }

  toIpc(): IpcError {
    return {
      code: this.code,
      message: this.message,
      ...(this.say ? { say: this.say } : {}),
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
    if (outcome.kind === 'error') throw new CoreError('offline', outcome.error.code, outcome.error.say ?? outcome.error.message, { status });
    throw new CoreError('offline', 'server_error', { key: 'server_not_answering' }, { status });
  }
  if (outcome.kind === 'unexpected') {
    throw new CoreError('unexpected', 'unexpected_response', status < 300 ? { key: 'answer_not_understood', method: spec.method, path: spec.path } : { key: 'status_not_understood', status }, { status });
  }
  const { error } = outcome;
  const signOut = session ? noticeOfRefusal(status, error, now) : undefined;
  const words = error.say ?? error.message;
  if (signOut) throw new CoreError('unauthorized', error.code, words, { status, signOut });
  throw new CoreError('rejected', error.code, words, {
    status,
    // Each detail with its rule, when the server sent them (an older one sends none).
    ...(error.details ? { details: error.details.map((detail, i) => ({ ...detail, ...error.rules?.[i] })) } : {}),
    ...(error.retryAfterSeconds !== undefined ? { retryAfterSeconds: error.retryAfterSeconds } : {}),
  });
}
