import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { CONFIG } from '../common/di-tokens.js';
import { trustFunction, type TrustFunction } from '../http/http-edge.js';
import { bearerToken, clientInfo, IS_PUBLIC, type AuthContext, type LatchRequest } from '../http/request-context.js';
import type { ServerConfig } from '../config/config.js';
import { unauthenticated } from '../sessions/session-repository.js';
import { SessionAuthenticator } from '../sessions/authenticator.js';
import { browserToken, crossSiteRefusal } from '../http/browser.js';

/**
 * Global guard: every route needs a valid session unless marked @Public(). A desktop app sends its token
 * as a bearer header; the account page's browser, in its HttpOnly cookie, and then a request that changes
 * something must come from the page itself (docs/architecture.md, "The account page").
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly trust: TrustFunction;

  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(SessionAuthenticator) private readonly sessions: SessionAuthenticator,
    @Inject(CONFIG) config: ServerConfig,
  ) {
    this.trust = trustFunction(config.trustProxy);
  }

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<LatchRequest>();
    const auth = this.authenticate(request);
    if (auth instanceof Promise) return auth.then(() => true);
    return true;
  }

  /**
   * The caller's session, kept on the request, or the ApiError that refuses it: the one check every
   * route makes, the session check's plain route included (session-route.ts). A session from the
   * cache is answered at once, not as a promise.
   */
  authenticate(request: LatchRequest): AuthContext | Promise<AuthContext> {
    const ip = () => clientInfo(request).ip;
    if (request.headers.authorization !== undefined) return keep(request, this.sessions.authenticate(bearerToken(request.headers.authorization), ip));
    const fromCookie = browserToken(request.raw, this.trust);
    if (!fromCookie) throw unauthenticated();
    const refused = crossSiteRefusal(request.raw, this.trust);
    if (refused) throw refused;
    // Only a browser's own session lives in a cookie.
    return keep(request, this.sessions.authenticate(fromCookie, ip, 'browser'));
  }
}

function keep(request: LatchRequest, auth: AuthContext | Promise<AuthContext>): AuthContext | Promise<AuthContext> {
  if (auth instanceof Promise) return auth.then((found) => keep(request, found));
  request.auth = auth;
  return auth;
}
