interface Waiting<I, O> {
  item: I;
  resolve: (out: O) => void;
  reject: (e: unknown) => void;
}

/**
 * Group commit: while `lanes` statements are in flight, new items wait and
 * all go in the next one, so under load one statement, one round trip and
 * one commit carry many, and alone an item goes at once. `run` answers one
 * output per item, in order. Each caller gets its answer only after the
 * commit that holds its item.
 *
 * Run alone through pg, 50 callers, pool 20: submissions one per statement
 * about 3,000 tasks/s, batched 14,000 with 2 lanes, 12,000 with 4, 9,000 with
 * 8 (2 lanes leave the pool to everything else); claims one per statement
 * 2,300-2,700 claims/s, batched 5,400-7,700.
 */
export class GroupCommit<I, O> {
  private waiting: Waiting<I, O>[] = [];
  private inFlight = 0;
  private sending = 0;

  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly lanes = 2,
    private readonly maxBatch = 500,
  ) {}

  /** Items handed in and not answered yet: waiting for a lane, or in a statement under way. */
  get size(): number {
    return this.waiting.length + this.sending;
  }

  add(item: I): Promise<O> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.flush();
    });
  }

  private flush(): void {
    while (this.inFlight < this.lanes && this.waiting.length) {
      const batch = this.waiting.splice(0, this.maxBatch);
      this.inFlight++;
      this.sending += batch.length;
      void this.send(batch).finally(() => {
        this.inFlight--;
        this.sending -= batch.length;
        this.flush();
      });
    }
  }

  private async send(batch: Waiting<I, O>[]): Promise<void> {
    try {
      const outs = await this.run(batch.map((w) => w.item));
      batch.forEach((w, i) => w.resolve(outs[i]!));
    } catch (e) {
      if (batch.length === 1) return batch[0]!.reject(e);
      // A statement fails whole; one bad item must not fail the others, so each goes again alone.
      await Promise.all(batch.map((w) => this.run([w.item]).then((outs) => w.resolve(outs[0]!), w.reject)));
    }
  }
}
