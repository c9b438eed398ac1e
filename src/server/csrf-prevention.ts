// CSRF prevention for /graphql. A browser sends a "simple" request (a GET, or a POST of a form,
// multipart or text/plain body) cross-site without a CORS preflight, so such a request must prove it
// was not forged by carrying a custom header, which a page on another site cannot add without a
// preflight. Unlike @graphql-yoga/plugin-csrf-prevention, a GET that runs a query needs no header:
// a query changes nothing, yoga refuses mutations over GET (405), and keys travel in headers, never
// in cookies, so a forged GET can only run what is open to anyone (GraphQL over HTTP's URL-encoded
// GET requests then work as the spec describes). A subscription over GET (an EventSource) still
// needs the header, as does a mutation (refused anyway). PUT and DELETE are never simple, so they are always preflighted.
import { getOperationAST } from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';

/** Bodies a form or a plain fetch can send cross-site without a preflight. */
const SIMPLE_CONTENT_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

export function useCsrfPrevention(requestHeaders: readonly string[]): Plugin {
  const hasProof = (headers: Headers) => requestHeaders.some((name) => headers.has(name));
  return {
    onRequestParse({ request }) {
      // A GET is judged once its operation is known (onParse below); other methods than POST are
      // preflighted, and so is a POST of any other content type (application/json).
      if (request.method !== 'POST' || !isSimpleContentType(request.headers.get('content-type'))) return;
      if (!hasProof(request.headers)) throw csrfRefusal();
    },
    onParse() {
      return ({ result, context }) => {
        // graphql-ws runs through getEnveloped without a Request: nothing to check there.
        const { request, params } = context as { request?: Request; params?: { operationName?: string | null } };
        if (request?.method !== 'GET' || result instanceof Error || hasProof(request.headers)) return;
        const operation = getOperationAST(result, params?.operationName ?? undefined);
        // No operation to run is yoga's to report (400). yoga refuses a mutation over GET (405) too,
        // whichever of the two checks comes first.
        if (operation && operation.operation !== 'query') throw csrfRefusal();
      };
    },
  };
}

function isSimpleContentType(contentType: string | null): boolean {
  if (!contentType) return true;
  const type = contentType.toLowerCase();
  return SIMPLE_CONTENT_TYPES.some((simple) => type.startsWith(simple));
}

function csrfRefusal() {
  return createGraphQLError('Required CSRF header(s) not present', { extensions: { http: { status: 403 }, code: 'CSRF_HEADER_REQUIRED' } });
}
