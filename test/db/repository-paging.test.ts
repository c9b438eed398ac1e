// One page of keyset paging: `first` rows, and whether more follow, from one query of first + 1.
import { describe, expect, it } from 'vitest';
import { pageOf } from '../../src/db/repository-paging.ts';

const rowsUpTo = (count: number) => async (limit: number) => Array.from({ length: Math.min(count, limit) }, (_, index) => index);

describe('pageOf', () => {
  it('says more rows follow only when the query found one past the page', async () => {
    expect(await pageOf(3, rowsUpTo(3))).toEqual({ items: [0, 1, 2], hasMore: false });
    expect(await pageOf(3, rowsUpTo(4))).toEqual({ items: [0, 1, 2], hasMore: true });
    expect(await pageOf(3, rowsUpTo(1))).toEqual({ items: [0], hasMore: false });
  });

  it('asks the query for one row more than the page', async () => {
    const limits: number[] = [];
    await pageOf(5, async (limit) => (limits.push(limit), []));
    expect(limits).toEqual([6]);
  });
});
