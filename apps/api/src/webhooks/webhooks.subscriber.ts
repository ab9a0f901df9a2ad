import { Injectable, type OnModuleInit } from '@nestjs/common';
import { jobId, WEBHOOK_EVENT_OF_ACTION, type WebhookEvent, type WebhookMessage } from '@handoff/contracts';
import { LedgerRepository } from '../billing/ledger.repository.js';
import { jobRequest, JobsService } from '../dispatch/jobs.service.js';
import { eventsNamed } from '../events/domain-events.js';
import { EventBus, type EventBatch, type EventSubscriber } from '../events/event-bus.js';
import { batchTasks, TASK_EVENTS, taskChanges } from '../tasks/task-changes.js';
import { TasksRepository } from '../tasks/tasks.repository.js';
import { WebhookDeliveriesRepository, type NewDelivery } from './webhook-deliveries.repository.js';
import { WebhookEndpointsRepository } from './webhook-endpoints.repository.js';
import { deliveryId } from './webhook-retry.js';

/** An event as integrations see it, and whose endpoints hear it (null: the platform's only). */
interface Outgoing {
  eventId: string;
  organizationId: string | null;
  type: WebhookEvent;
  at: number;
  body: string;
}

/** The `webhook-id` of an event: the same on every attempt, for every endpoint, so receivers can drop duplicates. */
export const messageIdOf = (eventId: string) => `evt_${eventId}`;

/**
 * Each event to every enabled endpoint that hears it: the organization's and
 * the platform's. One delivery row and one job per (endpoint, event), both
 * with ids derived from the pair, so a batch handed over again adds nothing.
 * The rows are committed before the jobs are queued, so a worker finds them.
 */
@Injectable()
export class WebhooksSubscriber implements EventSubscriber, OnModuleInit {
  readonly name = 'webhooks';
  readonly events = [...TASK_EVENTS, 'ledger.recorded'] as const;

  constructor(
    private readonly bus: EventBus,
    private readonly tasks: TasksRepository,
    private readonly ledger: LedgerRepository,
    private readonly endpoints: WebhookEndpointsRepository,
    private readonly deliveries: WebhookDeliveriesRepository,
    private readonly jobs: JobsService,
  ) {}

  onModuleInit(): void {
    this.bus.subscribe(this);
  }

  async handle(batch: EventBatch): Promise<void> {
    const outgoing = [...(await this.taskMessages(batch)), ...(await this.ledgerMessages(batch))];
    if (!outgoing.length) return;
    const orgs = [...new Set(outgoing.flatMap((o) => (o.organizationId ? [o.organizationId] : [])))];
    // Read on the relay's transaction: most batches have no endpoint to hear them and need no second connection.
    const routes = await this.endpoints.routes(orgs, [...new Set(outgoing.map((o) => o.type))], batch.manager);
    if (!routes.length) return;
    const rows: (NewDelivery & { since: number })[] = [];
    for (const o of outgoing) {
      for (const r of routes) {
        if (!r.events.includes(o.type) || (r.organizationId !== null && r.organizationId !== o.organizationId)) continue;
        rows.push({ id: deliveryId(r.id, o.eventId), endpointId: r.id, eventId: o.eventId, eventType: o.type, messageId: messageIdOf(o.eventId), body: o.body, since: o.at });
      }
    }
    if (!rows.length) return;
    // Committed on its own before the jobs are added, so a worker that picks a job at once finds its row.
    await this.deliveries.insertMany(rows);
    await this.jobs.addAll(rows.map((r) => jobRequest('webhooks.deliver', { deliveryId: r.id, since: r.since, redelivery: false }, { jobId: jobId.webhook(r.id) })));
  }

  private async taskMessages(batch: EventBatch): Promise<Outgoing[]> {
    const changes = taskChanges(batch.events);
    if (!changes.length) return [];
    const byId = await batchTasks(batch, this.tasks);
    const ids = batch.events.filter((e) => e.name === 'task.submitted' || e.name === 'task.transitioned').map((e) => e.id);
    return changes.flatMap((c, i) => {
      const row = byId.get(c.taskId);
      const type = WEBHOOK_EVENT_OF_ACTION[c.action as keyof typeof WEBHOOK_EVENT_OF_ACTION];
      if (!row || !type) return [];
      const eventId = ids[i]!;
      // What the change was, as of its own version; nothing the task's secret fields hold.
      const data = { taskId: c.taskId, organizationId: row.organizationId, title: row.title, category: row.category, version: c.version, action: c.action, from: c.from, to: c.to };
      return [this.outgoing(eventId, row.organizationId, type, c.at, data)];
    });
  }

  private async ledgerMessages(batch: EventBatch): Promise<Outgoing[]> {
    const events = eventsNamed(batch.events, 'ledger.recorded');
    if (!events.length) return [];
    const rows = new Map((await this.ledger.byIds(events.map((e) => e.payload.entryId), batch.manager)).map((r) => [r.id, r]));
    return events.flatMap((e) => {
      const row = rows.get(e.payload.entryId);
      if (!row) return [];
      const data = { entryId: row.id, kind: row.kind, taskId: row.taskId, organizationId: row.organizationId, amountCents: row.amountCents, currency: row.currency };
      // A payout is the assistant's money: the platform's endpoints hear it, the organization's do not.
      return [this.outgoing(e.id, row.kind === 'payout' ? null : row.organizationId, 'ledger.recorded', e.at, data)];
    });
  }

  private outgoing(eventId: string, organizationId: string | null, type: WebhookEvent, at: number, data: Record<string, unknown>): Outgoing {
    const message: WebhookMessage = { id: messageIdOf(eventId), type, timestamp: new Date(at).toISOString(), data };
    return { eventId, organizationId, type, at, body: JSON.stringify(message) };
  }
}
