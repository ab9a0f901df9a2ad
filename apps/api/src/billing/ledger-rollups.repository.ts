// The daily rollup tables (ledger_daily, ledger_assistant_daily, task_late_daily): their reads live here, their writes in the triggers of migration 1764002800000.
import type { BillingSummaryDay, BillingSummaryRow, Earnings, StatementTotals } from '@handoff/contracts';
import type { EntityManager } from 'typeorm';
import { rowsOf } from '../database/sql.js';

// Period reads over the daily rollups (migration 1764002800000-ledger-rollups,
// docs/PERFORMANCE.md#ledger-rollups): the whole UTC days of [from, to) come
// from ledger_daily / ledger_assistant_daily / task_late_daily, and only the
// partial days at its edges from the rows. The answers equal the plain
// aggregates over the rows for any period (test/billing-rollup.e2e-spec.ts).

/**
 * `p`: the period [f, t) ($1, $2) split as [f, lo) ∪ whole days [lo, hi) ∪ [hi, t).
 * lo is the first UTC midnight at or after f, hi the last at or before t; a
 * period holding no whole day has lo = hi = t, so its rows are all in [f, lo).
 * Null bounds are open (−∞, +∞), which leaves no edge at all.
 */
const SPAN = `p AS (
  SELECT f, t, CASE WHEN lo < hi THEN lo ELSE t END AS lo, CASE WHEN lo < hi THEN hi ELSE t END AS hi,
         (CASE WHEN lo < hi THEN lo ELSE t END AT TIME ZONE 'UTC')::date AS lo_day, (CASE WHEN lo < hi THEN hi ELSE t END AT TIME ZONE 'UTC')::date AS hi_day
    FROM (SELECT f, t,
                 (date_trunc('day', f AT TIME ZONE 'UTC') + CASE WHEN date_trunc('day', f AT TIME ZONE 'UTC') = f AT TIME ZONE 'UTC' THEN interval '0' ELSE interval '1 day' END)
                   AT TIME ZONE 'UTC' AS lo,
                 date_trunc('day', t AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS hi
            FROM (SELECT coalesce($1::timestamptz, '-infinity') AS f, coalesce($2::timestamptz, 'infinity') AS t) b) s)`;

/** Rows of `table` (alias x) in the period's partial edge days, by its time column: one index range per edge. */
function edges(select: string, table: string, time: string, where = 'true'): string {
  return `SELECT ${select} FROM p CROSS JOIN LATERAL (SELECT * FROM ${table} x WHERE ${where} AND x.${time} >= p.f AND x.${time} < p.lo) x
    UNION ALL
    SELECT ${select} FROM p CROSS JOIN LATERAL (SELECT * FROM ${table} x WHERE ${where} AND x.${time} >= p.hi AND x.${time} < p.t) x`;
}

const WHOLE_DAYS = (table: string) => `SELECT d.* FROM p JOIN ${table} d ON d.day >= p.lo_day AND d.day < p.hi_day`;

const AMOUNT = (kind: string) => `CASE WHEN x.kind = '${kind}' THEN x.amount_cents ELSE 0 END`;

/** The summary's table: per organization and currency, what BillingService.summary has always answered. */
export const SUMMARY_ORGANIZATIONS_SQL = `WITH ${SPAN},
  e AS (
    SELECT d.organization_id, d.currency, d.charges, d.charged, d.paid_out, d.refunded, d.adjusted FROM (${WHOLE_DAYS('ledger_daily')}) d
    UNION ALL
    ${edges(`x.organization_id, x.currency, (x.kind = 'charge')::int, ${AMOUNT('charge')}, ${AMOUNT('payout')}, ${AMOUNT('refund')}, ${AMOUNT('adjustment')}`, 'ledger_entries', 'created_at')}),
  l AS (
    SELECT organization_id, currency, sum(charges)::int AS tasks_billed, sum(charged) AS charged, sum(paid_out) AS paid_out,
           sum(refunded) AS refunded, sum(adjusted) AS adjusted
      FROM e GROUP BY organization_id, currency),
  late AS (
    SELECT organization_id, currency, sum(n)::int AS late_tasks FROM (
      SELECT d.organization_id, d.currency, d.late AS n FROM (${WHOLE_DAYS('task_late_daily')}) d
      UNION ALL
      ${edges('x.organization_id, x.currency, 1', 'tasks', 'returned_at', 'x.on_time = false')}) z
     GROUP BY organization_id, currency HAVING sum(n) > 0)
  SELECT o.id AS "organizationId", o.name AS "organizationName", coalesce(l.currency, late.currency)::text AS currency,
         coalesce(l.tasks_billed, 0) AS "tasksBilled", coalesce(l.charged, 0) AS "chargedCents",
         coalesce(l.paid_out, 0) AS "paidOutCents", coalesce(l.charged, 0) - coalesce(l.paid_out, 0) AS "feeCents",
         coalesce(l.refunded, 0) AS "refundedCents", coalesce(l.adjusted, 0) AS "adjustedCents",
         coalesce(late.late_tasks, 0) AS "lateTasks"
    FROM l FULL JOIN late ON late.organization_id = l.organization_id AND late.currency = l.currency
    JOIN organizations o ON o.id = coalesce(l.organization_id, late.organization_id)
   ORDER BY "chargedCents" DESC, o.name, o.id`;

