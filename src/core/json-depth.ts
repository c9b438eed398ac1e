// How deeply a JSON value nests. JSON.parse accepts any depth, but much of what runs on a parsed
// value afterwards recurses (JSON.stringify, schema converters, validators, the database driver)
// and overflows the stack somewhere past a few thousand levels. The edges refuse deeper input once,
// on arrival, with this iterative check; no real request comes near the limit.

/** The deepest nesting of objects and arrays accepted in a request body or a JSON variable. */
export const MAX_JSON_DEPTH = 64;

/**
 * Where `value` first nests deeper than `maxDepth` objects and arrays: the path of the container
 * that goes too deep, cut to its first segments (`tools[0].function.parameters...`), or null.
 */
export function tooDeepAt(value: unknown, maxDepth = MAX_JSON_DEPTH): string | null {
  if (typeof value !== 'object' || value === null) return null;
  const stack: Array<{ value: object; depth: number; path: string }> = [{ value, depth: 1, path: '' }];
  while (stack.length > 0) {
    const { value: container, depth, path } = stack.pop()!;
    if (depth > maxDepth) return path.length > 0 ? path : '(root)';
    const named = depth <= PATH_SEGMENTS;
    if (Array.isArray(container)) {
      for (let index = 0; index < container.length; index++) {
        const item: unknown = container[index];
        if (typeof item === 'object' && item !== null) stack.push({ value: item, depth: depth + 1, path: named ? `${path}[${index}]` : path });
      }
    } else {
      for (const key in container) {
        const item: unknown = (container as Record<string, unknown>)[key];
        if (typeof item === 'object' && item !== null) stack.push({ value: item, depth: depth + 1, path: named ? (path ? `${path}.${key}` : key) : path });
      }
    }
  }
  return null;
}

/** Path segments kept in the answer: enough to name the field, not the whole chain. */
const PATH_SEGMENTS = 4;
