import { randomBytes } from 'node:crypto';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { compareStreamIds, OnceStream, StreamFollower, type StreamEntry } from './once-stream.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const quiet = { warn: () => {} };

async function until<T>(fn: () => T, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let v = fn();
  while (!ok(v)) {
    if (Date.now() > end) throw new Error(`not reached within ${timeoutMs} ms: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 20));
    v = fn();
  }
  return v;
}

/** A TCP path to Redis the test can cut (every connection dropped, new ones refused) and restore. */
async function cuttableRedis(): Promise<{ url: string; cut(): void; restore(): void; close(): void }> {
  const target = new URL(REDIS_URL);
  const open = new Set<Socket>();
  let cut = false;
  const server: Server = createServer((inbound) => {
    if (cut) return inbound.destroy();
    const out = createConnection({ host: target.hostname, port: Number(target.port || 6379) });
    for (const s of [inbound, out]) {
      open.add(s);
      s.on('close', () => open.delete(s));
      s.on('error', () => (inbound.destroy(), out.destroy()));
    }
    inbound.pipe(out).pipe(inbound);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `redis://127.0.0.1:${port}`,
    cut: () => ((cut = true), open.forEach((s) => s.destroy())),
    restore: () => (cut = false),
    close: () => (server.close(), open.forEach((s) => s.destroy())),
  };
}

describe('OnceStream', () => {
  let redis: Redis;
  let prefix: string;
  let once: OnceStream;
  const entry = (key: string) => ({ key, fields: ['k', key] });
  const keysInStream = async () => (await redis.xrange(once.streamKey, '-', '+')).map(([, f]) => f[f.indexOf('k') + 1]);

  beforeEach(() => {
    prefix = `test:once:${randomBytes(4).toString('hex')}`;
    once = new OnceStream(redis, { prefix, subscriber: 'live', stream: `${prefix}:stream`, maxLen: 10_000, markerTtlMs: 60_000 });
  });
  beforeAll(() => {
    redis = new Redis(REDIS_URL);
  });
  afterEach(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
  });
  afterAll(() => redis.disconnect());

  it('appends each key once, however often and in whatever company it is handed over', async () => {
    expect(await once.append([entry('a'), entry('b')])).toHaveLength(2);
    expect(await once.append([entry('b'), entry('a')])).toEqual([]);
    expect(await once.append([entry('c'), entry('a'), entry('c')])).toHaveLength(1);
    expect(await keysInStream()).toEqual(['a', 'b', 'c']);
  });

  it('appends each key once when many processes hand the same batch over at the same time', async () => {
    const others = Array.from({ length: 6 }, () => new Redis(REDIS_URL));
    try {
      const batch = Array.from({ length: 50 }, (_, i) => entry(`k${i}`));
      const appended = await Promise.all(others.map((r) => new OnceStream(r, once.opts).append(batch)));
      expect(appended.flat()).toHaveLength(50);
      expect((await keysInStream()).sort()).toEqual(batch.map((e) => e.key).sort());
    } finally {
      others.forEach((r) => r.disconnect());
    }
  });

  it('never keeps a marker for an entry the stream refused, so a retry appends it', async () => {
    // The stream's key holds something else: XADD fails inside the script after the marker was set.
    await redis.set(once.streamKey, 'not a stream');
    await expect(once.append([entry('a')])).rejects.toThrow(/WRONGTYPE/);
    expect(await redis.exists(`${prefix}:once:live:a`)).toBe(0);
    await redis.del(once.streamKey);
    expect(await once.append([entry('a')])).toHaveLength(1);
    expect(await keysInStream()).toEqual(['a']);
    // Its number was taken back too: the stream's entries count 1, 2, 3… without a hole.
    const [only] = await redis.xrange(once.streamKey, '-', '+');
    expect(only![1].slice(0, 2)).toEqual(['#', '1']);
  });

  it('keeps the marker until the source has settled the key, with the lifetime it was given', async () => {
    await once.append([entry('a')]);
    const ttl = await redis.pttl(`${prefix}:once:live:a`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
    await once.forget(['a']);
    expect(await redis.exists(`${prefix}:once:live:a`)).toBe(0);
  });
});

describe('StreamFollower', () => {
  let redis: Redis;
  let stream: string;
  const followers: StreamFollower[] = [];
  // Appended as the relay appends, through OnceStream, onto a stream that keeps about 20 entries.
  const add = (n: number, from = 0) =>
    new OnceStream(redis, { prefix: stream, subscriber: 'test', stream, maxLen: 20, markerTtlMs: 60_000 }).append(
      Array.from({ length: n }, (_, i) => ({ key: String(from + i), fields: ['n', String(from + i)] })),
    );
  const numberOf = (fields: Buffer[]) => Number(fields[fields.findIndex((f) => f.toString() === 'n') + 1]!.toString());
  const follow = (url = REDIS_URL) => {
    const got: number[] = [];
    const gaps: string[] = [];
    const f = new StreamFollower(url, stream, (es: StreamEntry[]) => got.push(...es.map(([, fields]) => numberOf(fields))), (after) => gaps.push(after), quiet);
    followers.push(f);
    f.start();
    return { f, got, gaps };
  };

  beforeAll(() => {
    redis = new Redis(REDIS_URL);
  });
  beforeEach(() => {
    stream = `test:follow:${randomBytes(4).toString('hex')}`;
  });
  afterEach(async () => {
    await Promise.all(followers.splice(0).map((f) => f.stop()));
    const keys = await redis.keys(`${stream}*`);
    if (keys.length) await redis.del(...keys);
  });
  afterAll(() => redis.disconnect());

  it('starts at the newest entry, then hands over every later one once, in order', async () => {
    await add(5);
    const { f, got } = follow();
    expect(await f.joined(10_000)).toBe(true);
    await add(15, 5);
    await until(() => got.length, (n) => n >= 15);
    expect(got).toEqual(Array.from({ length: 15 }, (_, i) => 5 + i));
  });

  it('after its connection was cut, reads what was added meanwhile, and says no gap', async () => {
    const path = await cuttableRedis();
    try {
      const { f, got, gaps } = follow(path.url);
      await f.joined(10_000);
      await add(3);
      await until(() => got.length, (n) => n === 3);
      path.cut();
      await add(10, 3);
      path.restore();
      await until(() => got.length, (n) => n === 13);
      expect(got).toEqual(Array.from({ length: 13 }, (_, i) => i));
      expect(gaps).toEqual([]);
      // `reached` says when everything up to an id was handed over.
      const [id] = await add(1, 13);
      await f.reached(id!);
      expect(got.at(-1)).toBe(13);
    } finally {
      path.close();
    }
  });

  it('says so when entries it never read were trimmed while it was away, and goes on with those left', async () => {
    const path = await cuttableRedis();
    try {
      const { f, got, gaps } = follow(path.url);
      await f.joined(10_000);
      await add(1);
      await until(() => got.length, (n) => n === 1);
      path.cut();
      // Far past the stream's length: whole nodes of entries it never read are trimmed.
      await add(400, 1);
      path.restore();
      await until(() => gaps.length, (n) => n === 1);
      await add(2, 401);
      await until(() => got.at(-1), (n) => n === 402);
      // The first entry, then an unbroken run from the oldest the stream still held to the newest.
      const [first, oldestLeft, ...rest] = got;
      expect(first).toBe(0);
      expect(oldestLeft).toBeGreaterThan(1);
      expect([oldestLeft, ...rest]).toEqual(Array.from({ length: 403 - oldestLeft! }, (_, i) => oldestLeft! + i));
      expect(gaps).toHaveLength(1);
    } finally {
      path.close();
    }
  });

  it('reads a stream that came back empty (Redis restarted without its data) from its start', async () => {
    const path = await cuttableRedis();
    try {
      const { f, got, gaps } = follow(path.url);
      await f.joined(10_000);
      await add(2);
      await until(() => got.length, (n) => n === 2);
      path.cut();
      // Made anew while the follower was away, its ids below where the follower stood.
      await redis.del(stream, `${stream}:seq`);
      await redis.xadd(stream, '1-1', '#', '1', 'n', '100');
      await redis.xadd(stream, '1-2', '#', '2', 'n', '101');
      path.restore();
      await until(() => got.length, (n) => n === 4);
      expect(got).toEqual([0, 1, 100, 101]);
      expect(gaps).toEqual([]);
    } finally {
      path.close();
    }
  });

  it('compares ids as numbers', () => {
    expect(compareStreamIds('999-0', '1000-0')).toBeLessThan(0);
    expect(compareStreamIds('5-10', '5-9')).toBeGreaterThan(0);
    expect(compareStreamIds('7-3', '7-3')).toBe(0);
  });
});
