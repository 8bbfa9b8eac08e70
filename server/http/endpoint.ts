// Controllers bind to the route table (shared/routes.ts; docs/architecture.md, "The HTTP contract"):
// a handler names its route, and the method, path, status, who may call it and how its body,
// parameters and query are checked all come from there.
import { applyDecorators, Body, HttpCode, Param, Query, RequestMapping, RequestMethod } from '@nestjs/common';
import type { z } from 'zod';
import type { ErrorSay } from '../../shared/api.js';
import { defaultStatus, Routes, type RouteSpec } from '../../shared/routes.js';
import { LongPoll } from '../common/long-poll.js';
import { ZodBodyPipe, ZodParamPipe } from '../common/zod.pipe.js';
import { Public } from './request-context.js';

/** The handler of this route: its method and path, its usual status, @Public() when it needs no session, a long poll's mark. */
export const Endpoint = (spec: RouteSpec): MethodDecorator =>
  applyDecorators(
    RequestMapping({ path: spec.path, method: RequestMethod[spec.method] }),
    HttpCode(defaultStatus(spec)),
    ...(spec.auth === 'none' ? [Public()] : []),
    ...(spec.longPoll ? [LongPoll()] : []),
  );

type WithBody = RouteSpec & { body: z.ZodType };
type WithQuery = RouteSpec & { query: z.ZodObject };
type WithParams = RouteSpec & { params: z.ZodObject };

/** The route's body, checked with its schema: 400 validation_failed with details. */
export const RouteBody = (spec: WithBody): ParameterDecorator => Body(new ZodBodyPipe(spec.body));

/** The route's query, checked with its schema: 400 validation_failed with details. */
export const RouteQuery = (spec: WithQuery): ParameterDecorator => Query(new ZodBodyPipe(spec.query));

/** A path parameter of the route, checked with its schema: anything malformed names nothing, 404 saying `notFound`. */
export const RouteParam = <S extends WithParams>(spec: S, name: keyof S['params']['shape'] & string, notFound: ErrorSay): ParameterDecorator =>
  Param(name, new ZodParamPipe(spec.params.shape[name] as z.ZodType, notFound));

/**
 * The routes the server serves (`METHOD /path`, as its router has them) are the table's, no more and no
 * fewer: a handler bound by hand, or a table row with no handler, stops the server from starting.
 */
export function checkServedRoutes(served: readonly string[]): void {
  const table = new Set(Object.values(Routes).map((spec: RouteSpec) => `${spec.method} ${spec.path}`));
  const extra = served.filter((route) => !table.has(route));
  const missing = [...table].filter((route) => !served.includes(route));
  if (extra.length > 0 || missing.length > 0) {
    throw new Error(
      `The server's routes differ from shared/routes.ts (docs/architecture.md, "The HTTP contract"): ` +
        [extra.length > 0 ? `served but not in the table: ${extra.join(', ')}` : '', missing.length > 0 ? `in the table but not served: ${missing.join(', ')}` : '']
          .filter(Boolean)
          .join('; '),
    );
  }
}
