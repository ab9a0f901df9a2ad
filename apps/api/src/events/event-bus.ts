import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DOMAIN_EVENT_NAMES, type AnyDomainEvent, type DomainEventName } from './domain-events.js';

/** What a subscriber is handed: its events of one relay batch, in commit order. */
export interface EventBatch {
  /** This subscriber's events it has not acted on yet (a redelivered batch leaves out what it already took). */
  readonly events: readonly AnyDomainEvent[];
  /** Every event of the batch, whoever subscribes to them: for reads shared by subscribers. */
  readonly all: readonly AnyDomainEvent[];
  /** The relay's transaction: reads see what the batch's commits wrote. */
  readonly manager: EntityManager;
  /** One read per batch, shared by every subscriber that asks for `key`. */
  shared<T>(key: string, load: () => Promise<T>): Promise<T>;
}

/**
 * A reaction to domain events, in the domain folder it belongs to. `handle`
 * resolves once its effects are durable (queued, appended); if it throws, the
 * batch stays in the outbox and comes again, without the events this
 * subscriber already took. It may answer a callback for after the batch's
 * rows are gone for good.
 */
export interface EventSubscriber {
  /** Unique: it names the subscriber's delivery marks. */
  readonly name: string;
  readonly events: readonly DomainEventName[];
  handle(batch: EventBatch): Promise<void | (() => void)>;
  /**
   * Its effects are writes on the batch's own transaction (`batch.manager`): they commit or roll
   * back with the batch, so it takes no delivery marks and is handed a redelivered batch whole.
   */
  readonly inTransaction?: boolean;
  /** For tests: resolves once what it has handed on has arrived (sockets have their events). */
  idle?(): Promise<void>;
}

/** Where subscribers register, per event, and the relay finds them. */
@Injectable()
export class EventBus {
  private readonly byName = new Map<string, EventSubscriber>();

  subscribe(subscriber: EventSubscriber): void {
    if (this.byName.has(subscriber.name)) throw new Error(`two event subscribers are named ${subscriber.name}`);
    this.byName.set(subscriber.name, subscriber);
  }

  get subscribers(): readonly EventSubscriber[] {
    return [...this.byName.values()];
  }

  /** Events of the map no subscriber hears: written, relayed and then dropped, which is a wiring mistake. */
  unheard(): DomainEventName[] {
    return DOMAIN_EVENT_NAMES.filter((name) => !this.subscribers.some((s) => s.events.includes(name)));
  }
}
