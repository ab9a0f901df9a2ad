import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { type Queryable } from '../database/sql.js';
import type { WebhookAttempt } from './webhook-attempt.entity.js';

const COLUMNS = `id, delivery_id AS "deliveryId", attempt, outcome, response_status AS "responseStatus", duration_ms AS "durationMs", error, created_at AS "createdAt"`;

/** All SQL of the `webhook_attempts` table. */
@Injectable()
export class WebhookAttemptsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async insert(m: Queryable, a: Pick<WebhookAttempt, 'deliveryId' | 'attempt' | 'outcome' | 'responseStatus' | 'durationMs' | 'error'>): Promise<void> {
    await m.query(
      `INSERT INTO webhook_attempts (delivery_id, attempt, outcome, response_status, duration_ms, error) VALUES ($1, $2, $3, $4, $5, $6)`,
      [a.deliveryId, a.attempt, a.outcome, a.responseStatus, a.durationMs, a.error],
    );
  }

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
