// graphql-ws on the HTTP server's /graphql path. Context and plugins are the same as over HTTP:
// operations execute through yoga.getEnveloped, as graphql-yoga's docs recommend.
// Hostile or idle sockets cost little: a message larger than the body limit is refused from its
// frame header (close 1009, nothing buffered), a socket whose first message is not
// connection_init is closed (4401), and one that sends nothing is closed after the init timeout
// (4408). On shutdown, running operations get the grace period like HTTP requests, then end
// with their terminal event (SERVER_SHUTDOWN) before the sockets close with 1001.
import type { IncomingMessage, Server } from 'node:http';
import { GraphQLError } from 'graphql';
import type { YogaServerInstance } from 'graphql-yoga';
import { CloseCode, type Context } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { secretFromHeaders } from '../core/auth.ts';
import type { GatewayError } from '../core/errors.ts';
import { silentLogger, type Logger } from '../core/ports.ts';
import type { ClientAddressOf } from '../http/shared/client-address.ts';
import { authenticateForContext, createLoaders, type GraphQLContext, type GraphQLServices } from '../graphql/context.ts';

export interface GraphQLWebSocketOptions {
  server: Server;
  yoga: YogaServerInstance<any, GraphQLContext>;
  services: GraphQLServices;
  /** The largest message accepted (the HTTP body limit). */
  maxPayloadBytes: number;
  /** How long a socket may take to send connection_init. */
  initTimeoutMs: number;
  logger?: Logger;
  /** The client's address for failed-authentication accounting (trusted X-Forwarded-For). */
  clientAddress: ClientAddressOf;
}

export interface GraphQLWebSocket {
  /** Operations (subscriptions, queries, mutations) running on any socket. */
  activeOperations(): number;
  /** Shutdown began: new connections and operations are refused; running ones go on. */
  drain(): void;
  /** Ends every connection's operations with `reason`; their terminal events still go out. */
  abortAll(reason: GatewayError): void;
  /** Closes every socket (1001, after at most `waitMs` for close handshakes) and the WebSocket server. */
  close(waitMs: number): Promise<void>;
}

type Extra = { socket: WebSocket; request: IncomingMessage };

const SHUTTING_DOWN = 'Server shutting down';

export function attachGraphQLWebSocket(options: GraphQLWebSocketOptions): GraphQLWebSocket {
  const { yoga, services, clientAddress } = options;
  const logger = options.logger ?? silentLogger;
  const wsServer = new WebSocketServer({ server: options.server, path: '/graphql', maxPayload: options.maxPayloadBytes });
  /** Acknowledged connections, with the controller aborted when the socket closes (or on shutdown). */
  const connections = new Map<Context<Record<string, unknown>, Extra>, AbortController>();
  const signals = new WeakMap<WebSocket, AbortSignal>();
  let draining = false;

  // Registered before graphql-ws's own listener, so it sees each socket's first message first.
  wsServer.on('connection', (socket: WebSocket) => {
    socket.once('message', (data: RawData) => {
      if (messageType(data) !== 'connection_init') socket.close(CloseCode.Unauthorized, 'Unauthorized');
    });
  });

  const handle = useServer<Record<string, unknown>, Extra>(
    {
      connectionInitWaitTimeout: options.initTimeoutMs,
      // The key comes in connectionParams ({ authorization: "Bearer ..." } or { apiKey }) and is
      // checked on connect; every new subscription checks it again, so a revoked key cannot open one.
      // A connection without a key is admitted as an HTTP request without one is: the schema then
      // answers only `health` and refuses every other field with UNAUTHENTICATED.
      onConnect: async (ctx) => {
        if (draining) {
          ctx.extra.socket.close(1001, SHUTTING_DOWN);
          return false;
        }
        const credentials = credentialsOf(ctx, clientAddress);
        const auth = credentials.secret ? await authenticateForContext(services.authenticator, credentials) : null;
        if (auth && !auth.caller) {
          // graphql-ws would close with a bare "Forbidden"; the reason tells the client what is wrong.
          ctx.extra.socket.close(CloseCode.Forbidden, forbiddenReason(auth.authError?.message));
          return false;
        }
        // The socket may have gone while the key was checked: its close event has already fired.
        if (ctx.extra.socket.readyState !== ctx.extra.socket.OPEN) return false;
        const controller = new AbortController();
        connections.set(ctx, controller);
        signals.set(ctx.extra.socket, controller.signal);
        // Abort on the socket's own close event: graphql-ws calls onClose only after every
        // subscription's return() settled, and return() waits for a pending upstream read.
        ctx.extra.socket.once('close', () => {
          connections.delete(ctx);
          controller.abort();
        });
        return true;
      },
      execute: (args: any) => args.rootValue.execute(args),
      subscribe: (args: any) => args.rootValue.subscribe(args),
      onSubscribe: async (ctx, _id, payload) => {
        if (draining) return [new GraphQLError(SHUTTING_DOWN, { extensions: { code: 'SERVER_SHUTDOWN' } })];
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
        Object.assign(args.contextValue as object, {
          services,
          loaders: createLoaders(services),
          signal: signals.get(ctx.extra.socket)!,
          ...(await authenticateForContext(services.authenticator, credentialsOf(ctx, clientAddress))),
        });
        return args;
      },
    },
    wsServer,
  );
  // graphql-ws prints a stack for every socket error, a hostile client's oversized or malformed
  // frame included; ws has already closed such a socket (1009, 1002, 1007), so those stay quiet.
  wsServer.on('connection', (socket: WebSocket) => {
    socket.removeAllListeners('error');
    socket.on('error', (error: Error & { code?: string }) => {
      if (error.code?.startsWith('WS_ERR_')) return;
      logger.warn(`websocket error: ${error.message}`);
      socket.close(CloseCode.InternalServerError, 'Internal server error');
    });
  });

  return {
    activeOperations() {
      let count = 0;
      for (const ctx of connections.keys()) count += Object.keys(ctx.subscriptions).length;
      return count;
    },
    drain() {
      draining = true;
    },
    abortAll(reason) {
      for (const controller of connections.values()) controller.abort(reason);
    },
    async close(waitMs) {
      for (const client of wsServer.clients) client.close(1001, SHUTTING_DOWN);
      const deadline = Date.now() + waitMs;
      while (wsServer.clients.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      await handle.dispose();
    },
  };
}

/** The `type` of a graphql-ws message, or null when it is not one. */
function messageType(data: RawData): string | null {
  try {
    const message = JSON.parse(String(data)) as { type?: unknown } | null;
    return typeof message?.type === 'string' ? message.type : null;
  } catch {
    return null;
  }
}

/** A close reason within WebSocket's 123 bytes: `Forbidden: unknown API key`. */
function forbiddenReason(message: string | undefined): string {
  const detail = message ? `${message.charAt(0).toLowerCase()}${message.slice(1)}` : 'invalid API key';
  const reason = `Forbidden: ${detail}`;
  return Buffer.byteLength(reason) <= 123 ? reason : `${Buffer.from(reason).subarray(0, 120).toString('utf8').replace(/\uFFFD$/, '')}...`;
}

/** Credentials of a graphql-ws connection: connectionParams first, then the upgrade request's headers. */
function credentialsOf(ctx: { connectionParams?: Readonly<Record<string, unknown>> | undefined; extra: { request: IncomingMessage } }, clientAddress: ClientAddressOf) {
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
    clientAddress: clientAddress(ctx.extra.request),
  };
}
