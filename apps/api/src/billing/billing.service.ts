import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type {
  AdjustmentBody,
  BillingEntriesQuery,
  BillingExportQuery,
  BillingPeriodQuery,
  BillingSummary,
  BillingSummaryDay,
  BillingSummaryRow,
  BillingSummaryTotals,
  Earnings,
  EarningsQuery,
  LedgerEntryView,
  Page,
  Statement,
  StatementQuery,
} from '@handoff/contracts';
import type { DataSource, EntityManager } from 'typeorm';
import type { AuthUser } from '../common/auth/auth-user.js';
import { UnprocessableRule } from '../common/http/errors.js';
import { cursorColumn, decodeCursor, toPage } from '../common/http/pagination.js';
import { rowsOf } from '../database/sql.js';
import { OutboxRelay, toEntryView } from '../dispatch/outbox.relay.js';
import { csvLine, ENTRY_CSV_HEADER, type CsvEntryRow } from './csv.js';
import { earningsPeriods, statementTotals, summaryDays, summaryOrganizations } from './ledger-rollup.js';

type LedgerRow = Parameters<typeof toEntryView>[0];

const EXPORT_BATCH = 1000;
/** Longest period whose chart gets a point for every day, empty days included. */
const FILL_DAYS_MAX = 400;
const DAY_MS = 86_400_000;

/** Builds `$n` placeholders as values are added, so filters compose without counting by hand. */
class Params {
  readonly values: unknown[] = [];
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

export function monthBounds(month: string): { from: Date; to: Date } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return { from: new Date(Date.UTC(y, m - 1, 1)), to: new Date(Date.UTC(y, m, 1)) };
}

