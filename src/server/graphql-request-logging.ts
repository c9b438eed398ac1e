// The GraphQL edge's access log and unexpected errors, as one yoga plugin: the same over HTTP,
// GraphQL over SSE and WebSocket (graphql-ws runs through yoga.getEnveloped).
// - HTTP: a request id (the client's `x-request-id` when sane, else a new one) in the response's
//   `x-request-id` header and one line when the response closed (a stream: when it also ended).
// - WebSocket: a request id and one line per operation, when the operation ends.
// - An error that would be masked as "Unexpected error." is logged once, with its stack, the
//   operation and the request id, and reaches the client masked, with `extensions.requestId`.
// Errors outside any operation that yoga masks itself go to `logging` (no request id known there).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getOperationAST, GraphQLError, type DocumentNode, type ExecutionResult } from 'graphql';
import { isAsyncIterable, type Plugin, type YogaLogger } from 'graphql-yoga';
import type { Caller } from '../core/auth.ts';
import type { LogFields } from '../core/ports.ts';
import { RequestLog, type RequestLogSettings, type Transport } from '../core/request-log.ts';
import { requestIdHeader } from '../http/shared/header-names.ts';
import { requestIdFor } from '../http/shared/request-id.ts';

/** Yoga's own masked message, so that a client sees one wording whoever masked. */
const MASKED_MESSAGE = 'Unexpected error.';

interface LoggedContext {
  req?: IncomingMessage;
  res?: ServerResponse;
  request?: Request;
  params?: unknown;
  caller?: Caller | null;
  requestLog?: RequestLog;
}

interface NodeServerContext {
  req?: IncomingMessage;
  res?: ServerResponse;
}

interface OperationArgs {
  document: DocumentNode;
  operationName?: string | null | undefined;
  contextValue?: unknown;
}

export interface GraphQLRequestLogging {
  plugin: Plugin;
  /**
   * For the JSON POST fast lane (graphql-json-post.ts), which skips yoga's request hooks: what
   * onRequest and onParams do, from node's request. Sets the `x-request-id` header.
   */
  startHttp(req: IncomingMessage, res: ServerResponse, params: { operationName?: string | null; query?: string; variables?: unknown }, transport?: 'http' | 'sse'): RequestLog;
  /** For createYoga's `logging`: what yoga masks outside an operation, logged as unexpected. */
  logging: YogaLogger;
}

