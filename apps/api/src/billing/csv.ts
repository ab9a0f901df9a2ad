import { pipeline, Transform, type Readable } from 'node:stream';
import { stringify, type Options } from 'csv-stringify';
import { stringify as stringifySync } from 'csv-stringify/sync';

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

// RFC 4180 with CRLF line ends; spreadsheets read either. A value holding a comma, a double quote or any
// line break is quoted, and so is one holding `;` or tab, which some spreadsheets split on.
export const CSV_OPTIONS: Options = { record_delimiter: 'windows', quote_record_delimiter: true, quoted_match: /[;\t]/ };

// A formula sign, ASCII or full-width (which some spreadsheets read as its ASCII twin).
const FORMULA = '=+\\-@\\uFF1D\\uFF0B\\uFF0D\\uFF20';
// What the value may not start with: OWASP's list (those signs, tab, CR, LF; NUL after
// ASVS), and a formula sign behind blanks a spreadsheet may trim or double quotes it
// may take for quoting.
const UNSAFE_START = new RegExp(`(?:[\\t\\r\\n\\0]|[\\s\\0"]*[${FORMULA}])`, 'y');
// What may not follow a separator or line break inside the value (below).
const UNSAFE_CELL = new RegExp(`[\\s\\0"]*[${FORMULA}]`, 'y');

function unsafeAt(pattern: RegExp, value: string, at: number): boolean {
  pattern.lastIndex = at;
  return pattern.test(value);
}

/**
 * OWASP's guard for text that people typed (names, titles, reasons), which
 * csv-stringify's own `escape_formulas` covers only in part: where a
 * spreadsheet would start a cell with a formula, an apostrophe goes first, so
 * the cell is read as text. A cell starts at the start of the value, and also
 * after a `;` (the list separator in much of Europe), a tab or a line break
 * inside it: a spreadsheet splitting on those does not honor our quotes, which
 * for it sit in the middle of a cell. A comma inside the value needs no
 * apostrophe: the quotes around the value keep a comma-splitting spreadsheet
 * from starting a cell there, and no other splits on it.
 */
export function defused(value: string | null | undefined): string {
  if (value === null || value === undefined) return '';
  let safe = '';
  for (let i = 0; i < value.length; i++) {
    const prev = value[i - 1];
    const startsCell = i === 0 || prev === ';' || prev === '\t' || prev === '\n' || (prev === '\r' && value[i] !== '\n');
    if (startsCell && unsafeAt(i === 0 ? UNSAFE_START : UNSAFE_CELL, value, i)) safe += "'";
    safe += value[i];
  }
  return safe;
}

/** One typed text as its CSV cell: defused, then quoted where it needs to be. */
export function csvText(value: string | null | undefined): string {
  return stringifySync([[defused(value)]], { ...CSV_OPTIONS, eof: false });
}

/** Cents to a plain decimal ("-12.05"), exact: integer arithmetic, no floating point. */
export function centsToDecimal(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** The cells of one entry, in `ENTRY_CSV_COLUMNS` order; amounts are numbers and are not defused. */
function entryRecord(r: CsvEntryRow): string[] {
  return [
    r.id,
    r.created_at.toISOString(),
    r.kind,
    r.task_id,
    defused(r.task_title),
    r.organization_id,
    defused(r.organization_name),
    r.assistant_id ?? '',
    defused(r.assistant_name),
    String(r.amount_cents),
    centsToDecimal(r.amount_cents),
    r.currency.trim(),
    r.created_by ?? '',
    defused(r.reason),
  ];
}

export function csvLine(r: CsvEntryRow): string {
  return stringifySync([entryRecord(r)], CSV_OPTIONS);
}

/**
 * The export: a stream of entry rows in, CSV text out, the header first. Each
 * stage waits for the next to drain, so only a batch or so is held however
 * many entries there are; destroying the result (a client that hung up)
 * destroys `rows` too.
 */
export function entryCsv(rows: Readable): Readable {
  const records = new Transform({
    objectMode: true,
    transform(row: CsvEntryRow, _encoding, done) {
      done(null, entryRecord(row));
    },
  });
  return pipeline(rows, records, stringify({ ...CSV_OPTIONS, header: true, columns: [...ENTRY_CSV_COLUMNS] }), () => undefined);
}
