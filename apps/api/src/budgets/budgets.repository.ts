import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AWAITING_RETURN_STATUSES, type BudgetThresholdPct, type Category } from '@handoff/contracts';
import type { DataSource, EntityManager } from 'typeorm';
import { query, rowsOf, type Queryable } from '../database/sql.js';
import { BUDGET_THRESHOLD_EVENTS } from '../events/outbox.repository.js';

const OPEN_SQL = AWAITING_RETURN_STATUSES.map((s) => `'${s}'`).join(', ');

/** An organization's budget and the calendar month it is in now, in its own time zone. */
export interface OrganizationBudget {
  id: string;
  monthlyCents: number | null;
  /** YYYY-MM */
  month: string;
  monthStart: Date;
}

/** Whose budget: the organization's (templateId null) or one template's. */
export interface BudgetScope {
  organizationId: string;
  templateId: string | null;
  since: Date;
}

export interface BudgetNotice {
  organizationId: string;
  templateId: string | null;
  month: string;
  thresholdPct: BudgetThresholdPct;
  monthlyCents: number;
  committedCents: number;
}

const ORG_BUDGET_COLUMNS = `o.id, o.monthly_budget_cents AS "monthlyCents", to_char(now() AT TIME ZONE o.time_zone, 'YYYY-MM') AS month,
  date_trunc('month', now() AT TIME ZONE o.time_zone) AT TIME ZONE o.time_zone AS "monthStart"`;

/**
 * Committed spend of each scope ($1 organizations, $2 templates or null, $3 month starts): the price of its
 * tasks never returned yet (a late return is never billed, a cancelled task never will be) plus what its
 * ledger billed since the month began (charges less refunds, plus adjustments). A scan of the
 * organization's tasks (tasks_org_idx) and of its month's entries (ledger_org_idx): only budgeted
 * organizations ever run it, so the submit of everyone else keeps its indexes as they were.
 */
const COMMITTED_SQL = `
  SELECT s.organization_id AS "organizationId", s.template_id AS "templateId",
         ((SELECT coalesce(sum(t.price_cents), 0) FROM tasks t
            WHERE t.organization_id = s.organization_id AND t.status IN (${OPEN_SQL}) AND t.on_time IS NULL
              AND (s.template_id IS NULL OR t.template_id = s.template_id))
        + (SELECT coalesce(sum(CASE WHEN l.kind = 'refund' THEN -l.amount_cents ELSE l.amount_cents END), 0) FROM ledger_entries l
            WHERE l.organization_id = s.organization_id AND l.kind IN ('charge', 'refund', 'adjustment') AND l.created_at >= s.since
              AND (s.template_id IS NULL OR EXISTS (SELECT 1 FROM tasks t WHERE t.id = l.task_id AND t.template_id = s.template_id))))::float8 AS committed
    FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[]) AS s(organization_id, template_id, since)`;

/**
 * What budgets read of `organizations` and `templates` (their budget columns are written with
 * the rest of each: settings, the template's budget route), and `budget_notices` (the thresholds
 * announced per budget and month).
 */
@Injectable()
export class BudgetsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /**
   * The organizations' budgets, each row locked (FOR NO KEY UPDATE, which task inserts' key checks do
   * not wait for) until the transaction ends, in id order: budgeted submissions of one organization
   * take turns across every instance, and two batches never lock in opposite orders.
   */
  async lockOrganizations(m: EntityManager, ids: readonly string[]): Promise<OrganizationBudget[]> {
    return rowsOf<OrganizationBudget>(
      await m.query(`SELECT ${ORG_BUDGET_COLUMNS} FROM organizations o WHERE o.id = ANY($1::uuid[]) ORDER BY o.id FOR NO KEY UPDATE`, [ids]),
    );
  }

  async organization(id: string, m: Queryable = this.ds): Promise<OrganizationBudget | null> {
    const [row] = await query<OrganizationBudget>(m, `SELECT ${ORG_BUDGET_COLUMNS} FROM organizations o WHERE o.id = $1`, [id]);
    return row ?? null;
  }

  /** The templates' own budgets, of those that have one. */
  async templateBudgets(ids: readonly string[], m: Queryable = this.ds): Promise<Map<string, number>> {
    if (!ids.length) return new Map();
    const rows = await query<{ id: string; cents: number }>(m, `SELECT id, monthly_budget_cents AS cents FROM templates WHERE id = ANY($1::uuid[]) AND monthly_budget_cents IS NOT NULL`, [ids]);
    return new Map(rows.map((r) => [r.id, r.cents]));
  }

  /** Committed spend per scope (COMMITTED_SQL), keyed `organization/template`. */
  async committed(scopes: readonly BudgetScope[], m: Queryable = this.ds): Promise<Map<string, number>> {
    if (!scopes.length) return new Map();
    const rows = await query<{ organizationId: string; templateId: string | null; committed: number }>(m, COMMITTED_SQL, [
      scopes.map((s) => s.organizationId),
      scopes.map((s) => s.templateId),
      scopes.map((s) => s.since),
    ]);
    return new Map(rows.map((r) => [scopeKey(r.organizationId, r.templateId), Number(r.committed)]));
  }

  /** Base price and currency per category, held (FOR SHARE) so a price change waits for the submissions priced from it. */
  async rates(m: EntityManager, categories: readonly Category[]): Promise<Map<Category, { basePriceCents: number; currency: string }>> {
    const rows = rowsOf<{ category: Category; basePriceCents: number; currency: string }>(
      await m.query(`SELECT category, base_price_cents AS "basePriceCents", trim(currency) AS currency FROM rate_card WHERE category = ANY($1::task_category[]) FOR SHARE`, [categories]),
    );
    return new Map(rows.map((r) => [r.category, r]));
  }

  /** Records the notices not recorded before for their budget and month, with a `budget.threshold_crossed` each. */
  async recordNotices(m: EntityManager, notices: readonly BudgetNotice[]): Promise<void> {
    if (!notices.length) return;
    await m.query(
      `WITH x AS (SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::int[], $5::int[], $6::int[])
                    AS x(scope_id, organization_id, month, threshold_pct, monthly_cents, committed_cents)),
       n AS (INSERT INTO budget_notices (scope_id, organization_id, month, threshold_pct)
             SELECT scope_id, organization_id, month, threshold_pct FROM x ON CONFLICT DO NOTHING RETURNING *)
       ${BUDGET_THRESHOLD_EVENTS}`,
      [
        notices.map((n) => n.templateId ?? n.organizationId),
        notices.map((n) => n.organizationId),
        notices.map((n) => n.month),
        notices.map((n) => n.thresholdPct),
        notices.map((n) => n.monthlyCents),
        notices.map((n) => n.committedCents),
      ],
    );
  }

  /** The organization's owners, as the relay's transaction reads them. */
  async owners(m: Queryable, organizationIds: readonly string[]): Promise<{ id: string; organizationId: string }[]> {
    return query(m, `SELECT id, organization_id AS "organizationId" FROM users WHERE organization_id = ANY($1::uuid[]) AND org_role = 'owner' AND NOT suspended`, [
      organizationIds,
    ]);
  }
}

export const scopeKey = (organizationId: string, templateId: string | null): string => `${organizationId}/${templateId ?? ''}`;
