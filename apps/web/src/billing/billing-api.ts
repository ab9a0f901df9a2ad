import type {
  AdjustmentBody,
  BillingSummary,
  Earnings,
  LedgerEntryView,
  LedgerKind,
  Page,
  Statement,
} from '@handoff/contracts';
import { ApiError, fetchWithAuth, newIdempotencyKey, request } from '../api/http';

export interface EntryFilters {
  organizationId?: string;
  assistantId?: string;
  kind?: LedgerKind;
  /** ISO instants, [from, to) */
  from?: string;
  to?: string;
}

// Every billing query lives under ['billing', ...]: the live layer invalidates that prefix on `billing.recorded`.
export const billingKeys = {
  all: ['billing'] as const,
  entries: (filters: EntryFilters | 'mine') => ['billing', 'entries', filters] as const,
  summary: (from: string, to: string) => ['billing', 'summary', from, to] as const,
  statement: (month: string) => ['billing', 'statement', month] as const,
  earnings: (groupBy: 'month' | 'day') => ['billing', 'earnings', groupBy] as const,
};

export const billingApi = {
  entries: (filters: EntryFilters, cursor?: string, limit = 50) =>
    request<Page<LedgerEntryView>>('/billing/entries', { query: { ...filters, cursor, limit } }),
  summary: (from: string, to: string) => request<BillingSummary>('/billing/summary', { query: { from, to } }),
  statement: (month: string, cursor?: string) => request<Statement>('/billing/statement', { query: { month, cursor } }),
  earnings: (groupBy: 'month' | 'day') => request<Earnings>('/billing/earnings', { query: { groupBy } }),
  /** One key per submitted form: a retried click records the correction once. */
  adjust: (body: AdjustmentBody, idempotencyKey = newIdempotencyKey()) =>
    request<LedgerEntryView>('/billing/adjustments', { method: 'POST', body, idempotencyKey }),
};

export function exportUrl(filters: EntryFilters): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v) params.set(k, String(v));
  const qs = params.toString();
  return `/api/billing/export.csv${qs ? `?${qs}` : ''}`;
}

/**
 * A plain link can't carry the bearer token, so the file is fetched with it
 * and handed to the browser as a download.
 */
export async function downloadExport(filters: EntryFilters, doc: Document = document): Promise<string> {
  return downloadFile(exportUrl(filters), 'handoff-billing.csv', doc);
}

/** The organization's statement of a month as a file: CSV for a spreadsheet, PDF to file or forward. */
export async function downloadStatement(month: string, format: 'csv' | 'pdf', doc: Document = document): Promise<string> {
  return downloadFile(`/api/billing/statement.${format}?month=${encodeURIComponent(month)}`, `handoff-statement-${month}.${format}`, doc);
}

async function downloadFile(url: string, fallbackName: string, doc: Document): Promise<string> {
  const res = await fetchWithAuth(url);
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { message?: string } | null;
    throw new ApiError(res.status, body, `Download failed (${res.status}).`);
  }
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? fallbackName;
  const blob = await res.blob();
  const href = URL.createObjectURL(blob);
  const a = doc.createElement('a');
  a.href = href;
  a.download = name;
  doc.body.appendChild(a);
  a.click();
  a.remove();
  // Give the browser a moment to start the download before the blob goes away.
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
  return name;
}

/** First day of a UTC month and of the next: the half-open period the API speaks. */
export function monthPeriod(month: string): { from: string; to: string } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return { from: new Date(Date.UTC(y, m - 1, 1)).toISOString(), to: new Date(Date.UTC(y, m, 1)).toISOString() };
}

export function currentMonth(now = new Date()): string {
  return `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** The last `count` months, newest first, as YYYY-MM (UTC). */
export function recentMonths(count: number, now = new Date()): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - i, 1));
    out.push(`${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`);
  }
  return out;
}
