import { Injectable, type OnModuleInit } from '@nestjs/common';
import { rooms } from '@handoff/contracts';
import { eventsNamed } from '../events/domain-events.js';
import { EventBus, type EventBatch, type EventSubscriber } from '../events/event-bus.js';
import { LiveEvents, onceEvent } from '../realtime/live-events.js';
import { ImportsRepository } from './imports.repository.js';

/**
 * An import's progress goes live to its organization: one `import.progress`
 * per import and batch, read as it is now (the newest count wins), keyed by
 * that count and status so a batch handed over again sends nothing twice.
 */
@Injectable()
export class ImportsLiveSubscriber implements EventSubscriber, OnModuleInit {
  readonly name = 'imports-live';
  readonly events = ['import.progressed'] as const;

  constructor(
    private readonly bus: EventBus,
    private readonly live: LiveEvents,
    private readonly imports: ImportsRepository,
  ) {}

  onModuleInit(): void {
    this.bus.subscribe(this);
  }

  async handle(batch: EventBatch): Promise<() => void> {
    const ids = [
      ...new Set(eventsNamed(batch.events, 'import.progressed').map((e) => e.payload.importId)),
    ];
    if (!ids.length) return () => undefined;
    const found = await this.imports.byIds(ids, batch.manager);
    const events = found.map((im) =>
      onceEvent(`import.progress/${im.id}/${im.created}/${im.rejected}/${im.status}`, [rooms.org(im.organizationId)], 'import.progress', {
        importId: im.id,
        templateId: im.templateId,
        status: im.status,
        total: im.total,
        valid: im.valid,
        rejected: im.rejected,
        created: im.created,
        error: im.error,
      }),
    );
    return this.live.handOn(events);
  }

  idle(): Promise<void> {
    return this.live.delivered();
  }
}
