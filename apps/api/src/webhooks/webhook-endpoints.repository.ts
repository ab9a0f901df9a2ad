import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Cursor } from '../common/http/pagination.js';
import { rowsOf, type Queryable } from '../database/sql.js';
import { webhookDisabledEvents } from '../events/outbox.repository.js';
import type { WebhookEndpoint } from './webhook-endpoint.entity.js';

const COLUMNS = `id, organization_id AS "organizationId", url, events, description, secret_sealed AS "secretSealed",
  previous_secret_sealed AS "previousSecretSealed", previous_secret_until AS "previousSecretUntil", enabled,
  disabled_at AS "disabledAt", disabled_reason AS "disabledReason", failing_since AS "failingSince",
  created_by AS "createdBy", created_at AS "createdAt", updated_at AS "updatedAt"`;

export type EndpointRow = WebhookEndpoint & { cursorAt: string };

/** What the relay needs to route an event: who the endpoint belongs to and what it hears. */
export interface EndpointRoute {
  id: string;
  organizationId: string | null;
  events: string[];
}

export interface EndpointChange {
  url?: string;
  events?: string[];
  /** undefined leaves it; null clears it. */
  description?: string | null;
  enabled?: boolean;
}

/** All SQL of the `webhook_endpoints` table. */
@Injectable()
export class WebhookEndpointsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async insert(e: Pick<WebhookEndpoint, 'id' | 'organizationId' | 'url' | 'events' | 'description' | 'secretSealed' | 'createdBy'>): Promise<WebhookEndpoint> {
    const rows = rowsOf<WebhookEndpoint>(
      await this.ds.query(
        `INSERT INTO webhook_endpoints (id, organization_id, url, events, description, secret_sealed, created_by)
         VALUES ($1, $2, $3, $4::text[], $5, $6, $7) RETURNING ${COLUMNS}`,
        [e.id, e.organizationId, e.url, e.events, e.description, e.secretSealed, e.createdBy],
      ),
    );
    return rows[0]!;
  }

  async findById(id: string, m: Queryable = this.ds): Promise<WebhookEndpoint | null> {
    const rows = rowsOf<WebhookEndpoint>(await m.query(`SELECT ${COLUMNS} FROM webhook_endpoints WHERE id = $1`, [id]));
    return rows[0] ?? null;
  }

  /** How many endpoints an owner has (null: the platform). */
  async countOwned(organizationId: string | null): Promise<number> {
    const rows = rowsOf<{ n: number }>(
      await this.ds.query(`SELECT count(*)::int AS n FROM webhook_endpoints WHERE organization_id IS NOT DISTINCT FROM $1`, [organizationId]),
    );
    return rows[0]?.n ?? 0;
  }

  /** An owner's endpoints in creation order, one more than `limit` when there is more. */
  list(organizationId: string | null, cursor: Cursor | null, limit: number): Promise<EndpointRow[]> {
    const owner = organizationId === null ? 'organization_id IS NULL' : 'organization_id = $1';
    const params: unknown[] = organizationId === null ? [] : [organizationId];
    const after = cursor ? `AND (created_at, id) > ($${params.push(cursor.at)}::timestamptz, $${params.push(cursor.id)}::uuid)` : '';
    return this.ds.query(
      `SELECT ${COLUMNS}, created_at::text AS "cursorAt" FROM webhook_endpoints WHERE ${owner} ${after}
        ORDER BY created_at, id LIMIT $${params.push(limit + 1)}`,
      params,
    );
  }

  /**
   * The fields given; turning it on clears the failure streak and the disabled flag,
   * turning it off records that its owner did.
   */
  async update(id: string, c: EndpointChange): Promise<WebhookEndpoint | null> {
    const rows = rowsOf<WebhookEndpoint>(
      await this.ds.query(
        `UPDATE webhook_endpoints SET
            url = COALESCE($2, url),
            events = COALESCE($3::text[], events),
            description = CASE WHEN $4::boolean THEN $5 ELSE description END,
            enabled = COALESCE($6::boolean, enabled),
            disabled_at = CASE WHEN $6::boolean IS NULL THEN disabled_at WHEN $6::boolean THEN NULL WHEN enabled THEN now() ELSE disabled_at END,
            disabled_reason = CASE WHEN $6::boolean IS NULL THEN disabled_reason WHEN $6::boolean THEN NULL WHEN enabled THEN 'turned off by its owner' ELSE disabled_reason END,
            failing_since = CASE WHEN $6::boolean THEN NULL ELSE failing_since END,
            updated_at = now()
          WHERE id = $1 RETURNING ${COLUMNS}`,
        [id, c.url ?? null, c.events ?? null, c.description !== undefined, c.description ?? null, c.enabled ?? null],
      ),
    );
    return rows[0] ?? null;
  }

  /** A new secret; the old one keeps signing beside it until `previousUntil`. */
  async rotateSecret(id: string, sealed: string, previousUntil: Date): Promise<WebhookEndpoint | null> {
    const rows = rowsOf<WebhookEndpoint>(
      await this.ds.query(
        `UPDATE webhook_endpoints SET previous_secret_sealed = secret_sealed, previous_secret_until = $3, secret_sealed = $2, updated_at = now()
          WHERE id = $1 RETURNING ${COLUMNS}`,
        [id, sealed, previousUntil],
      ),
    );
    return rows[0] ?? null;
  }

  async delete(id: string): Promise<boolean> {
    const rows = rowsOf<{ id: string }>(await this.ds.query(`DELETE FROM webhook_endpoints WHERE id = $1 RETURNING id`, [id]));
    return rows.length > 0;
  }

  /** Enabled endpoints of these organizations, and the platform's, that hear any of `events`. */
  routes(organizationIds: readonly string[], events: readonly string[], m: Queryable = this.ds): Promise<EndpointRoute[]> {
    return m.query(
      `SELECT id, organization_id AS "organizationId", events FROM webhook_endpoints
        WHERE enabled AND events && $2::text[] AND (organization_id IS NULL OR organization_id = ANY($1::uuid[]))`,
      [organizationIds, events],
    );
  }

  /** A delivery got through: the failure streak ends. */
  async succeeded(id: string): Promise<void> {
    await this.ds.query(`UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $1 AND failing_since IS NOT NULL`, [id]);
  }

  /**
   * A delivery failed: the streak starts now if none runs, and an endpoint
   * failing for `disableAfterMs` is turned off. True when this call turned it off.
   */
  async failed(id: string, disableAfterMs: number, reason: string): Promise<boolean> {
    // The owner hears of it from `webhook.disabled`, written in the same statement.
    const rows = rowsOf<{ disabled: boolean }>(
      await this.ds.query(
        `WITH e AS (
           UPDATE webhook_endpoints e SET
              failing_since = COALESCE(e.failing_since, now()),
              enabled = NOT (COALESCE(e.failing_since, now()) <= now() - $2 * interval '1 millisecond'),
              disabled_at = CASE WHEN COALESCE(e.failing_since, now()) <= now() - $2 * interval '1 millisecond' THEN now() END,
              disabled_reason = CASE WHEN COALESCE(e.failing_since, now()) <= now() - $2 * interval '1 millisecond' THEN $3 END,
              updated_at = now()
            WHERE e.id = $1 AND e.enabled
            RETURNING e.id, e.disabled_reason, NOT e.enabled AS disabled
         ), ev AS (${webhookDisabledEvents()})
         SELECT disabled FROM e`,
        [id, disableAfterMs, reason],
      ),
    );
    return rows[0]?.disabled ?? false;
  }

}
