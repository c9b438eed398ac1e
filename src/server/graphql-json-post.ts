// The GraphQL edge's fast lane: a JSON POST of one query or mutation from a client that is not a
// browser page (no Origin), asking for a JSON answer, goes from node:http straight into envelop,
// the way graphql-ws already runs operations, without yoga's WHATWG Request and Response layers
// (about a third of a small mutation's CPU, BENCHMARKS.md "Round 2, session 3"). So does a
// subscription asking for GraphQL over SSE (distinct connections mode, `Accept: text/event-stream`
// alone, as graphql-sse sends it): its events go through REST's SSE writer (graphql-event-stream.ts),
// the events of one upstream read in one socket write.
//
// The same rules hold: the body limit (Content-Length), persisted operations (one APQ registry with
// yoga's pipeline; the allow-list is a validation rule), every envelop plugin (limits, masking,
// text guard, auth per field), the request id and the access line. CSRF has nothing to check on a
// JSON POST. Anything else (a browser, SSE or multipart, a batch, a body that is not one object of
// GraphQL params, a document that does not parse or validate, a subscription) is handed to yoga
// with the body already read, before anything was authenticated or logged, so yoga answers it as
// if the lane did not exist.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getOperationAST, type DocumentNode, type ExecutionResult, type GraphQLError } from 'graphql';
import { getSSEProcessor, isAsyncIterable, processRegularResult, type YogaServerInstance } from 'graphql-yoga';
import type { GraphQLContext } from '../graphql/context.ts';
import { sendEventStream } from './graphql-event-stream.ts';
import type { GraphQLRequestLogging } from './graphql-request-logging.ts';
import type { GraphQLSecurity } from './graphql-security.ts';

export interface GraphQLJsonPostOptions {
  yoga: YogaServerInstance<any, GraphQLContext>;
  security: GraphQLSecurity['fastLane'];
  requestLogging?: GraphQLRequestLogging | undefined;
}

interface Params {
  query?: string | undefined;
  operationName?: string | null | undefined;
  variables?: Record<string, unknown> | null | undefined;
  extensions?: Record<string, unknown> | undefined;
  documentId?: string | undefined;
}

const PARAM_NAMES = new Set(['query', 'operationName', 'variables', 'extensions', 'documentId']);
const RESPONSE_TYPES = ['application/graphql-response+json', 'application/json'] as const;
const EVENT_STREAM = 'text/event-stream';
type ResponseType = (typeof RESPONSE_TYPES)[number] | typeof EVENT_STREAM;

/**
 * What envelop plugins read of `context.request` (its method, its headers), over node's request:
 * yoga's own plugins tell an HTTP request from a WebSocket operation by its presence (a document
 * that fails to parse is marked as a 400 only then, and the parser cache keeps that error for yoga).
 */
class NodeRequestView {
  readonly method = 'POST';
  readonly headers: { get(name: string): string | null };
  constructor(readonly req: IncomingMessage) {
    const { headers } = req;
    this.headers = {
      get(name) {
        const value = headers[name.toLowerCase()];
        return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
      },
    };
  }
  get url(): string {
    return `http://${this.req.headers.host ?? 'localhost'}${this.req.url ?? '/graphql'}`;
  }
}

/**
 * Returns a handler for `POST /graphql`: it answers the requests the lane takes and hands the rest
 * to yoga (`yoga(req, res)`, the body attached when already read).
 */
export function createGraphQLJsonPost(options: GraphQLJsonPostOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const { yoga, security, requestLogging } = options;
  const masked = yoga as unknown as { maskedErrorsOpts?: { maskError(error: unknown, message: string, isDev?: boolean): Error; errorMessage: string; isDev?: boolean } };

  const toYoga = (req: IncomingMessage, res: ServerResponse, body?: Buffer) => {
    // @whatwg-node/server takes a body already read from `req.body`, as behind body-parser.
    if (body !== undefined && body.length > 0) (req as IncomingMessage & { body?: Buffer }).body = body;
    return yoga(req, res) as unknown as Promise<void>;
  };

  return async (req, res) => {
    const responseType = laneResponseType(req, security.bodyLimitBytes);
    if (responseType === null) return toYoga(req, res);
    const body = await readBody(req);
    const params = paramsOf(body);
    if (params === null) return toYoga(req, res, body);

    let resolved: Params;
    try {
      resolved = security.resolvePersistedQuery(params);
    } catch {
      return toYoga(req, res, body);
    }
    if (typeof resolved.query !== 'string') return toYoga(req, res, body);

    const enveloped = yoga.getEnveloped({ req, res, params: resolved, request: new NodeRequestView(req) });
    let document: DocumentNode;
    try {
      document = enveloped.parse(resolved.query);
    } catch {
      return toYoga(req, res, body);
    }
    if (enveloped.validate(enveloped.schema, document).length > 0) return toYoga(req, res, body);
    const operation = getOperationAST(document, resolved.operationName ?? undefined);
    // JSON answers queries and mutations; an event stream, subscriptions only.
    if (!operation || (operation.operation === 'subscription') !== (responseType === EVENT_STREAM)) return toYoga(req, res, body);

    // The request is the lane's from here: logged, authenticated, executed.
    const log = requestLogging?.startHttp(req, res, resolved, responseType === EVENT_STREAM ? 'sse' : 'http');
    let result: ExecutionResult | AsyncIterable<ExecutionResult>;
    try {
      const contextValue = await enveloped.contextFactory();
      const args = { schema: enveloped.schema, document, contextValue, variableValues: resolved.variables, operationName: resolved.operationName };
      result = (await (responseType === EVENT_STREAM ? enveloped.subscribe(args) : enveloped.execute(args))) as ExecutionResult | AsyncIterable<ExecutionResult>;
    } catch (error) {
      // As yoga's handleError: masked (the access log's context error handler has logged it).
      const options = masked.maskedErrorsOpts;
      const error_ = options ? options.maskError(error, options.errorMessage, options.isDev) : (error as Error);
      result = { errors: [error_ as GraphQLError] };
    }
    if (isAsyncIterable(result)) return sendEventStream(result, res);
    if (result.errors?.length) log?.failed(codeOf(result.errors[0]));
    await send(res, result, responseType, yoga.fetchAPI);
  };
}

