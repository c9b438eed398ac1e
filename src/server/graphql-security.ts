// What makes /graphql safe to expose to browsers: CORS, CSRF prevention, limits on query size and
// cost, optional introspection, masked errors, and persisted operations (APQ and an allow-list).
// Limits, introspection and the allow-list are checked at parse/validate time, so they hold over
// WebSocket too (graphql-ws runs through yoga.getEnveloped); CORS, CSRF and APQ are HTTP matters.
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { GraphQLError, NoSchemaIntrospectionCustomRule, type ValidationContext } from 'graphql';
import { createGraphQLError, createLRUCache, type CORSOptions, type Plugin, type YogaMaskedErrorOpts } from 'graphql-yoga';
import { MAX_JSON_DEPTH } from '../core/json-depth.ts';
import { useDocumentNestingLimit } from './graphql-document-nesting.ts';
import { useCsrfPrevention } from './csrf-prevention.ts';
import { normalizeHash, sha256Hex, type PersistedOperations } from './persisted-operations.ts';

export interface GraphQLLimits {
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxCost: number;
}

export interface GraphQLSecurityOptions {
  /** Origins allowed to call /graphql from a browser: `*` for any; none means same-origin only. */
  corsOrigins: readonly string[];
  limits: GraphQLLimits;
  introspection: boolean;
  persistedOperations: PersistedOperations;
  /** Largest request body accepted (413 above); the REST endpoints use the same limit. */
  bodyLimitBytes?: number;
}

/** The part of createYoga's options this module owns. */
export interface GraphQLSecurity {
  cors: (request: Request) => CORSOptions;
  plugins: Plugin[];
  maskedErrors: Partial<YogaMaskedErrorOpts>;
  /** GraphQL over HTTP's persisted document id, accepted beside the APQ extension. */
  extraParamNames: string[];
  /** Off: useRequestBodyLimit replaces yoga's own limit. */
  maxRequestBodySize: false;
  /** What the JSON POST fast lane needs to hold to the same rules outside yoga's request hooks. */
  fastLane: { bodyLimitBytes: number; resolvePersistedQuery: PersistedQueryResolver };
}

/** The header a client sends with form-encoded requests or a subscription over GET (JSON POSTs and GET queries need none). */
export const CSRF_HEADER = 'x-graphql-yoga-csrf';

export function graphqlSecurity(options: GraphQLSecurityOptions): GraphQLSecurity {
  const bodyLimitBytes = options.bodyLimitBytes ?? 4 * 1024 * 1024;
  const resolvePersistedQuery = persistedQueryResolver(options.persistedOperations);
  return {
    cors: corsFor(options.corsOrigins),
    plugins: [
      useRequestBodyLimit(bodyLimitBytes),
      // Simple requests (a form or text/plain POST, a GET other than a query) need a custom header.
      useCsrfPrevention([CSRF_HEADER]),
      useAutomaticPersistedQueries(resolvePersistedQuery),
      useOperationAllowlist(options.persistedOperations),
      ...(options.introspection ? [] : [useNoIntrospection()]),
      // Before the parser recurses; wide enough for any document the depth limit accepts.
      useDocumentNestingLimit(Math.max(MAX_JSON_DEPTH, 2 * options.limits.maxDepth)),
      EnvelopArmorPlugin({
        maxDepth: { n: options.limits.maxDepth, ...rejectWith('maxDepth') },
        maxAliases: { n: options.limits.maxAliases, ...rejectWith('maxAliases') },
        maxTokens: { n: options.limits.maxTokens, ...rejectWith('maxTokens') },
        costLimit: { maxCost: options.limits.maxCost, ...rejectWith('maxCost') },
        maxDirectives: { n: 50, ...rejectWith('maxDirectives') },
        // Suggestions ("Did you mean ...?") reveal the schema; hide them when introspection is off.
        blockFieldSuggestion: { enabled: !options.introspection },
      }),
    ],
    // isDev false: NODE_ENV=development must not add the original error to the response either.
    maskedErrors: { isDev: false, errorMessage: 'Unexpected error.' },
    extraParamNames: ['documentId'],
    maxRequestBodySize: false,
    fastLane: { bodyLimitBytes, resolvePersistedQuery },
  };
}

/**
 * The body limit. yoga's built-in limit pipes every body through a WHATWG TransformStream (about a
 * tenth of what a small mutation costs); a body with a Content-Length needs only the header checked,
 * since Node's HTTP parser never delivers more than the declared length. Only a body sent without
 * one (chunked) is counted as it is read.
 */
export function useRequestBodyLimit(limitBytes: number): Plugin {
  const tooLarge = () => createGraphQLError('Request body too large', { extensions: { http: { status: 413 }, code: 'REQUEST_ENTITY_TOO_LARGE' } });
  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
      const declared = request.headers.get('content-length');
      if (declared !== null) {
        // One non-negative integer only: a list ("10, 10") or anything else is refused, not skipped.
        if (!/^\d+$/.test(declared)) throw createGraphQLError('Content-Length header is invalid.', { extensions: { http: { status: 400 }, code: 'BAD_REQUEST' } });
        if (Number(declared) > limitBytes) throw tooLarge();
        return;
      }
      if (!requestParser || !request.body) return;
      const parse = requestParser;
      setRequestParser(async (original) => {
        const chunks: Uint8Array[] = [];
        let size = 0;
        // Past the limit the rest is drained, not kept: leaving the loop early would destroy the
        // request stream and with it the socket, before the 413 could be written.
        for await (const chunk of original.body as unknown as AsyncIterable<Uint8Array>) {
          size += chunk.byteLength;
          if (size <= limitBytes) chunks.push(chunk);
          else chunks.length = 0;
        }
        if (size > limitBytes) throw tooLarge();
        return parse(new fetchAPI.Request(original.url, { method: original.method, headers: original.headers, signal: original.signal, body: Buffer.concat(chunks) }));
      });
    },
  };
}

