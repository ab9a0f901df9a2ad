import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { WebhookDeliveryStatus } from '@handoff/contracts';
import type { DataSource } from 'typeorm';
import type { Cursor } from '../common/http/pagination.js';
import { rowsOf, type Queryable } from '../database/sql.js';
import { attemptFrom } from './webhook-attempts.repository.js';
import type { WebhookDelivery } from './webhook-delivery.entity.js';

const columns = (a: string) => `${a}id, ${a}endpoint_id AS "endpointId", ${a}event_id AS "eventId", ${a}event_type AS "eventType", ${a}message_id AS "messageId",
  ${a}body, ${a}status, ${a}attempts, ${a}response_status AS "responseStatus", ${a}response_body AS "responseBody", ${a}duration_ms AS "durationMs",
  ${a}error, ${a}last_attempt_at AS "lastAttemptAt", ${a}next_retry_at AS "nextRetryAt", ${a}created_at AS "createdAt"`;
const COLUMNS = columns('');

export type DeliveryRow = WebhookDelivery & { cursorAt: string };
export type NewDelivery = Pick<WebhookDelivery, 'id' | 'endpointId' | 'eventId' | 'eventType' | 'messageId' | 'body'>;

/** A delivery with what sending it needs from its endpoint. */
export interface SendableDelivery extends WebhookDelivery {
  url: string;
  enabled: boolean;
  failingSince: Date | null;
  secretSealed: string;
  previousSecretSealed: string | null;
  previousSecretUntil: Date | null;
}

export interface AttemptResult {
  status: WebhookDeliveryStatus;
  responseStatus: number | null;
  responseBody: string | null;
  durationMs: number;
  error: string | null;
  nextRetryAt: Date | null;
}

/** All SQL of the `webhook_deliveries` table. */
@Injectable()
export class WebhookDeliveriesRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** New deliveries; one already there (the same event relayed again) is left as it is. */
  async insertMany(rows: readonly NewDelivery[], m: Queryable = this.ds): Promise<void> {
    if (!rows.length) return;
    await m.query(
      `INSERT INTO webhook_deliveries (id, endpoint_id, event_id, event_type, message_id, body)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[])
       ON CONFLICT DO NOTHING`,
      [rows.map((r) => r.id), rows.map((r) => r.endpointId), rows.map((r) => r.eventId), rows.map((r) => r.eventType), rows.map((r) => r.messageId), rows.map((r) => r.body)],
    );
  }

  async findById(endpointId: string, id: string): Promise<WebhookDelivery | null> {
    const rows = rowsOf<WebhookDelivery>(await this.ds.query(`SELECT ${COLUMNS} FROM webhook_deliveries WHERE id = $1 AND endpoint_id = $2`, [id, endpointId]));
    return rows[0] ?? null;
  }

  async forSending(id: string): Promise<SendableDelivery | null> {
    const rows = rowsOf<SendableDelivery>(
      await this.ds.query(
        `SELECT ${columns('d.')},
                e.url, e.enabled, e.failing_since AS "failingSince", e.secret_sealed AS "secretSealed", e.previous_secret_sealed AS "previousSecretSealed", e.previous_secret_until AS "previousSecretUntil"
           FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE d.id = $1`,
        [id],
      ),
    );
    return rows[0] ?? null;
  }

  /** The outcome of one more attempt and its line in the attempt log, in one statement; answers its number. */
  async recordAttempt(id: string, r: AttemptResult, outcome: string): Promise<number | null> {
    const rows = rowsOf<{ attempts: number }>(
      await this.ds.query(
        `WITH d AS (
           UPDATE webhook_deliveries SET attempts = attempts + 1, status = $2, response_status = $3, response_body = $4, duration_ms = $5,
              error = $6, next_retry_at = $7, last_attempt_at = now()
            WHERE id = $1 RETURNING id, attempts
         ), a AS (${attemptFrom({ outcome: '$8', responseStatus: '$3', durationMs: '$5', error: '$6' })})
         SELECT attempts FROM d`,
        [id, r.status, r.responseStatus, r.responseBody, r.durationMs, r.error, r.nextRetryAt, outcome],
      ),
    );
    return rows[0]?.attempts ?? null;
  }

  /** Queued again by hand, if it is done (delivered or failed): of concurrent requests one wins, the rest get null. */
  async markPending(id: string): Promise<WebhookDelivery | null> {
    const rows = rowsOf<WebhookDelivery>(
      await this.ds.query(`UPDATE webhook_deliveries SET status = 'pending', next_retry_at = NULL WHERE id = $1 AND status IN ('delivered', 'failed') RETURNING ${COLUMNS}`, [id]),
    );
    return rows[0] ?? null;
  }

  /** An endpoint's deliveries, newest first, one more than `limit` when there is more. */
  list(endpointId: string, status: WebhookDeliveryStatus | undefined, cursor: Cursor | null, limit: number): Promise<DeliveryRow[]> {
    const params: unknown[] = [endpointId];
    const where = ['endpoint_id = $1'];
    if (status) where.push(`status = $${params.push(status)}`);
    if (cursor) where.push(`(created_at, id) < ($${params.push(cursor.at)}::timestamptz, $${params.push(cursor.id)}::uuid)`);
    return this.ds.query(
      `SELECT ${COLUMNS}, created_at::text AS "cursorAt" FROM webhook_deliveries WHERE ${where.join(' AND ')}
        ORDER BY created_at DESC, id DESC LIMIT $${params.push(limit + 1)}`,
      params,
    );
  }
}
