import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { ImportRowError, InputValues, Priority } from '@handoff/contracts';
import type { DataSource } from 'typeorm';
import { rowMapper } from '../database/rows.js';
import { query, type Queryable } from '../database/sql.js';
import { ImportRow } from './import-row.entity.js';

const toRow = rowMapper(ImportRow);

export interface NewImportRow {
  rowNumber: number;
  cells: string[];
  inputs: InputValues | null;
  title: string | null;
  priority: Priority | null;
  deadline: string | null;
  errors: ImportRowError[] | null;
}

/** The rows of one insert: one array per column. */
const INSERT_SQL = `
  INSERT INTO import_rows (import_id, row_number, cells, inputs, title, priority, deadline, errors)
  SELECT $1, * FROM unnest($2::int[], $3::jsonb[], $4::jsonb[], $5::text[], $6::task_priority[], $7::timestamptz[], $8::jsonb[])`;

/** The `import_rows` table: an import's rows, each with its task once it has one. */
@Injectable()
export class ImportRowsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async insertMany(m: Queryable, importId: string, rows: readonly NewImportRow[]): Promise<void> {
    if (!rows.length) return;
    await query(m, INSERT_SQL, [
      importId,
      rows.map((r) => r.rowNumber),
      rows.map((r) => JSON.stringify(r.cells)),
      rows.map((r) => (r.inputs ? JSON.stringify(r.inputs) : null)),
      rows.map((r) => r.title),
      rows.map((r) => r.priority),
      rows.map((r) => r.deadline),
      rows.map((r) => (r.errors ? JSON.stringify(r.errors) : null)),
    ]);
  }

  /** The next valid rows without a task, locked for the caller's transaction; rows another run holds are skipped. */
  async lockPending(m: Queryable, importId: string, limit: number): Promise<ImportRow[]> {
    const rows = await query<Record<string, unknown>>(
      m,
      `SELECT * FROM import_rows WHERE import_id = $1 AND errors IS NULL AND task_id IS NULL ORDER BY row_number LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [importId, limit],
    );
    return rows.map(toRow);
  }

  async attachTasks(m: Queryable, importId: string, rowNumbers: readonly number[], taskIds: readonly string[]): Promise<void> {
    await query(m, `UPDATE import_rows r SET task_id = u.task_id FROM unnest($2::int[], $3::uuid[]) AS u(n, task_id) WHERE r.import_id = $1 AND r.row_number = u.n`, [
      importId,
      rowNumbers,
      taskIds,
    ]);
  }

  async reject(m: Queryable, importId: string, rowNumbers: readonly number[], errors: readonly ImportRowError[]): Promise<void> {
    await query(m, `UPDATE import_rows SET errors = $3::jsonb WHERE import_id = $1 AND row_number = ANY($2::int[])`, [importId, rowNumbers, JSON.stringify(errors)]);
  }

  /** The first rows of the file, for the preview. */
  async first(importId: string, limit: number, m: Queryable = this.ds): Promise<ImportRow[]> {
    return (await query<Record<string, unknown>>(m, `SELECT * FROM import_rows WHERE import_id = $1 ORDER BY row_number LIMIT $2`, [importId, limit])).map(toRow);
  }

  /** Rejected rows after `afterRow`, in file order: the report reads them a page at a time. */
  async rejected(importId: string, afterRow: number, limit: number): Promise<ImportRow[]> {
    return (
      await query<Record<string, unknown>>(
        this.ds,
        `SELECT * FROM import_rows WHERE import_id = $1 AND errors IS NOT NULL AND row_number > $2 ORDER BY row_number LIMIT $3`,
        [importId, afterRow, limit],
      )
    ).map(toRow);
  }
}
