// Keyset paging shared by the repositories: every condition, and one page of `first` rows read as
// `first + 1` so that one query also tells whether more rows follow.
import { and, type SQL } from 'drizzle-orm';

/** All the conditions (undefined when there are none: every row). */
export const allOf = (conditions: SQL[]): SQL | undefined => (conditions.length ? and(...conditions) : undefined);

/** `rows(limit)` runs the ordered query with the limit it is given. */
export async function pageOf<Row>(first: number, rows: (limit: number) => Promise<Row[]>): Promise<{ items: Row[]; hasMore: boolean }> {
  const fetched = await rows(first + 1);
  return { items: fetched.slice(0, first), hasMore: fetched.length > first };
}
