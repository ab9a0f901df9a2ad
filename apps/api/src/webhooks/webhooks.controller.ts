import { Delete, Get, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  createWebhookBody,
  idParams,
  listQuery,
  listWebhookDeliveriesQuery,
  updateWebhookBody,
  webhookDeliveryPage,
  webhookDeliveryParams,
  webhookDeliveryView,
  webhookPage,
  webhookView,
  webhookWithSecret,
  type CreateWebhookBody,
  type ListQuery,
  type ListWebhookDeliveriesQuery,
  type UpdateWebhookBody,
} from '@handoff/contracts';
import type { AuthUser } from '../common/auth/auth-user.js';
import { CurrentUser, Roles } from '../common/auth/decorators.js';
import { Contract, Input } from '../common/http/contract.js';
import { GuardedController } from '../common/http/global-guards.js';
import { WebhooksService } from './webhooks.service.js';

const OWNED = { 403: 'assistants', 404: 'not found, or another owner’s (an organization’s, or the platform’s)' };

@ApiTags('webhooks')
@ApiBearerAuth()
@GuardedController('webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Get()
  @Roles('client', 'admin')
  @Contract({ summary: 'Your organization’s webhook endpoints (client), or the platform’s (admin)', query: listQuery, response: webhookPage, errors: { 403: 'assistants' } })
  list(@CurrentUser() user: AuthUser, @Input('query') q: ListQuery) {
    return this.webhooks.list(user, q);
  }

  @Post()
  @Roles('client', 'admin')
  @Contract({
    summary: 'Register an endpoint; the answer holds its signing secret, shown this once',
    body: createWebhookBody,
    response: webhookWithSecret,
    status: 201,
    errors: { 403: 'assistants', 422: 'the owner has the most endpoints allowed', 503: 'SECRETS_KEYS is not set' },
  })
  create(@CurrentUser() user: AuthUser, @Input('body') body: CreateWebhookBody) {
    return this.webhooks.create(user, body);
  }

  @Get(':id')
  @Roles('client', 'admin')
  @Contract({ summary: 'One endpoint (never its secret)', params: idParams, response: webhookView, errors: OWNED })
  get(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }) {
    return this.webhooks.get(user, p.id);
  }

  @Patch(':id')
  @Roles('client', 'admin')
  @Contract({ summary: 'Change the URL, events or description; `enabled: true` turns a disabled endpoint back on', params: idParams, body: updateWebhookBody, response: webhookView, errors: OWNED })
  update(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }, @Input('body') body: UpdateWebhookBody) {
    return this.webhooks.update(user, p.id, body);
  }

  @Delete(':id')
  @Roles('client', 'admin')
  @Contract({ summary: 'Delete an endpoint with its delivery log; nothing more is sent to it', params: idParams, status: 204, errors: OWNED })
  async remove(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }) {
    await this.webhooks.remove(user, p.id);
  }

  @Post(':id/rotate-secret')
  @Roles('client', 'admin')
  @Contract({
    summary: 'A new signing secret, shown this once; the previous one keeps signing beside it for 24 h',
    params: idParams,
    response: webhookWithSecret,
    errors: { ...OWNED, 503: 'SECRETS_KEYS is not set' },
  })
  rotate(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }) {
    return this.webhooks.rotateSecret(user, p.id);
  }

  @Get(':id/deliveries')
  @Roles('client', 'admin')
  @Contract({ summary: 'The delivery log, newest first: each event with its attempts, request body and last answer', params: idParams, query: listWebhookDeliveriesQuery, response: webhookDeliveryPage, errors: OWNED })
  deliveries(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }, @Input('query') q: ListWebhookDeliveriesQuery) {
    return this.webhooks.listDeliveries(user, p.id, q);
  }

  @Post(':id/deliveries/:deliveryId/redeliver')
  @Roles('client', 'admin')
  @Contract({
    summary: 'Send a delivered or failed delivery again: the same body and webhook-id, a new retry window',
    params: webhookDeliveryParams,
    response: webhookDeliveryView,
    status: 202,
    errors: { ...OWNED, 409: 'the delivery is still being sent' },
  })
  redeliver(@CurrentUser() user: AuthUser, @Input('params') p: { id: string; deliveryId: string }) {
    return this.webhooks.redeliver(user, p.id, p.deliveryId);
  }

  @Post(':id/ping')
  @Roles('client', 'admin')
  @Contract({ summary: 'Queue a signed `webhook.ping` to the endpoint; its outcome appears in the delivery log', params: idParams, response: webhookDeliveryView, status: 202, errors: OWNED })
  ping(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }) {
    return this.webhooks.ping(user, p.id);
  }
}
