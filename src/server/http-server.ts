// node:http + graphql-yoga (HTTP and GraphQL-over-SSE, both modes) + graphql-ws (WebSocket) on one port.
// Context and plugins are the same on both transports (graphql-websocket.ts). The node:http
// server has explicit timeouts for slow or silent clients; stop() gives in-flight requests and
// streams, over HTTP and WebSocket alike, a grace period, then ends them as a server shutdown.
import { listen } from './listen.ts';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { GraphQLSchema } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { secretFromHeaders } from '../core/auth.ts';
import { ServerShutdownError } from '../core/errors.ts';
import { silentLogger, type Logger } from '../core/ports.ts';
import type { ClientAddressOf } from '../http/shared/client-address.ts';
import { authenticateForContext, createLoaders, type GraphQLContext, type GraphQLServices } from '../graphql/context.ts';
import { useEndSubscriptionsOfInvalidKeys } from './end-subscriptions-of-invalid-keys.ts';
import { useNodeEventStream } from './graphql-event-stream.ts';
import { createGraphQLJsonPost } from './graphql-json-post.ts';
import { useStorableTextInputs } from './graphql-text-guard.ts';
import { createGraphiQLHandler } from './graphiql.ts';
import { useSingleConnectionEventStream } from './graphql-sse-single-connection.ts';
import type { GraphQLRequestLogging } from './graphql-request-logging.ts';
import type { GraphQLSecurity } from './graphql-security.ts';
import { attachGraphQLWebSocket } from './graphql-websocket.ts';
import { handleHealth, isHealthPath } from './health-routes.ts';
import { RequestSignals } from './request-signals.ts';
import type { RestHandler } from '../http/rest-handler.ts';


/** Timeouts and limits of the server (config `server.*`, documented in README "Operations"). */
export interface ServerLimits {
  bodyLimitBytes: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  idleTimeoutMs: number;
  webSocketInitTimeoutMs: number;
  shutdownGraceMs: number;
  healthTimeoutMs: number;
}

/** After the grace period, how long streams have to send their terminal event before sockets close. */
const FINAL_EVENTS_MS = 2_000;

export interface HttpServerOptions {
  schema: GraphQLSchema;
  services: GraphQLServices;
  host: string;
  port: number;
  limits: ServerLimits;
  rest?: RestHandler;
  /** The web console's static files under /console. */
  console?: RestHandler;
  /** CORS, CSRF, limits, persisted operations and error masking (graphql-security.ts). */
  security?: GraphQLSecurity;
  /** Access log and unexpected errors of /graphql. */
  requestLogging?: GraphQLRequestLogging;
  logger?: Logger;
  /** The client's address for failed-authentication accounting; default: the socket's peer. */
  clientAddress?: ClientAddressOf;
  /** Runs each request's handling in a context of its own (tracing: the request's trace). */
  requestContext?: (request: IncomingMessage, run: () => Promise<void>) => Promise<void>;
}

export interface RunningServer {
  url: string;
  port: number;
  /** Stops accepting, lets in-flight work finish for `graceMs` (default `limits.shutdownGraceMs`), ends the rest. */
  stop(graceMs?: number): Promise<void>;
}

