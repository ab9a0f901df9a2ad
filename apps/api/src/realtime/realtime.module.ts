import { Module } from '@nestjs/common';
import { SessionsModule } from '../common/auth/sessions.module.js';
import { EventsModule } from '../events/events.module.js';
import { RedisModule } from '../redis/redis.module.js';
import { LiveEvents } from './live-events.js';
import { LiveFanoutSubscriber } from './live-fanout.subscriber.js';
import { RealtimeGateway } from './realtime.gateway.js';

/** The live stream and its fan-out subscriber: every role emits, through the gateway or the Redis emitter. */
@Module({ imports: [RedisModule, EventsModule], providers: [LiveEvents, LiveFanoutSubscriber], exports: [LiveEvents] })
export class RealtimeModule {}

/** The Socket.IO gateway, only in roles that serve sockets. */
@Module({ imports: [RealtimeModule, SessionsModule], providers: [RealtimeGateway] })
export class RealtimeGatewayModule {}
