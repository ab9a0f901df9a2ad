import { Injectable, type OnModuleInit } from '@nestjs/common';
import { rooms } from '@handoff/contracts';
import { BudgetsRepository } from '../budgets/budgets.repository.js';
import { eventsNamed } from '../events/domain-events.js';
import { EventBus, type EventBatch, type EventSubscriber } from '../events/event-bus.js';
import { LiveEvents, onceEvent } from '../realtime/live-events.js';

/**
 * A budget's threshold crossed goes live to its organization's owners (each
 * owner's own room: members without the role do not hear it), once per
 * budget, month and threshold (`budget.threshold/<scope>/<month>/<pct>`).
 */
@Injectable()
export class BudgetNoticeLiveSubscriber implements EventSubscriber, OnModuleInit {
  readonly name = 'budget-notice-live';
  readonly events = ['budget.threshold_crossed'] as const;

  constructor(
    private readonly bus: EventBus,
    private readonly live: LiveEvents,
    private readonly budgets: BudgetsRepository,
  ) {}

  onModuleInit(): void {
    this.bus.subscribe(this);
  }

  async handle(batch: EventBatch): Promise<() => void> {
    const crossed = eventsNamed(batch.events, 'budget.threshold_crossed');
    if (!crossed.length) return () => undefined;
    const owners = await this.budgets.owners(batch.manager, [...new Set(crossed.map((e) => e.payload.organizationId))]);
    const events = crossed.flatMap((e) => {
      const to = owners.filter((o) => o.organizationId === e.payload.organizationId).map((o) => rooms.user(o.id));
      if (!to.length) return [];
      const p = e.payload;
      return [onceEvent(`budget.threshold/${p.templateId ?? p.organizationId}/${p.month}/${p.thresholdPct}`, to, 'budget.threshold', { ...p })];
    });
    return this.live.handOn(events);
  }

  idle(): Promise<void> {
    return this.live.delivered();
  }
}
