import type { WebhookDeliveryView, WebhookEvent, WebhookView } from '@handoff/contracts';
import type { WebhookAttempt } from './webhook-attempt.entity.js';
import type { WebhookDelivery } from './webhook-delivery.entity.js';
import type { WebhookEndpoint } from './webhook-endpoint.entity.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** An endpoint as its owner sees it: never its secret. */
export function toWebhookView(e: WebhookEndpoint): WebhookView {
  return {
    id: e.id,
    organizationId: e.organizationId,
    url: e.url,
    events: e.events as WebhookEvent[],
    description: e.description,
    enabled: e.enabled,
    disabled: !e.enabled && e.disabledAt ? { at: e.disabledAt.toISOString(), reason: e.disabledReason ?? 'disabled' } : null,
    failingSince: iso(e.failingSince),
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
  };
}

export function toDeliveryView(d: WebhookDelivery, log: readonly WebhookAttempt[]): WebhookDeliveryView {
  return {
    id: d.id,
    endpointId: d.endpointId,
    messageId: d.messageId,
    event: d.eventType,
    status: d.status,
    attempts: d.attempts,
    requestBody: d.body,
    responseStatus: d.responseStatus,
    responseBody: d.responseBody,
    durationMs: d.durationMs,
    error: d.error,
    lastAttemptAt: iso(d.lastAttemptAt),
    nextRetryAt: iso(d.nextRetryAt),
    createdAt: d.createdAt.toISOString(),
    log: log.map((a) => ({
      attempt: a.attempt,
      outcome: a.outcome as WebhookDeliveryView['log'][number]['outcome'],
      responseStatus: a.responseStatus,
      durationMs: a.durationMs,
      error: a.error,
      at: a.createdAt.toISOString(),
    })),
  };
}
