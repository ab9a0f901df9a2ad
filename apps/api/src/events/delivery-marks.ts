import type { Redis } from 'ioredis';

/**
 * Which subscriber has taken which event of a batch not yet deleted from the
 * outbox, in one Redis hash (`<subscriber>/<event id>` fields). A redelivered
 * batch is handed to each subscriber without what it took before; the
 * batch's marks go once its rows are deleted, so the hash holds only batches
 * in flight (or left by a relay that died before its commit, until the next
 * relay commits them).
 */
export class DeliveryMarks {
  constructor(
    private readonly redis: Redis,
    private readonly key: string,
  ) {}

  private static field(subscriber: string, eventId: string): string {
    return `${subscriber}/${eventId}`;
  }

  /** Of these events, the ones each subscriber has taken. */
  async taken(subscribers: readonly string[], eventIds: readonly string[]): Promise<Set<string>> {
    const fields = subscribers.flatMap((s) => eventIds.map((id) => DeliveryMarks.field(s, id)));
    if (!fields.length) return new Set();
    const found = await this.redis.hmget(this.key, ...fields);
    return new Set(fields.filter((_, i) => found[i] !== null));
  }

  isTaken(taken: Set<string>, subscriber: string, eventId: string): boolean {
    return taken.has(DeliveryMarks.field(subscriber, eventId));
  }

  async mark(subscriber: string, eventIds: readonly string[]): Promise<void> {
    if (!eventIds.length) return;
    await this.redis.hset(this.key, Object.fromEntries(eventIds.map((id) => [DeliveryMarks.field(subscriber, id), '1'])));
  }

  async forget(subscribers: readonly string[], eventIds: readonly string[]): Promise<void> {
    const fields = subscribers.flatMap((s) => eventIds.map((id) => DeliveryMarks.field(s, id)));
    if (fields.length) await this.redis.hdel(this.key, ...fields);
  }
}
