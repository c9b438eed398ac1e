// The in-process half of the live usage feed: every batch handed to `deliver` reaches every open
// subscription. A subscription's queue is bounded: a subscriber that falls behind by more than
// `maxQueued` records loses the oldest ones (the records are in the database; the feed is live
// delivery, best effort). `return()` ends a subscription at once, even while it waits.
import type { UsageRecord } from './metering-ports.ts';

interface Subscriber {
  queue: UsageRecord[];
  wake: (() => void) | undefined;
  end: () => IteratorResult<UsageRecord>;
}

export class UsageFanOut {
  private readonly subscribers = new Set<Subscriber>();

  constructor(private readonly maxQueued = 10_000) {}

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  deliver(records: readonly UsageRecord[]): void {
    for (const subscriber of this.subscribers) {
      subscriber.queue.push(...records);
      const excess = subscriber.queue.length - this.maxQueued;
      if (excess > 0) subscriber.queue.splice(0, excess);
      subscriber.wake?.();
    }
  }

  subscribe(): AsyncIterableIterator<UsageRecord> {
    let ended = false;
    const end = (): IteratorResult<UsageRecord> => {
      ended = true;
      this.subscribers.delete(subscriber);
      subscriber.queue.length = 0;
      subscriber.wake?.();
      return { done: true, value: undefined };
    };
    const subscriber: Subscriber = { queue: [], wake: undefined, end };
    this.subscribers.add(subscriber);
    const iterator: AsyncIterableIterator<UsageRecord> = {
      next: async () => {
        while (!ended) {
          const record = subscriber.queue.shift();
          if (record) return { done: false, value: record };
          await new Promise<void>((resolve) => (subscriber.wake = resolve));
          subscriber.wake = undefined;
        }
        return { done: true, value: undefined };
      },
      return: async () => end(),
      throw: async (error?: unknown) => {
        end();
        throw error;
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  /** Ends every subscription (their iterators finish). */
  close(): void {
    for (const subscriber of this.subscribers) subscriber.end();
  }
}
