import { Readable } from 'node:stream';
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
  StatementDownloadQuery,
  StatementQuery,
} from '@handoff/contracts';
import type { DataSource, EntityManager } from 'typeorm';
import type { AuthUser } from '../common/auth/auth-user.js';
import { UnprocessableRule } from '../common/http/errors.js';
import { decodeCursor, toPage } from '../common/http/pagination.js';
import { UnitOfWork } from '../events/unit-of-work.js';
import { TasksRepository } from '../tasks/tasks.repository.js';
import { OrganizationsRepository } from '../users/organizations.repository.js';
import { entryCsv } from './csv.js';
import { statementPdf } from './statement-pdf.js';
import { toEntryView } from './ledger-entry.view.js';
import { LedgerRepository, type LedgerFilter } from './ledger.repository.js';

const EXPORT_BATCH = 1000;
/** Longest period whose chart gets a point for every day, empty days included. */
const FILL_DAYS_MAX = 400;
const DAY_MS = 86_400_000;

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

@Injectable()
export class BillingService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly ledger: LedgerRepository,
    private readonly tasks: TasksRepository,
    private readonly organizations: OrganizationsRepository,
    private readonly uow: UnitOfWork,
  ) {}

  /** What a caller may read, narrowed by its filters. Clients see their organization's side, assistants their payouts. */
  private scope(user: AuthUser, q: BillingExportQuery): LedgerFilter {
    const f: LedgerFilter = { organizationIds: [], assistantIds: [], kinds: [], from: q.from, to: q.to };
    if (user.role === 'client') {
      // Asked for something outside what it may see: an empty answer, not someone else's rows.
      if (!user.organizationId || (q.organizationId && q.organizationId !== user.organizationId)) f.nothing = true;
      if (q.kind === 'payout') f.nothing = true;
      f.organizationIds!.push(user.organizationId);
      f.notKind = 'payout';
    } else if (user.role === 'assistant') {
      if (q.assistantId && q.assistantId !== user.id) f.nothing = true;
      if (q.kind && q.kind !== 'payout') f.nothing = true;
      f.assistantIds!.push(user.id);
      f.kinds!.push('payout');
    }
    if (q.organizationId) f.organizationIds!.push(q.organizationId);
    if (q.assistantId) f.assistantIds!.push(q.assistantId);
    if (q.kind) f.kinds!.push(q.kind);
    return f;
  }

  async entries(user: AuthUser, q: BillingEntriesQuery): Promise<Page<LedgerEntryView>> {
    const filter = this.scope(user, q);
    if (filter.nothing) return { items: [], nextCursor: null };
    const rows = await this.ledger.page(filter, decodeCursor(q.cursor), q.limit);
    return toPage(rows, q.limit, toEntryView, (r) => ({ at: r.cursorAt, id: r.id }));
  }

  async summary(q: BillingPeriodQuery): Promise<BillingSummary> {
    const { from, to } = resolvePeriod(q);
    // One snapshot for the table, the totals and the chart, so they agree with each other.
    return this.ds.transaction('REPEATABLE READ', async (m) => {
      // Whole days from the daily rollup, the partial edge days from the entries.
      const orgs = await this.ledger.summaryRows(m, from, to);
      const days = await this.ledger.days(m, from, to);
      return { from: from.toISOString(), to: to.toISOString(), organizations: orgs, totals: totalsOf(orgs), days: fillDays(days, from, to) };
    });
  }

  /**
   * The filtered entries as CSV, read through a server-side cursor a batch
   * at a time (each FETCH its own statement, under the statement timeout)
   * only as fast as the client reads, so memory stays flat however many
   * entries match. Resolves once the cursor is open, so a database error can
   * still become a proper error answer.
   */
  async exportCsv(user: AuthUser, q: BillingExportQuery): Promise<Readable> {
    const batches = this.ledger.exportBatches(this.scope(user, q), EXPORT_BATCH);
    await batches.next();
    const rows = Readable.from(
      (async function* () {
        for await (const batch of batches) yield* batch;
      })(),
    );
    // A client that hangs up, even before the first row is read, ends the cursor and gives its connection back.
    rows.once('close', () => void batches.return(undefined));
    return entryCsv(rows);
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
      const task = await this.tasks.title(body.taskId, tx);
      if (!task) throw new NotFoundException('taskId: task not found');
      const state = await this.ledger.lockCharge(tx, body.taskId);
      if (!state) throw new UnprocessableRule('taskId: the task was never charged (it has not come back on time), so there is nothing to correct');
      const { charge, refunded, adjusted } = state;
      const bill = charge.amountCents - refunded + adjusted;
      if (body.kind === 'refund') {
        if (body.amountCents <= 0) throw new BadRequestException('amountCents must be positive for a refund');
        if (body.amountCents > bill) throw new UnprocessableRule(`amountCents ${body.amountCents} exceeds what is left to refund: ${bill} ${billParts(charge.amountCents, refunded, adjusted)}`);
      } else if (bill + body.amountCents < 0) {
        // A credit may take the task's bill to zero, not below: money back beyond the bill is not a correction.
        throw new UnprocessableRule(`amountCents ${body.amountCents} would take the task's bill below zero: it is ${bill} ${billParts(charge.amountCents, refunded, adjusted)}`);
      }
      const entry = await this.ledger.insertCorrection(tx, {
        taskId: body.taskId,
        organizationId: charge.organizationId,
        assistantId: charge.assistantId,
        kind: body.kind,
        amountCents: body.amountCents,
        currency: charge.currency,
        createdBy: admin.id,
        reason: body.reason,
      });
      return toEntryView({ ...entry, taskTitle: task.title });
    };
    // Inside a caller's unit of work (an idempotent correction), or a unit of its own.
    return m ? work(m) : this.uow.transaction(work);
  }

  /** The organization a statement is of: a client's own (another is not found), the one an admin names. */
  private statementOrganization(user: AuthUser, q: { organizationId?: string }): string {
    if (user.role === 'client') {
      if (!user.organizationId || (q.organizationId && q.organizationId !== user.organizationId)) throw new NotFoundException('organization not found');
      return user.organizationId;
    }
    if (!q.organizationId) throw new BadRequestException('organizationId is required');
    return q.organizationId;
  }

  /**
   * A whole month's statement as a file, its lines read through the export's
   * cursor a batch at a time as the client reads: CSV in the export's
   * columns, or a PDF. Resolves once the cursor is open, so a refusal or a
   * database error is still an error answer, not a cut-off file.
   */
  async statementFile(user: AuthUser, q: StatementDownloadQuery, format: 'csv' | 'pdf'): Promise<{ body: Readable; filename: string }> {
    const organizationId = this.statementOrganization(user, q);
    const month = q.month ?? currentMonthKey();
    const { from, to } = monthBounds(month);
    const org = await this.organizations.byId(organizationId);
    if (!org) throw new NotFoundException('organization not found');
    const currencies = format === 'pdf' ? (await this.ledger.statementTotals(this.ds.manager, organizationId, from, to)).map((t) => t.currency) : [];
    const batches = this.ledger.exportBatches({ organizationIds: [organizationId], notKind: 'payout', from: from.toISOString(), to: to.toISOString() }, EXPORT_BATCH);
    await batches.next();
    const body =
      format === 'pdf'
        ? statementPdf({ organizationName: org.name, month, from, to, currencies }, batches)
        : entryCsv(
            Readable.from(
              (async function* () {
                for await (const batch of batches) yield* batch;
              })(),
            ),
          );
    // A client that hangs up ends the cursor and gives its connection back.
    body.once('close', () => void batches.return(undefined));
    return { body, filename: `handoff-statement-${month}.${format}` };
  }

  async statement(user: AuthUser, q: StatementQuery): Promise<Statement> {
    const organizationId = this.statementOrganization(user, q);
    const month = q.month ?? currentMonthKey();
    const { from, to } = monthBounds(month);
    const cursor = decodeCursor(q.cursor);
    return this.ds.transaction('REPEATABLE READ', async (m) => {
      const org = await this.organizations.byId(organizationId, m);
      if (!org) throw new NotFoundException('organization not found');
      // Totals from the daily rollup; the lines a page at a time, oldest first.
      const totals = await this.ledger.statementTotals(m, organizationId, from, to);
      const lines = await this.ledger.statementLines(m, organizationId, from, to, cursor, q.limit + 1);
      const page = toPage(lines, q.limit, toEntryView, (r) => ({ at: r.cursorAt, id: r.id }));
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
    const periods = await this.ledger.earningsPeriods(assistantId, q.groupBy, q.from, q.to);
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
