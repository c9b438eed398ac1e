// Group commit: callers submit items one at a time; at most one flush runs at once, and whatever
// arrives while it runs goes together into the next one. A lone item is flushed at once (after the
// current microtask turn, so items submitted in the same turn share a flush); under concurrency the
// batches grow by themselves, with no timer adding latency. Each item gets its own result, and a
// failed flush rejects exactly the items of that batch.

export interface GroupCommitOptions {
  /** The most items one flush takes; the rest wait for the next (default: no limit). */
  maxBatchSize?: number;
}

interface Pending<Item, Result> {
  item: Item;
  resolve(result: Result): void;
  reject(error: unknown): void;
}

export class GroupCommit<Item, Result> {
  private queue: Array<Pending<Item, Result>> = [];
  private running = false;
  private readonly maxBatchSize: number;

  /** `flush` returns one result per item, in item order. */
  constructor(
    private readonly flush: (items: Item[]) => Promise<Result[]>,
    options: GroupCommitOptions = {},
  ) {
    this.maxBatchSize = Math.max(1, options.maxBatchSize ?? Number.POSITIVE_INFINITY);
  }

  submit(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.running) {
        this.running = true;
        queueMicrotask(() => void this.run());
      }
    });
  }

  private async run(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatchSize);
        try {
          const results = await this.flush(batch.map((pending) => pending.item));
          if (results.length !== batch.length) throw new Error(`group commit: ${results.length} results for ${batch.length} items`);
          batch.forEach((pending, index) => pending.resolve(results[index]!));
        } catch (error) {
          for (const pending of batch) pending.reject(error);
        }
      }
    } finally {
      this.running = false;
    }
  }
}
