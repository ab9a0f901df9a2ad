import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback, type Readable } from 'node:stream';

export interface PutOptions {
  contentType: string;
  /** The size the caller was told (e.g. a part's content-length): a stream of any other length is refused. */
  size?: number;
  /** Refuse the object, and keep nothing, once the stream passes this many bytes. */
  maxBytes?: number;
}

export interface PutResult {
  size: number;
  /** Hex SHA-256 of the bytes stored, computed while they streamed through. */
  sha256: string;
}

/** Inclusive byte offsets, as in an HTTP Range header; `end` defaults to the last byte. */
export interface ByteRange {
  start: number;
  end?: number;
}

export interface StoredObject {
  stream: Readable;
  /** Size of the whole object. */
  size: number;
  /** The bytes this stream carries (the whole object unless a range was asked). */
  start: number;
  end: number;
}

export interface PresignOptions {
  expiresInSeconds: number;
  /** Sent back as the response's Content-Disposition / Content-Type, so the link downloads safely. */
  contentDisposition?: string;
  contentType?: string;
}

/**
 * Where file contents live. Keys are chosen by Handoff (never by a user) and
 * the database keeps the name, type, size and digest: the store holds bytes only.
 */
export interface ObjectStorage {
  readonly driver: 'disk' | 's3';
  /** Checks the store is usable (directory writable, bucket reachable); call once at start. */
  init(): Promise<void>;
  /** Streams the body in without buffering it whole; an object appears only once complete. */
  put(key: string, body: Readable, options: PutOptions): Promise<PutResult>;
  /** @throws ObjectNotFoundError, RangeNotSatisfiableError */
  get(key: string, options?: { range?: ByteRange }): Promise<StoredObject>;
  exists(key: string): Promise<boolean>;
  /** Deleting a missing object is not an error. */
  delete(key: string): Promise<void>;
  /** Deletes every object under a prefix ending in "/"; returns how many were deleted. */
  deletePrefix(prefix: string): Promise<number>;
  /** A URL the client can fetch the object from directly, or null when the API must stream it itself. */
  presignedGetUrl(key: string, options: PresignOptions): Promise<string | null>;
  close(): Promise<void>;
}

export class ObjectNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`no object at ${key}`);
    this.name = 'ObjectNotFoundError';
  }
}

export class RangeNotSatisfiableError extends Error {
  constructor(
    readonly key: string,
    readonly size: number,
  ) {
    super(`range outside the ${size} bytes of ${key}`);
    this.name = 'RangeNotSatisfiableError';
  }
}

/** The body broke a size rule; nothing was stored. */
export class ObjectSizeError extends Error {
  constructor(
    readonly reason: 'too_large' | 'size_mismatch',
    message: string,
  ) {
    super(message);
    this.name = 'ObjectSizeError';
  }
}

export class InvalidObjectKeyError extends Error {
  constructor(key: string, why: string) {
    super(`invalid object key ${JSON.stringify(key.slice(0, 100))}: ${why}`);
    this.name = 'InvalidObjectKeyError';
  }
}

// Segments of letters, digits, "_", "-" and inner dots: no "..", no hidden or
// temporary names, no backslashes or NULs, the same meaning on disk and in S3.
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;
const MAX_KEY_LENGTH = 512;

/** Keys are generated, so a bad one is a bug: refuse it rather than rewrite it into another object's key. */
export function assertObjectKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) throw new InvalidObjectKeyError(String(key), 'empty');
  if (key.length > MAX_KEY_LENGTH) throw new InvalidObjectKeyError(key, `longer than ${MAX_KEY_LENGTH} characters`);
  for (const segment of key.split('/')) {
    if (!SEGMENT.test(segment) || segment.includes('..')) {
      throw new InvalidObjectKeyError(key, 'each "/"-separated part must be letters, digits, "_", "-" or inner dots');
    }
  }
}

/** A prefix is whole segments ending in "/", so "org/1/" never reaches "org/12/...". */
export function assertKeyPrefix(prefix: string): void {
  if (typeof prefix !== 'string' || !prefix.endsWith('/')) {
    throw new InvalidObjectKeyError(String(prefix), 'a prefix must end with "/"');
  }
  assertObjectKey(prefix.slice(0, -1));
}

export function assertRange(range: ByteRange | undefined): void {
  if (!range) return;
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || start < 0 || (end !== undefined && (!Number.isSafeInteger(end) || end < start))) {
    throw new RangeError(`invalid byte range ${start}-${end ?? ''}`);
  }
}

/**
 * Counts and hashes the bytes on their way to the store, and fails the stream
 * (so the store aborts and keeps nothing) when they break a size rule.
 */
export class DigestingMeter extends Transform {
  private readonly hash: Hash = createHash('sha256');
  private count = 0;
  private digest: string | undefined;

  constructor(private readonly rules: Pick<PutOptions, 'size' | 'maxBytes'>) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.count += chunk.length;
    const { size, maxBytes } = this.rules;
    if (maxBytes !== undefined && this.count > maxBytes) {
      callback(new ObjectSizeError('too_large', `larger than the ${maxBytes} bytes allowed`));
      return;
    }
    if (size !== undefined && this.count > size) {
      callback(new ObjectSizeError('size_mismatch', `more than the ${size} bytes declared`));
      return;
    }
    this.hash.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    const { size } = this.rules;
    if (size !== undefined && this.count !== size) {
      callback(new ObjectSizeError('size_mismatch', `${this.count} bytes, not the ${size} declared`));
      return;
    }
    this.digest = this.hash.digest('hex');
    callback();
  }

  result(): PutResult {
    if (this.digest === undefined) throw new Error('the body has not been read to its end');
    return { size: this.count, sha256: this.digest };
  }
}

export function assertPutOptions(options: PutOptions): void {
  if (typeof options.contentType !== 'string' || options.contentType.length === 0) throw new TypeError('contentType is required');
  for (const [name, value] of [
    ['size', options.size],
    ['maxBytes', options.maxBytes],
  ] as const) {
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) throw new TypeError(`${name} must be a non-negative integer`);
  }
}
