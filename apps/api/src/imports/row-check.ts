import { IMPORT_LIMITS, IMPORT_TASK_COLUMNS, importTaskFields, validateTemplateInputs, type ImportRowError, type InputField } from '@handoff/contracts';
import type { NewImportRow } from './import-rows.repository.js';

/** Why a file as a whole cannot be read: the API's 400, its message naming what is wrong. */
export class ImportRefused extends Error {}

const TASK_COLUMNS = new Set<string>(IMPORT_TASK_COLUMNS);

/**
 * The header row, checked against the template's inputs: every column names
 * an input or one of the task's own fields (title, priority, deadline), once.
 * A required input without a column is not refused here: each row says so.
 */
export function checkHeader(fields: readonly InputField[], header: readonly string[] | undefined): string[] {
  const columns = (header ?? []).map((c) => c.trim());
  if (!columns.length || columns.every((c) => c === '')) throw new ImportRefused('file has no header row; its first row names the columns');
  if (columns.length > IMPORT_LIMITS.columnsMax) throw new ImportRefused(`file has ${columns.length} columns; at most ${IMPORT_LIMITS.columnsMax}`);
  const known = new Set(fields.map((f) => f.key));
  const seen = new Set<string>();
  columns.forEach((c, i) => {
    if (c === '') throw new ImportRefused(`file column ${i + 1} has no name in the header row`);
    if (seen.has(c)) throw new ImportRefused(`file column "${c}" appears twice in the header row`);
    if (!known.has(c) && !TASK_COLUMNS.has(c)) {
      throw new ImportRefused(`file column "${c}" is not an input of this template (inputs: ${[...known].join(', ') || 'none'}; also title, priority, deadline)`);
    }
    seen.add(c);
  });
  return columns;
}

const blank = (v: string | undefined) => v === undefined || v.trim() === '';

/** A row with nothing in it (a spreadsheet's trailing empty lines): skipped, though it keeps its number. */
export function isBlankRow(cells: readonly string[]): boolean {
  return cells.every((c) => blank(c));
}

/**
 * One data row, checked as a submission from the template would be: its
 * inputs by the template's fields, its title, priority and deadline as a task's.
 * Every problem is reported, each naming its column.
 */
export function checkRow(fields: readonly InputField[], columns: readonly string[], rowNumber: number, raw: readonly string[]): NewImportRow {
  const errors: ImportRowError[] = [];
  const cells = raw.slice(0, columns.length).map((c) => (c.length > IMPORT_LIMITS.cellMax ? c.slice(0, IMPORT_LIMITS.cellMax) : c));
  while (cells.length < columns.length) cells.push('');
  if (raw.length > columns.length) errors.push({ column: '', message: `has ${raw.length} cells; the header has ${columns.length}` });
  const inputs: Record<string, string> = {};
  const task: Record<string, string> = {};
  columns.forEach((c, i) => {
    const v = cells[i]!;
    if (raw[i] !== undefined && raw[i]!.length > IMPORT_LIMITS.cellMax) errors.push({ column: c, message: `must be at most ${IMPORT_LIMITS.cellMax} characters` });
    if (TASK_COLUMNS.has(c)) {
      if (!blank(v)) task[c] = v.trim();
    } else inputs[c] = v;
  });
  const checked = validateTemplateInputs(fields, inputs);
  if (!checked.ok) for (const issue of checked.issues) errors.push({ column: issue.key, message: issue.message });
  const own = importTaskFields.safeParse(task);
  if (!own.success) for (const issue of own.error.issues) errors.push({ column: String(issue.path[0] ?? ''), message: issue.message });
  const ok = !errors.length && checked.ok && own.success;
  return {
    rowNumber,
    cells,
    inputs: ok ? checked.values : null,
    title: ok ? (own.data.title ?? null) : null,
    priority: ok ? (own.data.priority ?? null) : null,
    deadline: ok ? (own.data.deadline ?? null) : null,
    errors: ok ? null : errors,
  };
}

/** Rows given as JSON objects, as a header and cells: the first row's keys, then any new key of a later row. */
export function rowsAsRecords(rows: readonly Record<string, string | number | null>[]): string[][] {
  const header: string[] = [];
  const seen = new Set<string>();
  for (const r of rows) {
    for (const k of Object.keys(r)) {
      if (seen.has(k)) continue;
      seen.add(k);
      header.push(k);
    }
  }
  return [header, ...rows.map((r) => header.map((k) => (r[k] === null || r[k] === undefined ? '' : String(r[k]))))];
}
