import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { pipeline, type Readable } from 'node:stream';
import {
  assertKeyPrefix,
  assertObjectKey,
  assertPutOptions,
  assertRange,
  type ByteRange,
  DigestingMeter,
  type ObjectStorage,
  ObjectNotFoundError,
  type PresignOptions,
  type PutOptions,
  type PutResult,
  RangeNotSatisfiableError,
  type StoredObject,
} from './object-storage.js';

export interface S3StorageOptions {
  /** Unset for AWS itself; the URL of MinIO, R2 or another S3-compatible service otherwise. */
  endpoint?: string;
  region: string;
  bucket: string;
  /** Both or neither: without them the SDK's own chain (environment, profile, instance role) is used. */
  accessKeyId?: string;
  secretAccessKey?: string;
  /** bucket in the path (http://host/bucket/key), as MinIO and most self-hosted servers need. */
  forcePathStyle: boolean;
  /** Bytes per multipart part (at least 5 MiB, S3's minimum), and parts in flight at once (default 1): an upload holds about partSize × (queueSize + 1) bytes. */
  partSize?: number;
  queueSize?: number;
}

const MIN_PART = 5 * 1024 * 1024;
const MAX_PRESIGN_SECONDS = 7 * 24 * 3600; // SigV4's limit

const statusOf = (err: unknown) => (err instanceof S3ServiceException ? err.$metadata.httpStatusCode : undefined);
const isNotFound = (err: unknown) =>
  statusOf(err) === 404 || (err instanceof Error && (err.name === 'NoSuchKey' || err.name === 'NotFound'));

/**
 * Objects in an S3-compatible bucket, for several instances. Uploads stream
 * through lib-storage's multipart Upload: a few parts are held at once,
 * whatever the object's size, and a failed upload is aborted so no part
 * lingers (keep a bucket lifecycle rule for incomplete multipart uploads as
 * well: a crashed process aborts nothing). One part in flight by default: the
 * part buffers outlive young-generation GC, and more of them in flight showed
 * as 20-40 MB more RSS per upload before a full GC collected them.
 */
export class S3Storage implements ObjectStorage {
  readonly driver = 's3' as const;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly partSize: number;
  private readonly queueSize: number;

  constructor(private readonly options: S3StorageOptions) {
    this.bucket = options.bucket;
    this.partSize = Math.max(options.partSize ?? MIN_PART, MIN_PART);
    this.queueSize = Math.max(options.queueSize ?? 1, 1);
    this.client = new S3Client({
      region: options.region,
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle,
      credentials:
        options.accessKeyId && options.secretAccessKey
          ? { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey }
          : undefined,
      // The SDK's default CRC32 trailers are not understood by every S3-compatible
      // server; we hash the bytes ourselves (SHA-256) and sign each request anyway.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 3,
    });
  }

  async init(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (err) {
      const where = this.options.endpoint ?? `AWS ${this.options.region}`;
      const why = statusOf(err) === 404 ? 'it does not exist' : statusOf(err) === 403 ? 'access denied' : (err as Error).message || (err as Error).name;
      throw new Error(`S3_BUCKET ${this.bucket} at ${where} is not usable: ${why}`);
    }
  }

  async put(key: string, body: Readable, options: PutOptions): Promise<PutResult> {
    assertPutOptions(options);
    assertObjectKey(key);
    const meter = new DigestingMeter(options);
    // An error in the source (a client that went away) or a broken size rule destroys
    // the meter, which fails the upload; that error, not a failed clean-up, is the answer.
    let cause: Error | undefined;
    const remember = (err: Error) => {
      cause ??= err;
    };
    body.once('error', remember);
    meter.once('error', remember);
    pipeline(body, meter, () => undefined);
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: meter, ContentType: options.contentType },
      partSize: this.partSize,
      queueSize: this.queueSize,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (err) {
      body.destroy();
      meter.destroy();
      throw cause ?? err;
    }
    return meter.result();
  }

  async get(key: string, options: { range?: ByteRange } = {}): Promise<StoredObject> {
    assertObjectKey(key);
    assertRange(options.range);
    const { range } = options;
    let res;
    try {
      res = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: range ? `bytes=${range.start}-${range.end ?? ''}` : undefined }),
      );
    } catch (err) {
      if (isNotFound(err)) throw new ObjectNotFoundError(key);
      if (statusOf(err) === 416) throw new RangeNotSatisfiableError(key, await this.sizeOf(key));
      throw err;
    }
    const stream = res.Body as Readable;
    const length = res.ContentLength ?? 0;
    // "bytes 0-9/100" when a range was served; the whole object otherwise.
    const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(res.ContentRange ?? '');
    if (m) return { stream, start: Number(m[1]), end: Number(m[2]), size: Number(m[3]) };
    return { stream, start: 0, end: length - 1, size: length };
  }

  async exists(key: string): Promise<boolean> {
    assertObjectKey(key);
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    assertObjectKey(key);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  async deletePrefix(prefix: string): Promise<number> {
    assertKeyPrefix(prefix);
    let deleted = 0;
    // Listing again from the start after each batch needs no continuation token and
    // also catches an object written under the prefix while we were deleting. The
    // first list call of S3 (v1) serves that as well as v2, on every S3-compatible
    // server, including ones whose v2 continuation tokens break on OpenSSL 3.
    for (;;) {
      const page = await this.client.send(new ListObjectsCommand({ Bucket: this.bucket, Prefix: prefix, MaxKeys: 1000 }));
      const keys = (page.Contents ?? []).map((o) => o.Key).filter((k): k is string => typeof k === 'string');
      if (keys.length === 0) return deleted;
      const res = await this.client.send(
        new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true } }),
      );
      const failed = res.Errors ?? [];
      if (failed.length > 0) throw new Error(`could not delete ${failed.length} objects under ${prefix}: ${failed[0]?.Code} ${failed[0]?.Message}`);
      deleted += keys.length;
    }
  }

  async presignedGetUrl(key: string, options: PresignOptions): Promise<string | null> {
    assertObjectKey(key);
    const expiresIn = Math.floor(options.expiresInSeconds);
    if (!(expiresIn >= 1 && expiresIn <= MAX_PRESIGN_SECONDS)) throw new RangeError(`expiresInSeconds must be 1..${MAX_PRESIGN_SECONDS}`);
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: key,
      ResponseContentDisposition: options.contentDisposition,
      ResponseContentType: options.contentType,
    });
    return getSignedUrl(this.client, command, { expiresIn });
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  private async sizeOf(key: string): Promise<number> {
    const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
    return head.ContentLength ?? 0;
  }
}
