import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Query } from '@nestjs/common';
import type { z } from 'zod';
import {
  RenameSessionBody,
  SecurityEventsQuery,
  SessionId,
  type RevokedCount,
  type SecurityEventList,
  type SessionList,
  type SessionView,
  type SignedOutSessionList,
} from '../../shared/api.js';
import { Auth, Client, type AuthContext, type ClientInfo } from '../http/request-context.js';
import { ZodBodyPipe, ZodParamPipe } from '../common/zod.pipe.js';
import { SecurityEventsService } from './security-events.service.js';
import { SessionsService } from './sessions.service.js';

@Controller('v1/sessions')
export class SessionsController {
  constructor(@Inject(SessionsService) private readonly sessions: SessionsService) {}

  @Get()
  async list(@Auth() auth: AuthContext): Promise<SessionList> {
    return { sessions: await this.sessions.list(auth) };
  }

  /** Devices signed out in the last 30 days, with who ended each and why. */
  @Get('signed-out')
  async signedOut(@Auth() auth: AuthContext): Promise<SignedOutSessionList> {
    return { sessions: await this.sessions.signedOut(auth) };
  }

  @Patch('current')
  rename(@Auth() auth: AuthContext, @Body(new ZodBodyPipe(RenameSessionBody)) body: RenameSessionBody): Promise<SessionView> {
    return this.sessions.rename(auth, body.deviceName);
  }

  @Post('revoke-others')
  @HttpCode(200)
  async revokeOthers(@Auth() auth: AuthContext, @Client() client: ClientInfo): Promise<RevokedCount> {
    return { revoked: await this.sessions.revokeOtherSessions(auth, client) };
  }

  @Delete(':id')
  @HttpCode(204)
  async revoke(
    @Auth() auth: AuthContext,
    @Param('id', new ZodParamPipe(SessionId, 'No active session with that id.')) id: string,
    @Client() client: ClientInfo,
  ): Promise<void> {
    await this.sessions.revoke(auth, id, client);
  }
}

@Controller('v1/security-events')
export class SecurityEventsController {
  constructor(@Inject(SecurityEventsService) private readonly events: SecurityEventsService) {}

  @Get()
  recent(@Auth() auth: AuthContext, @Query(new ZodBodyPipe(SecurityEventsQuery)) query: z.output<typeof SecurityEventsQuery>): Promise<SecurityEventList> {
    return this.events.page(auth.user.id, query);
  }
}
