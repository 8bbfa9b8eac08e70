import { Controller, Inject } from '@nestjs/common';
import type { z } from 'zod';
import type { RenameSessionBody, SecurityEventsQuery, RevokedCount, SecurityEventList, SessionList, SessionView, SignedOutSessionList } from '../../shared/api.js';
import { Routes } from '../../shared/routes.js';
import { Endpoint, RouteBody, RouteParam, RouteQuery } from '../http/endpoint.js';
import { Auth, Client, type AuthContext, type ClientInfo } from '../http/request-context.js';
import { SecurityEventsService } from './security-events.service.js';
import { SessionsService } from './sessions.service.js';

@Controller()
export class SessionsController {
  constructor(@Inject(SessionsService) private readonly sessions: SessionsService) {}

  @Endpoint(Routes.listSessions)
  async list(@Auth() auth: AuthContext): Promise<SessionList> {
    return { sessions: await this.sessions.list(auth) };
  }

  /** Devices signed out in the last 30 days, with who ended each and why. */
  @Endpoint(Routes.signedOutSessions)
  async signedOut(@Auth() auth: AuthContext): Promise<SignedOutSessionList> {
    return { sessions: await this.sessions.signedOut(auth) };
  }

  @Endpoint(Routes.renameCurrent)
  rename(@Auth() auth: AuthContext, @RouteBody(Routes.renameCurrent) body: RenameSessionBody): Promise<SessionView> {
    return this.sessions.rename(auth, body.deviceName);
  }

  @Endpoint(Routes.revokeOthers)
  async revokeOthers(@Auth() auth: AuthContext, @Client() client: ClientInfo): Promise<RevokedCount> {
    return { revoked: await this.sessions.revokeOtherSessions(auth, client) };
  }

  @Endpoint(Routes.revokeSession)
  async revoke(
    @Auth() auth: AuthContext,
    @RouteParam(Routes.revokeSession, 'id', { key: 'no_such_session' }) id: string,
    @Client() client: ClientInfo,
  ): Promise<void> {
    await this.sessions.revoke(auth, id, client);
  }
}

@Controller()
export class SecurityEventsController {
  constructor(@Inject(SecurityEventsService) private readonly events: SecurityEventsService) {}

  @Endpoint(Routes.securityEvents)
  recent(@Auth() auth: AuthContext, @RouteQuery(Routes.securityEvents) query: z.output<typeof SecurityEventsQuery>): Promise<SecurityEventList> {
    return this.events.page(auth.user.id, query);
  }
}
