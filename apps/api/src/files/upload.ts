import { BadRequestException, PayloadTooLargeException } from '@nestjs/common';
import { fileUploadFields, type FileUploadFields } from '@handoff/contracts';
import type { FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { describeZodError } from '../common/http/contract.js';
import { SNIFF_BYTES } from './file-types.js';
import { ObjectSizeError } from './storage/object-storage.js';

/** The route that takes a task's files as `multipart/form-data` (app.ts lets multipart through to it). */
export const FILE_UPLOAD_ROUTE = { method: 'POST', url: '/api/tasks/:id/files' } as const;

interface MultipartFile {
  fieldname: string;
  filename: string;
  file: Readable & { truncated?: boolean };
  fields: Record<string, unknown>;
}

export interface IncomingFile {
  fields: FileUploadFields;
  /** As the client named it, unsanitized. */
  filename: string;
  /** The leading bytes, at least SNIFF_BYTES of them unless the file is shorter. */
  head: Buffer;
  /** The whole file, head included, read on demand: nothing is buffered past the head. */
  body(): Readable;
  /** Reads and drops the rest, so the answer to a refused upload is not held up by the unread body. */
  discard(): void;
}

/**
 * Opens a file upload: the text fields (`purpose`, `messageId`) before the
 * file, one file in the field `file`, at most `maxBytes` of it (past that the
 * stream fails with 413). Only the head is read here.
 */
export async function openUpload(req: FastifyRequest, maxBytes: number): Promise<IncomingFile> {
  const r = req as FastifyRequest & { file(opts: object): Promise<MultipartFile | undefined> };
  let part: MultipartFile | undefined;
  try {
    // One byte past the limit, so the store's own count sees the file is too large (busboy would stop at the limit and end the stream quietly).
    part = await r.file({ limits: { fileSize: maxBytes + 1, files: 1, fields: 4, parts: 5, fieldSize: 1_000 }, throwFileSizeLimit: true });
  } catch (e) {
    throw uploadError(e, maxBytes);
  }
  if (!part) throw new BadRequestException('file is required: send the file as the form field "file"');
  const file = part.file;
  if (part.fieldname !== 'file') {
    file.resume();
    throw new BadRequestException(`${part.fieldname} is not allowed; the file goes in the form field "file"`);
  }
  const fields = Object.fromEntries(
    Object.entries(part.fields)
      .filter(([k]) => k !== 'file')
      .map(([k, f]) => [k, (f as { value?: unknown }).value]),
  );
  const parsed = fileUploadFields.safeParse(fields);
  if (!parsed.success) {
    file.resume();
    throw new BadRequestException(describeZodError(parsed.error, 'body', fields));
  }
  let head: { bytes: Buffer; ended: boolean };
  try {
    head = await readHead(file, SNIFF_BYTES);
  } catch (e) {
    throw uploadError(e, maxBytes);
  }
  return {
    fields: parsed.data,
    filename: part.filename ?? '',
    head: head.bytes,
    body: () =>
      Readable.from(
        (async function* () {
          yield head.bytes;
          if (!head.ended) for await (const chunk of file) yield chunk as Buffer;
          if (file.truncated) throw new ObjectSizeError('too_large', `larger than the ${maxBytes} bytes allowed`);
        })(),
        { objectMode: false },
      ),
    discard: () => {
      file.resume();
    },
  };
}

/** Reads until `n` bytes or the end, then leaves the stream paused where it stopped. */
function readHead(stream: Readable, n: number): Promise<{ bytes: Buffer; ended: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const done = (ended: boolean) => {
      stream.off('data', onData).off('end', onEnd).off('error', onError);
      resolve({ bytes: Buffer.concat(chunks), ended });
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= n) {
        stream.pause();
        done(false);
      }
    };
    const onEnd = () => done(true);
    const onError = (e: Error) => {
      stream.off('data', onData).off('end', onEnd).off('error', onError);
      reject(e);
    };
    stream.on('data', onData).once('end', onEnd).once('error', onError);
  });
}

export function uploadError(e: unknown, maxBytes: number): unknown {
  const code = (e as { code?: string }).code;
  if (code === 'FST_REQ_FILE_TOO_LARGE') return tooLarge(maxBytes);
  if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') return new PayloadTooLargeException('the form has too many parts; send purpose, messageId and one file');
  if (code === 'FST_PROTO_VIOLATION') return new BadRequestException('a form field name is not allowed');
  if (code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') return new BadRequestException('file: send the file as multipart/form-data');
  if (code === 'FST_MP_PREMATURE_CLOSE' || /multipart|boundary/i.test((e as Error).message ?? '')) return new BadRequestException('file: the form could not be read as multipart/form-data');
  return e;
}

export function tooLarge(maxBytes: number): PayloadTooLargeException {
  return new PayloadTooLargeException({ statusCode: 413, error: 'Payload Too Large', message: `file is larger than the ${maxBytes} bytes allowed`, code: 'file_too_large', maxBytes });
}
