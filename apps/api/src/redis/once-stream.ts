import { Redis, type RedisOptions } from 'ioredis';

/**
 * One entry for a subscriber's stream, with the key that makes it once: the
 * subscriber and the event it stands for (`task.updated/<task>/<version>`).
 * `fields` alternate name and value, as XADD takes them.
 */
export interface OnceEntry {
  key: string;
  fields: (string | Buffer)[];
}

/** The field every entry starts with: its number in the stream, 1, 2, 3…, so a reader sees what it missed. */
export const SEQ_FIELD = '#';

/**
 * Appends each entry whose key has no marker yet and sets the marker, in one
 * step: a retry of the same entries (a batch whose other effects or whose
 * commit failed, a reply lost with the connection) appends nothing, and an
 * entry is never marked without being appended. A failed XADD takes its
 * marker back before the error goes up, so what failed is appended on the retry.
 *   KEYS[1] the stream, KEYS[2] its entry counter, KEYS[3…] one marker per entry;
 *   ARGV[1] a marker's lifetime in ms, ARGV[2] the stream's approximate length,
 *   then per entry its field count and its fields and values.
 */
const APPEND_ONCE = `
local ids = {}
local a = 3
for i = 3, #KEYS do
  local n = tonumber(ARGV[a]) * 2
  if redis.call('SET', KEYS[i], '1', 'NX', 'PX', ARGV[1]) then
    local seq = redis.call('INCR', KEYS[2])
    local id = redis.pcall('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', '${SEQ_FIELD}', seq, unpack(ARGV, a + 1, a + n))
    if type(id) == 'table' and id.err then
      redis.call('DEL', KEYS[i])
      redis.call('DECR', KEYS[2])
      return id
    end
    ids[#ids + 1] = id
  end
  a = a + 1 + n
end
return ids`;

type AppendOnce = (numKeys: number, ...args: (string | Buffer | number)[]) => Promise<string[]>;

/**
 * A subscriber's side of "at least once, idempotent per subscriber": the
 * source (the outbox relay) may hand the same event over any number of times,
 * from any process, until it has recorded it as done; the stream gets it once.
 * The marker outlives the source's record only while that is unsettled: once
 * the source has committed (its outbox rows deleted), `forget` drops the
 * markers, and the lifetime only bounds what a process that died between the
 * two leaves behind.
 */
export class OnceStream {
  private readonly markerPrefix: string;

  constructor(
    private readonly redis: Redis,
    readonly opts: { prefix: string; subscriber: string; stream: string; maxLen: number; markerTtlMs: number },
  ) {
    this.markerPrefix = `${opts.prefix}:once:${opts.subscriber}:`;
    if (!(redis as unknown as { appendOnce?: AppendOnce }).appendOnce) redis.defineCommand('appendOnce', { lua: APPEND_ONCE });
  }

  get streamKey(): string {
    return this.opts.stream;
  }

  /** Appends the entries not appended before, in order; resolves to the ids of those it appended. */
  async append(entries: readonly OnceEntry[]): Promise<string[]> {
    if (!entries.length) return [];
    const keys = [this.opts.stream, seqKey(this.opts.stream), ...entries.map((e) => this.markerPrefix + e.key)];
    const args: (string | Buffer | number)[] = [this.opts.markerTtlMs, this.opts.maxLen];
    for (const e of entries) args.push(e.fields.length / 2, ...e.fields);
    const ids = await (this.redis as unknown as { appendOnce: AppendOnce }).appendOnce(keys.length, ...keys, ...args);
    return ids.map(String);
  }

  /** The source has settled these keys for good: nothing will hand them over again. */
  async forget(keys: readonly string[]): Promise<void> {
    if (keys.length) await this.redis.unlink(...keys.map((k) => this.markerPrefix + k));
  }
}

const seqKey = (stream: string) => `${stream}:seq`;

/** Stream ids are `<ms>-<seq>`; compare them as numbers, not strings. */
export function compareStreamIds(a: string, b: string): number {
  const [am, as = '0'] = a.split('-');
  const [bm, bs = '0'] = b.split('-');
  return Number(am) - Number(bm) || Number(as) - Number(bs);
}

/** An entry's number in its stream, or undefined for one not appended through `OnceStream`. */
function seqOf(fields: Buffer[]): number | undefined {
  return fields.length >= 2 && fields[0]!.toString() === SEQ_FIELD ? Number(fields[1]!.toString()) : undefined;
}

export type StreamEntry = [id: string, fields: Buffer[]];

/**
 * Reads one stream from where this process joined it, entry by entry, in
 * order, each once: every process that follows gets every entry (a fan-out,
 * not a work queue). Unlike pub/sub, an entry appended while this process's
 * connection was down is read when it is back. What can still be missed is
 * said through `onGap`: entries trimmed before this process read them (it was
 * away, or behind, for longer than the stream's length lasts), seen from the
 * numbers the entries carry.
 */
