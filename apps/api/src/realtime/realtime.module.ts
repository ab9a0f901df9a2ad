import { Module } from '@nestjs/common';
import { SessionsModule } from '../common/auth/sessions.module.js';
import { RedisModule } from '../redis/redis.module.js';
import { LiveEvents } from './live-events.js';
import { RealtimeGateway } from './realtime.gateway.js';

/** The live stream: every role emits into it, through the gateway or the Redis emitter. */
@Module({ imports: [RedisModule], providers: [LiveEvents], exports: [LiveEvents] })
export class RealtimeModule {}

/** The Socket.IO gateway, only in roles that serve sockets. */
@Module({ imports: [RealtimeModule, SessionsModule], providers: [RealtimeGateway] })
export class RealtimeGatewayModule {}
