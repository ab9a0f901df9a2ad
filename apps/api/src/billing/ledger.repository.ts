import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { BillingSummaryDay, BillingSummaryRow, Earnings, LedgerKind, StatementTotals } from '@handoff/contracts';
import type { DataSource, EntityManager } from 'typeorm';
import { cursorColumn, type Cursor } from '../common/http/pagination.js';
import { rowMapper } from '../database/rows.js';
import { query, rowsOf, type Queryable } from '../database/sql.js';
import { ledgerRecordedEvents, type Placeholder } from '../events/outbox.repository.js';
import type { CsvEntryRow } from './csv.js';
import { earningsPeriods, statementTotals, summaryDays, summaryOrganizations } from './ledger-rollups.repository.js';
import { LedgerEntry, type LedgerEntryWithTitle } from './ledger-entry.entity.js';

export const toLedgerEntry = rowMapper<LedgerEntry, Pick<LedgerEntryWithTitle, 'taskTitle'>>(LedgerEntry, { task_title: 'taskTitle' });

/**
 * Billing's step of a return, composed into the return's one statement (the
 * tasks repository's move): for each row of the CTE `t` that came back on
 * time, a charge of its price and a payout of the price less the fee at the
 * rate in `feeBps`, each task at most once (the unique indexes), and the
 * `ledger.recorded` event of each entry written. `at`: the moment of a move in the past.
 */
export function returnLedgerSql(feeBps: Placeholder, at: Placeholder | null): string {
  const stamped = at ? ', created_at' : '';
  const stamp = at ? `, ${at}::timestamptz` : '';
  return `
      charge AS (
        INSERT INTO ledger_entries (task_id, organization_id, assistant_id, kind, amount_cents, currency${stamped})
        SELECT id, organization_id, assignee_id, 'charge', price_cents, currency${stamp} FROM t WHERE on_time
        ON CONFLICT DO NOTHING RETURNING id),
      payout AS (
        INSERT INTO ledger_entries (task_id, organization_id, assistant_id, kind, amount_cents, currency${stamped})
        SELECT id, organization_id, assignee_id, 'payout', price_cents - handoff_bps_of(price_cents, ${feeBps}::int), currency${stamp}
          FROM t WHERE on_time
        ON CONFLICT DO NOTHING RETURNING id),
      billed AS (${ledgerRecordedEvents(['charge', 'payout'])})`;
}

/** Which entries a read covers. Every id listed must match (a client's own organization and the one it asked for). */
export interface LedgerFilter {
  organizationIds?: (string | null)[];
  assistantIds?: string[];
  kinds?: LedgerKind[];
  notKind?: LedgerKind;
  from?: string;
  to?: string;
  /** Matches nothing: the caller asked for what it may not see. */
  nothing?: boolean;
}

/** Builds `$n` placeholders as values are added, so filters compose without counting by hand. */
class Params {
  readonly values: unknown[] = [];
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

function whereOf(f: LedgerFilter, params: Params): string[] {
  const where: string[] = [];
  if (f.nothing) where.push('false');
  for (const id of f.organizationIds ?? []) where.push(`l.organization_id = ${params.add(id)}`);
  for (const id of f.assistantIds ?? []) where.push(`l.assistant_id = ${params.add(id)}`);
  for (const kind of f.kinds ?? []) where.push(`l.kind = ${params.add(kind)}::ledger_kind`);
  if (f.notKind) where.push(`l.kind <> ${params.add(f.notKind)}::ledger_kind`);
  if (f.from) where.push(`l.created_at >= ${params.add(f.from)}::timestamptz`);
  if (f.to) where.push(`l.created_at < ${params.add(f.to)}::timestamptz`);
  return where;
}

const whereSql = (where: string[]) => (where.length ? 'WHERE ' + where.join(' AND ') : '');

/** A task's charge and what corrections have done to its bill so far. */
export interface ChargeState {
  charge: Pick<LedgerEntry, 'id' | 'amountCents' | 'organizationId' | 'assistantId' | 'currency'>;
  refunded: number;
  adjusted: number;
}

/** ledger_entries: append-only money. Charges and payouts are written by the return's statement (TasksRepository). */
@Injectable()
export class LedgerRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** Newest first, paged on (created_at, id). */
  async page(f: LedgerFilter, cursor: Cursor | null, limit: number): Promise<(LedgerEntryWithTitle & { cursorAt: string })[]> {
    const params = new Params();
    const where = whereOf(f, params);
    if (cursor) where.push(`(l.created_at, l.id) < (${params.add(cursor.at)}::timestamptz, ${params.add(cursor.id)}::uuid)`);
    const rows = rowsOf<Record<string, unknown>>(
      await this.ds.query(
        `SELECT l.*, t.title AS task_title, ${cursorColumn('l')} FROM ledger_entries l JOIN tasks t ON t.id = l.task_id
          ${whereSql(where)}
          ORDER BY l.created_at DESC, l.id DESC LIMIT ${params.add(limit + 1)}`,
        params.values,
      ),
    );
    return rows.map((r) => ({ ...toLedgerEntry(r), cursorAt: r.cursor_at as string }));
  }

