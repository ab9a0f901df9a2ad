import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { ServerEventName, ServerToClientEvents } from '@handoff/contracts';
import { Emitter } from '@socket.io/redis-emitter';
import { Redis } from 'ioredis';
import type { Server } from 'socket.io';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { dropFailedPublishes } from '../redis/redis.module.js';
import { eventParser } from './wire.js';

export const socketAdapterKey = (config: Pick<AppConfig, 'redisPrefix'>) => `${config.redisPrefix}:socket.io`;

type Payload<E extends ServerEventName> = Parameters<ServerToClientEvents[E]>[0];

/**
 * Where domain code sends live events. In a process with the gateway the
 * Socket.IO server (and its Redis adapter) fans out; a worker-only process
 * publishes through the Redis emitter to whichever API instance holds the socket.
 */
@Injectable()
export class LiveEvents implements OnApplicationShutdown {
  private readonly logger = new Logger('live');
  private server?: Server;
  private emitter?: Emitter;
  private emitterRedis?: Redis;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  attach(server: Server): void {
    this.server = server;
  }

  emit<E extends ServerEventName>(rooms: string[], event: E, payload: Payload<E>): void {
    const targets = [...new Set(rooms)];
    if (!targets.length) return;
    if (this.server) {
      (this.server.to(targets) as unknown as { emit(e: string, p: unknown): void }).emit(event, payload);
      return;
    }
    if (!this.emitter) {
      this.emitterRedis = dropFailedPublishes(new Redis(this.config.redisUrl, { maxRetriesPerRequest: 1, enableAutoPipelining: true }));
      this.emitterRedis.on('error', (e: Error) => this.logger.warn(`emitter: ${e.message}`));
      this.emitter = new Emitter(this.emitterRedis, { key: socketAdapterKey(this.config), parser: eventParser });
    }
    (this.emitter.to(targets) as unknown as { emit(e: string, p: unknown): void }).emit(event, payload);
  }

  onApplicationShutdown(): void {
    this.emitterRedis?.disconnect();
  }
}