/** The response type when the lane takes the request, else null (yoga's then). */
function laneResponseType(req: IncomingMessage, bodyLimitBytes: number): ResponseType | null {
  const { headers } = req;
  if (req.method !== 'POST' || req.url !== '/graphql') return null;
  // A browser page (CORS), GraphQL over SSE's single connection mode: yoga's.
  if (headers.origin !== undefined || headers['x-graphql-event-stream-token'] !== undefined) return null;
  const contentType = headers['content-type']?.replace(/\s/g, '').toLowerCase();
  if (contentType !== 'application/json' && contentType !== 'application/json;charset=utf-8') return null;
  const length = headers['content-length'];
  if (length === undefined || !/^\d+$/.test(length) || Number(length) > bodyLimitBytes) return null;
  // What GraphQL over SSE clients send (graphql-sse); any other mix with event streams is yoga's.
  if (headers.accept?.trim().toLowerCase() === EVENT_STREAM) return EVENT_STREAM;
  return acceptedResponseType(headers.accept);
}

/**
 * The media type yoga's result processors would answer a single result with, or null when the
 * client asks for something else (SSE, multipart, no acceptable type). Same walk as yoga's: the
 * Accept header's types in reverse order, the last match wins.
 */
function acceptedResponseType(accept: string | undefined): (typeof RESPONSE_TYPES)[number] | null {
  const asked = (accept || '*/*').replace(/\s/g, '').toLowerCase().split(',');
  let chosen: (typeof RESPONSE_TYPES)[number] | null = null;
  for (let index = asked.length - 1; index >= 0; index -= 1) {
    const [mediaType = '', ...parameters] = asked[index]!.split(';');
    const charset = parameters.find((parameter) => parameter.includes('charset=')) ?? 'charset=utf-8';
    if (charset !== 'charset=utf-8') continue;
    if (mediaType === 'text/event-stream' || mediaType === 'multipart/mixed') return null;
    const [type, subtype] = mediaType.split('/');
    for (const candidate of RESPONSE_TYPES) {
      const [candidateType, candidateSubtype] = candidate.split('/');
      if ((type === '*' || type === candidateType) && (subtype === '*' || subtype === candidateSubtype)) chosen = candidate;
    }
  }
  return chosen;
}

/** The body: Node's parser never delivers more than the Content-Length the lane checked. */
async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

/** One object of GraphQL-over-HTTP params with the right types, else null. */
function paramsOf(body: Buffer): Params | null {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return null;
  const params = json as Record<string, unknown>;
  for (const name in params) if (!PARAM_NAMES.has(name)) return null;
  const { query, operationName, variables, extensions, documentId } = params;
  if (query !== undefined && typeof query !== 'string') return null;
  if (operationName != null && typeof operationName !== 'string') return null;
  if (variables != null && (typeof variables !== 'object' || Array.isArray(variables))) return null;
  if (extensions !== undefined && (extensions === null || typeof extensions !== 'object' || Array.isArray(extensions))) return null;
  if (documentId !== undefined && typeof documentId !== 'string') return null;
  return params as Params;
}

async function send(res: ServerResponse, result: ExecutionResult, responseType: ResponseType, fetchAPI: YogaServerInstance<any, any>['fetchAPI']): Promise<void> {
  if (res.destroyed) return;
  if (responseType !== EVENT_STREAM && !result.errors?.length && result.extensions === undefined) {
    const body = JSON.stringify(result);
    res.writeHead(200, { 'content-type': `${responseType}; charset=utf-8`, 'content-length': Buffer.byteLength(body) });
    res.end(body);
    return;
  }
  // Errors decide the status and strip internal extensions: yoga's own processor, off the hot path.
  // A subscription refused before its stream began is one result as an event stream, as in yoga.
  const response = responseType === EVENT_STREAM ? await getSSEProcessor()(result, fetchAPI, EVENT_STREAM) : await processRegularResult(result, fetchAPI, responseType);
  const body = Buffer.from(await response.arrayBuffer());
  const headers: Record<string, string | number> = { 'content-length': body.length };
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  res.writeHead(response.status, headers);
  res.end(body);
}

function codeOf(error: { extensions?: Record<string, unknown> } | undefined): string | undefined {
  const code = error?.extensions?.code;
  return typeof code === 'string' ? code : undefined;
}
