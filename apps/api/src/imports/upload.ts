import { BadRequestException, PayloadTooLargeException } from '@nestjs/common';
import { IMPORT_LIMITS, importUploadFields } from '@handoff/contracts';
import type { FastifyRequest } from 'fastify';
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describeZodError } from '../common/http/contract.js';
import { csvRecords, type ImportSource } from './imports.service.js';

/** The one route that reads `multipart/form-data`; every other answers it 415. */
export const UPLOAD_ROUTE = { method: 'POST', url: '/api/imports' } as const;

/** The multipart form's limits: one file, a few text fields. */
export const UPLOAD_LIMITS = { fileSize: IMPORT_LIMITS.fileBytesMax, files: 1, fields: 5, parts: 6, fieldSize: 1_000 };

interface MultipartFile {
  fieldname: string;
  file: NodeJS.ReadableStream & { truncated?: boolean };
  fields: Record<string, { type?: string; value?: unknown } | unknown>;
}

/**
 * A multipart upload, spooled to a temporary file while its digest is taken,
 * so the request's memory stays a buffer's worth whatever the file's size and
 * a second upload of the same bytes is known before anything is parsed.
 * `templateId` is a text field before the file (FormData keeps the order it
 * was appended in). The caller removes the file with `done`.
 */
export async function spoolUpload(req: FastifyRequest): Promise<{ templateId: string; source: ImportSource; done: () => Promise<void> }> {
  const r = req as FastifyRequest & { file(opts: object): Promise<MultipartFile | undefined> };
  let part: MultipartFile | undefined;
  try {
    part = await r.file({ limits: UPLOAD_LIMITS });
  } catch (e) {
    throw uploadError(e);
  }
  if (!part) throw new BadRequestException('file is required: send the CSV as the form field "file"');
  if (part.fieldname !== 'file') throw new BadRequestException(`${part.fieldname} is not allowed; the CSV goes in the form field "file"`);
  const fields = Object.fromEntries(
    Object.entries(part.fields)
      .filter(([k]) => k !== 'file')
      .map(([k, f]) => [k, (f as { value?: unknown }).value]),
  );
  const parsed = importUploadFields.safeParse(fields);
  if (!parsed.success) {
    part.file.resume();
    throw new BadRequestException(describeZodError(parsed.error, 'body', fields));
  }
  const path = join(tmpdir(), `handoff-import-${randomUUID()}.csv`);
  const digest = createHash('sha256');
  const done = () => rm(path, { force: true });
  try {
    await pipeline(
      part.file,
      new Transform({
        transform(chunk: Buffer, _enc, next) {
          digest.update(chunk);
          next(null, chunk);
        },
      }),
      createWriteStream(path),
    );
    if (part.file.truncated) throw new PayloadTooLargeException(`file is larger than ${IMPORT_LIMITS.fileBytesMax} bytes`);
  } catch (e) {
    await done();
    throw uploadError(e);
  }
  return { templateId: parsed.data.templateId, source: { sha256: digest.digest('hex'), records: () => csvRecords(createReadStream(path)) }, done };
}

function uploadError(e: unknown): unknown {
  const code = (e as { code?: string }).code;
  if (code === 'FST_REQ_FILE_TOO_LARGE') return new PayloadTooLargeException(`file is larger than ${IMPORT_LIMITS.fileBytesMax} bytes`);
  if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') return new PayloadTooLargeException('the form has too many parts; send templateId and one file');
  if (code === 'FST_PROTO_VIOLATION') return new BadRequestException('a form field name is not allowed');
  if (code === 'FST_MP_PREMATURE_CLOSE' || /multipart|boundary/i.test((e as Error).message ?? '')) return new BadRequestException('file: the form could not be read as multipart/form-data');
  return e;
}
