import { PassThrough, type Readable } from 'node:stream';
import { formatMoney } from '@handoff/contracts';
import PDFDocument from 'pdfkit';
import type { CsvEntryRow } from './csv.js';

/** What heads the statement. */
export interface StatementHead {
  organizationName: string;
  month: string;
  from: Date;
  to: Date;
  /** The month's currencies, known before its lines are read. */
  currencies: string[];
}

/** A currency's totals, summed from the very lines the document shows. */
export interface StatementPdfTotals {
  currency: string;
  chargedCents: number;
  refundedCents: number;
  adjustedCents: number;
  netCents: number;
}

const KIND_LABEL: Record<string, string> = { charge: 'Charge', refund: 'Refund', adjustment: 'Adjustment' };
const MARGIN = 50;
const COLUMNS = { date: MARGIN, task: MARGIN + 75, kind: MARGIN + 345, amount: MARGIN + 415 };
const AMOUNT_WIDTH = 80;
const ROW = 16;
/** How much finished PDF may wait for a slow reader before the lines stop being read. */
const BUFFERED_MAX = 256 * 1024;

/** Money as the statement shows it: a refund takes money off, so it reads negative. */
export const signedCents = (kind: string, cents: number) => (kind === 'refund' ? -cents : cents);
export const money = (cents: number, currency: string) => formatMoney(cents, currency, 'en-US');

/**
 * A month's statement as a PDF, written as its lines arrive: each finished
 * page goes out before the next is read, and reading waits while the reader
 * lags, so memory holds a page or so however long the month. The totals are
 * summed from the same lines, so the document always agrees with itself.
 */
export function statementPdf(head: StatementHead, batches: AsyncIterable<CsvEntryRow[]>): Readable {
  const doc = new PDFDocument({ size: 'A4', margin: MARGIN, info: { Title: `Statement ${head.month}: ${head.organizationName}`, Author: 'Handoff' } });
  const out = new PassThrough();
  doc.pipe(out);
  const bottom = () => doc.page.height - MARGIN - ROW;
  let y = 0;

  const tableHead = () => {
    doc.font('Helvetica-Bold').fontSize(9);
    row('Date (UTC)', 'Task', 'Kind', 'Amount');
    doc.font('Helvetica').fontSize(9);
  };
  const row = (date: string, task: string, kind: string, amount: string) => {
    doc.text(date, COLUMNS.date, y, { lineBreak: false });
    doc.text(task, COLUMNS.task, y, { width: COLUMNS.kind - COLUMNS.task - 10, height: ROW, ellipsis: true, lineBreak: false });
    doc.text(kind, COLUMNS.kind, y, { lineBreak: false });
    doc.text(amount, COLUMNS.amount, y, { width: AMOUNT_WIDTH, align: 'right', lineBreak: false });
    y += ROW;
  };
  const room = () => {
    if (y <= bottom()) return;
    doc.addPage();
    y = MARGIN;
    tableHead();
  };

  const write = async () => {
    doc.font('Helvetica-Bold').fontSize(16).text('Statement', MARGIN, MARGIN);
    doc.font('Helvetica').fontSize(10);
    doc.text(`Organization: ${head.organizationName}`);
    doc.text(`Period: ${head.month} (${head.from.toISOString().slice(0, 10)} to ${new Date(head.to.getTime() - 1).toISOString().slice(0, 10)}, UTC)`);
    doc.text(`Currency: ${head.currencies.length ? head.currencies.join(', ') : 'none billed'}`);
    doc.moveDown(1.5);
    y = doc.y;
    tableHead();

    const totals = new Map<string, StatementPdfTotals>();
    let lines = 0;
    for await (const batch of batches) {
      for (const r of batch) {
        const currency = r.currency.trim();
        const t = totals.get(currency) ?? { currency, chargedCents: 0, refundedCents: 0, adjustedCents: 0, netCents: 0 };
        if (r.kind === 'charge') t.chargedCents += r.amount_cents;
        else if (r.kind === 'refund') t.refundedCents += r.amount_cents;
        else t.adjustedCents += r.amount_cents;
        t.netCents += signedCents(r.kind, r.amount_cents);
        totals.set(currency, t);
        room();
        row(r.created_at.toISOString().slice(0, 16).replace('T', ' '), r.task_title, KIND_LABEL[r.kind] ?? r.kind, money(signedCents(r.kind, r.amount_cents), currency));
        lines++;
      }
      while (out.readableLength + doc.readableLength > BUFFERED_MAX && !out.destroyed) await new Promise((resolve) => out.once('drain', resolve).once('close', resolve));
    }
    if (lines === 0) {
      room();
      row('', 'No charges, refunds or adjustments this month.', '', '');
    }

    const all = [...totals.values()].sort((a, b) => a.currency.localeCompare(b.currency));
    y += ROW / 2;
    for (const t of all) {
      for (const [label, cents] of [
        ['Charges', t.chargedCents],
        ['Refunds', -t.refundedCents],
        ['Adjustments', t.adjustedCents],
        [`Net (${t.currency})`, t.netCents],
      ] as const) {
        room();
        doc.font(label.startsWith('Net') ? 'Helvetica-Bold' : 'Helvetica').fontSize(10);
        doc.text(label, COLUMNS.kind - 60, y, { width: 120, lineBreak: false });
        doc.text(money(cents, t.currency), COLUMNS.amount, y, { width: AMOUNT_WIDTH, align: 'right', lineBreak: false });
        y += ROW;
      }
      y += ROW / 2;
    }
    doc.end();
  };

  write().catch((e: unknown) => out.destroy(e instanceof Error ? e : new Error(String(e))));
  return out;
}