  async byIds(ids: readonly string[], m: Queryable = this.ds): Promise<LedgerEntryWithTitle[]> {
    const rows = rowsOf<Record<string, unknown>>(
      await m.query(`SELECT l.*, t.title AS task_title FROM ledger_entries l JOIN tasks t ON t.id = l.task_id WHERE l.id = ANY($1::uuid[])`, [ids]),
    );
    return rows.map(toLedgerEntry);
  }

  /** Per organization and currency over [from, to): billed, paid out, corrected, and late returns left unbilled. */
  /** Per organization over [from, to): whole UTC days from the daily rollup, the partial edge days from the entries. */
  async summaryRows(m: EntityManager, from: Date, to: Date): Promise<BillingSummaryRow[]> {
    return summaryOrganizations(m, from, to);
  }

  /** Charged and paid out per UTC day and currency over [from, to), from the rollup and the edge days' entries. */
  async days(m: EntityManager, from: Date, to: Date): Promise<BillingSummaryDay[]> {
    return summaryDays(m, from, to);
  }


  /**
   * The filtered entries oldest first, a batch at a time, through a
   * server-side cursor in one read-only snapshot: pulled only as fast as the
   * consumer reads, so memory stays flat however many match. The first batch
   * comes only once the cursor is open, so a database error still comes first.
   */
  async *exportBatches(f: LedgerFilter, batch: number): AsyncGenerator<CsvEntryRow[]> {
    const params = new Params();
    const where = whereOf(f, params);
    const runner = this.ds.createQueryRunner();
    await runner.connect();
    let open = false;
    try {
      await runner.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      open = true;
      await runner.query(
        `DECLARE billing_export NO SCROLL CURSOR FOR
           SELECT l.id, l.created_at, l.kind, l.task_id, t.title AS task_title, l.organization_id, o.name AS organization_name, l.assistant_id,
                  a.name AS assistant_name, l.amount_cents, l.currency::text AS currency, l.created_by, l.reason
             FROM ledger_entries l JOIN tasks t ON t.id = l.task_id JOIN organizations o ON o.id = l.organization_id
             LEFT JOIN users a ON a.id = l.assistant_id
             ${whereSql(where)}
            ORDER BY l.created_at, l.id`,
        params.values,
      );
      yield [];
      for (;;) {
        const rows = rowsOf<CsvEntryRow>(await runner.query(`FETCH ${Number(batch)} FROM billing_export`));
        if (!rows.length) break;
        yield rows;
        if (rows.length < batch) break;
      }
      await runner.query('COMMIT');
      open = false;
    } finally {
      // A consumer that stops early (a client that hangs up mid-download) lands here too: give the connection back clean.
      if (open) await runner.query('ROLLBACK').catch(() => undefined);
      await runner.release();
    }
  }

  /** The task's charge, locked for the rest of the transaction (corrections of one task take turns), and its corrections so far. */
  async lockCharge(m: EntityManager, taskId: string): Promise<ChargeState | null> {
    const [charge] = rowsOf<Record<string, unknown>>(
      await m.query(`SELECT id, amount_cents, organization_id, assistant_id, currency FROM ledger_entries WHERE task_id = $1 AND kind = 'charge' FOR UPDATE`, [taskId]),
    );
    if (!charge) return null;
    const [sums] = rowsOf<{ refunded: number; adjusted: number }>(
      await m.query(
        `SELECT coalesce(sum(amount_cents) FILTER (WHERE kind = 'refund'), 0) AS refunded,
                coalesce(sum(amount_cents) FILTER (WHERE kind = 'adjustment'), 0) AS adjusted
           FROM ledger_entries WHERE task_id = $1 AND kind IN ('refund', 'adjustment')`,
        [taskId],
      ),
    );
    return { charge: toLedgerEntry(charge), refunded: sums?.refunded ?? 0, adjusted: sums?.adjusted ?? 0 };
  }

  /** A refund or adjustment, with its `ledger.recorded` event, in the caller's transaction. */
  async insertCorrection(
    m: EntityManager,
    e: Pick<LedgerEntry, 'taskId' | 'organizationId' | 'assistantId' | 'amountCents' | 'currency' | 'createdBy' | 'reason'> & { kind: 'refund' | 'adjustment' },
  ): Promise<LedgerEntry> {
    const [row] = rowsOf<Record<string, unknown>>(
      await m.query(
        `WITH e AS (
           INSERT INTO ledger_entries (task_id, organization_id, assistant_id, kind, amount_cents, currency, created_by, reason)
           VALUES ($1, $2, $3, $4::ledger_kind, $5, $6, $7, $8) RETURNING *),
         ob AS (${ledgerRecordedEvents(['e'])})
         SELECT * FROM e`,
        [e.taskId, e.organizationId, e.assistantId, e.kind, e.amountCents, e.currency, e.createdBy, e.reason],
      ),
    );
    return toLedgerEntry(row!);
  }

