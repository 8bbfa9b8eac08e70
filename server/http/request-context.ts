// Who is calling: attached to the request by the auth guard.
import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { stripUnsafeText } from '../../shared/api.js';
import { canonicalAddress } from './http-edge.js';
import type { SessionsTable, UsersTable } from '../storage/schema.js';

/** The account as a request sees it; the password hash is read only where needed. */
export type UserIdentity = Pick<UsersTable, 'id' | 'email' | 'created_at' | 'email_verified_at'>;

export interface AuthContext {
  user: UserIdentity;
  session: SessionsTable;
  /** Checked with the token a rotation just replaced, inside its grace (never cached). */
  viaPreviousToken?: true;
}

export interface ClientInfo {
  ip: string;
  userAgent: string;
}

export type LatchRequest = FastifyRequest & { auth?: AuthContext };

export const IS_PUBLIC = 'latch:isPublic';
/** Marks a route that needs no session; every other route does. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** The authenticated caller of a route behind the global guard. */
export const Auth = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthContext => {
  const request = ctx.switchToHttp().getRequest<LatchRequest>();
  if (!request.auth) throw new Error('Auth() used on a public route');
  return request.auth;
});

/**
 * The client's address as Latch decides it: request.ip follows the configured proxies (http-edge.ts); only an
 * IP address, in one spelling, is ever kept. What routes store and what the request log line shows.
 */
export function requestIp(request: Pick<FastifyRequest, 'ip' | 'socket'>): string {
  return canonicalAddress(request.ip) ?? canonicalAddress(request.socket?.remoteAddress) ?? '';
}

export function clientInfo(request: FastifyRequest): ClientInfo {
  const userAgent = request.headers['user-agent'];
  return { ip: requestIp(request), userAgent: stripUnsafeText(typeof userAgent === 'string' ? userAgent : '').slice(0, 256) };
}

/** Caller's IP and user agent. */
export const Client = createParamDecorator((_: unknown, ctx: ExecutionContext): ClientInfo =>
  clientInfo(ctx.switchToHttp().getRequest<FastifyRequest>()),
);

/** Aborted when the client's connection closes before the answer is sent: a long poll stops waiting for nobody. */
export const Disconnected = createParamDecorator((_: unknown, ctx: ExecutionContext): AbortSignal => {
  const response = ctx.switchToHttp().getResponse<FastifyReply>().raw;
  const controller = new AbortController();
  // Gone already (it left while the body was read), or later.
  if (response.destroyed || response.socket?.destroyed) controller.abort();
  else
    response.once('close', () => {
      if (!response.writableFinished) controller.abort();
    });
  return controller.signal;
});

/** The bearer token from an Authorization header, if it has that form. */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer ([^\s]+)$/i.exec(header.trim());
  return match?.[1];
}
