import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { access, constants, mkdir, open, readdir, rename, rm, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  assertKeyPrefix,
  assertObjectKey,
  assertPutOptions,
  assertRange,
  type ByteRange,
  DigestingMeter,
  InvalidObjectKeyError,
  type ObjectStorage,
  ObjectNotFoundError,
  type PutOptions,
  type PutResult,
  RangeNotSatisfiableError,
  type StoredObject,
} from './object-storage.js';

export interface DiskStorageOptions {
  /** The directory that holds every object; created if missing. */
  root: string;
  /** Temporary files older than this are left over from a crash and removed at init. */
  staleTempMs?: number;
}

const TEMP_DIR = '.tmp';
const isMissing = (err: unknown) => {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
};

/**
 * Objects as files under one directory, for a single machine. A put writes a
 * temporary file in the same directory tree, flushes it and renames it into
 * place, so a reader sees the whole object or none, even after a crash.
 */
export class DiskStorage implements ObjectStorage {
  readonly driver = 'disk' as const;
  private readonly root: string;
  private readonly temp: string;

  constructor(private readonly options: DiskStorageOptions) {
    this.root = resolve(options.root);
    this.temp = join(this.root, TEMP_DIR);
  }

  async init(): Promise<void> {
    try {
      await mkdir(this.temp, { recursive: true });
      await access(this.root, constants.W_OK);
      const probe = join(this.temp, `probe-${randomUUID()}`);
      await writeFile(probe, '');
      await unlink(probe);
    } catch (err) {
      throw new Error(`STORAGE_DIR ${this.root} is not a writable directory: ${(err as Error).message}`);
    }
    await this.removeStaleTemps();
  }

  async put(key: string, body: Readable, options: PutOptions): Promise<PutResult> {
    assertPutOptions(options);
    const target = this.pathOf(key);
    const temp = join(this.temp, `${randomUUID()}.part`);
    const meter = new DigestingMeter(options);
    // flush: fsync before close, so the rename never publishes a file the disk has not got.
    const out = createWriteStream(temp, { flags: 'wx', mode: 0o640, flush: true });
    try {
      await pipeline(body, meter, out);
      await this.moveIntoPlace(temp, target);
    } catch (err) {
      body.destroy();
      // A stream destroyed before its file was open still creates it: wait for the close.
      if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
      await rm(temp, { force: true });
      throw err;
    }
    return meter.result();
  }

  async get(key: string, options: { range?: ByteRange } = {}): Promise<StoredObject> {
    assertRange(options.range);
    const path = this.pathOf(key);
    let handle;
    try {
      handle = await open(path, 'r');
    } catch (err) {
      if (isMissing(err) || (err as NodeJS.ErrnoException).code === 'EISDIR') throw new ObjectNotFoundError(key);
      throw err;
    }
    try {
      // Size from the open file, not the path: a put renaming a new version in meanwhile cannot mix the two.
      const info = await handle.stat();
      if (!info.isFile()) throw new ObjectNotFoundError(key);
      const size = info.size;
      const start = options.range?.start ?? 0;
      if (options.range && start >= size) throw new RangeNotSatisfiableError(key, size);
      if (size === 0) {
        // createReadStream cannot express an empty range.
        await handle.close();
        return { stream: Readable.from([]), size, start: 0, end: -1 };
      }
      const end = Math.min(options.range?.end ?? size - 1, size - 1);
      return { stream: handle.createReadStream({ start, end, autoClose: true }), size, start, end };
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(key))).isFile();
    } catch (err) {
      if (isMissing(err)) return false;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    try {
      await unlink(path);
    } catch (err) {
      if (isMissing(err)) return;
      throw err;
    }
    await this.pruneEmptyParents(dirname(path));
  }

  async deletePrefix(prefix: string): Promise<number> {
    assertKeyPrefix(prefix);
    const dir = this.pathOf(prefix.slice(0, -1));
    let entries;
    try {
      entries = await readdir(dir, { recursive: true, withFileTypes: true });
    } catch (err) {
      if (isMissing(err)) return 0;
      throw err;
    }
    let deleted = 0;
    for (const entry of entries) {
      if (!entry.isFile()) continue;
      try {
        await unlink(join(entry.parentPath, entry.name));
        deleted++;
      } catch (err) {
        if (!isMissing(err)) throw err;
      }
    }
    // Deepest directories first; one a concurrent put just wrote into stays.
    const dirs = entries.filter((e) => e.isDirectory()).map((e) => join(e.parentPath, e.name));
    dirs.sort((a, b) => b.length - a.length);
    for (const d of [...dirs, dir]) await rmdir(d).catch(() => undefined);
    await this.pruneEmptyParents(dirname(dir));
    return deleted;
  }

  async presignedGetUrl(): Promise<string | null> {
    return null;
  }

  async close(): Promise<void> {}

  /** The file for a key; resolving and re-checking the path is a second guard behind the key rules. */
  private pathOf(key: string): string {
    assertObjectKey(key);
    const path = resolve(this.root, key);
    const rel = relative(this.root, path);
    if (rel === '' || rel.startsWith('..') || rel.split(sep)[0] === TEMP_DIR) throw new InvalidObjectKeyError(key, 'outside the storage directory');
    return path;
  }

  private async moveIntoPlace(temp: string, target: string): Promise<void> {
    // A delete pruning the (then empty) parent can race the mkdir; try again a few times.
    for (let attempt = 1; ; attempt++) {
      await mkdir(dirname(target), { recursive: true });
      try {
        await rename(temp, target);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 5) throw err;
      }
    }
    await syncDirectory(dirname(target));
  }

  private async pruneEmptyParents(from: string): Promise<void> {
    for (let dir = from; dir !== this.root && dir.startsWith(this.root + sep); dir = dirname(dir)) {
      try {
        await rmdir(dir);
      } catch {
        return; // not empty (or gone): the rest of the way up is in use
      }
    }
  }

  private async removeStaleTemps(): Promise<void> {
    const cutoff = Date.now() - (this.options.staleTempMs ?? 3_600_000);
    for (const name of await readdir(this.temp)) {
      const path = join(this.temp, name);
      const info = await stat(path).catch(() => null);
      if (info && info.mtimeMs < cutoff) await rm(path, { force: true, recursive: true });
    }
  }
}

/** Makes the rename itself durable; some platforms cannot open a directory, and lose nothing but that. */
async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // best effort
  } finally {
    await handle?.close();
  }
}