  /** A page of an organization's entries other than payouts over [from, to), oldest first, after `cursor`: its statement's lines. */
  async statementLines(m: EntityManager, organizationId: string, from: Date, to: Date, cursor: Cursor | null, limit: number): Promise<(LedgerEntryWithTitle & { cursorAt: string })[]> {
    const rows = rowsOf<Record<string, unknown> & { cursor_at: string }>(
      await m.query(
        `SELECT l.*, t.title AS task_title, ${cursorColumn('l')} FROM ledger_entries l JOIN tasks t ON t.id = l.task_id
          WHERE l.organization_id = $1 AND l.kind <> 'payout' AND l.created_at >= $2 AND l.created_at < $3
            ${cursor ? 'AND (l.created_at, l.id) > ($5::timestamptz, $6::uuid)' : ''}
          ORDER BY l.created_at, l.id LIMIT $4`,
        [organizationId, from, to, limit, ...(cursor ? [cursor.at, cursor.id] : [])],
      ),
    );
    return rows.map((r) => ({ ...toLedgerEntry(r), cursorAt: r.cursor_at }));
  }

  /** An organization's statement totals per currency over [from, to), from the rollup. */
  async statementTotals(m: EntityManager, organizationId: string, from: Date, to: Date): Promise<StatementTotals[]> {
    return statementTotals(m, organizationId, from, to);
  }


  /** An assistant's payouts per UTC day or month and currency, newest period first, from the assistant's daily rollup. */
  async earningsPeriods(assistantId: string, groupBy: 'day' | 'month', from?: string, to?: string): Promise<Earnings['periods']> {
    return earningsPeriods(this.ds, assistantId, { groupBy, from, to });
  }

  /**
   * What a template's tasks were billed this calendar month in a time zone
   * (from its first instant to `asOf`'s), per currency; payouts are the
   * assistants' side and not counted.
   */
  async templateSpendThisMonth(templateId: string, organizationId: string | null, timeZone: string, asOf: Date): Promise<TemplateSpendRow[]> {
    return query<TemplateSpendRow>(
      this.ds,
      `SELECT l.currency::text AS currency,
              coalesce(sum(l.amount_cents) FILTER (WHERE l.kind = 'charge'), 0)::int AS "chargedCents",
              coalesce(sum(l.amount_cents) FILTER (WHERE l.kind = 'refund'), 0)::int AS "refundedCents",
              coalesce(sum(l.amount_cents) FILTER (WHERE l.kind = 'adjustment'), 0)::int AS "adjustedCents"
         FROM ledger_entries l JOIN tasks t ON t.id = l.task_id
        WHERE t.template_id = $1 ${organizationId ? 'AND t.organization_id = $4 AND l.organization_id = $4' : ''} AND l.kind <> 'payout'
          AND l.created_at >= date_trunc('month', $3::timestamptz AT TIME ZONE $2) AT TIME ZONE $2
        GROUP BY l.currency ORDER BY l.currency`,
      [templateId, timeZone, asOf, ...(organizationId ? [organizationId] : [])],
    );
  }

  /** A template's net spend (charges − refunds + adjustments) per ISO week in a time zone and currency, over the `weeks` weeks up to `asOf`'s; weeks with none are left out. */
  async templateSpendWeeks(templateId: string, organizationId: string | null, timeZone: string, asOf: Date, weeks: number): Promise<{ week: string; currency: string; netCents: number }[]> {
    return query<{ week: string; currency: string; netCents: number }>(
      this.ds,
      `SELECT to_char(date_trunc('week', l.created_at AT TIME ZONE $2), 'YYYY-MM-DD') AS week, l.currency::text AS currency,
              sum(CASE l.kind WHEN 'refund' THEN -l.amount_cents ELSE l.amount_cents END)::int AS "netCents"
         FROM ledger_entries l JOIN tasks t ON t.id = l.task_id
        WHERE t.template_id = $1 ${organizationId ? 'AND t.organization_id = $5 AND l.organization_id = $5' : ''} AND l.kind <> 'payout'
          AND l.created_at >= (date_trunc('week', $3::timestamptz AT TIME ZONE $2) - ($4::int - 1) * interval '1 week') AT TIME ZONE $2
        GROUP BY 1, 2 ORDER BY 1, 2`,
      [templateId, timeZone, asOf, weeks, ...(organizationId ? [organizationId] : [])],
    );
  }
}

export interface TemplateSpendRow {
  currency: string;
  chargedCents: number;
  refundedCents: number;
  adjustedCents: number;
}
