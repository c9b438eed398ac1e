// Postgres array literals, sent as one text parameter and cast in SQL (`$1::text::bigint[]`): a batch
// of any size is one parameter, the same on postgres.js and PGlite, and Postgres parses arrays of
// scalars faster than JSON. Strings are quoted (escaped only when they must be), NULL is bare.
export type ArrayCell = string | number | boolean | null;

const NEEDS_ESCAPE = /[\\"]/;
const ESCAPED = /[\\"]/g;

/** `{"a","b\"c",NULL,1,t}` of `value(item)` for each item; built by concatenation, no intermediate arrays. */
export function arrayLiteral<T>(items: readonly T[], value: (item: T) => ArrayCell): string {
  let literal = '{';
  for (let i = 0; i < items.length; i++) {
    if (i > 0) literal += ',';
    const cell = value(items[i]!);
    if (cell === null) literal += 'NULL';
    else if (typeof cell === 'number') literal += String(cell);
    else if (typeof cell === 'boolean') literal += cell ? 't' : 'f';
    else literal += NEEDS_ESCAPE.test(cell) ? `"${cell.replace(ESCAPED, '\\$&')}"` : `"${cell}"`;
  }
  return `${literal}}`;
}
