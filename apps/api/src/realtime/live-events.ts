import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { ServerEventName, ServerToClientEvents } from '@handoff/contracts';
import { Emitter } from '@socket.io/redis-emitter';
import { Redis } from 'ioredis';
import type { Server } from 'socket.io';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { dropFailedPublishes, REDIS } from '../redis/redis.module.js';
import { compareStreamIds, OnceStream, StreamFollower, type StreamEntry } from '../redis/once-stream.js';
import { eventParser } from './wire.js';

export const socketAdapterKey = (config: Pick<AppConfig, 'redisPrefix'>) => `${config.redisPrefix}:socket.io`;
export const liveStreamKey = (config: Pick<AppConfig, 'redisPrefix'>) => `${config.redisPrefix}:live`;

/**
 * How many entries the live stream keeps (trimmed approximately): how long an
 * instance cut off from Redis while the others go on can catch up instead of
 * dropping its sockets, about 8 s of the submit bench's peak.
 */
export const LIVE_STREAM_LENGTH = 10_000;
/** How long a delivery marker outlives a relay that died before its commit; settled ones are dropped at once. */
export const LIVE_MARKER_TTL_MS = 24 * 3_600_000;

type Payload<E extends ServerEventName> = Parameters<ServerToClientEvents[E]>[0];

/** A live event the outbox relay hands over, with the key that makes it once: the event, its task or entry, its version. */
export interface OnceEvent<E extends ServerEventName = ServerEventName> {
  key: string;
  rooms: string[];
  event: E;
  payload: Payload<E>;
  /**
   * Another outbox row may hand the same key over after this one has
   * committed, so its marker must last until it expires rather than be
   * settled with the row.
   */
  lasting: boolean;
}

export function onceEvent<E extends ServerEventName>(key: string, rooms: string[], event: E, payload: Payload<E>, opts: { lasting?: boolean } = {}): OnceEvent<E> {
  return { key, rooms: [...new Set(rooms)], event, payload, lasting: opts.lasting ?? false };
}

/**
 * Where domain code sends live events.
 *
 * `deliverOnce` (the outbox relay's events) appends each event to a Redis
 * stream, once per key whatever the retries (`OnceStream`), and every process
 * with sockets reads that stream and writes each entry to its own sockets
 * (`StreamFollower`): once per socket per event, the emitting process's own
 * sockets included, and nothing missed while an instance's Redis connection
 * was down.
 *
 * `emit` (everything else: announces, which carry no version of their own)
 * goes straight out: in a process with the gateway through the Socket.IO
 * server and its Redis adapter, in a worker-only process through the Redis
 * emitter to whichever instance holds the socket.
 */
@Injectable()
export class LiveEvents implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('live');
  private server?: Server;
  private emitter?: Emitter;
  private emitterRedis?: Redis;
  private readonly once: OnceStream;
  private follower?: StreamFollower;
  /** The newest entry this process appended, so `delivered` knows what to wait for. */
  private lastAppended?: string;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
  ) {
    this.once = new OnceStream(redis, {
      prefix: config.redisPrefix,
      subscriber: 'live',
      stream: liveStreamKey(config),
      maxLen: LIVE_STREAM_LENGTH,
      markerTtlMs: LIVE_MARKER_TTL_MS,
    });
  }

  attach(server: Server): void {
    this.server = server;
    this.follower = new StreamFollower(
      this.config.redisUrl,
      liveStreamKey(this.config),
      (entries) => this.writeToSockets(entries),
      (after) => {
        // Trimmed before this instance read it: its sockets may lack events. Dropping them makes
        // their clients reconnect and refetch, which is what a client does after any reconnect.
        this.logger.warn(`live stream trimmed past ${after} while this instance was away; reconnecting its sockets`);
        server.local.disconnectSockets(true);
      },
      this.logger,
    );
    this.follower.start();
  }

  /** Know where the stream stands before the port opens, so the first sockets miss nothing; a Redis that is down at boot is not waited for. */
  async onApplicationBootstrap(): Promise<void> {
    if (this.follower && this.redis.status === 'ready') await this.follower.joined(3_000);
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

  /**
   * Hands events over for every socket in their rooms, once per key: an event
   * handed over again (a relay batch retried, here or in another process)
   * goes out no second time. Rejects when Redis does not take them; the
   * caller keeps them and hands them over again.
   */
  async deliverOnce(events: readonly OnceEvent[]): Promise<void> {
    const entries = events.filter((e) => e.rooms.length).map((e) => ({ key: e.key, fields: ['e', e.event, 'r', e.rooms.join(' '), 'p', eventParser.encode(e.payload)] }));
    const ids = await this.once.append(entries);
    const last = ids[ids.length - 1];
    if (last && (!this.lastAppended || compareStreamIds(last, this.lastAppended) > 0)) this.lastAppended = last;
  }

  /**
   * A relay subscriber's whole share: hand the events over once, and answer the
   * callback that drops their markers once the batch is gone for good (lasting
   * ones stay, for a key another batch may hold too).
   */
  async handOn(events: readonly OnceEvent[]): Promise<() => void> {
    await this.deliverOnce(events);
    const keys = events.filter((e) => !e.lasting).map((e) => e.key);
    return () => this.settle(keys);
  }

  /** The caller has recorded these events as done for good (committed): their markers can go. Best effort; left over, they expire. */
  settle(keys: readonly string[]): void {
    this.once.forget(keys).catch(() => undefined);
  }

  /** For tests: resolves once this process's sockets have been written everything it handed over so far. */
  async delivered(): Promise<void> {
    if (this.follower && this.lastAppended) await this.follower.reached(this.lastAppended);
  }

  private writeToSockets(entries: StreamEntry[]): void {
    const server = this.server;
    if (!server) return;
    const here = server.of('/').adapter.rooms;
    for (const [, fields] of entries) {
      let event = '';
      let rooms: string[] = [];
      let payload: Buffer | undefined;
      for (let i = 0; i + 1 < fields.length; i += 2) {
        const name = fields[i]!.toString();
        if (name === 'e') event = fields[i + 1]!.toString();
        else if (name === 'r') rooms = fields[i + 1]!.toString().split(' ');
        else if (name === 'p') payload = fields[i + 1];
      }
      // Most entries are for rooms nobody here has joined: skip them before decoding.
      if (!payload || !rooms.some((r) => here.get(r)?.size)) continue;
      (server.local.to(rooms) as unknown as { emit(e: string, p: unknown): void }).emit(event, eventParser.decode(payload));
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.emitterRedis?.disconnect();
    await this.follower?.stop();
  }
}
