import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Placeholder } from '../events/outbox.repository.js';
import type { WebhookAttempt } from './webhook-attempt.entity.js';

const COLUMNS = `id, delivery_id AS "deliveryId", attempt, outcome, response_status AS "responseStatus", duration_ms AS "durationMs", error, created_at AS "createdAt"`;

/** The attempt row for each row of CTE `d` (a delivery just attempted: id, attempts), with the attempt's values in these placeholders. */
export function attemptFrom(v: { outcome: Placeholder; responseStatus: Placeholder; durationMs: Placeholder; error: Placeholder }): string {
  return `INSERT INTO webhook_attempts (delivery_id, attempt, outcome, response_status, duration_ms, error)
          SELECT id, attempts, ${v.outcome}, ${v.responseStatus}, ${v.durationMs}, ${v.error} FROM d`;
}

/** All SQL of the `webhook_attempts` table (attempts are written by the delivery's statement, `attemptFrom`). */
@Injectable()
export class WebhookAttemptsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** The latest `perDelivery` attempts of each delivery, oldest first. */
  forDeliveries(ids: readonly string[], perDelivery: number): Promise<WebhookAttempt[]> {
    if (!ids.length) return Promise.resolve([]);
    return this.ds.query(
      `SELECT ${COLUMNS} FROM (
          SELECT *, row_number() OVER (PARTITION BY delivery_id ORDER BY id DESC) AS n FROM webhook_attempts WHERE delivery_id = ANY($1::uuid[])
        ) a WHERE n <= $2 ORDER BY delivery_id, id`,
      [ids, perDelivery],
    );
  }
}
