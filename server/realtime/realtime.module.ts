// The /v1/events WebSocket endpoint and presence.
import { Module } from '@nestjs/common';
import { ApprovalModule } from '../approval/approval.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { Presence } from './presence.js';
import { RealtimeGateway } from './realtime.gateway.js';

@Module({
  imports: [SessionsModule, ApprovalModule],
  providers: [RealtimeGateway, Presence],
  exports: [RealtimeGateway],
})
export class RealtimeModule {}