/**
 * CORS for /graphql: the configured origins, or only the page's own origin when none are
 * configured. Credentials are never allowed: keys travel in headers, not cookies. PUT and DELETE
 * are GraphQL over SSE's single connection mode (reserve a stream, stop an operation).
 */
function corsFor(origins: readonly string[]): (request: Request) => CORSOptions {
  const any = origins.includes('*');
  return (request) => {
    const origin = request.headers.get('origin');
    if (origin === null) return false;
    const allowed = any || origins.includes(origin) || isSameOrigin(origin, request.url);
    if (!allowed) return false;
    return { origin: [origin], credentials: false, methods: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'], maxAge: 600 };
  };
}

/** Same host and port; the scheme may differ behind a TLS-terminating proxy. */
function isSameOrigin(origin: string, requestUrl: string): boolean {
  try {
    return new URL(origin).host === new URL(requestUrl).host;
  } catch {
    return false;
  }
}

/** Armor's own errors read "Syntax Error: ..." and carry no code; report a coded error instead. */
function rejectWith(limit: keyof GraphQLLimits | 'maxDirectives') {
  return {
    propagateOnRejection: false,
    onReject: [
      (context: ValidationContext | null, error: GraphQLError) => {
        const coded = new GraphQLError(error.message.replace(/^Syntax Error: /, ''), { extensions: { code: 'QUERY_TOO_COMPLEX', limit } });
        // Validation rules report (the operation fails with the error); the token limit runs in the parser and throws.
        if (context) context.reportError(coded);
        else throw coded;
      },
    ],
  };
}

function useNoIntrospection(): Plugin {
  return {
    onValidate: ({ addValidationRule }) => addValidationRule(NoSchemaIntrospectionCustomRule),
  };
}

interface PersistedQueryExtension {
  version: 1;
  sha256Hash: string;
}

/** The hash a request names: APQ's `extensions.persistedQuery.sha256Hash` or a `documentId` ("sha256:<hex>"). */
function persistedHashOf(params: { extensions?: Record<string, unknown>; documentId?: unknown }): string | null {
  const value = params.extensions?.persistedQuery as Partial<PersistedQueryExtension> | undefined;
  if (value && value.version === 1 && typeof value.sha256Hash === 'string') return normalizeHash(value.sha256Hash);
  return typeof params.documentId === 'string' ? normalizeHash(params.documentId) : null;
}

/**
 * Automatic Persisted Queries (Apollo's protocol, as @graphql-yoga/plugin-apq implements it): a
 * request with only `extensions.persistedQuery.sha256Hash` (or a `documentId`) runs the stored
 * document or fails with PersistedQueryNotFound, and the client retries with the text, which
 * registers it. Allow-listed documents that came with their text are always known; in allowlist
 * mode nothing else is stored.
 */
export function useAutomaticPersistedQueries(allowlist: PersistedOperations | PersistedQueryResolver): Plugin {
  const resolve = typeof allowlist === 'function' ? allowlist : persistedQueryResolver(allowlist);
  return {
    onParams({ params, setParams }) {
      const resolved = resolve(params);
      if (resolved !== params) setParams(resolved);
    },
  };
}

/** Params with their persisted document resolved (the same params when none is named); throws the protocol's errors. */
export type PersistedQueryResolver = <P extends { query?: string | undefined; extensions?: Record<string, unknown>; documentId?: unknown }>(params: P) => P;

/** The APQ protocol over one registry, shared by yoga's pipeline and the JSON POST fast lane. */
export function persistedQueryResolver(allowlist: PersistedOperations): PersistedQueryResolver {
  const registered = createLRUCache<string>({ max: 1000, ttl: 24 * 3_600_000 });
  return (params) => {
    const hash = persistedHashOf(params);
    if (hash === null) return params;
    if (params.query == null) {
      const query = allowlist.document(hash) ?? registered.get(hash);
      if (query === undefined) {
        throw createGraphQLError('PersistedQueryNotFound', { extensions: { code: 'PERSISTED_QUERY_NOT_FOUND', http: { status: 404 } } });
      }
      return { ...params, query };
    }
    if (sha256Hex(params.query) !== hash) {
      throw createGraphQLError('PersistedQueryMismatch', { extensions: { code: 'PERSISTED_QUERY_MISMATCH', http: { status: 400 } } });
    }
    if (!allowlist.allows(hash)) throw notInAllowlist();
    registered.set(hash, params.query);
    return params;
  };
}

function notInAllowlist(): GraphQLError {
  return createGraphQLError('PersistedQueryNotInList: this server runs only the operations on its allow-list', {
    extensions: { code: 'PERSISTED_QUERY_NOT_IN_LIST', http: { status: 403 } },
  });
}

/**
 * In allowlist mode, every document's text must hash to an allowed operation. Checked as
 * validation (from the parsed document's source), so an ad-hoc subscription over WebSocket is
 * refused like an HTTP query, with an error rather than a closed socket.
 */
export function useOperationAllowlist(allowlist: PersistedOperations): Plugin {
  if (allowlist.mode === 'off') return {};
  return {
    onValidate({ params, setResult }) {
      const source = params.documentAST.loc?.source.body;
      if (source === undefined || !allowlist.allows(sha256Hex(source))) setResult([notInAllowlist()]);
    },
  };
}
