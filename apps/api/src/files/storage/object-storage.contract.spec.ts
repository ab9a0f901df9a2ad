import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { startTestS3, storageDrivers, type StorageHarness, type TestS3 } from '../../../test/support/test-s3.js';
import { randomBytes } from 'node:crypto';
import { loadConfig as loadEnv } from '../../config/config.js';
import { createObjectStorage } from './create-storage.js';
import { DiskStorage } from './disk-storage.js';
import {
  InvalidObjectKeyError,
  type ObjectStorage,
  ObjectNotFoundError,
  ObjectSizeError,
  RangeNotSatisfiableError,
} from './object-storage.js';
import { S3Storage } from './s3-storage.js';

// Every configuration needs a private JWT secret; these tests are about other settings.
const loadConfig = (env: Record<string, string>) => loadEnv({ JWT_SECRET: randomBytes(32).toString('hex'), ...env });

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** Deterministic bytes in chunks, generated as they are read. */
function chunks(total: number, chunkSize = 64 * 1024, seed = 1): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) return void this.push(null);
      const n = Math.min(chunkSize, total - sent);
      const buf = Buffer.allocUnsafe(n);
      for (let i = 0; i < n; i++) buf[i] = (sent + i) * 31 + seed;
      sent += n;
      this.push(buf);
    },
  });
}

async function digestOf(stream: Readable): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { size, sha256: hash.digest('hex') };
}

const body = (s: string | Buffer) => Readable.from([Buffer.from(s)]);
const read = async (storage: ObjectStorage, key: string) => text((await storage.get(key)).stream);

const drivers = storageDrivers();

