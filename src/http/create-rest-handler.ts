// The REST edge: OpenAI- and Anthropic-compatible endpoints over the same core services as
// GraphQL. This file owns what every endpoint shares: routing, the request id, CORS, the body
// limit, authentication, the client-disconnect signal, the access log and mapping errors to each
// API's format (an unexpected error is logged once, and the client told the request id it is under).
// Endpoints only convert between their wire format and the core's types.
// The server passes each request's signal: the client's going away aborts it, and so does the end
// of the shutdown grace period (with a ServerShutdownError, so streams end with a terminal event
// recorded as a server shutdown). Without one, the client-disconnect signal is used.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { secretFromHeaders, signalWithWatch, type Authenticator, type Caller, type Credentials } from '../core/auth.ts';
import { toGatewayError } from '../core/errors.ts';
import { silentLogger, systemClock, type Clock, type Logger } from '../core/ports.ts';
import { RequestLog, type RequestLogSettings } from '../core/request-log.ts';
import type { RestHandler } from './rest-handler.ts';
import { anthropicErrorFormat } from './anthropic/anthropic-error-format.ts';
import { createAnthropicListModelsEndpoint, createAnthropicRetrieveModelEndpoint } from './anthropic/handle-anthropic-models.ts';
import { createCountTokensEndpoint, type CountTokensEndpointServices } from './anthropic/handle-count-tokens.ts';
import { createMessagesEndpoint } from './anthropic/handle-messages.ts';
import { createChatCompletionsEndpoint } from './openai/handle-chat-completions.ts';
import { createEmbeddingsEndpoint, type EmbeddingsEndpointServices } from './openai/handle-embeddings.ts';
import { createListModelsEndpoint, createRetrieveModelEndpoint } from './openai/handle-models.ts';
import { openAIErrorFormat } from './openai/openai-error-format.ts';
import {
  createDeleteResponseEndpoint,
  createListInputItemsEndpoint,
  createResponsesEndpoint,
  createRetrieveResponseEndpoint,
} from './openai/responses/handle-responses.ts';
import { ResponseStorage, type ResponseStorageSettings } from './openai/responses/response-storage.ts';
import { clientAbortSignal } from './shared/client-abort-signal.ts';
import type { ClientAddressOf } from './shared/client-address.ts';
import { LoggedInternalError } from './shared/http-status.ts';
import { applyCors, isPreflight, writePreflight } from './shared/cors.ts';
import { anthropicRequestIdHeader, requestIdHeader } from './shared/header-names.ts';
import { readJsonBody } from './shared/read-json-body.ts';
import { requestIdFor } from './shared/request-id.ts';
import { methodNotAllowed } from './shared/rest-request-error.ts';
import type { RestEndpoint, RestServices } from './shared/rest-exchange.ts';
import { writeError, type ErrorFormat } from './shared/write-json.ts';

export interface RestHandlerOptions {
  completions: RestServices['completions'];
  catalog: RestServices['catalog'];
  /** Serves POST /v1/embeddings when given. */
  embeddings?: EmbeddingsEndpointServices['embeddings'] | undefined;
  /** Stored Responses API responses; without it POST /v1/responses stores nothing and the storage paths answer 400. */
  responses?: Pick<ResponseStorageSettings, 'store' | 'ttlMs'> | undefined;
  /** Serves POST /v1/messages/count_tokens when given. */
  tokenCounts?: CountTokensEndpointServices['tokenCounts'] | undefined;
  /** Resolves the caller from the request's key; without it every request is allowed. */
  authenticate?: ((credentials: Credentials) => Promise<Caller>) | undefined;
  /** Watches the caller's key for a stream, which ends when the key is revoked, disabled or expires. */
  watch?: Authenticator['watch'] | undefined;
  /** The client's address for failed-authentication accounting; default: the socket's peer. */
  clientAddress?: ClientAddressOf | undefined;
  bodyLimitBytes: number;
  /** Origins allowed to call from a browser; `*` allows any. */
  corsOrigins: readonly string[];
  clock?: Clock;
  newId?: () => string;
  logger?: Logger;
  /** Set by `log.bodies`: the access line carries the request body through this redactor. */
  redactBody?: RequestLogSettings['redactBody'];
  /** Metrics and traces of each request (observability/). */
  telemetry?: RequestLogSettings['telemetry'];
}

interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  /** The path as the access log names it, when it has parameters (`/v1/models/{id}`). */
  template?: string;
  /** The path parameters when the path matches, otherwise null. */
  match(path: string): Record<string, string> | null;
  /** Further condition on the request (a header), for paths both APIs share. */
  when?: (request: IncomingMessage) => boolean;
  errorFormat: ErrorFormat;
  endpoint: RestEndpoint;
}

const exact = (expected: string) => (path: string) => (path === expected ? {} : null);
const modelIdPrefix = '/v1/models/';
const modelId = (path: string) => (path.startsWith(modelIdPrefix) && path.length > modelIdPrefix.length ? { id: decodeModelId(path.slice(modelIdPrefix.length)) } : null);
/** `/v1/responses/{id}` (suffix '') or `/v1/responses/{id}/input_items` (suffix '/input_items'). */
const responseId = (suffix: string) => (path: string) => {
  const match = /^\/v1\/responses\/([^/]+)(\/input_items)?$/.exec(path);
  return match && (match[2] ?? '') === suffix ? { id: decodeModelId(match[1]!) } : null;
};
/** Anthropic's SDKs send `anthropic-version` on every request; OpenAI's never do. */
const fromAnthropicClient = (request: IncomingMessage) => request.headers['anthropic-version'] !== undefined;

