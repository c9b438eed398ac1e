// graphql-js parses recursively: a document of a few thousand nested selections, or of nested
// object values in an argument, overflows the stack inside the parser (an HTTP 500, and over
// WebSocket graphql-ws closes the whole socket with 4500). The token limit does not prevent it,
// since the parser recurses as it reads the tokens. So the nesting of braces, brackets and
// parentheses is counted first, in one pass over the text, and a document nested too deeply fails
// as a coded error before the parser sees it; the depth and cost limits then judge what parses.
import { GraphQLError, type Source } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** Whether `text` nests `{`, `[` and `(` deeper than `max`, outside strings and comments. */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code === 123 || code === 91 || code === 40) {
      // { [ (
      if (++depth > max) return true;
    } else if (code === 125 || code === 93 || code === 41) {
      // } ] )
      if (depth > 0) depth--;
    } else if (code === 35) {
      // # comment to the end of the line
      while (i + 1 < length && text.charCodeAt(i + 1) !== 10 && text.charCodeAt(i + 1) !== 13) i++;
    } else if (code === 34) {
      i = text.startsWith('"""', i) ? endOfBlockString(text, i + 3) : endOfString(text, i + 1);
    }
  }
  return false;
}

/** The index of the closing quote of a string opened before `from` (or the end of its line). */
function endOfString(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 92) i++;
    else if (code === 34 || code === 10 || code === 13) return i;
  }
  return text.length;
}

/** The index of the last quote of a block string opened before `from`; `\"""` does not close it. */
function endOfBlockString(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    if (text.charCodeAt(i) === 92 && text.startsWith('"""', i + 1)) i += 3;
    else if (text.startsWith('"""', i)) return i + 2;
  }
  return text.length;
}

/**
 * Refuses documents nested deeper than `maxNesting` at parse time, on every transport (graphql-ws
 * parses through the same envelop), with a coded error that fails only the operation.
 */
export function useDocumentNestingLimit(maxNesting: number): Plugin {
  return {
    onParse({ params }) {
      const source = params.source as string | Source;
      const text = typeof source === 'string' ? source : source.body;
      if (nestsDeeperThan(text, maxNesting)) {
        throw new GraphQLError(`The document nests selections, arguments or values deeper than ${maxNesting} levels`, {
          extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'maxNesting' },
        });
      }
    },
  };
}