describe.each(drivers)('object storage contract: %s', (driver, make) => {
  let h: StorageHarness;
  let sut: ObjectStorage;
  beforeAll(async () => {
    h = await make();
    sut = h.storage;
  });
  afterAll(() => h.close());

  it('names its driver', () => {
    expect(sut.driver).toBe(driver);
  });

  it('stores and returns the same bytes, with their size and SHA-256', async () => {
    const content = 'hello, handoff ✓';
    const put = await sut.put('org-1/a.txt', body(content), { contentType: 'text/plain' });
    expect(put).toEqual({ size: Buffer.byteLength(content), sha256: sha256(content) });
    const got = await sut.get('org-1/a.txt');
    expect(got.size).toBe(put.size);
    expect([got.start, got.end]).toEqual([0, put.size - 1]);
    expect(await text(got.stream)).toBe(content);
    expect(await sut.exists('org-1/a.txt')).toBe(true);
  });

  it('streams an object of several multipart parts, byte for byte', async () => {
    const size = 12 * 1024 * 1024 + 123; // three 5 MiB parts for S3
    const expected = await digestOf(chunks(size));
    const put = await sut.put('org-1/big.bin', chunks(size), { contentType: 'application/octet-stream', size });
    expect(put).toEqual(expected);
    expect(await digestOf((await sut.get('org-1/big.bin')).stream)).toEqual(expected);
  });

  it.each([
    ['exactly one part', 5 * 1024 * 1024],
    ['one byte more than a part', 5 * 1024 * 1024 + 1],
    ['exactly two parts', 10 * 1024 * 1024],
    ['one byte less than a part', 5 * 1024 * 1024 - 1],
  ])('stores an object of %s byte for byte', async (_case, size) => {
    const expected = await digestOf(chunks(size, 100_003));
    expect(await sut.put('org-1/edge.bin', chunks(size, 100_003), { contentType: 'application/octet-stream' })).toEqual(expected);
    const got = await sut.get('org-1/edge.bin');
    expect(got.size).toBe(size);
    expect(await digestOf(got.stream)).toEqual(expected);
  });

  it('stores an empty object', async () => {
    expect(await sut.put('org-1/empty', body(''), { contentType: 'text/plain', size: 0 })).toEqual({ size: 0, sha256: sha256('') });
    const got = await sut.get('org-1/empty');
    expect(got.size).toBe(0);
    expect(await text(got.stream)).toBe('');
  });

  it('replaces an object on a second put', async () => {
    await sut.put('org-1/r.txt', body('first'), { contentType: 'text/plain' });
    await sut.put('org-1/r.txt', body('second'), { contentType: 'text/plain' });
    expect(await read(sut, 'org-1/r.txt')).toBe('second');
  });

  it('serves byte ranges, clamps an end past the object, and refuses a start past it', async () => {
    await sut.put('org-1/range.txt', body('0123456789'), { contentType: 'text/plain' });
    const mid = await sut.get('org-1/range.txt', { range: { start: 2, end: 5 } });
    expect({ start: mid.start, end: mid.end, size: mid.size }).toEqual({ start: 2, end: 5, size: 10 });
    expect(await text(mid.stream)).toBe('2345');
    const tail = await sut.get('org-1/range.txt', { range: { start: 7 } });
    expect([tail.start, tail.end, await text(tail.stream)]).toEqual([7, 9, '789']);
    const clamped = await sut.get('org-1/range.txt', { range: { start: 8, end: 100 } });
    expect([clamped.end, await text(clamped.stream)]).toEqual([9, '89']);
    const past = sut.get('org-1/range.txt', { range: { start: 10 } });
    await expect(past).rejects.toBeInstanceOf(RangeNotSatisfiableError);
    await expect(past).rejects.toMatchObject({ size: 10 });
    await expect(sut.get('org-1/range.txt', { range: { start: 5, end: 2 } })).rejects.toBeInstanceOf(RangeError);
  });

  it('answers a missing object with ObjectNotFoundError and exists = false', async () => {
    await expect(sut.get('org-1/nope')).rejects.toBeInstanceOf(ObjectNotFoundError);
    await expect(sut.get('org-1/nope', { range: { start: 0 } })).rejects.toBeInstanceOf(ObjectNotFoundError);
    expect(await sut.exists('org-1/nope')).toBe(false);
    // A key under a missing "directory" is just as missing.
    expect(await sut.exists('no-such-org/x/y')).toBe(false);
  });

  it('deletes an object, and deleting it again is not an error', async () => {
    await sut.put('org-2/d/x.txt', body('x'), { contentType: 'text/plain' });
    await sut.delete('org-2/d/x.txt');
    expect(await sut.exists('org-2/d/x.txt')).toBe(false);
    await expect(sut.get('org-2/d/x.txt')).rejects.toBeInstanceOf(ObjectNotFoundError);
    await sut.delete('org-2/d/x.txt');
    // The key can be written again after its directory was cleaned up.
    await sut.put('org-2/d/x.txt', body('again'), { contentType: 'text/plain' });
    expect(await read(sut, 'org-2/d/x.txt')).toBe('again');
  });

  it('deletes everything under a prefix and nothing under a prefix that merely starts the same', async () => {
    await sut.put('org-3/task-1/a', body('a'), { contentType: 'text/plain' });
    await sut.put('org-3/task-1/deep/b', body('b'), { contentType: 'text/plain' });
    await sut.put('org-3/task-10/c', body('c'), { contentType: 'text/plain' });
    expect(await sut.deletePrefix('org-3/task-1/')).toBe(2);
    expect(await sut.exists('org-3/task-1/a')).toBe(false);
    expect(await sut.exists('org-3/task-1/deep/b')).toBe(false);
    expect(await read(sut, 'org-3/task-10/c')).toBe('c');
    expect(await sut.deletePrefix('org-3/task-1/')).toBe(0);
    expect(await sut.deletePrefix('org-9/none/')).toBe(0);
    await expect(sut.deletePrefix('org-3/task-1')).rejects.toBeInstanceOf(InvalidObjectKeyError);
  });

  it('deletes a prefix holding more objects than one listing page', async () => {
    const n = 1_005; // S3 lists and deletes at most 1 000 at a time
    const keys = Array.from({ length: n }, (_, i) => `org-4/many/${i}`);
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(keys.slice(i, i + 50).map((k) => sut.put(k, body('.'), { contentType: 'text/plain' })));
    }
    expect(await sut.deletePrefix('org-4/')).toBe(n);
    expect(await sut.exists('org-4/many/0')).toBe(false);
    expect(await sut.exists(`org-4/many/${n - 1}`)).toBe(false);
  }, 120_000);

  describe('a put that breaks a rule keeps nothing, and leaves an earlier version as it was', () => {
    beforeAll(() => sut.put('org-5/kept.txt', body('earlier'), { contentType: 'text/plain' }));

    it.each([
      ['more bytes than declared', () => body('123456'), { size: 5 }, 'size_mismatch'],
      ['fewer bytes than declared', () => body('1234'), { size: 5 }, 'size_mismatch'],
      ['more than maxBytes, in one part', () => body('123456'), { maxBytes: 5 }, 'too_large'],
      ['more than maxBytes, across parts', () => chunks(12 * 1024 * 1024), { maxBytes: 7 * 1024 * 1024 }, 'too_large'],
    ] as const)('%s', async (_name, source, rules, reason) => {
      for (const key of ['org-5/new.txt', 'org-5/kept.txt']) {
        const put = sut.put(key, source(), { contentType: 'text/plain', ...rules });
        await expect(put).rejects.toBeInstanceOf(ObjectSizeError);
        await expect(put).rejects.toMatchObject({ reason });
      }
      expect(await sut.exists('org-5/new.txt')).toBe(false);
      expect(await read(sut, 'org-5/kept.txt')).toBe('earlier');
    });

    it('a source that fails half-way (a client that went away)', async () => {
      let sent = 0;
      const failing = new Readable({
        read() {
          sent += 1;
          if (sent > 100) this.destroy(new Error('client went away'));
          else this.push(Buffer.alloc(64 * 1024, sent));
        },
      });
      await expect(sut.put('org-5/kept.txt', failing, { contentType: 'text/plain' })).rejects.toThrow('client went away');
      expect(await read(sut, 'org-5/kept.txt')).toBe('earlier');
    });
  });

  it.each([
    '',
    '/abs',
    '../escape',
    'a/../../escape',
    'a/./b',
    'a//b',
    'a/b/',
    '.tmp/x',
    'a/.hidden',
    '..',
    'a\\b',
    'a\0b',
    'ä/b',
    'a b',
    'x'.repeat(513),
  ])('refuses the key %j in every operation', async (key) => {
    await expect(sut.put(key, body('x'), { contentType: 'text/plain' })).rejects.toBeInstanceOf(InvalidObjectKeyError);
    await expect(sut.get(key)).rejects.toBeInstanceOf(InvalidObjectKeyError);
    await expect(sut.exists(key)).rejects.toBeInstanceOf(InvalidObjectKeyError);
    await expect(sut.delete(key)).rejects.toBeInstanceOf(InvalidObjectKeyError);
  });

  it('gives a presigned link only where the store can serve one', async () => {
    await sut.put('org-6/report.pdf', body('%PDF-1.7 data'), { contentType: 'application/pdf' });
    const url = await sut.presignedGetUrl('org-6/report.pdf', {
      expiresInSeconds: 60,
      contentDisposition: 'attachment; filename="report.pdf"',
      contentType: 'application/pdf',
    });
    if (driver === 'disk') {
      expect(url).toBeNull();
      return;
    }
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/.*X-Amz-Signature=/);
    const res = await fetch(url!);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="report.pdf"');
    expect(await res.text()).toBe('%PDF-1.7 data');
  });
});

