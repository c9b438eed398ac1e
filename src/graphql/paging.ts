// Cursor paging for the connections read from a repository page (`{ items, hasMore }`, items
// keyed by id, newest first): the page size asked for, clamped, and the Relay connection object,
// optionally with a total count run only when its field is selected.
import type { builder } from './builder.ts';

/** `first`, defaulting to 50 and clamped to 1..max. */
export function pageSize(first: number | null | undefined, max: number): number {
  return Math.min(Math.max(first ?? 50, 1), max);
}

/** A repository page as a Relay connection, cursors being the items' ids. */
export function connectionOf<T extends { id: string }>(page: { items: T[]; hasMore: boolean }, after: string | null | undefined) {
  return {
    edges: page.items.map((node) => ({ cursor: node.id, node })),
    pageInfo: {
      hasNextPage: page.hasMore,
      hasPreviousPage: Boolean(after),
      startCursor: page.items[0]?.id ?? null,
      endCursor: page.items.at(-1)?.id ?? null,
    },
  };
}

/** The connection with a `totalCount` that runs `count` (a COUNT query) only when the field is selected. */
export function countedConnectionOf<T extends { id: string }>(page: { items: T[]; hasMore: boolean }, after: string | null | undefined, count: () => Promise<number>) {
  return { ...connectionOf(page, after), totalCount: count };
}

/** The fields of a counted connection: its `totalCount: Int!`. */
export function totalCountFields<Shape extends { totalCount(): Promise<number> }>(connection: PothosSchemaTypes.ObjectFieldBuilder<typeof builder.$inferSchemaTypes, Shape>, description: string) {
  return { totalCount: connection.int({ description, resolve: (result) => result.totalCount() }) };
}