function currentMonthKey(now = new Date()): string {
  return `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** No bounds: this calendar month (UTC). Only `from`: up to now. Only `to`: from the start of `to`'s month. */
function resolvePeriod(q: { from?: string; to?: string }, now = new Date()): { from: Date; to: Date } {
  if (!q.from && !q.to) return monthBounds(currentMonthKey(now));
  if (q.from && q.to) return { from: new Date(q.from), to: new Date(q.to) };
  if (q.from) {
    const from = new Date(q.from);
    return { from, to: now > from ? now : from };
  }
  const to = new Date(q.to!);
  return { from: monthBounds(currentMonthKey(to)).from, to };
}

interface Scope {
  where: string[];
  params: Params;
  /** The caller asked for something outside what it may see: answer an empty page, not someone else's rows. */
  nothing: boolean;
}

@Injectable()
export class BillingService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly outbox: OutboxRelay,
  ) {}

  /** What a caller may read, narrowed by its filters. Clients see their organization's side, assistants their payouts. */
  private scope(user: AuthUser, q: BillingExportQuery): Scope {
    const params = new Params();
    const where: string[] = [];
    let nothing = false;
    if (user.role === 'client') {
      if (!user.organizationId || (q.organizationId && q.organizationId !== user.organizationId)) nothing = true;
      if (q.kind === 'payout') nothing = true;
      where.push(`l.organization_id = ${params.add(user.organizationId)}`, `l.kind <> 'payout'`);
    } else if (user.role === 'assistant') {
      if (q.assistantId && q.assistantId !== user.id) nothing = true;
      if (q.kind && q.kind !== 'payout') nothing = true;
      where.push(`l.assistant_id = ${params.add(user.id)}`, `l.kind = 'payout'`);
    }
    if (q.organizationId) where.push(`l.organization_id = ${params.add(q.organizationId)}`);
    if (q.assistantId) where.push(`l.assistant_id = ${params.add(q.assistantId)}`);
    if (q.kind) where.push(`l.kind = ${params.add(q.kind)}::ledger_kind`);
    if (q.from) where.push(`l.created_at >= ${params.add(q.from)}::timestamptz`);
    if (q.to) where.push(`l.created_at < ${params.add(q.to)}::timestamptz`);
    return { where, params, nothing };
  }

  async entries(user: AuthUser, q: BillingEntriesQuery): Promise<Page<LedgerEntryView>> {
    const cursor = decodeCursor(q.cursor);
    const { where, params, nothing } = this.scope(user, q);
    if (nothing) return { items: [], nextCursor: null };
    if (cursor) where.push(`(l.created_at, l.id) < (${params.add(cursor.at)}::timestamptz, ${params.add(cursor.id)}::uuid)`);
    const rows: (LedgerRow & { cursor_at: string })[] = await this.ds.query(
      `SELECT l.*, t.title AS task_title, ${cursorColumn('l')} FROM ledger_entries l JOIN tasks t ON t.id = l.task_id
        ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
        ORDER BY l.created_at DESC, l.id DESC LIMIT ${params.add(q.limit + 1)}`,
      params.values,
    );
    return toPage(rows, q.limit, toEntryView, (r) => ({ at: r.cursor_at, id: r.id }));
  }

  async summary(q: BillingPeriodQuery): Promise<BillingSummary> {
    const { from, to } = resolvePeriod(q);
    // One snapshot for the table, the totals and the chart, so they agree with each other.
    return this.ds.transaction('REPEATABLE READ', async (m) => {
      // Whole days from the daily rollup, the partial edge days from the entries.
      const orgs = await summaryOrganizations(m, from, to);
      const days = await summaryDays(m, from, to);
      return { from: from.toISOString(), to: to.toISOString(), organizations: orgs, totals: totalsOf(orgs), days: fillDays(days, from, to) };
    });
  }

  /**
   * The filtered entries as CSV lines, read through a server-side cursor a
   * batch at a time: the generator is pulled only as fast as the client reads,
   * so memory stays flat however many entries match. The first value (the
   * header) comes only once the cursor is open, so a database error can still
   * become a proper error answer.
   */
  async *exportCsv(user: AuthUser, q: BillingExportQuery): AsyncGenerator<string> {
    const { where, params, nothing } = this.scope(user, q);
    if (nothing) where.push('false');
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
             ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
            ORDER BY l.created_at, l.id`,
        params.values,
      );
      yield ENTRY_CSV_HEADER;
      for (;;) {
        const rows = rowsOf<CsvEntryRow>(await runner.query(`FETCH ${EXPORT_BATCH} FROM billing_export`));
        if (!rows.length) break;
        let chunk = '';
        for (const r of rows) chunk += csvLine(r);
        yield chunk;
        if (rows.length < EXPORT_BATCH) break;
      }
      await runner.query('COMMIT');
      open = false;
    } finally {
      // A client that hangs up mid-download lands here too: give the connection back clean.
      if (open) await runner.query('ROLLBACK').catch(() => undefined);
      await runner.release();
    }
  }

  /**
   * A refund or adjustment, under one rule: the task's bill (charge − refunds
   * + adjustments) never goes below zero, so refunds never exceed the charge
   * plus what positive adjustments added. The charge row is locked for the
   * rest of the transaction, so concurrent corrections of one task take turns
   * and each sees the ones before it. The database holds the same rule
   * (`ledger_correction_bounds`) for any writer that skips this method.
   */
  async adjust(admin: AuthUser, body: AdjustmentBody, m?: EntityManager): Promise<LedgerEntryView> {
    const work = async (tx: EntityManager) => {
      const [task] = rowsOf<{ id: string; title: string }>(await tx.query(`SELECT id, title FROM tasks WHERE id = $1`, [body.taskId]));
      if (!task) throw new NotFoundException('taskId: task not found');
      const [charge] = rowsOf<{ id: string; amount_cents: number; organization_id: string; assistant_id: string | null; currency: string }>(
        await tx.query(
          `SELECT id, amount_cents, organization_id, assistant_id, currency FROM ledger_entries WHERE task_id = $1 AND kind = 'charge' FOR UPDATE`,
          [body.taskId],
        ),
      );
      if (!charge) throw new UnprocessableRule('taskId: the task was never charged (it has not come back on time), so there is nothing to correct');
      const [sums] = rowsOf<{ refunded: number; adjusted: number }>(
        await tx.query(
          `SELECT coalesce(sum(amount_cents) FILTER (WHERE kind = 'refund'), 0) AS refunded,
                  coalesce(sum(amount_cents) FILTER (WHERE kind = 'adjustment'), 0) AS adjusted
             FROM ledger_entries WHERE task_id = $1 AND kind IN ('refund', 'adjustment')`,
          [body.taskId],
        ),
      );
      const refunded = sums?.refunded ?? 0;
      const adjusted = sums?.adjusted ?? 0;
      const bill = charge.amount_cents - refunded + adjusted;
      if (body.kind === 'refund') {
        if (body.amountCents <= 0) throw new BadRequestException('amountCents must be positive for a refund');
        if (body.amountCents > bill) throw new UnprocessableRule(`amountCents ${body.amountCents} exceeds what is left to refund: ${bill} ${billParts(charge.amount_cents, refunded, adjusted)}`);
      } else if (bill + body.amountCents < 0) {
        // A credit may take the task's bill to zero, not below: money back beyond the bill is not a correction.
        throw new UnprocessableRule(`amountCents ${body.amountCents} would take the task's bill below zero: it is ${bill} ${billParts(charge.amount_cents, refunded, adjusted)}`);
      }
      const [row] = rowsOf<LedgerRow>(
        await tx.query(
          `WITH e AS (
             INSERT INTO ledger_entries (task_id, organization_id, assistant_id, kind, amount_cents, currency, created_by, reason)
             VALUES ($1, $2, $3, $4::ledger_kind, $5, $6, $7, $8) RETURNING *),
           ob AS (INSERT INTO outbox (topic, payload) SELECT 'billing', jsonb_build_object('entryId', id) FROM e)
           SELECT * FROM e`,
          [body.taskId, charge.organization_id, charge.assistant_id, body.kind, body.amountCents, charge.currency, admin.id, body.reason],
        ),
      );
      return toEntryView({ ...row!, task_title: task.title });
    };
    const entry = m ? await work(m) : await this.ds.transaction(work);
    if (!m) this.outbox.kick();
    return entry;
  }

  /** Relay what a caller-owned transaction committed. */
  afterCommit(): void {
    this.outbox.kick();
  }

  async statement(user: AuthUser, q: StatementQuery): Promise<Statement> {
    let organizationId: string;
    if (user.role === 'client') {
      if (!user.organizationId || (q.organizationId && q.organizationId !== user.organizationId)) throw new NotFoundException('organization not found');
      organizationId = user.organizationId;
    } else {
      if (!q.organizationId) throw new BadRequestException('organizationId is required');
      organizationId = q.organizationId;
    }
    const month = q.month ?? currentMonthKey();
    const { from, to } = monthBounds(month);
    const cursor = decodeCursor(q.cursor);
    return this.ds.transaction('REPEATABLE READ', async (m) => {
      const [org] = rowsOf<{ name: string }>(await m.query(`SELECT name FROM organizations WHERE id = $1`, [organizationId]));
      if (!org) throw new NotFoundException('organization not found');
      // Totals from the daily rollup; the lines a page at a time, oldest first.
      const totals = await statementTotals(m, organizationId, from, to);
      const lines = rowsOf<LedgerRow & { cursor_at: string }>(
        await m.query(
          `SELECT l.*, t.title AS task_title, ${cursorColumn('l')} FROM ledger_entries l JOIN tasks t ON t.id = l.task_id
            WHERE l.organization_id = $1 AND l.kind <> 'payout' AND l.created_at >= $2 AND l.created_at < $3
              ${cursor ? 'AND (l.created_at, l.id) > ($5::timestamptz, $6::uuid)' : ''}
            ORDER BY l.created_at, l.id LIMIT $4`,
          [organizationId, from, to, q.limit + 1, ...(cursor ? [cursor.at, cursor.id] : [])],
        ),
      );
      const page = toPage(lines, q.limit, toEntryView, (r) => ({ at: r.cursor_at, id: r.id }));
      return { organizationId, organizationName: org.name, month, from: from.toISOString(), to: to.toISOString(), lines: page.items, nextCursor: page.nextCursor, totals };
    });
  }

  async earnings(user: AuthUser, q: EarningsQuery): Promise<Earnings> {
    let assistantId: string;
    if (user.role === 'assistant') {
      if (q.assistantId && q.assistantId !== user.id) throw new NotFoundException('assistant not found');
      assistantId = user.id;
    } else {
      if (!q.assistantId) throw new BadRequestException('assistantId is required');
      assistantId = q.assistantId;
    }
    const periods = await earningsPeriods(this.ds, assistantId, q);
    const totals = new Map<string, Earnings['totals'][number]>();
    for (const p of periods) {
      const t = totals.get(p.currency) ?? { currency: p.currency, totalCents: 0, payouts: 0 };
      t.totalCents += p.totalCents;
      t.payouts += p.payouts;
      totals.set(p.currency, t);
    }
    return { assistantId, from: q.from ?? null, to: q.to ?? null, groupBy: q.groupBy, periods, totals: [...totals.values()] };
  }
}