describe('disk storage', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'handoff-disk-'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  // S3 itself makes each put atomic (last writer wins); s3rver writes a completed
  // multipart object in place, so this is the disk driver's promise to check.
  it('ends concurrent puts to one key with one whole version, never a mix', async () => {
    const sut = new DiskStorage({ root });
    await sut.init();
    const size = 6 * 1024 * 1024;
    const seeds = [1, 2, 3];
    const digests = await Promise.all(seeds.map((seed) => digestOf(chunks(size, 64 * 1024, seed))));
    for (let round = 0; round < 3; round++) {
      await Promise.all(seeds.map((seed) => sut.put('org-1/race.bin', chunks(size, 64 * 1024, seed), { contentType: 'application/octet-stream' })));
      expect(digests).toContainEqual(await digestOf((await sut.get('org-1/race.bin')).stream));
    }
  });

  it('keeps serving the version a reader opened while a put replaces it', async () => {
    const sut = new DiskStorage({ root });
    await sut.init();
    await sut.put('a/doc', body('old version'), { contentType: 'text/plain' });
    const reading = await sut.get('a/doc');
    await sut.put('a/doc', body('new version, longer'), { contentType: 'text/plain' });
    expect(await text(reading.stream)).toBe('old version');
    expect(await read(sut, 'a/doc')).toBe('new version, longer');
  });

  it('leaves no temporary file behind, after a put or a failed one', async () => {
    const sut = new DiskStorage({ root });
    await sut.init();
    await sut.put('a/b', body('x'), { contentType: 'text/plain' });
    await expect(sut.put('a/c', body('xx'), { contentType: 'text/plain', size: 1 })).rejects.toBeInstanceOf(ObjectSizeError);
    expect(await readdir(join(root, '.tmp'))).toEqual([]);
    expect(await readdir(join(root, 'a'))).toEqual(['b']);
  });

  it('removes the parts left by a crash at init, but not a put still under way', async () => {
    await new DiskStorage({ root }).init();
    const old = join(root, '.tmp', 'crashed.part');
    const fresh = join(root, '.tmp', 'running.part');
    await writeFile(old, 'partial');
    await writeFile(fresh, 'partial');
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
    await utimes(old, twoHoursAgo, twoHoursAgo);
    await new DiskStorage({ root }).init();
    expect(await readdir(join(root, '.tmp'))).toEqual(['running.part']);
  });

  it('refuses at init a directory it cannot write, naming it', async () => {
    const file = join(root, 'a-file');
    await writeFile(file, '');
    await expect(new DiskStorage({ root: join(file, 'files') }).init()).rejects.toThrow(`STORAGE_DIR ${join(file, 'files')} is not a writable directory`);
  });
});

