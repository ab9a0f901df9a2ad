import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ANNOUNCE_BATCH } from '@handoff/contracts';
import type { Redis } from 'ioredis';
import type { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { Recurring } from '../redis/recurring.js';
import { REDIS } from '../redis/redis.module.js';
import { DeliveryMarks } from './delivery-marks.js';
import { parseDomainEvent, type AnyDomainEvent } from './domain-events.js';
import { EventBus, type EventBatch } from './event-bus.js';
import { OutboxRepository } from './outbox.repository.js';

// A batch of events fits one announce job.
const BATCH = ANNOUNCE_BATCH;

/**
 * Publishes what commits wrote to the outbox to the subscribers of each
 * event. Drained after each commit (the unit of work's hook) and swept on a
 * timer, so a process that dies between commit and relay loses nothing:
 * another process (or this one, restarted) picks the rows up. A batch is
 * handed over at least once (again after any failure before its DELETE
 * commits); each subscriber takes each event once (`DeliveryMarks`), and its
 * effects are idempotent besides (job ids, live-event keys).
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('outbox');
  private readonly loop: Recurring;
  private readonly marks: DeliveryMarks;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly outbox: OutboxRepository,
    private readonly bus: EventBus,
    @Inject(REDIS) redis: Redis,
  ) {
    this.loop = new Recurring(redis, config.reconcileIntervalMs, () => this.drainAll(), this.logger, 'relay');
    this.marks = new DeliveryMarks(redis, `${config.redisPrefix}:relay:taken`);
  }

  /** Rows a process left behind when it died after its commit are relayed at start; what piled up while Redis was away, as soon as it is back. */
  onApplicationBootstrap(): void {
    // Subscribers register as their modules start; by now every event must have one.
    const unheard = this.bus.unheard();
    if (unheard.length) throw new Error(`no subscriber hears ${unheard.join(', ')}`);
    this.loop.start();
  }

  /** Stop before the socket server and queues close, so a drain never talks to a closed connection. */
  onModuleDestroy(): Promise<void> {
    return this.loop.stop();
  }

  /** Drain soon; calls made while a drain runs coalesce into one more pass. */
  kick(): void {
    this.loop.kick();
  }

  /** For tests: resolves once everything committed so far is relayed, and what the subscribers handed on has arrived. */
  async flush(): Promise<void> {
    await this.loop.idle();
    await this.drainAll();
    await Promise.all(this.bus.subscribers.map((s) => s.idle?.()));
  }

  private async drainAll(): Promise<void> {
    while (!this.loop.isStopped && (await this.drainBatch()) === BATCH) {
      // keep going while full batches come back
    }
  }

  private async drainBatch(): Promise<number> {
    const { relayed, ids, after } = await this.ds.transaction(async (m) => {
      const rows = await this.outbox.lockBatch(m, BATCH);
      if (!rows.length) return { relayed: 0, ids: [], after: [] };
      const events: AnyDomainEvent[] = [];
      for (const row of rows) {
        const event = parseDomainEvent(row);
        // A row no subscriber could read would block its batch for ever; it is dropped, loudly.
        if ('error' in event) this.logger.error(`outbox row ${row.id} dropped: ${event.error}`);
        else events.push(event);
      }
      const after = await this.publish(m, events);
      await this.outbox.delete(m, rows.map((r) => r.id));
      return { relayed: rows.length, ids: events.map((e) => e.id), after };
    });
    // Committed: these rows will never be handed over again.
    for (const fn of after) fn();
    await this.marks.forget(this.bus.subscribers.map((s) => s.name), ids).catch((e: unknown) => this.logger.warn(`delivery marks kept: ${String(e)}`));
    return relayed;
  }

  /** Hands each subscriber its events it has not taken; any failure fails the batch, after the others are done. */
  private async publish(manager: EntityManager, all: AnyDomainEvent[]): Promise<(() => void)[]> {
    const subscribers = this.bus.subscribers;
    const taken = await this.marks.taken(
      subscribers.map((s) => s.name),
      all.map((e) => e.id),
    );
    const reads = new Map<string, Promise<unknown>>();
    const shared = <T>(key: string, load: () => Promise<T>): Promise<T> => {
      if (!reads.has(key)) reads.set(key, load());
      return reads.get(key) as Promise<T>;
    };
    const done = await Promise.allSettled(
      subscribers.map(async (s) => {
        const events = all.filter((e) => s.events.includes(e.name) && !this.marks.isTaken(taken, s.name, e.id));
        if (!events.length) return undefined;
        const batch: EventBatch = { events, all, manager, shared };
        const after = await s.handle(batch);
        if (!s.inTransaction) await this.marks.mark(
          s.name,
          events.map((e) => e.id),
        );
        return after;
      }),
    );
    const after: (() => void)[] = [];
    for (const d of done) {
      if (d.status === 'rejected') throw d.reason;
      if (d.value) after.push(d.value);
    }
    return after;
  }
}
