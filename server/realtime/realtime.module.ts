// The /v1/events WebSocket endpoint and presence.
import { Module } from '@nestjs/common';
import { SessionsModule } from '../sessions/sessions.module.js';
import { Presence } from './presence.js';
import { RealtimeGateway } from './realtime.gateway.js';

@Module({
  imports: [SessionsModule],
  providers: [RealtimeGateway, Presence],
  exports: [RealtimeGateway],
})
export class RealtimeModule {}