export function graphqlRequestLogging(settings: RequestLogSettings): GraphQLRequestLogging {
  // HTTP requests by their node response (the server context of every hook), or by their Request.
  const httpLogs = new WeakMap<object, RequestLog>();
  const lookup = (context: LoggedContext): RequestLog | undefined => {
    const key = context.res ?? context.request;
    return key ? httpLogs.get(key) : undefined;
  };

  /** An HTTP request's line, kept by its node response (or Request), ended when the response closes. */
  const openHttpLog = (requestId: string, transport: Transport, method: string, key: object, res: ServerResponse | undefined): RequestLog => {
    const log = new RequestLog({ ...settings, requestId, transport, route: `${method} /graphql` });
    httpLogs.set(key, log);
    res?.once('close', () => {
      log.status = res.headersSent ? res.statusCode : null;
      log.end();
    });
    return log;
  };

  const plugin: Plugin = {
    onPluginInit({ registerContextErrorHandler }) {
      // Building the context failed: the operation never ran, so the error is seen here first.
      registerContextErrorHandler(({ context, error, setError }) => {
        const log = (context as LoggedContext).requestLog ?? lookup(context as LoggedContext);
        if (log && isUnexpected(error)) setError(logged(error, log));
      });
    },
    onRequest({ request, serverContext }) {
      const { req, res } = (serverContext ?? {}) as NodeServerContext;
      const requestId = requestIdFor(req?.headers ?? { 'x-request-id': request.headers.get(requestIdHeader) ?? undefined }, randomUUID);
      const transport = (request.headers.get('accept') ?? '').includes('text/event-stream') ? 'sse' : 'http';
      openHttpLog(requestId, transport, request.method, res ?? request, res);
    },
    onParams({ params, context }) {
      const log = lookup(context as LoggedContext);
      if (!log) return;
      log.operationName ??= params.operationName ?? null;
      log.setBody({ operationName: params.operationName, query: params.query, variables: params.variables });
    },
    onContextBuilding({ context, extendContext }) {
      const known = lookup(context as LoggedContext);
      // No HTTP request: an operation over WebSocket, with a request id of its own.
      // Over WebSocket the client's trace context is the upgrade request's (`traceparent`).
      const log =
        known ??
        new RequestLog({ ...settings, requestId: `req_${randomUUID().replaceAll('-', '')}`, transport: 'ws', route: 'WS /graphql', traceCarrier: (context as LoggedContext).req?.headers });
      if (!known) log.setBody((context as LoggedContext).params);
      extendContext({ requestId: log.requestId, requestLog: log } as Record<string, unknown>);
    },
    onValidate({ context }) {
      return ({ valid, result }) => {
        if (valid) return;
        const log = (context as LoggedContext).requestLog ?? lookup(context as LoggedContext);
        log?.failed(codeOf(result[0]) ?? 'GRAPHQL_VALIDATION_FAILED');
        if (log?.transport === 'ws') log.end();
      };
    },
    onExecute({ args, executeFn, setExecuteFn }) {
      const log = startOperation(args);
      if (log) setExecuteFn(observed(executeFn, log));
    },
    onSubscribe({ args, subscribeFn, setSubscribeFn }) {
      const log = startOperation(args);
      if (log) setSubscribeFn(observed(subscribeFn, log));
    },
    onResponse({ request, response, serverContext }) {
      const { res } = (serverContext ?? {}) as NodeServerContext;
      const log = httpLogs.get(res ?? request);
      if (!log) return;
      response.headers.set(requestIdHeader, log.requestId);
      if (!res) {
        log.status = response.status;
        log.end();
      }
    },
    onResultProcess({ result, serverContext, request }) {
      // Errors before execution (parsing, limits, CSRF) are only seen here.
      if (isAsyncIterable(result) || Array.isArray(result)) return;
      httpLogs.get((serverContext as NodeServerContext | undefined)?.res ?? request)?.failed(codeOf((result as ExecutionResult).errors?.[0]));
    },
  };

  const alreadyLogged = new WeakSet<object>();
  const logging: YogaLogger = {
    debug: () => undefined,
    info: () => undefined,
    warn: (...args: unknown[]) => settings.logger.warn({ kind: 'graphql_server' }, args.map(String).join(' ')),
    error: (...args: unknown[]) => {
      const error = args.find((arg) => arg instanceof Error) ?? args[0];
      if (typeof error === 'object' && error !== null) {
        if (alreadyLogged.has(error)) return;
        alreadyLogged.add(error);
      }
      settings.logger.error({ kind: 'unexpected_error', route: '/graphql', err: error } satisfies LogFields, 'unexpected error in the GraphQL server');
    },
  };

  const startHttp: GraphQLRequestLogging['startHttp'] = (req, res, params, transport = 'http') => {
    const log = openHttpLog(requestIdFor(req.headers, randomUUID), transport, 'POST', res, res);
    log.operationName = params.operationName ?? null;
    log.setBody({ operationName: params.operationName, query: params.query, variables: params.variables });
    res.setHeader(requestIdHeader, log.requestId);
    return log;
  };

  return { plugin, logging, startHttp };
}

/** Names the operation on its line and takes the caller (known once the context is complete). */
function startOperation(args: OperationArgs): RequestLog | undefined {
  const context = args.contextValue as LoggedContext | undefined;
  const log = context?.requestLog;
  if (!log) return undefined;
  const operation = getOperationAST(args.document, args.operationName);
  log.operationType = operation?.operation ?? null;
  log.operationName = operation?.name?.value ?? args.operationName ?? log.operationName;
  log.caller = context.caller ?? null;
  return log;
}

