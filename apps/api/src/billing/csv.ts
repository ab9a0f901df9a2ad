/** One exported entry, as the export's cursor returns it. */
export interface CsvEntryRow {
  id: string;
  created_at: Date;
  kind: string;
  task_id: string;
  organization_id: string;
  organization_name: string;
  assistant_id: string | null;
  assistant_name: string | null;
  amount_cents: number;
  currency: string;
  created_by: string | null;
  reason: string | null;
}

export const ENTRY_CSV_COLUMNS = [
  'id',
  'created_at',
  'kind',
  'task_id',
  'organization_id',
  'organization_name',
  'assistant_id',
  'assistant_name',
  'amount_cents',
  'amount',
  'currency',
  'created_by',
  'reason',
] as const;

// CRLF line ends, as RFC 4180 asks; spreadsheets read either.
export const ENTRY_CSV_HEADER = ENTRY_CSV_COLUMNS.join(',') + '\r\n';

/**
 * RFC 4180 quoting, plus a guard for text that people typed (organization
 * names, reasons): a leading = + - @ would be run as a formula by a
 * spreadsheet, so such a cell is prefixed with an apostrophe.
 */
export function csvText(value: string | null | undefined): string {
  if (value === null || value === undefined) return '';
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** Cents to a plain decimal ("-12.05"), exact: integer arithmetic, no floating point. */
export function centsToDecimal(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

export function csvLine(r: CsvEntryRow): string {
  return (
    [
      r.id,
      r.created_at.toISOString(),
      r.kind,
      r.task_id,
      r.organization_id,
      csvText(r.organization_name),
      r.assistant_id ?? '',
      csvText(r.assistant_name),
      String(r.amount_cents),
      centsToDecimal(r.amount_cents),
      r.currency.trim(),
      r.created_by ?? '',
      csvText(r.reason),
    ].join(',') + '\r\n'
  );
}
