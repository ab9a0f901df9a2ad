import { Column, Entity, PrimaryColumn } from 'typeorm';
import { PRIORITIES, type ImportRowError, type InputValues, type Priority } from '@handoff/contracts';

/** One data row of an import: its cells as read, and either what its task gets or why it has none. */
@Entity({ name: 'import_rows' })
export class ImportRow {
  @PrimaryColumn({ name: 'import_id', type: 'uuid' })
  importId: string;

  /** Its line as a spreadsheet numbers it (the header is row 1). */
  @PrimaryColumn({ name: 'row_number', type: 'int' })
  rowNumber: number;

  /** The cells in header order, as uploaded. */
  @Column({ type: 'jsonb' })
  cells: string[];

  @Column({ type: 'jsonb', nullable: true })
  inputs: InputValues | null;

  @Column({ type: 'text', nullable: true })
  title: string | null;

  @Column({ type: 'enum', enum: PRIORITIES, enumName: 'task_priority', nullable: true })
  priority: Priority | null;

  @Column({ type: 'timestamptz', nullable: true })
  deadline: Date | null;

  /** Why the row makes no task; null when it is valid. */
  @Column({ type: 'jsonb', nullable: true })
  errors: ImportRowError[] | null;

  @Column({ name: 'task_id', type: 'uuid', nullable: true })
  taskId: string | null;
}
