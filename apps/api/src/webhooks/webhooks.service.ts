import { BadRequestException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import {
  jobId,
  WEBHOOK_LIMITS,
  WEBHOOK_PING,
  type CreateWebhookBody,
  type ListQuery,
  type ListWebhookDeliveriesQuery,
  type Page,
  type UpdateWebhookBody,
  type WebhookDeliveryView,
  type WebhookMessage,
  type WebhookView,
  type WebhookWithSecret,
} from '@handoff/contracts';
import { randomUUID } from 'node:crypto';
import type { AuthUser } from '../common/auth/auth-user.js';
import { StateConflict, UnprocessableRule } from '../common/http/errors.js';
import { decodeCursor, toPage } from '../common/http/pagination.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { JobsService } from '../dispatch/jobs.service.js';
import { generateMessageId, generateSecret } from './signing.js';
import { assertDeliverableUrl, UndeliverableTargetError } from './target-guard.js';
import type { WebhookDelivery } from './webhook-delivery.entity.js';
import { WebhookAttemptsRepository } from './webhook-attempts.repository.js';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository.js';
import type { WebhookEndpoint } from './webhook-endpoint.entity.js';
import { WebhookEndpointsRepository } from './webhook-endpoints.repository.js';
import { deliveryId } from './webhook-retry.js';
import { WebhookSecrets } from './webhook-secrets.js';
import { toDeliveryView, toWebhookView } from './webhook.view.js';

/** How long the secret before a rotation keeps signing beside the new one. */
const ROTATION_OVERLAP_MS = 24 * 3_600_000;
const LOG_PER_DELIVERY = 50;

/** Endpoints belong to an organization (its clients manage them) or to the platform (admins). */
function ownerOf(user: AuthUser): string | null {
  if (user.role === 'admin') return null;
  // A client without an organization owns nothing; it must never reach the platform's endpoints.
  if (!user.organizationId) throw new NotFoundException('webhook not found');
  return user.organizationId;
}

@Injectable()
export class WebhooksService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly endpoints: WebhookEndpointsRepository,
    private readonly deliveries: WebhookDeliveriesRepository,
    private readonly attempts: WebhookAttemptsRepository,
    private readonly secrets: WebhookSecrets,
    private readonly jobs: JobsService,
  ) {}

  async list(user: AuthUser, q: ListQuery): Promise<Page<WebhookView>> {
    const rows = await this.endpoints.list(ownerOf(user), decodeCursor(q.cursor), q.limit);
    return toPage(rows, q.limit, toWebhookView, (r) => ({ at: r.cursorAt, id: r.id }));
  }

  async get(user: AuthUser, id: string): Promise<WebhookView> {
    return toWebhookView(await this.owned(user, id));
  }

  async create(user: AuthUser, body: CreateWebhookBody): Promise<WebhookWithSecret> {
    const owner = ownerOf(user);
    await this.assertTarget(body.url);
    if ((await this.endpoints.countOwned(owner)) >= WEBHOOK_LIMITS.endpointsPerOwner) {
      throw new UnprocessableRule(`an owner has at most ${WEBHOOK_LIMITS.endpointsPerOwner} webhook endpoints`);
    }
    const id = randomUUID();
    const secret = generateSecret();
    const row = await this.endpoints.insert({ id, organizationId: owner, url: body.url, events: body.events, description: body.description ?? null, secretSealed: this.secrets.seal(id, secret), createdBy: user.id });
    return { ...toWebhookView(row), secret };
  }

  async update(user: AuthUser, id: string, body: UpdateWebhookBody): Promise<WebhookView> {
    await this.owned(user, id);
    if (body.url !== undefined) await this.assertTarget(body.url);
    const row = await this.endpoints.update(id, body);
    if (!row) throw new NotFoundException('webhook not found');
    return toWebhookView(row);
  }

  async remove(user: AuthUser, id: string): Promise<void> {
    await this.owned(user, id);
    await this.endpoints.delete(id);
  }

  /** A new secret, shown once; the old one keeps signing beside it for a day so receivers can switch. */
  async rotateSecret(user: AuthUser, id: string): Promise<WebhookWithSecret> {
    await this.owned(user, id);
    const secret = generateSecret();
    const row = await this.endpoints.rotateSecret(id, this.secrets.seal(id, secret), new Date(Date.now() + ROTATION_OVERLAP_MS));
    if (!row) throw new NotFoundException('webhook not found');
    return { ...toWebhookView(row), secret };
  }

  async listDeliveries(user: AuthUser, id: string, q: ListWebhookDeliveriesQuery): Promise<Page<WebhookDeliveryView>> {
    await this.owned(user, id);
    const rows = await this.deliveries.list(id, q.status, decodeCursor(q.cursor), q.limit);
    const page = rows.slice(0, q.limit);
    const logs = await this.logsOf(page);
    return toPage(rows, q.limit, (r) => toDeliveryView(r, logs.get(r.id) ?? []), (r) => ({ at: r.cursorAt, id: r.id }));
  }

  /** Send a delivery again, as it was (same body, same webhook-id), with a new retry window. */
  async redeliver(user: AuthUser, id: string, delivery: string): Promise<WebhookDeliveryView> {
    await this.owned(user, id);
    const d = await this.deliveries.findById(id, delivery);
    if (!d) throw new NotFoundException('delivery not found');
    if (d.status === 'pending' || d.status === 'retrying') throw new StateConflict('the delivery is still being sent', d.status);
    const pending = await this.deliveries.markPending(d.id);
    // Another request queued it first.
    if (!pending) throw new StateConflict('the delivery is still being sent', 'pending');
    await this.jobs.add('webhooks.deliver', { deliveryId: d.id, since: Date.now(), redelivery: true }, { jobId: jobId.webhookRedelivery(d.id, d.attempts) });
    return this.viewOf(pending);
  }

  /** A `webhook.ping` through the same queue, signing and log as events. */
  async ping(user: AuthUser, id: string): Promise<WebhookDeliveryView> {
    const endpoint = await this.owned(user, id);
    const messageId = generateMessageId();
    const message: WebhookMessage = { id: messageId, type: WEBHOOK_PING, timestamp: new Date().toISOString(), data: { endpointId: endpoint.id } };
    const row = { id: deliveryId(endpoint.id, messageId), endpointId: endpoint.id, eventId: messageId, eventType: WEBHOOK_PING, messageId, body: JSON.stringify(message) };
    await this.deliveries.insertMany([row]);
    await this.jobs.add('webhooks.deliver', { deliveryId: row.id, since: Date.now(), redelivery: true }, { jobId: jobId.webhook(row.id) });
    const d = await this.deliveries.findById(endpoint.id, row.id);
    if (!d) throw new NotFoundException('webhook not found');
    return this.viewOf(d);
  }

  private async viewOf(d: WebhookDelivery): Promise<WebhookDeliveryView> {
    return toDeliveryView(d, (await this.logsOf([d])).get(d.id) ?? []);
  }

  private async logsOf(rows: readonly WebhookDelivery[]) {
    const logs = new Map<string, Awaited<ReturnType<WebhookAttemptsRepository['forDeliveries']>>>();
    for (const a of await this.attempts.forDeliveries(rows.map((r) => r.id), LOG_PER_DELIVERY)) {
      const list = logs.get(a.deliveryId) ?? logs.set(a.deliveryId, []).get(a.deliveryId)!;
      list.push(a);
    }
    return logs;
  }

  /** Someone else's endpoint (another organization's, or the platform's for a client) is not there. */
  private async owned(user: AuthUser, id: string): Promise<WebhookEndpoint> {
    const e = await this.endpoints.findById(id);
    if (!e || e.organizationId !== ownerOf(user)) throw new NotFoundException('webhook not found');
    return e;
  }

  /** Refused at registration as at every send: only public addresses, unless the operator allows private ones. */
  private async assertTarget(url: string): Promise<void> {
    try {
      await assertDeliverableUrl(url, { allowPrivate: this.config.webhooks.allowPrivateTargets });
    } catch (e) {
      if (e instanceof UndeliverableTargetError) throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: `url is refused: ${e.message}`, field: 'url' });
      throw e;
    }
  }
}
