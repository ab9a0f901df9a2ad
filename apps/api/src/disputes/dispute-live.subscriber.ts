import { Injectable, type OnModuleInit } from '@nestjs/common';
import { rooms } from '@handoff/contracts';
import { eventsNamed } from '../events/domain-events.js';
import { EventBus, type EventBatch, type EventSubscriber } from '../events/event-bus.js';
import { LiveEvents, onceEvent } from '../realtime/live-events.js';
import { DisputesRepository, toDisputeView } from './disputes.repository.js';

const DISPUTE_EVENTS = ['dispute.opened', 'dispute.answered', 'dispute.resolved'] as const;

/**
 * A dispute opened, answered or resolved goes live to its organization, the
 * assistant disputed and the admins, once per step (`dispute/<id>/<step>`),
 * read as it is now. The task's own move reaches screens as `task.updated`.
 */
@Injectable()
export class DisputeLiveSubscriber implements EventSubscriber, OnModuleInit {
  readonly name = 'dispute-live';
  readonly events = DISPUTE_EVENTS;

  constructor(
    private readonly bus: EventBus,
    private readonly live: LiveEvents,
    private readonly disputes: DisputesRepository,
  ) {}

  onModuleInit(): void {
    this.bus.subscribe(this);
  }

  async handle(batch: EventBatch): Promise<() => void> {
    const mine = eventsNamed(batch.events, ...DISPUTE_EVENTS);
    if (!mine.length) return () => undefined;
    const byId = new Map((await this.disputes.byIds([...new Set(mine.map((e) => e.payload.disputeId))], batch.manager)).map((d) => [d.id, d]));
    const events = mine.flatMap((e) => {
      const d = byId.get(e.payload.disputeId);
      if (!d) return [];
      return [onceEvent(`${e.name}/${d.id}`, [rooms.org(d.organizationId), rooms.user(d.assigneeId), rooms.admins], 'dispute.updated', { dispute: toDisputeView(d) })];
    });
    return this.live.handOn(events);
  }

  idle(): Promise<void> {
    return this.live.delivered();
  }
}
