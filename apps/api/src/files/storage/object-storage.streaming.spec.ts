import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { storageDrivers } from '../../../test/support/test-s3.js';
import type { ObjectStorage } from './object-storage.js';

const MiB = 1024 * 1024;
const SIZE = 100 * MiB;
const LIMIT = 50 * MiB;

// A full collection before each reading: RSS alone also counts garbage V8 has not yet
// collected (it lets up to 64 MiB of dead Buffers pile up in a long-lived worker), and
// that made this check fail on a busy machine with nothing held. Live memory is what a
// driver that held the file would grow. Swept at once, or dead Buffers still count.
v8.setFlagsFromString('--expose-gc');
v8.setFlagsFromString('--no-concurrent-array-buffer-sweeping');
const gc = runInNewContext('gc') as () => void;
const live = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

/** Peak live memory while `work` runs, read every few MiB of progress by the streams themselves. */
async function liveGrowth(work: (sample: () => void) => Promise<void>): Promise<{ before: number; peak: number; rss: number }> {
  gc();
  const before = live();
  const rssBefore = process.memoryUsage.rss();
  let peak = before;
  let rss = rssBefore;
  const sample = () => {
    rss = Math.max(rss, process.memoryUsage.rss());
    gc();
    peak = Math.max(peak, live());
  };
  await work(sample);
  sample();
  return { before, peak, rss: rss - rssBefore };
}

/** `total` bytes of a cheap pseudo-random sequence, made chunk by chunk as the consumer asks for them. */
function generated(total: number, sample: () => void, hash = createHash('sha256')): { stream: Readable; digest: () => string } {
  let sent = 0;
  let x = 0x9e3779b9;
  const stream = new Readable({
    read() {
      if (sent >= total) return void this.push(null);
      const n = Math.min(64 * 1024, total - sent);
      const buf = Buffer.allocUnsafe(n);
      for (let i = 0; i + 4 <= n; i += 4) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        buf.writeInt32LE(x | 0, i);
      }
      hash.update(buf);
      sent += n;
      if ((sent / n) % 128 === 0) sample();
      this.push(buf);
    },
  });
  return { stream, digest: () => hash.digest('hex') };
}

async function roundTrip(storage: ObjectStorage, key: string, size: number, sample: () => void = () => undefined) {
  const source = generated(size, sample);
  const put = await storage.put(key, source.stream, { contentType: 'application/octet-stream', size });
  const back = createHash('sha256');
  let read = 0;
  let chunks = 0;
  for await (const chunk of (await storage.get(key)).stream) {
    back.update(chunk as Buffer);
    read += (chunk as Buffer).length;
    if (++chunks % 512 === 0) sample();
  }
  return { put, expected: source.digest(), read, readDigest: back.digest('hex') };
}

const drivers = storageDrivers({ s3ChildProcess: true });

// The bar: a 100 MB upload and download with memory growth under 50 MB, so
// nothing on the way holds the file whole. The S3 server runs in its own process,
// as it would beside the API: this process's memory is Handoff's side alone.
describe.each(drivers)('streaming 100 MiB through %s storage', (driver, make) => {
  it('uploads and downloads it byte for byte with live memory growth under 50 MiB', async () => {
    const h = await make();
    try {
      // Warm up first (code loaded, sockets and buffers pooled), so only the transfer is measured.
      await roundTrip(h.storage, 'warm/up', 12 * MiB);
      let result: Awaited<ReturnType<typeof roundTrip>> | undefined;
      const { before, peak, rss } = await liveGrowth(async (sample) => {
        result = await roundTrip(h.storage, 'big/object', SIZE, sample);
      });
      expect(result!.put).toEqual({ size: SIZE, sha256: result!.expected });
      expect(result!.read).toBe(SIZE);
      expect(result!.readDigest).toBe(result!.expected);
      const growth = peak - before;
      console.log(`${driver}: 100 MiB up and down, live memory ${(before / MiB).toFixed(1)} → peak ${(peak / MiB).toFixed(1)} MiB (growth ${(growth / MiB).toFixed(1)} MiB; RSS growth ${(rss / MiB).toFixed(1)} MiB)`);
      expect(growth).toBeLessThan(LIMIT);
    } finally {
      await h.close();
    }
  }, 300_000);
});
