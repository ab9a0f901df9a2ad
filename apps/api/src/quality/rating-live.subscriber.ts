import { Injectable, type OnModuleInit } from '@nestjs/common';
import { rooms } from '@handoff/contracts';
import { eventsNamed } from '../events/domain-events.js';
import { EventBus, type EventBatch, type EventSubscriber } from '../events/event-bus.js';
import { LiveEvents, onceEvent } from '../realtime/live-events.js';
import { RatingsRepository, toRatingView } from './ratings.repository.js';

/**
 * A rating given or changed goes live to the assistant who did the work and
 * to the organization, once per revision (`task.rated/<task>/<revision>`).
 * The rating is read as it is now: an edit that committed meanwhile carries
 * the newer revision under its own key, and both show the newest.
 */
@Injectable()
export class RatingLiveSubscriber implements EventSubscriber, OnModuleInit {
  readonly name = 'rating-live';
  readonly events = ['rating.recorded'] as const;

  constructor(
    private readonly bus: EventBus,
    private readonly live: LiveEvents,
    private readonly ratings: RatingsRepository,
  ) {}

  onModuleInit(): void {
    this.bus.subscribe(this);
  }

  async handle(batch: EventBatch): Promise<() => void> {
    const recorded = eventsNamed(batch.events, 'rating.recorded');
    if (!recorded.length) return () => undefined;
    const byTask = new Map((await this.ratings.byTaskIds([...new Set(recorded.map((e) => e.payload.taskId))], batch.manager)).map((r) => [r.taskId, r]));
    const events = recorded.flatMap((e) => {
      const r = byTask.get(e.payload.taskId);
      if (!r) return [];
      return [onceEvent(`task.rated/${r.taskId}/${e.payload.revision}`, [rooms.user(r.assistantId), rooms.org(r.organizationId)], 'task.rated', { rating: toRatingView(r) })];
    });
    return this.live.handOn(events);
  }

  idle(): Promise<void> {
    return this.live.delivered();
  }
}
