import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import type { Server, ServerOptions } from 'socket.io';
import type { AppConfig } from '../config/config.js';
import { dropFailedPublishes } from '../redis/redis.module.js';
import { socketAdapterKey } from './live-events.js';

/**
 * Socket.IO on the API's port with the Redis adapter, so an event emitted by
 * any instance (or worker) reaches a socket held by any other.
 */
export class RedisIoAdapter extends IoAdapter {
  private clients: Redis[] = [];

  constructor(
    app: INestApplicationContext,
    private readonly config: AppConfig,
  ) {
    super(app);
  }

  /** Same-origin pages are always welcome; other origins only from the allow-list. */
  originAllowed(origin: string | undefined, host: string | undefined): boolean {
    if (!origin) return true;
    if (this.config.corsOrigins.includes(origin)) return true;
    try {
      return new URL(origin).host === host;
    } catch {
      return false;
    }
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, {
      ...options,
      path: '/socket.io',
      serveClient: false,
      cors: this.config.corsOrigins.length ? { origin: this.config.corsOrigins, credentials: true } : undefined,
      allowRequest: (req, callback) => callback(null, this.originAllowed(req.headers.origin, req.headers.host)),
    } as ServerOptions) as Server;
    // Auto-pipelining: the publishes of one tick (a relay batch's events) leave in one write.
    const pub = dropFailedPublishes(new Redis(this.config.redisUrl, { maxRetriesPerRequest: 2, enableAutoPipelining: true }));
    const sub = pub.duplicate({ enableAutoPipelining: false });
    for (const c of [pub, sub]) c.on('error', () => undefined);
    this.clients.push(pub, sub);
    server.adapter(createAdapter(pub, sub, { key: socketAdapterKey(this.config) }));
    return server;
  }

  override async dispose(): Promise<void> {
    await super.dispose();
    // quit, not disconnect: closing the server makes the adapter unsubscribe,
    // and cutting the connection under those commands rejects them where
    // nobody listens. A client that can't quit (Redis down) is cut after all.
    await Promise.all(
      this.clients.map((c) => (c.status === 'ready' ? Promise.race([c.quit(), new Promise((r) => setTimeout(r, 1_000).unref())]).catch(() => undefined) : undefined)),
    );
    for (const c of this.clients) c.disconnect();
    this.clients = [];
  }
}
