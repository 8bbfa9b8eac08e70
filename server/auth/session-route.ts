// `GET /v1/auth/session`, the check a device makes most, as a plain Fastify route: Nest's per-request
// pipeline (its guard runner, parameter decorators and response handling) cost more than the check
// itself (docs/performance.md, "Session check"). It decides nothing of its own: the global guard's
// `authenticate` (the same authenticator, the same bearer, cookie and cross-site rules) admits the
// request, `AuthService` gives the answer, and a refusal is written by the same `sendError` as
// every other route's.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { sendError } from '../common/exception.filter.js';
import type { AuthContext, LatchRequest } from '../common/request-context.js';
import type { AuthGuard } from './auth.guard.js';
import type { AuthService } from './auth.service.js';

export function registerSessionCheck(fastify: FastifyInstance, guard: AuthGuard, auth: AuthService, log: Logger): void {
  fastify.get('/v1/auth/session', (request, reply) => {
    const answer = (found: AuthContext): FastifyReply => reply.type('application/json; charset=utf-8').send(auth.currentSessionJson(found));
    const refuse = (error: unknown): FastifyReply => sendError(error, request, reply, log);
    try {
      const found = guard.authenticate(request as LatchRequest);
      return found instanceof Promise ? found.then(answer).catch(refuse) : answer(found);
    } catch (error) {
      return refuse(error);
    }
  });
}