export class StreamFollower {
  private readonly conn: Redis;
  private cursor?: string;
  /** The number of the entry at the cursor. */
  private seq = 0;
  private stopped = false;
  private running?: Promise<void>;
  private checked = false;
  private readonly waiters: { id: string; resolve: () => void }[] = [];
  private readonly joinedWaiters: ((ok: boolean) => void)[] = [];

  constructor(
    url: string,
    private readonly stream: string,
    private readonly handle: (entries: StreamEntry[]) => void,
    private readonly onGap: (missedAfter: string) => void,
    private readonly logger: { warn(message: string): void },
    opts: RedisOptions = {},
  ) {
    // A connection of its own: a blocking read holds it. Commands fail at once while it is down
    // (no offline queue, nothing resent): the loop waits for it to be back and looks again.
    this.conn = new Redis(url, {
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      retryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
      ...opts,
    });
    this.conn.on('error', () => undefined);
  }

  start(): void {
    this.running ??= this.loop();
  }

  /**
   * Resolves once the reader knows where it starts (true), or with false as
   * soon as its first try fails (Redis down) or `timeoutMs` pass: a Redis
   * that is down is not waited for.
   */
  joined(timeoutMs: number): Promise<boolean> {
    if (this.cursor !== undefined) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.joinedWaiters.push((ok) => (clearTimeout(timer), resolve(ok)));
    });
  }

  /** Resolves once every entry up to `id` has been handed to `handle`. */
  reached(id: string): Promise<void> {
    if (this.cursor !== undefined && compareStreamIds(this.cursor, id) >= 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ id, resolve }));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.conn.disconnect();
    await this.running;
    for (const w of this.waiters.splice(0)) w.resolve();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      try {
        if (!this.checked) {
          // Commands fail at once until the connection is up: give it up to a second first.
          if (this.conn.status !== 'ready') await this.untilReady();
          await this.check();
        }
        const res = (await this.conn.xreadBuffer('COUNT', 1_000, 'BLOCK', 10_000, 'STREAMS', this.stream, this.cursor!)) as [Buffer, [Buffer, Buffer[]][]][] | null;
        const entries = res?.[0]?.[1];
        if (entries?.length) this.take(entries.map(([id, fields]) => [id.toString(), fields]));
      } catch {
        if (this.stopped) break;
        for (const w of this.joinedWaiters.splice(0)) w(false);
        this.checked = false;
        await this.untilReady();
      }
    }
  }

  /** Hands the entries over in order; where their numbers jump, entries were trimmed unread: say so between the two. */
  private take(entries: StreamEntry[]): void {
    let from = 0;
    for (let i = 0; i < entries.length; i++) {
      const seq = seqOf(entries[i]![1]);
      if (seq === undefined) continue;
      if (seq > this.seq + 1) {
        this.deliver(entries.slice(from, i));
        from = i;
        this.onGap(this.cursor!);
      }
      this.seq = seq;
      this.cursor = entries[i]![0];
    }
    this.deliver(entries.slice(from));
    this.cursor = entries[entries.length - 1]![0];
    this.release();
  }

  private deliver(entries: StreamEntry[]): void {
    if (!entries.length) return;
    try {
      this.handle(entries);
    } catch (e) {
      this.logger.warn(`stream ${this.stream}: ${(e as Error).message}`);
    }
  }

  /**
   * Where to read from after (re)connecting: at the first join, after the
   * newest entry (what came before was for the sockets of another time); after
   * an outage, from where it stopped (what was trimmed meanwhile shows as a jump
   * in the numbers), unless the stream was made anew (Redis came back without
   * its data): then all of it came while this process was away.
   */
  private async check(): Promise<void> {
    const [last] = (await this.conn.xrevrangeBuffer(this.stream, '+', '-', 'COUNT', 1)) as [Buffer, Buffer[]][];
    const lastId = last ? last[0].toString() : '0-0';
    const lastSeq = last ? (seqOf(last[1]) ?? 0) : 0;
    if (this.cursor === undefined) {
      this.cursor = lastId;
      this.seq = lastSeq;
      for (const w of this.joinedWaiters.splice(0)) w(true);
    } else if (compareStreamIds(lastId, this.cursor) < 0 || lastSeq < this.seq) {
      this.cursor = '0-0';
      this.seq = 0;
    }
    this.checked = true;
    this.release();
  }

  private release(): void {
    const at = this.cursor;
    if (at === undefined) return;
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (compareStreamIds(at, this.waiters[i]!.id) >= 0) this.waiters.splice(i, 1)[0]!.resolve();
    }
  }

  private untilReady(): Promise<void> {
    if (this.conn.status === 'ready') return new Promise((r) => setTimeout(r, 100).unref());
    return new Promise((resolve) => {
      const done = () => (clearTimeout(timer), this.conn.off('ready', done), this.conn.off('end', done), resolve());
      const timer = setTimeout(done, 1_000);
      timer.unref();
      this.conn.once('ready', done);
      // Stopped: the loop ends at once instead of after the timer.
      this.conn.once('end', done);
    });
  }
}
