import { z } from 'zod';
import { LIMITS } from '../domain.js';
import { plainString, text, uuid } from './common.js';
import { deadline, priority } from './tasks.js';

export const IMPORT_LIMITS = {
  /** Data rows per file (the header aside). */
  rowsMax: 10_000,
  /** An uploaded file's size. */
  fileBytesMax: 16 * 1024 * 1024,
  /** Columns in the header row. */
  columnsMax: 100,
  /** Characters in one cell. */
  cellMax: 20_000,
  /** Rows an import's answer shows with their errors. */
  previewRows: 50,
} as const;

/** Columns that are not template inputs: they set the task's own title, priority and deadline. */
export const IMPORT_TASK_COLUMNS = ['title', 'priority', 'deadline'] as const;

export const IMPORT_STATUSES = ['preview', 'running', 'done', 'failed'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

const cell = z.union([plainString().max(IMPORT_LIMITS.cellMax, { message: `must be at most ${IMPORT_LIMITS.cellMax} characters` }), z.number().finite(), z.null()]);

/**
 * An import by JSON: the CSV text itself, or the rows as objects of column → value
 * (the first row's keys, then any new key of a later row, make the header).
 * A file goes as `multipart/form-data` instead (field `file`, and `templateId`).
 */
export const createImportBody = z
  .strictObject({
    templateId: uuid,
    csv: plainString().min(1, { message: 'must not be empty' }).optional(),
    rows: z
      .array(z.record(plainString().max(200, { message: 'is too long' }), cell), { message: 'must be an array of objects' })
      .min(1, { message: 'must have at least one row' })
      .max(IMPORT_LIMITS.rowsMax, { message: `must have at most ${IMPORT_LIMITS.rowsMax} rows` })
      .optional(),
  })
  .superRefine((b, ctx) => {
    if ((b.csv === undefined) === (b.rows === undefined)) ctx.addIssue({ code: 'custom', path: ['csv'], message: 'give either csv or rows' });
  });
export type CreateImportBody = z.infer<typeof createImportBody>;

/** The multipart form's text fields. */
export const importUploadFields = z.strictObject({ templateId: uuid });

/** The row's own task fields, checked as a submission checks them. */
export const importTaskFields = z.strictObject({ title: text(LIMITS.titleMax).optional(), priority: priority.optional(), deadline: deadline.optional() });

export const importRowError = z.object({ column: z.string(), message: z.string() });
export type ImportRowError = z.infer<typeof importRowError>;

export const importRowView = z.object({
  /** The row's line in the file as a spreadsheet numbers it: the header is row 1. */
  rowNumber: z.number().int(),
  values: z.record(z.string(), z.string()),
  errors: z.array(importRowError),
  taskId: z.string().nullable(),
});
export type ImportRowView = z.infer<typeof importRowView>;

export const importView = z.object({
  id: z.string(),
  organizationId: z.string(),
  templateId: z.string(),
  templateVersionId: z.string(),
  templateVersion: z.number().int(),
  status: z.enum(IMPORT_STATUSES),
  columns: z.array(z.string()),
  sha256: z.string(),
  total: z.number().int(),
  valid: z.number().int(),
  rejected: z.number().int(),
  created: z.number().int(),
  error: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  confirmedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  /** The first rows of the file with their errors (GET and the upload's answer). */
  rows: z.array(importRowView),
});
export type ImportView = z.infer<typeof importView>;
