import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { JobPayloads } from '@handoff/contracts';
import { UnrecoverableError } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { UnitOfWork } from '../events/unit-of-work.js';
import { WebhookDeliveriesRepository, type AttemptResult, type SendableDelivery } from './webhook-deliveries.repository.js';
import { WebhookEndpointsRepository } from './webhook-endpoints.repository.js';
import { retryDelay } from './webhook-retry.js';
import { WebhookSecrets } from './webhook-secrets.js';
import { WebhookSender, type DeliveryResult } from './webhook-sender.js';

// PostgreSQL text holds no NUL; a receiver's answer may.
const storable = (s: string | undefined | null) => (s === undefined || s === null ? null : s.replaceAll('\u0000', '\uFFFD'));

export interface SendOutcome {
  outcome: DeliveryResult['outcome'] | 'skipped';
  status?: number;
  reason?: string;
}

/**
 * Sends one delivery (a `webhooks.deliver` job): signed with the endpoint's
 * secrets, the target checked again on the socket's own lookup, every attempt
 * logged. A failure throws, so BullMQ retries it on the webhook backoff; past
 * the retry window, or once the endpoint is disabled, it throws unrecoverably.
 */
@Injectable()
export class WebhookDispatcher implements OnModuleDestroy {
  private readonly sender: WebhookSender;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly deliveries: WebhookDeliveriesRepository,
    private readonly endpoints: WebhookEndpointsRepository,
    private readonly secrets: WebhookSecrets,
    private readonly uow: UnitOfWork,
  ) {
    this.sender = new WebhookSender({ allowPrivate: config.webhooks.allowPrivateTargets, timeoutMs: config.webhooks.timeoutMs });
  }

  onModuleDestroy(): void {
    this.sender.close();
  }

  /** `failuresSoFar`: the job's failed attempts before this one. */
  async send(p: JobPayloads['webhooks.deliver'], failuresSoFar: number): Promise<SendOutcome> {
    const d = await this.deliveries.forSending(p.deliveryId);
    // The endpoint (and with it the delivery) was deleted.
    if (!d) return { outcome: 'skipped', reason: 'gone' };
    // The same event relayed again after its job was removed: it got through already.
    if (d.status === 'delivered' && !p.redelivery) return { outcome: 'skipped', reason: 'delivered' };
    if (!d.enabled) {
      await this.record(d, { status: 'failed', responseStatus: null, responseBody: null, durationMs: 0, error: 'the endpoint is disabled', nextRetryAt: null }, 'endpoint_disabled');
      return { outcome: 'skipped', reason: 'disabled' };
    }
    const result = await this.sender.deliver({ url: d.url, id: d.messageId, body: d.body, secrets: this.signingSecrets(d) });
    const base = { responseStatus: result.status ?? null, responseBody: storable(result.responseBody), durationMs: result.durationMs, error: storable(result.error) };
    if (result.outcome === 'delivered') {
      await this.record(d, { ...base, status: 'delivered', nextRetryAt: null }, result.outcome);
      // Only a streak needs ending: one round trip fewer per delivery while deliveries succeed.
      if (d.failingSince) await this.endpoints.succeeded(d.endpointId);
      return { outcome: 'delivered', status: result.status };
    }
    const disabled = await this.uow.commit(
      () => this.endpoints.failed(d.endpointId, this.config.webhooks.disableAfterMs, this.disableReason()),
      (turnedOff) => turnedOff,
    );
    const now = Date.now();
    const delay = disabled ? null : retryDelay(failuresSoFar + 1, p.since, now, this.config.webhooks.retry);
    await this.record(d, { ...base, status: delay === null ? 'failed' : 'retrying', nextRetryAt: delay === null ? null : new Date(now + delay) }, result.outcome);
    const why = result.status ? `${result.outcome}: HTTP ${result.status}` : `${result.outcome}: ${result.error ?? 'no answer'}`;
    if (delay === null) throw new UnrecoverableError(disabled ? `endpoint disabled after failing (${why})` : `given up after the retry window (${why})`);
    throw new Error(why);
  }

  private disableReason(): string {
    return `every delivery failed for ${Math.round(this.config.webhooks.disableAfterMs / 60_000)} min`;
  }

  /** The current secret, and the one before a rotation while it still signs. */
  private signingSecrets(d: SendableDelivery): string[] {
    const list = [this.secrets.open(d.endpointId, d.secretSealed)];
    if (d.previousSecretSealed && d.previousSecretUntil && d.previousSecretUntil.getTime() > Date.now()) list.push(this.secrets.open(d.endpointId, d.previousSecretSealed));
    return list;
  }

  private async record(d: SendableDelivery, r: AttemptResult, outcome: string): Promise<void> {
    await this.deliveries.recordAttempt(d.id, r, outcome);
  }

}
