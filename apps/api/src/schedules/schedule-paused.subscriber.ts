import { Injectable, type OnModuleInit } from '@nestjs/common';
import { rooms } from '@handoff/contracts';
import { eventsNamed } from '../events/domain-events.js';
import { EventBus, type EventBatch, type EventSubscriber } from '../events/event-bus.js';
import { LiveEvents, onceEvent } from '../realtime/live-events.js';
import { SchedulesRepository } from './schedules.repository.js';

/**
 * A schedule paused by a refused run is told, with the reason, to its
 * organization and its creator, once per refused run
 * (`schedule.paused/<schedule>/<run instant>`).
 */
@Injectable()
export class SchedulePausedSubscriber implements EventSubscriber, OnModuleInit {
  readonly name = 'schedule-paused';
  readonly events = ['schedule.paused'] as const;

  constructor(
    private readonly bus: EventBus,
    private readonly live: LiveEvents,
    private readonly schedules: SchedulesRepository,
  ) {}

  onModuleInit(): void {
    this.bus.subscribe(this);
  }

  async handle(batch: EventBatch): Promise<() => void> {
    const paused = eventsNamed(batch.events, 'schedule.paused');
    const events = [];
    for (const e of paused) {
      const s = await this.schedules.findById(e.payload.scheduleId, batch.manager);
      if (!s) continue;
      events.push(
        onceEvent(`schedule.paused/${s.id}/${e.payload.scheduledAt}`, [rooms.org(s.organizationId), rooms.user(s.createdBy)], 'schedule.paused', {
          scheduleId: s.id,
          name: s.name,
          reason: e.payload.reason,
          pausedAt: new Date(e.at).toISOString(),
          scheduledAt: e.payload.scheduledAt,
        }),
      );
    }
    if (!events.length) return () => undefined;
    return this.live.handOn(events);
  }

  idle(): Promise<void> {
    return this.live.delivered();
  }
}