/** The summary's chart: charged and paid out per UTC day and currency, for days with a charge or a payout. */
export const SUMMARY_DAYS_SQL = `WITH ${SPAN},
  e AS (
    SELECT d.day, d.currency, d.charges + d.payouts AS k, d.charged, d.paid_out FROM (${WHOLE_DAYS('ledger_daily')}) d
    UNION ALL
    ${edges(`(x.created_at AT TIME ZONE 'UTC')::date, x.currency, 1, ${AMOUNT('charge')}, ${AMOUNT('payout')}`, 'ledger_entries', 'created_at', `x.kind IN ('charge', 'payout')`)})
  SELECT to_char(day::timestamp, 'YYYY-MM-DD') AS day, currency::text AS currency, sum(charged) AS "chargedCents", sum(paid_out) AS "paidOutCents"
    FROM e GROUP BY e.day, e.currency HAVING sum(k) > 0 ORDER BY 1, 2`;

/** A month's statement totals per currency ($1 organization, $2 and $3 the month's midnights), from whole days only. */
export const STATEMENT_TOTALS_SQL = `
  SELECT currency::text AS currency, sum(charged) AS "chargedCents", sum(refunded) AS "refundedCents", sum(adjusted) AS "adjustedCents",
         sum(charged) - sum(refunded) + sum(adjusted) AS "totalCents", sum(charges)::int AS "tasksBilled"
    FROM ledger_daily
   WHERE organization_id = $1 AND day >= ($2::timestamptz AT TIME ZONE 'UTC')::date AND day < ($3::timestamptz AT TIME ZONE 'UTC')::date
   GROUP BY currency HAVING sum(charges + refunds + adjustments) > 0
   ORDER BY currency`;

/** An assistant's payouts ($3) per period ($4: a to_char format over UTC days) in [$1, $2), newest first. */
export const EARNINGS_SQL = `WITH ${SPAN},
  e AS (
    SELECT d.day, d.currency, d.payouts, d.paid_out FROM p JOIN ledger_assistant_daily d ON d.assistant_id = $3 AND d.day >= p.lo_day AND d.day < p.hi_day
    UNION ALL
    ${edges(`(x.created_at AT TIME ZONE 'UTC')::date, x.currency, 1, x.amount_cents`, 'ledger_entries', 'created_at', `x.assistant_id = $3 AND x.kind = 'payout'`)})
  SELECT to_char(day::timestamp, $4) AS period, currency::text AS currency, sum(paid_out) AS "totalCents", sum(payouts)::int AS payouts
    FROM e GROUP BY 1, 2 ORDER BY 1 DESC, 2`;

export async function summaryOrganizations(m: EntityManager, from: Date, to: Date): Promise<BillingSummaryRow[]> {
  return rowsOf<BillingSummaryRow>(await m.query(SUMMARY_ORGANIZATIONS_SQL, [from, to]));
}

export async function summaryDays(m: EntityManager, from: Date, to: Date): Promise<BillingSummaryDay[]> {
  return rowsOf<BillingSummaryDay>(await m.query(SUMMARY_DAYS_SQL, [from, to]));
}

export async function statementTotals(m: EntityManager, organizationId: string, from: Date, to: Date): Promise<StatementTotals[]> {
  return rowsOf<StatementTotals>(await m.query(STATEMENT_TOTALS_SQL, [organizationId, from, to]));
}

export async function earningsPeriods(
  m: Pick<EntityManager, 'query'>,
  assistantId: string,
  q: { from?: string; to?: string; groupBy: 'month' | 'day' },
): Promise<Earnings['periods']> {
  const format = q.groupBy === 'day' ? 'YYYY-MM-DD' : 'YYYY-MM';
  return rowsOf<Earnings['periods'][number]>(await m.query(EARNINGS_SQL, [q.from ?? null, q.to ?? null, assistantId, format]));
}