/** "(charged 951, refunded 0, adjusted -951)": what a refused correction was measured against. */
function billParts(charged: number, refunded: number, adjusted: number): string {
  return `(charged ${charged}, refunded ${refunded}, adjusted ${adjusted})`;
}

function totalsOf(rows: BillingSummaryRow[]): BillingSummaryTotals[] {
  const byCurrency = new Map<string, BillingSummaryTotals>();
  for (const r of rows) {
    const t = byCurrency.get(r.currency) ?? {
      currency: r.currency,
      tasksBilled: 0,
      chargedCents: 0,
      paidOutCents: 0,
      feeCents: 0,
      refundedCents: 0,
      adjustedCents: 0,
      lateTasks: 0,
    };
    t.tasksBilled += r.tasksBilled;
    t.chargedCents += r.chargedCents;
    t.paidOutCents += r.paidOutCents;
    t.feeCents += r.feeCents;
    t.refundedCents += r.refundedCents;
    t.adjustedCents += r.adjustedCents;
    t.lateTasks += r.lateTasks;
    byCurrency.set(r.currency, t);
  }
  return [...byCurrency.values()];
}

/** A point for every day of a short period, so the chart shows quiet days as zero rather than skipping them. */
function fillDays(days: BillingSummaryDay[], from: Date, to: Date): BillingSummaryDay[] {
  const span = (to.getTime() - from.getTime()) / DAY_MS;
  const currencies = [...new Set(days.map((d) => d.currency))];
  if (span > FILL_DAYS_MAX || currencies.length === 0) return days;
  const have = new Map(days.map((d) => [`${d.day}|${d.currency}`, d]));
  const out: BillingSummaryDay[] = [];
  const start = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate());
  for (let t = start; t < to.getTime(); t += DAY_MS) {
    const day = new Date(t).toISOString().slice(0, 10);
    for (const currency of currencies) out.push(have.get(`${day}|${currency}`) ?? { day, currency, chargedCents: 0, paidOutCents: 0 });
  }
  return out;
}
