import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
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
  /** Bytes per multipart part (at least 5 MiB, S3's minimum); an upload holds two of them. */
  partSize?: number;
}

const MIN_PART = 5 * 1024 * 1024;
const MAX_PRESIGN_SECONDS = 7 * 24 * 3600; // SigV4's limit

const statusOf = (err: unknown) => (err instanceof S3ServiceException ? err.$metadata.httpStatusCode : undefined);
const isNotFound = (err: unknown) =>
  statusOf(err) === 404 || (err instanceof Error && (err.name === 'NoSuchKey' || err.name === 'NotFound'));

/**
 * Objects in an S3-compatible bucket, for several instances. Uploads stream
 * as multipart uploads through two reused part buffers, whatever the
 * object's size; a failed upload is aborted so no part lingers (keep a bucket
 * lifecycle rule for incomplete multipart uploads too: a crashed process
 * aborts nothing).
 */
export class S3Storage implements ObjectStorage {
  readonly driver = 's3' as const;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly partSize: number;

  constructor(private readonly options: S3StorageOptions) {
    this.bucket = options.bucket;
    this.partSize = Math.max(options.partSize ?? MIN_PART, MIN_PART);
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
    const upload = new PartUploader(this.client, this.bucket, key, options.contentType);
    try {
      // Two part buffers per upload, reused: one fills while the other is sent.
      // (lib-storage's Upload copies every part into a new buffer, and those
      // outlive the young-generation GC: up to 45 MB more RSS on a 100 MB upload.)
      const buffers = [Buffer.allocUnsafeSlow(this.partSize), Buffer.allocUnsafeSlow(this.partSize)];
      let current = 0;
      let filled = 0;
      for await (const chunk of meter as AsyncIterable<Buffer>) {
        for (let offset = 0; offset < chunk.length; ) {
          const n = Math.min(this.partSize - filled, chunk.length - offset);
          chunk.copy(buffers[current]!, filled, offset, offset + n);
          filled += n;
          offset += n;
          if (filled === this.partSize) {
            await upload.send(buffers[current]!);
            current ^= 1;
            filled = 0;
          }
        }
      }
      await upload.finish(buffers[current]!.subarray(0, filled));
    } catch (err) {
      body.destroy();
      meter.destroy();
      await upload.abort();
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

/**
 * A multipart upload with one part in flight: send() waits for the previous
 * part before starting the next (whose buffer the caller may then refill), and
 * an object smaller than one part is a single PutObject instead.
 */
class PartUploader {
  private uploadId: string | undefined;
  private readonly parts: { PartNumber: number; ETag: string }[] = [];
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly key: string,
    private readonly contentType: string,
  ) {}

  async send(part: Buffer): Promise<void> {
    await this.inFlight;
    this.uploadId ??= (await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: this.key, ContentType: this.contentType }))).UploadId;
    const PartNumber = this.parts.length + 1;
    this.parts.push({ PartNumber, ETag: '' });
    const sending = this.client
      .send(new UploadPartCommand({ Bucket: this.bucket, Key: this.key, UploadId: this.uploadId, PartNumber, Body: part, ContentLength: part.length }))
      .then((res) => {
        if (!res.ETag) throw new Error(`part ${PartNumber} of ${this.key} has no ETag`);
        this.parts[PartNumber - 1]!.ETag = res.ETag;
      });
    // Awaited by the next send() or by finish(); until then a failure must not go unhandled.
    sending.catch(() => undefined);
    this.inFlight = sending;
  }

  async finish(last: Buffer): Promise<void> {
    await this.inFlight;
    if (!this.uploadId) {
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.key, Body: last, ContentLength: last.length, ContentType: this.contentType }));
      return;
    }
    if (last.length > 0) {
      await this.send(last);
      await this.inFlight;
    }
    await this.client.send(
      new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key: this.key, UploadId: this.uploadId, MultipartUpload: { Parts: this.parts } }),
    );
    this.uploadId = undefined;
  }

  /** Drops the parts sent so far; the object itself was never written. */
  async abort(): Promise<void> {
    await this.inFlight?.catch(() => undefined);
    if (!this.uploadId) return;
    const UploadId = this.uploadId;
    this.uploadId = undefined;
    // Best effort: a bucket lifecycle rule removes what an abort cannot.
    await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: this.key, UploadId })).catch(() => undefined);
  }
}
