// GET /v1/responses/{id}/input_items as OpenAI documents the list: `order` (desc by default),
// `limit` (1-100, default 20), and the cursors `after` / `before` (item ids; the page holds the
// items after / before that one in the chosen order), answered as { object: "list", data,
// first_id, last_id, has_more }, has_more telling whether items remain beyond the page in the
// direction of paging. A pure function over the stored items, so the cases are easy to table.
import { invalidField } from '../../shared/rest-request-error.ts';

export interface InputItemsPage<Item extends { id: string }> {
  object: 'list';
  data: Item[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}

export interface InputItemsQuery {
  order: 'asc' | 'desc';
  limit: number;
  after: string | null;
  before: string | null;
}

/** Reads and checks the query; a bad value is a 400 naming its parameter. */
export function readInputItemsQuery(query: URLSearchParams): InputItemsQuery {
  const order = query.get('order') ?? 'desc';
  if (order !== 'asc' && order !== 'desc') throw invalidField('order', 'must be "asc" or "desc"');
  const limitText = query.get('limit');
  const limit = limitText === null ? 20 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw invalidField('limit', 'must be an integer from 1 to 100');
  const after = query.get('after');
  const before = query.get('before');
  if (after !== null && before !== null) throw invalidField('before', 'give `after` or `before`, not both');
  return { order, limit, after, before };
}

/** One page of `items` (stored oldest first). */
export function pageInputItems<Item extends { id: string }>(items: readonly Item[], query: InputItemsQuery): InputItemsPage<Item> {
  const ordered = query.order === 'asc' ? [...items] : [...items].reverse();
  let data: Item[];
  let hasMore: boolean;
  if (query.before !== null) {
    const end = positionOf(ordered, query.before, 'before');
    const start = Math.max(0, end - query.limit);
    data = ordered.slice(start, end);
    hasMore = start > 0;
  } else {
    const start = query.after === null ? 0 : positionOf(ordered, query.after, 'after') + 1;
    data = ordered.slice(start, start + query.limit);
    hasMore = start + query.limit < ordered.length;
  }
  return { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: hasMore };
}

function positionOf(items: readonly { id: string }[], id: string, param: string): number {
  const index = items.findIndex((item) => item.id === id);
  if (index < 0) throw invalidField(param, `no input item "${id}" in this response`);
  return index;
}
