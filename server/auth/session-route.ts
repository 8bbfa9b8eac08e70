// `GET /v1/auth/session`, the check a device makes most, as a plain Fastify route: Nest's per-request
// pipeline (its guard runner, parameter decorators and response handling) cost more than the check
// itself (docs/performance.md, "Session check"). It decides nothing of its own: the global guard's
// `authenticate` (the same authenticator, the same bearer, cookie and cross-site rules) admits the
// request, `AuthService` gives the answer, and a refusal is written by the same `sendError` as
// every other route's.
import type { FastifyInstance } from 'fastify';
import { Routes } from '../../shared/routes.js';
import type { Logger } from 'pino';
import { sendError } from '../common/exception.filter.js';
import type { AuthContext, LatchRequest } from '../http/request-context.js';
import type { AuthGuard } from './auth.guard.js';
import type { AuthService } from './auth.service.js';

export function registerSessionCheck(fastify: FastifyInstance, guard: AuthGuard, auth: AuthService, log: Logger): void {
  // Answered with reply.send, in the callback style: the handler returns nothing, so nothing of the
  // reply's own completion can come back into `refuse` and send a second answer.
  fastify.get(Routes.session.path, (request, reply) => {
    const answer = (found: AuthContext): void => void reply.type('application/json; charset=utf-8').send(auth.currentSessionJson(found));
    const refuse = (error: unknown): void => {
      if (!reply.sent) void sendError(error, request, reply, log);
    };
    try {
      const found = guard.authenticate(request as LatchRequest);
      if (found instanceof Promise) found.then(answer).catch(refuse);
      else answer(found);
    } catch (error) {
      refuse(error);
    }
  });
}
