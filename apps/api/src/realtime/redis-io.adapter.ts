import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { RedisAdapter, type RedisAdapterOptions } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import type { Server, ServerOptions } from 'socket.io';
import type { AppConfig } from '../config/config.js';
import { dropFailedPublishes } from '../redis/redis.module.js';
import { socketAdapterKey } from './live-events.js';
import { eventParser } from './wire.js';

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
    const sub = patientSubscriber(pub.duplicate({ enableAutoPipelining: false, maxRetriesPerRequest: null }));
    for (const c of [pub, sub]) c.on('error', () => undefined);
    this.clients.push(pub, sub);
    const opts: Partial<RedisAdapterOptions> = { key: socketAdapterKey(this.config), parser: eventParser };
    // Socket.IO calls the factory with `new`, so a function, not an arrow.
    server.adapter(function adapter(nsp: unknown) {
      return new EchoSkippingRedisAdapter(nsp, pub, sub, opts);
    } as never);
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

/**
 * The adapter subscribes when the server starts and unsubscribes when it closes, handling neither promise.
 * Its subscriber waits for Redis however long it is away: a SUBSCRIBE given up on was never sent again
 * (ioredis resubscribes only what succeeded), which left an instance started during an outage deaf to
 * every other instance for good, and its rejection reached nobody. A call still waiting when the
 * connection is closed on shutdown is rejected then; that one is dropped.
 */
function patientSubscriber(sub: Redis): Redis {
  for (const name of ['subscribe', 'psubscribe', 'unsubscribe', 'punsubscribe'] as const) {
    const call = (sub[name] as (...args: unknown[]) => Promise<unknown>).bind(sub);
    (sub as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>)[name] = (...args) => {
      const pending = call(...args);
      pending.catch(() => undefined);
      return pending;
    };
  }
  return sub;
}

type BroadcastOptions = Parameters<RedisAdapter['broadcast']>[1];

/**
 * The bytes every message this adapter publishes starts with: the header of
 * its three-element array, then its uid, as `eventParser` writes them. A
 * string's header holds its length, so no other uid's bytes start this way.
 */
export function ownMessagePrefix(uid: string): Buffer {
  const bytes = eventParser.encode([uid, null, null]);
  // Each null is one byte (0xc0).
  return Buffer.from(bytes.subarray(0, bytes.length - 2));
}

/**
 * Redis sends an instance its own publishes back, and the stock adapter
 * decodes each whole (the task in it included) before it sees the uid and
 * drops it: 3.7 % of the API's CPU under submit load, where every task's
 * event came back. This one drops its own messages by their first bytes.
 * Another instance's message (another uid) is decoded as before.
 */
class EchoSkippingRedisAdapter extends RedisAdapter {
  readonly ownPrefix: Buffer;
  /** Set while broadcasting an event no socket of this instance is to receive. */
  nobodyHere = false;

  constructor(nsp: unknown, pub: Redis, sub: Redis, opts: Partial<RedisAdapterOptions>) {
    super(nsp, pub, sub, opts);
    this.ownPrefix = ownMessagePrefix(String(this.uid));
  }

  /**
   * The stock broadcast publishes for the other instances, then encodes the
   * packet for this one's sockets before it looks for any: 38 % of an emit's
   * time under submit load, where most events go to rooms nobody here has
   * joined. When none of the rooms has a socket here, the local encoding is skipped.
   */
  override broadcast(packet: unknown, opts: BroadcastOptions): void {
    this.nobodyHere = !hasLocalSockets(this, opts);
    try {
      super.broadcast(packet, opts);
    } finally {
      this.nobodyHere = false;
    }
  }
}

/** Whether a broadcast to these rooms (all sockets when none are named) reaches a socket held by this instance. */
export function hasLocalSockets(adapter: Pick<RedisAdapter, 'rooms' | 'sids'>, opts: Pick<BroadcastOptions, 'rooms'>): boolean {
  if (!opts.rooms.size) return adapter.sids.size > 0;
  for (const room of opts.rooms) if (adapter.rooms.get(room)?.size) return true;
  return false;
}

type Encode = (this: EchoSkippingRedisAdapter, packet: unknown, packetOpts: unknown) => unknown[];
const stockEncode = (RedisAdapter.prototype as unknown as { _encode: Encode })._encode;
// The in-memory adapter's broadcast encodes through this (private in the typings) before it applies
// the packet to sockets; with nobody here, there is nothing to write it to.
Object.defineProperty(EchoSkippingRedisAdapter.prototype, '_encode', {
  value: function _encode(this: EchoSkippingRedisAdapter, packet: unknown, packetOpts: unknown): unknown[] {
    return this.nobodyHere ? [] : stockEncode.call(this, packet, packetOpts);
  } satisfies Encode,
});

type OnMessage = (this: EchoSkippingRedisAdapter, pattern: unknown, channel: unknown, msg: unknown) => void;
const stockOnMessage = (RedisAdapter.prototype as unknown as { onmessage: OnMessage }).onmessage;
// The stock handler is private in the typings, so the override goes on the prototype by hand; the
// constructor binds `this.onmessage`, so this is the one subscribed.
Object.defineProperty(EchoSkippingRedisAdapter.prototype, 'onmessage', {
  value: function onmessage(this: EchoSkippingRedisAdapter, pattern: unknown, channel: unknown, msg: unknown): void {
    const own = this.ownPrefix;
    if (Buffer.isBuffer(msg) && msg.length > own.length && msg.compare(own, 0, own.length, 0, own.length) === 0) return;
    stockOnMessage.call(this, pattern, channel, msg);
  } satisfies OnMessage,
});
