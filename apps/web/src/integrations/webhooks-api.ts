import type { CreateWebhookBody, Page, UpdateWebhookBody, WebhookDeliveryView, WebhookView, WebhookWithSecret } from '@handoff/contracts';
import { request } from '../api/http';

export const webhookKeys = {
  all: ['webhooks'] as const,
  list: ['webhooks', 'list'] as const,
  deliveries: (id: string) => ['webhooks', 'deliveries', id] as const,
};

export const webhooksApi = {
  list: () => request<Page<WebhookView>>('/webhooks', { query: { limit: 200 } }),
  create: (body: CreateWebhookBody) => request<WebhookWithSecret>('/webhooks', { method: 'POST', body }),
  update: (id: string, body: UpdateWebhookBody) => request<WebhookView>(`/webhooks/${id}`, { method: 'PATCH', body }),
  remove: (id: string) => request<undefined>(`/webhooks/${id}`, { method: 'DELETE' }),
  rotateSecret: (id: string) => request<WebhookWithSecret>(`/webhooks/${id}/rotate-secret`, { method: 'POST' }),
  ping: (id: string) => request<WebhookDeliveryView>(`/webhooks/${id}/ping`, { method: 'POST' }),
  deliveries: (id: string, cursor?: string) => request<Page<WebhookDeliveryView>>(`/webhooks/${id}/deliveries`, { query: { limit: 50, cursor } }),
  redeliver: (id: string, deliveryId: string) => request<WebhookDeliveryView>(`/webhooks/${id}/deliveries/${deliveryId}/redeliver`, { method: 'POST' }),
};