describe('s3 storage', () => {
  let s3: TestS3;
  beforeAll(async () => {
    s3 = await startTestS3('real-bucket');
  });
  afterAll(() => s3.close());

  it('refuses at init a bucket that does not exist, naming it', async () => {
    const sut = new S3Storage({ ...s3.options, bucket: 'missing-bucket' });
    await expect(sut.init()).rejects.toThrow(`S3_BUCKET missing-bucket at ${s3.endpoint} is not usable: it does not exist`);
    await sut.close();
  });

  it('refuses at init credentials the server does not accept', async () => {
    const sut = new S3Storage({ ...s3.options, accessKeyId: 'NOT-A-KEY' });
    await expect(sut.init()).rejects.toThrow(/S3_BUCKET real-bucket .* is not usable/);
    await sut.close();
  });
});

describe('storage configuration', () => {
  it('defaults to the disk driver under data/files', () => {
    expect(loadConfig({}).storage).toEqual({ driver: 'disk', dir: join(process.cwd(), 'data/files') });
  });

  it('builds the S3 driver from the S3_* variables', async () => {
    const s3 = await startTestS3('cfg-bucket');
    const config = loadConfig({
      STORAGE_DRIVER: 's3',
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: 'cfg-bucket',
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      S3_FORCE_PATH_STYLE: 'true',
    });
    expect(config.storage).toEqual({
      driver: 's3',
      s3: { endpoint: s3.endpoint, region: 'us-east-1', bucket: 'cfg-bucket', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', forcePathStyle: true },
    });
    const sut = createObjectStorage(config.storage);
    await sut.init();
    await sut.put('k/v', body('via config'), { contentType: 'text/plain' });
    expect(await read(sut, 'k/v')).toBe('via config');
    await sut.close();
    await s3.close();
  });

  it.each([
    [{ STORAGE_DRIVER: 'ftp' }, 'STORAGE_DRIVER'],
    [{ STORAGE_DRIVER: 's3' }, 'S3_BUCKET: must be set when STORAGE_DRIVER=s3'],
    [{ STORAGE_DRIVER: 's3', S3_BUCKET: 'b'.repeat(2) }, 'S3_BUCKET: must be a bucket name'],
    [{ STORAGE_DRIVER: 's3', S3_BUCKET: 'Bad_Bucket' }, 'S3_BUCKET: must be a bucket name'],
    [{ STORAGE_DRIVER: 's3', S3_BUCKET: 'ok-bucket', S3_ACCESS_KEY_ID: 'only-one' }, 'S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY: set both'],
    [{ S3_ENDPOINT: 'minio:9000' }, 'S3_ENDPOINT: must be a URL'],
    [{ S3_FORCE_PATH_STYLE: 'maybe' }, 'S3_FORCE_PATH_STYLE'],
    [{ FILE_MAX_BYTES: '0' }, 'FILE_MAX_BYTES'],
    [{ DOWNLOAD_LINK_TTL: '2d' }, 'DOWNLOAD_LINK_TTL must be between 10s and 24h'],
  ])('stops at start on %j, naming %s', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});
