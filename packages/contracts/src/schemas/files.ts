import { z } from 'zod';
import { plainString, uuid } from './common.js';

/**
 * What a file on a task is for: `attachment`, the client's, from submission on;
 * `message`, attached to a message of the conversation; `result`, the
 * assignee's, with the work while it is in progress.
 */
export const FILE_PURPOSES = ['attachment', 'message', 'result'] as const;
export type FilePurpose = (typeof FILE_PURPOSES)[number];

/** The multipart form's text fields, sent before the file (FormData keeps the order it was appended in). */
export const fileUploadFields = z
  .strictObject({
    purpose: z.enum(FILE_PURPOSES, { error: (issue) => (issue.input === undefined ? 'is required' : `must be one of ${FILE_PURPOSES.join(', ')}`) }),
    messageId: uuid.optional(),
  })
  .superRefine((b, ctx) => {
    if (b.purpose === 'message' && b.messageId === undefined) ctx.addIssue({ code: 'custom', path: ['messageId'], message: 'is required when purpose is message' });
    if (b.purpose !== 'message' && b.messageId !== undefined) ctx.addIssue({ code: 'custom', path: ['messageId'], message: 'is only allowed when purpose is message' });
  });
export type FileUploadFields = z.infer<typeof fileUploadFields>;

/** A signed download link's token, as `GET /api/files/:id/link` hands it out. */
export const fileDownloadQuery = z.strictObject({ token: plainString().min(1, { message: 'must not be empty' }).max(2048, { message: 'is too long' }) });
export type FileDownloadQuery = z.infer<typeof fileDownloadQuery>;

export const fileView = z.object({
  id: z.string(),
  taskId: z.string(),
  purpose: z.enum(FILE_PURPOSES),
  messageId: z.string().nullable(),
  uploadedBy: z.string(),
  /** Sanitized: the last path segment, no control or bidi characters, at most 200 bytes. */
  name: z.string(),
  /** Sniffed from the bytes, never taken from the client. */
  contentType: z.string(),
  size: z.number().int(),
  sha256: z.string(),
  createdAt: z.string(),
});
export type FileView = z.infer<typeof fileView>;

export const fileList = z.object({ items: z.array(fileView) });
export type FileList = z.infer<typeof fileList>;

export const fileLink = z.object({
  /** A path on this API (`/api/files/download?token=…`); whoever holds it may fetch the file until `expiresAt`. */
  url: z.string(),
  expiresAt: z.string(),
});
export type FileLink = z.infer<typeof fileLink>;

/** A file as a message or result lists it. */
export const fileRef = z.object({ id: z.string(), name: z.string(), contentType: z.string(), size: z.number().int() });
export type FileRef = z.infer<typeof fileRef>;
