// node:http + graphql-yoga (HTTP and GraphQL-over-SSE) + graphql-ws (WebSocket) on one port.
// Context and plugins are the same on both transports: graphql-ws executes through
// yoga.getEnveloped, as graphql-yoga's docs recommend.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { secretFromHeaders } from '../core/auth.ts';
import { clientAbortSignal } from '../http/shared/client-abort-signal.ts';
import { authenticateForContext, createLoaders, type GraphQLContext, type GraphQLServices } from '../graphql/context.ts';
import { useNodeEventStream } from './graphql-event-stream.ts';
import { useStorableTextInputs } from './graphql-text-guard.ts';
import type { GraphQLSecurity } from './graphql-security.ts';

export interface RestHandler {
  /** Returns true when it handled the request. */
  (request: IncomingMessage, response: ServerResponse, shutdownSignal: AbortSignal): Promise<boolean>;
}

export interface HttpServerOptions {
  schema: GraphQLSchema;
  services: GraphQLServices;
  host: string;
  port: number;
  rest?: RestHandler;
  /** The web console's static files under /console. */
  console?: RestHandler;
  /** CORS, CSRF, limits, persisted operations and error masking (graphql-security.ts). */
  security?: GraphQLSecurity;
  logger?: (line: string) => void;
}

export interface RunningServer {
  url: string;
  port: number;
  stop(graceMs?: number): Promise<void>;
}

export async function startHttpServer(options: HttpServerOptions): Promise<RunningServer> {
  const shutdown = new AbortController();
  const log = options.logger ?? (() => undefined);

  const yoga = createYoga<{ req: IncomingMessage; res: ServerResponse }, GraphQLContext>({
    schema: options.schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // Unexpected errors are masked: no internal message or stack reaches a client.
    maskedErrors: true,
    graphiql: { subscriptionsProtocol: 'WS', title: 'modelgraph' },
    logging: false,
    ...options.security,
    plugins: [...(options.security?.plugins ?? []), useStorableTextInputs(), useNodeEventStream()],
    // In-flight HTTP requests are left to finish on shutdown, so only the client's going away
    // aborts them. Over WebSocket there is no Request; onSubscribe sets the connection's signal.
    context: async ({ request, req, res }: { request?: Request | undefined; req?: IncomingMessage; res?: ServerResponse }): Promise<GraphQLContext> => ({
      services: options.services,
      loaders: createLoaders(options.services),
      // @whatwg-node aborts the request's signal when the client goes away before the response
      // is finished (and not after); a second controller of our own per request would cost as much.
      signal: request?.signal ?? (res ? clientAbortSignal(res) : shutdown.signal),
      ...(request
        ? await authenticateForContext(options.services.authenticator, {
            secret: secretFromHeaders(request.headers),
            clientAddress: req?.socket.remoteAddress,
          })
        : { caller: null, authError: null }),
    }),
  });

  const inFlight = new Set<ServerResponse>();
  const server: Server = createServer(async (req, res) => {
    inFlight.add(res);
    res.on('close', () => inFlight.delete(res));
    try {
      const path = (req.url ?? '/').split('?')[0]!;
      if (path === '/graphql') {
        await yoga(req, res);
        return;
      }
      if (path === '/health' || path === '/healthz') {
        const databaseUp = await options.services.health.databaseReachable();
        res.writeHead(databaseUp ? 200 : 503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: databaseUp ? 'ok' : 'degraded', version: options.services.health.version }));
        return;
      }
      if (options.console && (await options.console(req, res, shutdown.signal))) return;
      if (options.rest && (await options.rest(req, res, shutdown.signal))) return;
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `No route for ${req.method} ${path}`, type: 'not_found' } }));
    } catch (error) {
      log(`request failed: ${(error as Error).message}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'Internal error', type: 'internal_error' } }));
    }
  });

  // Every socket, upgraded WebSockets included (closeAllConnections does not see those).
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const wsServer = new WebSocketServer({ server, path: '/graphql' });
  const wsServerHandle = useServer<Record<string, unknown>, { signal: AbortController }>(
    {
      // The key comes in connectionParams ({ authorization: "Bearer ..." } or { apiKey }) and is
      // checked on connect; every new subscription checks it again, so a revoked key cannot open one.
      onConnect: async (ctx) => {
        const auth = await authenticateForContext(options.services.authenticator, credentialsOf(ctx));
        if (!auth.caller) return false;
        const controller = new AbortController();
        ctx.extra.signal = controller;
        // Abort on the socket's own close event: graphql-ws calls onClose only after every
        // subscription's return() settled, and return() waits for a pending upstream read.
        ctx.extra.socket.once('close', () => controller.abort());
        return true;
      },
      execute: (args: any) => args.rootValue.execute(args),
      subscribe: (args: any) => args.rootValue.subscribe(args),
      onSubscribe: async (ctx, _id, payload) => {
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params: payload,
        });
        // A syntax error (or the token limit) fails this operation rather than closing the socket.
        let document: ReturnType<typeof parse>;
        try {
          document = parse(payload.query);
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
        const args = {
          schema,
          operationName: payload.operationName,
          document,
          variableValues: payload.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
        const errors = validate(args.schema, args.document);
        if (errors.length) return errors;
        // The WebSocket context: same services, loaders per operation, aborted with the socket.
        const connectionSignal = (ctx.extra as unknown as { signal: AbortController }).signal.signal;
        Object.assign(args.contextValue as object, {
          services: options.services,
          loaders: createLoaders(options.services),
          signal: connectionSignal,
          ...(await authenticateForContext(options.services.authenticator, credentialsOf(ctx))),
        });
        return args;
      },
    },
    wsServer,
  );

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${hostForUrl}:${address.port}`,
    port: address.port,
    async stop(graceMs = 10_000) {
      // Stop accepting, let in-flight requests finish, end streams, close sockets cleanly.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      shutdown.abort();
      for (const client of wsServer.clients) client.close(1001, 'Server shutting down');
      await wsServerHandle.dispose();
      const deadline = Date.now() + graceMs;
      while (inFlight.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

/** Credentials of a graphql-ws connection: connectionParams first, then the upgrade request's headers. */
function credentialsOf(ctx: { connectionParams?: Readonly<Record<string, unknown>> | undefined; extra: { request: IncomingMessage } }) {
  const params = ctx.connectionParams ?? {};
  const fromParams =
    typeof params.apiKey === 'string'
      ? params.apiKey
      : secretFromHeaders({
          authorization: typeof params.authorization === 'string' ? params.authorization : typeof params.Authorization === 'string' ? params.Authorization : undefined,
          'x-api-key': typeof params['x-api-key'] === 'string' ? params['x-api-key'] : undefined,
        });
  return {
    secret: fromParams ?? secretFromHeaders(ctx.extra.request.headers),
    clientAddress: ctx.extra.request.socket.remoteAddress,
  };
}
