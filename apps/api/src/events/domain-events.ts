import { TASK_STATUSES } from '@handoff/contracts';
import { z } from 'zod';

const actor = z.object({ id: z.uuid().nullable(), role: z.string() });
const status = z.enum(TASK_STATUSES);

/**
 * Every domain event a commit writes to the outbox, by name, with its payload.
 * The statement that commits a change writes its event in the same statement;
 * the relay publishes each to the subscribers of its name. A new event is a
 * line here, a fragment in OutboxRepository and a subscriber where it matters.
 */
export const DOMAIN_EVENT_SCHEMAS = {
  /** A task was submitted; it is queued at version 1. */
  'task.submitted': z.object({ taskId: z.uuid(), version: z.number().int(), actor }),
  /** A task moved (or was flagged: `overdue`, `escalate`, where from = to). */
  'task.transitioned': z.object({
    taskId: z.uuid(),
    version: z.number().int(),
    action: z.string(),
    from: status,
    to: status,
    actor,
    /** Whoever held it before the move, so their screens hear that it left them. */
    prevAssigneeId: z.uuid().nullable(),
  }),
  /** The assignee ticked (`done`) or unticked a step of a task's checklist; the task's version is unchanged. */
  'task.checklist_ticked': z.object({ taskId: z.uuid(), stepId: z.uuid(), done: z.boolean(), actor }),
  /** A ledger entry was written: a return's charge or payout, or an admin's correction (read it by its id). */
  'ledger.recorded': z.object({ entryId: z.uuid() }),
  /** A message was posted on a task's conversation (read it by its id). */
  'message.posted': z.object({ messageId: z.uuid(), taskId: z.uuid(), version: z.number().int() }),
  /** A message was edited or deleted by its author; `version` is the message's after the change. */
  'message.changed': z.object({ messageId: z.uuid(), taskId: z.uuid(), version: z.number().int(), deleted: z.boolean() }),
  /** The client rated a task, or changed its rating (read it by its task; `revision` counts the edits). */
  'rating.recorded': z.object({ taskId: z.uuid(), revision: z.number().int() }),
  /** A submission took committed spend across 80 % or 100 % of a monthly budget (the organization's, or a template's); once per threshold and month. */
  'budget.threshold_crossed': z.object({
    organizationId: z.uuid(),
    templateId: z.uuid().nullable(),
    month: z.string(),
    thresholdPct: z.union([z.literal(80), z.literal(100)]),
    monthlyCents: z.number().int(),
    committedCents: z.number().int(),
  }),
  /** A bulk import moved on: a chunk of its rows became tasks, or it ended (read it by its id). */
  'import.progressed': z.object({ importId: z.uuid(), created: z.number().int(), status: z.string() }),
  /** A run's submission was refused (a 4xx: inputs, budget, an archived template), so its schedule paused; `reason` says why. */
  'schedule.paused': z.object({ scheduleId: z.uuid(), scheduledAt: z.string(), reason: z.string() }),
  /** A client disputed returned work (read it by its id); the task moved to `disputed` in the same commit. */
  'dispute.opened': z.object({ disputeId: z.uuid(), taskId: z.uuid() }),
  /** The assignee answered a dispute. */
  'dispute.answered': z.object({ disputeId: z.uuid(), taskId: z.uuid() }),
  /** An admin resolved a dispute: `outcome` rework, refund or reassign; the task's move committed with it. */
  'dispute.resolved': z.object({ disputeId: z.uuid(), taskId: z.uuid(), outcome: z.enum(['rework', 'refund', 'reassign']) }),
  /** Every delivery to a webhook endpoint failed for the disable window, so it was turned off; `reason` says why. */
  'webhook.disabled': z.object({ endpointId: z.uuid(), reason: z.string() }),
} as const;

export type DomainEventName = keyof typeof DOMAIN_EVENT_SCHEMAS;
export type DomainEventPayloads = { [K in DomainEventName]: z.infer<(typeof DOMAIN_EVENT_SCHEMAS)[K]> };
export const DOMAIN_EVENT_NAMES = Object.keys(DOMAIN_EVENT_SCHEMAS) as DomainEventName[];

/** An event as the relay hands it over: the outbox row's id (the event's identity) and when it committed. */
export interface DomainEvent<K extends DomainEventName = DomainEventName> {
  id: string;
  name: K;
  payload: DomainEventPayloads[K];
  /** Epoch ms of the commit: windows run from here, however late the relay. */
  at: number;
}

export type AnyDomainEvent = { [K in DomainEventName]: DomainEvent<K> }[DomainEventName];

/** The events of the given names, each typed as its own. */
export function eventsNamed<K extends DomainEventName>(events: readonly AnyDomainEvent[], ...names: K[]): { [N in K]: DomainEvent<N> }[K][] {
  return events.filter((e) => (names as readonly DomainEventName[]).includes(e.name)) as { [N in K]: DomainEvent<N> }[K][];
}

/**
 * Rows an older version wrote (`task`, `billing`) before an upgrade, read as
 * the events they stand for, so nothing committed before a deploy is lost.
 */
function fromLegacy(topic: string, payload: Record<string, unknown>): { name: DomainEventName; payload: unknown } | null {
  if (topic === 'task' && payload.action === 'submit') {
    return { name: 'task.submitted', payload: { taskId: payload.taskId, version: payload.version, actor: { id: null, role: 'client' } } };
  }
  if (topic === 'task') {
    return { name: 'task.transitioned', payload: { ...payload, actor: { id: null, role: 'system' }, prevAssigneeId: payload.prevAssigneeId ?? null } };
  }
  if (topic === 'billing') return { name: 'ledger.recorded', payload };
  return null;
}

/** An outbox row as its typed event, or why it is not one (a name nobody knows, a payload that does not fit). */
export function parseDomainEvent(row: { id: string; topic: string; payload: Record<string, unknown>; createdAt: Date }): AnyDomainEvent | { error: string } {
  const known = row.topic in DOMAIN_EVENT_SCHEMAS ? { name: row.topic as DomainEventName, payload: row.payload as unknown } : fromLegacy(row.topic, row.payload);
  if (!known) return { error: `unknown event ${JSON.stringify(row.topic)}` };
  const parsed = DOMAIN_EVENT_SCHEMAS[known.name].safeParse(known.payload);
  if (!parsed.success) return { error: `${known.name}: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}` };
  return { id: row.id, name: known.name, payload: parsed.data, at: row.createdAt.getTime() } as AnyDomainEvent;
}
