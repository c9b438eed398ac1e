// Streamed function-call arguments (Vertex AI `streamFunctionCallArguments`, Gemini 3): a call
// opens with `functionCall { name, willContinue: true }`, its arguments then arrive as
// `functionCall.partialArgs` pieces, each a value at a JSON Path (RFC 9535, e.g.
// `$.recipe.ingredients[0].amount`); a string may come in several pieces for the same path, the
// piece before the last carrying `willContinue`. A `functionCall` without `willContinue` closes
// the call. These pieces build one arguments object per call.
import type { GeminiPartialArg } from './gemini-wire-types.ts';

type Segment = string | number;

export class StreamedFunctionArguments {
  private root: Record<string, unknown> = {};

  apply(pieces: readonly GeminiPartialArg[]): void {
    for (const piece of pieces) {
      const path = parseJsonPath(piece.jsonPath ?? '');
      if (path === undefined || path.length === 0) continue;
      this.set(path, piece);
    }
  }

  /** The arguments so far, as a JSON object string. */
  json(): string {
    return JSON.stringify(this.root);
  }

  private set(path: Segment[], piece: GeminiPartialArg): void {
    let container: Record<string | number, unknown> = this.root;
    for (const [position, segment] of path.slice(0, -1).entries()) {
      const next = path[position + 1];
      const existing = container[segment];
      if (typeof existing !== 'object' || existing === null) container[segment] = typeof next === 'number' ? [] : {};
      container = container[segment] as Record<string | number, unknown>;
    }
    const last = path.at(-1)!;
    if (piece.stringValue !== undefined) {
      // Later pieces of one string continue it.
      const existing = container[last];
      container[last] = typeof existing === 'string' ? existing + piece.stringValue : piece.stringValue;
    } else if (piece.numberValue !== undefined) container[last] = piece.numberValue;
    else if (piece.boolValue !== undefined) container[last] = piece.boolValue;
    else if (piece.nullValue !== undefined) container[last] = null;
  }
}

/** `$.a.b[0]['c d']` -> ['a', 'b', 0, 'c d']; undefined when it is not such a path. */
export function parseJsonPath(path: string): Segment[] | undefined {
  if (!path.startsWith('$')) return undefined;
  const segments: Segment[] = [];
  let position = 1;
  while (position < path.length) {
    if (path[position] === '.') {
      let end = position + 1;
      while (end < path.length && path[end] !== '.' && path[end] !== '[') end++;
      if (end === position + 1) return undefined;
      segments.push(path.slice(position + 1, end));
      position = end;
    } else if (path[position] === '[') {
      const close = path.indexOf(']', position);
      if (close === -1) return undefined;
      const inside = path.slice(position + 1, close);
      const quoted = /^'(.*)'$|^"(.*)"$/.exec(inside);
      if (quoted) segments.push(quoted[1] ?? quoted[2] ?? '');
      else if (/^\d+$/.test(inside)) segments.push(Number(inside));
      else return undefined;
      position = close + 1;
    } else {
      return undefined;
    }
  }
  return segments;
}