type OperationFn = (args: any) => any;

/** The execute/subscribe function with the line held until its result (or stream) is done. */
function observed(run: OperationFn, log: RequestLog): OperationFn {
  return async (args) => {
    const release = log.hold();
    const done = () => {
      release();
      // Over WebSocket the operation's end is the line's end.
      if (log.transport === 'ws') log.end();
    };
    let result: unknown;
    try {
      result = await run(args);
    } catch (error) {
      done();
      throw isUnexpected(error) ? logged(error, log) : error;
    }
    if (isAsyncIterable(result)) return observeStream(result as AsyncIterable<ExecutionResult>, log, done);
    const inspected = inspect(result as ExecutionResult, log);
    done();
    return inspected;
  };
}

/**
 * Each result inspected; `done` once the stream ended, failed or was closed by the client, after
 * the source's own return() settled (the service's usage record is in by then). Hand-written rather
 * than an async generator: a generator would hold return() until the next event arrived.
 */
function observeStream(source: AsyncIterable<ExecutionResult>, log: RequestLog, done: () => void): AsyncIterableIterator<ExecutionResult> {
  const iterator = source[Symbol.asyncIterator]();
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    done();
  };
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    // One `then` per event rather than an async function's extra promise.
    next() {
      return iterator.next().then(
        (step) => {
          if (step.done) finish();
          else return { done: false, value: inspect(step.value, log) };
          return step;
        },
        (error: unknown) => {
          finish();
          throw isUnexpected(error) ? logged(error, log) : error;
        },
      );
    },
    async return() {
      try {
        return (await iterator.return?.()) ?? { done: true, value: undefined };
      } finally {
        finish();
      }
    },
    async throw(error: unknown) {
      try {
        if (iterator.throw) return await iterator.throw(error);
        throw error;
      } finally {
        finish();
      }
    },
  };
}

/** Logs and masks the unexpected errors of one result; remembers the first code the client sees. */
function inspect(result: ExecutionResult, log: RequestLog): ExecutionResult {
  if (!result.errors?.length) return result;
  let replaced = false;
  const errors = result.errors.map((error) => {
    if (!isUnexpected(error)) {
      log.failed(codeOf(error));
      return error;
    }
    replaced = true;
    return logged(error, log);
  });
  return replaced ? { ...result, errors } : result;
}

/** Logged once with its stack; the client gets the masked error with the request id. */
function logged(error: unknown, log: RequestLog): GraphQLError {
  const graphqlError = error instanceof GraphQLError ? error : undefined;
  const path = graphqlError?.path?.join('.');
  log.failed('INTERNAL_SERVER_ERROR');
  log.unexpected(graphqlError?.originalError ?? error, path ? { path } : {});
  const http = graphqlError?.extensions?.http;
  return new GraphQLError(MASKED_MESSAGE, {
    ...(graphqlError ? { nodes: graphqlError.nodes, source: graphqlError.source, positions: graphqlError.positions, path: graphqlError.path } : {}),
    extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: log.requestId, unexpected: true, ...(http ? { http } : {}) },
  });
}

/**
 * What yoga masks: anything but a GraphQLError raised as one (a resolver's Error, a bug). An
 * aborted request is the client's doing, not an error.
 */
function isUnexpected(error: unknown): boolean {
  if (error instanceof Error && error.name === 'AbortError') return false;
  return !isOriginalGraphQLError(error);
}

function isOriginalGraphQLError(error: unknown): boolean {
  if (!(error instanceof GraphQLError)) return false;
  return error.originalError == null ? true : isOriginalGraphQLError(error.originalError);
}

function codeOf(error: { extensions?: Record<string, unknown> } | undefined): string | undefined {
  const code = error?.extensions?.code;
  return typeof code === 'string' ? code : undefined;
}
