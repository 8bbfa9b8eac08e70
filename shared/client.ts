// Calling the HTTP API through its table (docs/architecture.md, "The HTTP contract"): the request a
// route's row makes, and its answer read as the row says, whatever carries it (axios in the desktop
// core, fetch on the account page and in kit/http.ts). A success is parsed with the schema of the
// status it came with; an error must be the one error shape; anything else is unexpected, never cast.
import type { z } from 'zod';
import { ErrorBody } from './api.js';
import { pathOf, type Answer, type RouteSpec } from './routes.js';

type AnswerValue<A> = A extends z.ZodType ? z.output<A> : A extends 'page' ? string : null;
/** Any success answer of a route. */
export type OkValue<R extends RouteSpec> = { [S in keyof R['ok']]: AnswerValue<R['ok'][S]> }[keyof R['ok']];

/** What a call of this route takes: its path parameters, query and body, each as its schema's input. */
export type CallInput<R extends RouteSpec> = (R extends { params: z.ZodObject } ? { params: z.input<R['params']> } : { params?: undefined }) &
  (R extends { query: z.ZodObject } ? { query?: z.input<R['query']> } : { query?: undefined }) &
  (R extends { body: z.ZodType } ? { body: z.input<R['body']> } : { body?: undefined });

/** A request as any transport sends it: method, target (path and query), and the JSON body if there is one. */
export interface RouteRequest {
  method: RouteSpec['method'];
  target: string;
  json?: unknown;
}

export function requestOf<R extends RouteSpec>(spec: R, input: CallInput<R>): RouteRequest {
  const { params, query, body } = input as { params?: Record<string, string>; query?: Record<string, unknown>; body?: unknown };
  const search = Object.entries(query ?? {})
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`)
    .join('&');
  const target = `${pathOf(spec, params)}${search ? `?${search}` : ''}`;
  return { method: spec.method, target, ...(spec.body ? { json: body } : {}) };
}

export type Outcome<R extends RouteSpec> =
  | { kind: 'ok'; status: number; value: OkValue<R> }
  /** An error the server answered in its one shape. */
  | { kind: 'error'; status: number; error: ErrorBody['error'] }
  /** A status the route does not answer with, or a body its schema does not allow. */
  | { kind: 'unexpected'; status: number; why: string };

/** An answer read as the route's row says. `body`: the parsed JSON (undefined for none). */
export function readAnswer<R extends RouteSpec>(spec: R, status: number, body: unknown): Outcome<R> {
  const route = `${spec.method} ${spec.path}`;
  if (status >= 200 && status < 400) {
    if (!(status in spec.ok)) return { kind: 'unexpected', status, why: `${route} answered ${status}, which it never does` };
    const answer = (spec.ok as Record<number, Answer>)[status]!;
    if (answer === null || answer === 'page') return { kind: 'ok', status, value: (answer === null ? null : body) as OkValue<R> };
    const parsed = answer.safeParse(body);
    if (!parsed.success) return { kind: 'unexpected', status, why: `${route} answered ${status} with a body that is not its ${parsed.error.issues[0]?.path.join('.') || 'shape'}` };
    return { kind: 'ok', status, value: parsed.data as OkValue<R> };
  }
  const error = ErrorBody.safeParse(body);
  if (!error.success) return { kind: 'unexpected', status, why: `${route} answered ${status} without an error in the API's shape` };
  return { kind: 'error', status, error: error.data.error };
}
