import { z } from 'zod';
import type { TaskAction } from '../task-machine.js';
import { isoDate, listQuery, plainString, text, uuid } from './common.js';

/**
 * The events an integration can subscribe to: the domain events, under public
 * names. A task's moves are one event each (`task.claimed`, `task.returned`…);
 * `webhook.ping` is sent only when asked for and needs no subscription.
 */
export const WEBHOOK_EVENTS = [
  'task.submitted',
  'task.claimed',
  'task.started',
  'task.released',
  'task.claim_expired',
  'task.returned',
  'task.revision_requested',
  'task.accepted',
  'task.cancelled',
  'task.overdue',
  'task.escalated',
  'task.disputed',
  'task.dispute_resolved',
  'ledger.recorded',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
export const WEBHOOK_PING = 'webhook.ping';

/** The public event of a task move; accept and auto-accept are both `task.accepted` (`data.action` tells them apart). */
export const WEBHOOK_EVENT_OF_ACTION: Record<TaskAction | 'submit' | 'overdue' | 'escalate', WebhookEvent> = {
  submit: 'task.submitted',
  claim: 'task.claimed',
  start: 'task.started',
  release: 'task.released',
  expire: 'task.claim_expired',
  return: 'task.returned',
  revise: 'task.revision_requested',
  accept: 'task.accepted',
  auto_accept: 'task.accepted',
  cancel: 'task.cancelled',
  overdue: 'task.overdue',
  escalate: 'task.escalated',
  dispute: 'task.disputed',
  // One public event for the three outcomes; `data.action` says which.
  resolve_rework: 'task.dispute_resolved',
  resolve_refund: 'task.dispute_resolved',
  resolve_reassign: 'task.dispute_resolved',
};

export const WEBHOOK_LIMITS = { urlMax: 2_000, descriptionMax: 500, endpointsPerOwner: 20 } as const;

const webhookUrl = plainString()
  .trim()
  .min(1, { message: 'must not be empty' })
  .max(WEBHOOK_LIMITS.urlMax, { message: `must be at most ${WEBHOOK_LIMITS.urlMax} characters` })
  .refine(
    (v) => {
      try {
        const u = new URL(v);
        return u.protocol === 'https:' || u.protocol === 'http:';
      } catch {
        return false;
      }
    },
    { message: 'must be an http:// or https:// URL' },
  )
  .refine(
    (v) => {
      try {
        const u = new URL(v);
        return u.username === '' && u.password === '';
      } catch {
        return true;
      }
    },
    { message: 'must not carry a user name or password' },
  );

const eventList = z
  .array(z.enum(WEBHOOK_EVENTS, { message: `must be one of ${WEBHOOK_EVENTS.join(', ')}` }), { message: 'must be a list of event names' })
  .min(1, { message: 'must name at least one event' })
  .max(WEBHOOK_EVENTS.length, { message: `must have at most ${WEBHOOK_EVENTS.length} events` })
  .refine((l) => new Set(l).size === l.length, { message: 'must not repeat an event' });

export const createWebhookBody = z.strictObject({
  url: webhookUrl,
  events: eventList,
  description: text(WEBHOOK_LIMITS.descriptionMax).optional(),
});
export type CreateWebhookBody = z.infer<typeof createWebhookBody>;

/** A change: the fields given; `enabled: true` turns a disabled endpoint back on. */
export const updateWebhookBody = z
  .strictObject({
    url: webhookUrl.optional(),
    events: eventList.optional(),
    description: text(WEBHOOK_LIMITS.descriptionMax).nullable().optional(),
    enabled: z.boolean({ message: 'must be true or false' }).optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'must change at least one of url, events, description, enabled' });
export type UpdateWebhookBody = z.infer<typeof updateWebhookBody>;

export const webhookView = z.object({
  id: uuid,
  /** null: the platform's (an admin's) endpoint, which hears every organization. */
  organizationId: uuid.nullable(),
  url: z.string(),
  events: z.array(z.enum(WEBHOOK_EVENTS)),
  description: z.string().nullable(),
  enabled: z.boolean(),
  /** Set when the endpoint was turned off for failing (`webhook.disabled`), or by its owner. */
  disabled: z.object({ at: isoDate, reason: z.string() }).nullable(),
  /** Since when every delivery has failed; null after a success. */
  failingSince: isoDate.nullable(),
  createdAt: isoDate,
  updatedAt: isoDate,
});
export type WebhookView = z.infer<typeof webhookView>;

/** Only on create and rotate: the signing secret, never shown again. */
export const webhookWithSecret = webhookView.extend({ secret: z.string().startsWith('whsec_') });
export type WebhookWithSecret = z.infer<typeof webhookWithSecret>;

export const webhookPage = z.object({ items: z.array(webhookView), nextCursor: z.string().nullable() });

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'retrying', 'delivered', 'failed'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];
export const WEBHOOK_OUTCOMES = ['delivered', 'rejected', 'refused_target', 'timeout', 'network_error', 'endpoint_disabled'] as const;

export const webhookAttemptView = z.object({
  attempt: z.number().int(),
  outcome: z.enum(WEBHOOK_OUTCOMES),
  responseStatus: z.number().int().nullable(),
  durationMs: z.number().int(),
  error: z.string().nullable(),
  at: isoDate,
});

export const webhookDeliveryView = z.object({
  id: uuid,
  endpointId: uuid,
  /** The event's id, also the `webhook-id` header and the body's `id`: the same on every attempt and redelivery. */
  messageId: z.string(),
  event: z.string(),
  status: z.enum(WEBHOOK_DELIVERY_STATUSES),
  attempts: z.number().int(),
  requestBody: z.string(),
  responseStatus: z.number().int().nullable(),
  responseBody: z.string().nullable(),
  durationMs: z.number().int().nullable(),
  error: z.string().nullable(),
  lastAttemptAt: isoDate.nullable(),
  nextRetryAt: isoDate.nullable(),
  createdAt: isoDate,
  /** Every attempt, oldest first (the last 50). */
  log: z.array(webhookAttemptView),
});
export type WebhookDeliveryView = z.infer<typeof webhookDeliveryView>;
export const webhookDeliveryPage = z.object({ items: z.array(webhookDeliveryView), nextCursor: z.string().nullable() });

export const webhookDeliveryParams = z.strictObject({ id: uuid, deliveryId: uuid });
export const listWebhookDeliveriesQuery = listQuery.extend({
  status: z.enum(WEBHOOK_DELIVERY_STATUSES, { message: `must be one of ${WEBHOOK_DELIVERY_STATUSES.join(', ')}` }).optional(),
});
export type ListWebhookDeliveriesQuery = z.infer<typeof listWebhookDeliveriesQuery>;

/** What a receiver gets: Standard Webhooks' `{type, timestamp, data}` with the event's id. */
export interface WebhookMessage {
  id: string;
  type: WebhookEvent | typeof WEBHOOK_PING;
  /** When the event happened (ISO-8601), not when this attempt was sent. */
  timestamp: string;
  data: Record<string, unknown>;
}