export async function startHttpServer(options: HttpServerOptions): Promise<RunningServer> {
  const { limits } = options;
  const logger = options.logger ?? silentLogger;
  const requestSignals = new RequestSignals();
  const clientAddress: ClientAddressOf = options.clientAddress ?? ((request) => request.socket.remoteAddress);

  const { fastLane: _fastLane, ...yogaSecurity } = options.security ?? { fastLane: undefined };
  const yoga = createYoga<{ req: IncomingMessage; res: ServerResponse }, GraphQLContext>({
    schema: options.schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // Unexpected errors are masked: no internal message or stack reaches a client.
    maskedErrors: true,
    // GraphiQL is served by graphiql.ts from installed packages; yoga's own page loads a CDN.
    graphiql: false,
    logging: options.requestLogging?.logging ?? false,
    ...yogaSecurity,
    plugins: [
      ...(options.requestLogging ? [options.requestLogging.plugin] : []),
      ...(options.security?.plugins ?? []),
      useStorableTextInputs(),
      useNodeEventStream(),
      useEndSubscriptionsOfInvalidKeys(options.services.authenticator),
      useSingleConnectionEventStream({ authenticator: options.services.authenticator, clientAddress }),
    ],
    // Over WebSocket there is no Request; graphql-websocket.ts sets the connection's signal.
    // On the JSON POST fast lane `request` is a view of node's request (graphql-json-post.ts).
    context: async ({ request, req, res }: { request?: Pick<Request, 'headers'> & Partial<Pick<Request, 'signal'>> | undefined; req?: IncomingMessage; res?: ServerResponse }): Promise<GraphQLContext> => ({
      services: options.services,
      loaders: createLoaders(options.services),
      // The client's going away or the end of the shutdown grace period aborts it.
      signal: res ? requestSignals.signalFor(res) : (request?.signal ?? new AbortController().signal),
      ...(request
        ? await authenticateForContext(options.services.authenticator, {
            secret: secretFromHeaders(request.headers),
            clientAddress: req ? clientAddress(req) : undefined,
          })
        : { caller: null, authError: null }),
    }),
  });

  const graphiql = createGraphiQLHandler('/graphql');
  const graphql = options.security
    ? createGraphQLJsonPost({ yoga, security: options.security.fastLane, requestLogging: options.requestLogging })
    : (req: IncomingMessage, res: ServerResponse) => yoga(req, res) as unknown as Promise<void>;
  const inFlight = new Set<ServerResponse>();
  /** Each socket's latest response, for the idle timeout. */
  const responses = new WeakMap<Socket, ServerResponse>();
  const server: Server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // Node checks the two timeouts above every 30 s by default: a 5 s limit would hold up to 35 s.
      connectionsCheckingInterval: Math.min(30_000, Math.max(50, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4))),
    },
    (req, res) => (options.requestContext ? options.requestContext(req, () => handle(req, res)) : handle(req, res)),
  );

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    inFlight.add(res);
    res.on('close', () => inFlight.delete(res));
    responses.set(req.socket, res);
    try {
      const path = (req.url ?? '/').split('?')[0]!;
      const graphiqlServed = graphiql(req, res);
      if (graphiqlServed) return await graphiqlServed;
      if (path === '/graphql') {
        await graphql(req, res);
        return;
      }
      if (isHealthPath(path)) {
        await handleHealth(req, res, path, options.services, limits.healthTimeoutMs);
        return;
      }
      if (options.console && (await options.console(req, res, requestSignals.signalFor(res)))) return;
      if (options.rest && (await options.rest(req, res, requestSignals.signalFor(res)))) return;
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `No route for ${req.method} ${path}`, type: 'not_found' } }));
    } catch (error) {
      logger.error({ kind: 'unexpected_error', route: `${req.method} ${(req.url ?? '/').split('?')[0]}`, requestId: res.getHeader('x-request-id'), err: error }, 'unexpected error in the HTTP server');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'Internal error', type: 'internal_error' } }));
    }
  }

  // Idle sockets: no traffic either way for idleTimeoutMs. A response the gateway is still
  // producing (waiting on an upstream) is governed by the router's timeouts instead; one stuck
  // because the client stopped reading is closed. Upgraded WebSockets have their own keep-alive.
  server.timeout = limits.idleTimeoutMs;
  server.on('timeout', (socket: Socket) => {
    const response = responses.get(socket);
    if (response && !response.writableEnded && !response.writableNeedDrain) return;
    socket.destroy();
  });

  // Every socket, upgraded WebSockets included (closeAllConnections does not see those).
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const webSocket = attachGraphQLWebSocket({
    server,
    yoga,
    services: options.services,
    maxPayloadBytes: limits.bodyLimitBytes,
    initTimeoutMs: limits.webSocketInitTimeoutMs,
    logger,
    clientAddress,
  });

  const baseUrl = await listen(server, options.port, options.host);
  const busy = () => inFlight.size > 0 || webSocket.activeOperations() > 0;
  const until = async (done: () => boolean, deadline: number) => {
    while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
  };

  return {
    url: baseUrl,
    port: (server.address() as AddressInfo).port,
    async stop(graceMs = limits.shutdownGraceMs) {
      // Stop accepting; in-flight requests, SSE and WebSocket streams get the grace period.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      webSocket.drain();
      await until(() => !busy(), Date.now() + graceMs);
      if (busy()) {
        // Ended by the server, not cancelled by the client: each stream sends its terminal event
        // (SERVER_SHUTDOWN) and its usage record says so.
        const reason = new ServerShutdownError();
        requestSignals.abortAll(reason);
        webSocket.abortAll(reason);
        await until(() => !busy(), Date.now() + FINAL_EVENTS_MS);
      }
      await webSocket.close(500);
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

