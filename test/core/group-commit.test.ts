// Group commit: one flush at a time, later arrivals batched into the next, per-item results, and a
// failed flush that rejects only its own batch.
import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../../src/core/metering/group-commit.ts';

/** A flush the test finishes by hand: records each batch and how many run at once. */
function manualFlush() {
  const batches: number[][] = [];
  const finishers: Array<(fail?: Error) => void> = [];
  let running = 0;
  let mostAtOnce = 0;
  const flush = (items: number[]) =>
    new Promise<string[]>((resolve, reject) => {
      batches.push(items);
      running++;
      mostAtOnce = Math.max(mostAtOnce, running);
      finishers.push((fail) => {
        running--;
        if (fail) reject(fail);
        else resolve(items.map((item) => `done ${item}`));
      });
    });
  const tick = () => new Promise((resolve) => setImmediate(resolve));
  return { flush, batches, finish: async (fail?: Error) => (finishers.shift()!(fail), tick()), tick, mostAtOnce: () => mostAtOnce };
}

describe('group commit', () => {
  it('flushes a lone item at once, one flush per item when they come one after another', async () => {
    const flushes: number[][] = [];
    const group = new GroupCommit<number, number>(async (items) => (flushes.push(items), items.map((item) => item * 2)));
    expect(await group.submit(1)).toBe(2);
    expect(await group.submit(2)).toBe(4);
    expect(flushes).toEqual([[1], [2]]);
  });

  it('runs one flush at a time; items arriving meanwhile go together into the next, each with its own result', async () => {
    const manual = manualFlush();
    const group = new GroupCommit<number, string>(manual.flush);
    const first = group.submit(1);
    await manual.tick();
    const rest = [2, 3, 4].map((item) => group.submit(item));
    await manual.tick();
    expect(manual.batches).toEqual([[1]]);
    await manual.finish();
    expect(await first).toBe('done 1');
    expect(manual.batches).toEqual([[1], [2, 3, 4]]);
    const late = group.submit(5);
    await manual.finish();
    expect(await Promise.all(rest)).toEqual(['done 2', 'done 3', 'done 4']);
    await manual.finish();
    expect(await late).toBe('done 5');
    expect(manual.batches).toEqual([[1], [2, 3, 4], [5]]);
    expect(manual.mostAtOnce()).toBe(1);
  });

  it('takes items submitted in the same turn into one flush, at most maxBatchSize at a time', async () => {
    const flushes: number[][] = [];
    const group = new GroupCommit<number, number>(async (items) => (flushes.push(items), items), { maxBatchSize: 3 });
    expect(await Promise.all([1, 2, 3, 4, 5].map((item) => group.submit(item)))).toEqual([1, 2, 3, 4, 5]);
    expect(flushes).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });

  it('rejects every item of a failed flush, and only those; the next flush works', async () => {
    const manual = manualFlush();
    const group = new GroupCommit<number, string>(manual.flush);
    const first = group.submit(1);
    await manual.tick();
    const failing = [2, 3].map((item) => group.submit(item).catch((error: Error) => error.message));
    await manual.finish();
    const later = group.submit(4);
    await manual.finish(new Error('connection lost'));
    expect(await first).toBe('done 1');
    expect(await Promise.all(failing)).toEqual(['connection lost', 'connection lost']);
    await manual.finish();
    expect(await later).toBe('done 4');
  });

  it('rejects the batch when the flush answers the wrong number of results, or throws synchronously', async () => {
    const short = new GroupCommit<number, number>(async () => [1]);
    await expect(Promise.all([short.submit(1), short.submit(2)])).rejects.toThrow('1 results for 2 items');
    let calls = 0;
    const throwing = new GroupCommit<number, number>((items) => {
      if (calls++ === 0) throw new Error('boom');
      return Promise.resolve(items);
    });
    await expect(throwing.submit(1)).rejects.toThrow('boom');
    expect(await throwing.submit(2)).toBe(2);
  });
});