export function createRestHandler(options: RestHandlerOptions): RestHandler {
  const services: RestServices = {
    completions: options.completions,
    catalog: options.catalog,
    clock: options.clock ?? systemClock,
    newId: options.newId ?? randomUUID,
  };
  const logSettings: RequestLogSettings = { logger: options.logger ?? silentLogger, clock: services.clock, redactBody: options.redactBody, telemetry: options.telemetry };
  const responseStorage = new ResponseStorage({ store: options.responses?.store ?? null, ttlMs: options.responses?.ttlMs, clock: services.clock });
  const clientAddress: ClientAddressOf = options.clientAddress ?? ((request) => request.socket.remoteAddress);
  const routes: Route[] = [
    { method: 'POST', match: exact('/v1/chat/completions'), errorFormat: openAIErrorFormat, endpoint: createChatCompletionsEndpoint(services) },
    { method: 'POST', match: exact('/v1/responses'), errorFormat: openAIErrorFormat, endpoint: createResponsesEndpoint(services, responseStorage) },
    { method: 'GET', match: responseId(''), template: '/v1/responses/{id}', errorFormat: openAIErrorFormat, endpoint: createRetrieveResponseEndpoint(responseStorage) },
    { method: 'DELETE', match: responseId(''), template: '/v1/responses/{id}', errorFormat: openAIErrorFormat, endpoint: createDeleteResponseEndpoint(responseStorage) },
    { method: 'GET', match: responseId('/input_items'), template: '/v1/responses/{id}/input_items', errorFormat: openAIErrorFormat, endpoint: createListInputItemsEndpoint(responseStorage) },
    { method: 'POST', match: exact('/v1/messages'), errorFormat: anthropicErrorFormat, endpoint: createMessagesEndpoint(services) },
    ...(options.tokenCounts
      ? [{ method: 'POST' as const, match: exact('/v1/messages/count_tokens'), errorFormat: anthropicErrorFormat, endpoint: createCountTokensEndpoint({ tokenCounts: options.tokenCounts }) }]
      : []),
    // GET /v1/models is both APIs' path: Anthropic's format for Anthropic clients, OpenAI's otherwise.
    { method: 'GET', match: exact('/v1/models'), when: fromAnthropicClient, errorFormat: anthropicErrorFormat, endpoint: createAnthropicListModelsEndpoint(services) },
    { method: 'GET', match: exact('/v1/models'), errorFormat: openAIErrorFormat, endpoint: createListModelsEndpoint(services) },
    ...(options.embeddings
      ? [{ method: 'POST' as const, match: exact('/v1/embeddings'), errorFormat: openAIErrorFormat, endpoint: createEmbeddingsEndpoint({ embeddings: options.embeddings, clock: services.clock }) }]
      : []),
    { method: 'GET', match: modelId, template: '/v1/models/{id}', when: fromAnthropicClient, errorFormat: anthropicErrorFormat, endpoint: createAnthropicRetrieveModelEndpoint(services) },
    { method: 'GET', match: modelId, template: '/v1/models/{id}', errorFormat: openAIErrorFormat, endpoint: createRetrieveModelEndpoint(services) },
  ];

  return async (request: IncomingMessage, response: ServerResponse, requestSignal?: AbortSignal) => {
    const path = (request.url ?? '/').split('?')[0]!;
    const matching: { route: Route; params: Record<string, string> }[] = [];
    for (const route of routes) {
      const params = route.match(path);
      if (params !== null && (!route.when || route.when(request))) matching.push({ route, params });
    }
    if (matching.length === 0) return false;
    const { route, params } = matching.find((candidate) => candidate.route.method === request.method) ?? matching[0]!;

    const requestId = requestIdFor(request.headers, services.newId);
    response.setHeader(requestIdHeader, requestId);
    if (route.errorFormat === anthropicErrorFormat) response.setHeader(anthropicRequestIdHeader, requestId);
    const originAllowed = applyCors(request, response, options.corsOrigins);
    if (isPreflight(request)) {
      writePreflight(request, response, originAllowed, matching.map((candidate) => candidate.route.method));
      return true;
    }
    const signal = requestSignal ?? clientAbortSignal(response);
    const requestLog = new RequestLog({ ...logSettings, requestId, transport: 'http', route: `${request.method} ${route.template ?? path}` });

    try {
      if (route.method !== request.method) {
        throw methodNotAllowed(request.method ?? '?', path, matching.map((candidate) => candidate.route.method));
      }
      const caller = options.authenticate
        ? await options.authenticate({ secret: secretFromHeaders(request.headers), clientAddress: clientAddress(request) })
        : undefined;
      requestLog.caller = caller ?? null;
      const body = route.method === 'POST' ? await readJsonBody(request, options.bodyLimitBytes) : undefined;
      requestLog.setBody(body);
      const streamSignal = () => {
        if (!caller || !options.watch) return signal;
        const watch = options.watch(caller);
        if (!watch.signal) return signal;
        if (response.closed) watch.release();
        else response.once('close', () => watch.release());
        return signalWithWatch(signal, watch);
      };
      await route.endpoint({ request, response, requestId, signal, streamSignal, caller, body, params, requestLog });
    } catch (thrown) {
      let error = toGatewayError(thrown);
      requestLog.failed(error.code);
      if (error.code === 'INTERNAL') {
        requestLog.unexpected(thrown);
        error = new LoggedInternalError(requestId);
      }
      if (!response.headersSent) writeError(response, error, route.errorFormat);
      // A stream that already started ends its own way; anything else left open is closed here.
      else if (!response.writableEnded) response.end();
    } finally {
      requestLog.status = response.headersSent ? response.statusCode : null;
      requestLog.end();
    }
    return true;
  };
}

/** `openai/gpt-4.1` arrives as is or as `openai%2Fgpt-4.1`, depending on the client. */
function decodeModelId(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
