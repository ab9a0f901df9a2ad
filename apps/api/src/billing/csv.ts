/** One exported entry, as the export's cursor returns it. */
export interface CsvEntryRow {
  id: string;
  created_at: Date;
  kind: string;
  task_id: string;
  task_title: string;
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
  'task_title',
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

// A formula sign, ASCII or full-width (which some spreadsheets read as its ASCII twin).
const FORMULA = '=+\\-@\\uFF1D\\uFF0B\\uFF0D\\uFF20';
// What the value may not start with: OWASP's list (those signs, tab, CR, LF; NUL after
// ASVS), and a formula sign behind blanks a spreadsheet may trim or double quotes it
// may take for quoting.
const UNSAFE_START = new RegExp(`(?:[\\t\\r\\n\\0]|[\\s\\0"]*[${FORMULA}])`, 'y');
// What may not follow a separator or line break inside the value (below).
const UNSAFE_CELL = new RegExp(`[\\s\\0"]*[${FORMULA}]`, 'y');
// Characters a spreadsheet may split cells or rows on, in some locale or when pasted.
const NEEDS_QUOTES = /[",;\t\r\n]/;

function unsafeAt(pattern: RegExp, value: string, at: number): boolean {
  pattern.lastIndex = at;
  return pattern.test(value);
}

/**
 * RFC 4180 quoting, plus OWASP's guard for text that people typed (names,
 * titles, reasons): where a spreadsheet would start a cell with a formula, an
 * apostrophe goes first, so the cell is read as text. A cell starts at the
 * start of the value, and also after a `;` (the list separator in much of
 * Europe), a tab or a line break inside it: a spreadsheet splitting on those
 * does not honor our quotes, which for it sit in the middle of a cell. A
 * comma inside the value needs no apostrophe: the quotes around the value
 * keep a comma-splitting spreadsheet from starting a cell there, and no other
 * splits on it.
 */
export function csvText(value: string | null | undefined): string {
  if (value === null || value === undefined) return '';
  let safe = '';
  for (let i = 0; i < value.length; i++) {
    const prev = value[i - 1];
    const startsCell = i === 0 || prev === ';' || prev === '\t' || prev === '\n' || (prev === '\r' && value[i] !== '\n');
    if (startsCell && unsafeAt(i === 0 ? UNSAFE_START : UNSAFE_CELL, value, i)) safe += "'";
    safe += value[i];
  }
  return NEEDS_QUOTES.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
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
      csvText(r.task_title),
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
