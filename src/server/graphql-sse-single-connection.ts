// GraphQL over SSE in single connection mode (graphql-sse's `createClient({ singleConnection: true })`):
// the client reserves a stream with `PUT /graphql` (the answer is a token), opens it with
// `GET /graphql` (Accept: text/event-stream, the token in x-graphql-event-stream-token), POSTs each
// operation as JSON with the token and an `extensions.operationId` (answered 202, results arrive
// on the stream as `{ id, payload }`), and stops one with `DELETE /graphql?operationId=`.
// Operations run through yoga's own pipeline like any JSON POST (CSRF prevention, body limit,
// persisted operations, query limits, masking, and the context's authentication of the POST's own
// key); only the result goes to the stream instead of the response. Every request of the mode
// carries the key as well: the stream belongs to the key that reserved it, and a token presented
// with another key is unknown. Distinct connections mode (no token) is left to yoga and
// graphql-event-stream.ts. Streams live in this process: behind a load balancer, route a client's
// requests to one instance (sticky sessions) or use distinct connections or WebSocket.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import type { ExecutionResult } from 'graphql';
import { createGraphQLError, isAsyncIterable, type Plugin } from 'graphql-yoga';
import { secretFromHeaders, type Authenticator } from '../core/auth.ts';
import { toGatewayError } from '../core/errors.ts';
import { stringifyResult } from './graphql-event-stream.ts';

/** graphql-sse's names (its `TOKEN_HEADER_KEY` and `TOKEN_QUERY_KEY`). */
export const STREAM_TOKEN_HEADER = 'x-graphql-event-stream-token';
const STREAM_TOKEN_PARAM = 'token';
const PING_INTERVAL_MS = 12_000;

export interface SingleConnectionOptions {
  authenticator: Authenticator;
  /** The address failed authentications count against (trusted proxies resolved); the socket's peer by default. */
  clientAddress?: (request: IncomingMessage) => string | undefined;
  /** A reservation not opened within this time is dropped (graphql-sse opens it at once). */
  connectTimeoutMs?: number;
  /** Streams one key may hold at once, reserved or open. */
  maxStreamsPerKey?: number;
}

export function useSingleConnectionEventStream(options: SingleConnectionOptions): Plugin {
  const connectTimeoutMs = options.connectTimeoutMs ?? 30_000;
  const maxStreamsPerKey = options.maxStreamsPerKey ?? 16;
  const clientAddress = options.clientAddress ?? ((request: IncomingMessage) => request.socket.remoteAddress);
  const reservations = new Map<string, Reservation>();
  /** POSTed operations on their way through yoga, by request. */
  const pending = new WeakMap<Request, { reservation: Reservation; operationId?: string }>();

  return {
    async onRequest({ request, url, endResponse, serverContext, fetchAPI }) {
      const token = request.headers.get(STREAM_TOKEN_HEADER) ?? url.searchParams.get(STREAM_TOKEN_PARAM);
      if (token === null && request.method !== 'PUT') return;
      const refuse = (status: number, code: string, message: string) =>
        endResponse(new fetchAPI.Response(JSON.stringify({ errors: [{ message, extensions: { code } }] }), { status, headers: { 'content-type': 'application/json; charset=utf-8' } }));

      let owner: string;
      try {
        const req = (serverContext as { req?: IncomingMessage }).req;
        const caller = await options.authenticator.authenticate({ secret: secretFromHeaders(request.headers), clientAddress: req ? clientAddress(req) : undefined });
        owner = caller.keyId;
      } catch (error) {
        const refusal = toGatewayError(error);
        return refuse(refusal.code === 'RATE_LIMITED' ? 429 : 401, refusal.code, refusal.message);
      }

      if (request.method === 'PUT') {
        let held = 0;
        for (const reservation of reservations.values()) if (reservation.owner === owner) held += 1;
        if (held >= maxStreamsPerKey) return refuse(429, 'RATE_LIMITED', `This key already holds ${held} event streams; close one first`);
        const reservation = new Reservation(randomUUID(), owner, connectTimeoutMs, () => reservations.delete(reservation.token));
        reservations.set(reservation.token, reservation);
        return endResponse(new fetchAPI.Response(reservation.token, { status: 201, headers: { 'content-type': 'text/plain; charset=utf-8' } }));
      }

      const reservation = reservations.get(token!);
      // Another key's token is as unknown as a made-up one.
      if (!reservation || reservation.owner !== owner) return refuse(404, 'NOT_FOUND', 'Stream not found: reserve one with PUT first');
      if (request.method === 'GET') {
        if (!request.headers.get('accept')?.includes('text/event-stream')) {
          return refuse(406, 'BAD_REQUEST', 'With a stream token, GET opens the stream (Accept: text/event-stream); operations are POSTed as JSON');
        }
        if (reservation.opened) return refuse(409, 'CONFLICT', 'Stream already open');
        return endResponse(
          new fetchAPI.Response(reservation.open() as unknown as BodyInit, {
            status: 200,
            headers: { 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' },
          }),
        );
      }
      if (request.method === 'DELETE') {
        const operationId = url.searchParams.get('operationId');
        if (!operationId) return refuse(400, 'BAD_REQUEST', 'operationId is missing');
        reservation.stop(operationId);
        return endResponse(new fetchAPI.Response(null, { status: 200 }));
      }
      if (request.method === 'POST') {
        // On through yoga, as any POST; the result goes to the stream (onResultProcess below).
        pending.set(request, { reservation });
        return;
      }
      return refuse(405, 'BAD_REQUEST', 'Method not allowed with a stream token');
    },

    onRequestParse({ request }) {
      const entry = pending.get(request);
      if (!entry) return;
      return {
        onRequestParseDone({ requestParserResult }) {
          const operationId = Array.isArray(requestParserResult) ? undefined : requestParserResult.extensions?.operationId;
          if (typeof operationId !== 'string' || operationId === '') {
            throw createGraphQLError('extensions.operationId is missing', { extensions: { http: { status: 400 }, code: 'BAD_REQUEST' } });
          }
          if (entry.reservation.has(operationId)) {
            throw createGraphQLError('An operation with this id is already running', { extensions: { http: { status: 409 }, code: 'CONFLICT' } });
          }
          entry.operationId = operationId;
        },
      };
    },

    onResultProcess({ request, setResultProcessor }) {
      const entry = pending.get(request);
      // Without an operation id (a malformed request) yoga answers as usual.
      if (!entry?.operationId) return;
      const { reservation, operationId } = entry;
      setResultProcessor((result, fetchAPI) => {
        reservation.run(operationId, result as ExecutionResult | AsyncIterable<ExecutionResult>);
        return new fetchAPI.Response(null, { status: 202 });
      }, 'application/json');
    },
  };
}

/** One reserved stream: its operations, and the response body once the client opened it. */
class Reservation {
  private stream: ReservedStream | null = null;
  private closed = false;
  private readonly operations = new Map<string, AsyncIterator<ExecutionResult> | null>();
  private readonly connectTimer: NodeJS.Timeout;
  private resolveConnected!: (stream: ReservedStream | null) => void;
  private readonly connected = new Promise<ReservedStream | null>((resolve) => (this.resolveConnected = resolve));

  constructor(
    readonly token: string,
    readonly owner: string,
    connectTimeoutMs: number,
    private readonly onClosed: () => void,
  ) {
    this.connectTimer = setTimeout(() => this.close(), connectTimeoutMs);
    this.connectTimer.unref();
  }

  get opened(): boolean {
    return this.stream !== null;
  }

  has(operationId: string): boolean {
    return this.operations.has(operationId);
  }

  open(): ReservedStream {
    clearTimeout(this.connectTimer);
    this.stream = new ReservedStream(() => this.close());
    this.resolveConnected(this.stream);
    return this.stream;
  }

  /** Streams one operation's results as `{ id, payload }`, then `complete`; results wait for the stream to open. */
  run(operationId: string, result: ExecutionResult | AsyncIterable<ExecutionResult>): void {
    const results = isAsyncIterable(result) ? result[Symbol.asyncIterator]() : null;
    this.operations.set(operationId, results);
    const id = JSON.stringify(operationId);
    const running = () => this.operations.get(operationId) === results;
    void (async () => {
      const stream = await this.connected;
      if (!stream) return;
      if (!results) {
        if (running()) await stream.write(`event: next\ndata: {"id":${id},"payload":${stringifyResult(result as ExecutionResult)}}\n\n`);
      } else {
        for (let step = await results.next(); !step.done && running(); step = await results.next()) {
          await stream.write(`event: next\ndata: {"id":${id},"payload":${stringifyResult(step.value)}}\n\n`);
        }
      }
      // A stopped operation gets no `complete`: the client asked for the end.
      if (running()) await stream.write(`event: complete\ndata: {"id":${id}}\n\n`);
    })()
      .catch(() => undefined)
      .finally(() => {
        if (running()) this.operations.delete(operationId);
        void Promise.resolve(results?.return?.()).catch(() => undefined);
      });
  }

  stop(operationId: string): void {
    const results = this.operations.get(operationId);
    this.operations.delete(operationId);
    void Promise.resolve(results?.return?.()).catch(() => undefined);
  }

  /** The client went away, or never came: every operation ends (and with it its upstream call). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.connectTimer);
    this.resolveConnected(null);
    for (const operationId of [...this.operations.keys()]) this.stop(operationId);
    this.stream?.destroy();
    this.onClosed();
  }
}

/** The response body: frames pushed by the operations, with backpressure (write waits while the client is behind). */
class ReservedStream extends Readable {
  private waiting: Array<() => void> = [];
  private readonly ping: NodeJS.Timeout;

  constructor(private readonly onClose: () => void) {
    super();
    // Headers and a first comment at once: some browsers hold a fetch until the first bytes.
    this.push(':\n\n');
    this.ping = setInterval(() => {
      if (this.readableLength === 0) this.push(':\n\n');
    }, PING_INTERVAL_MS);
    this.ping.unref();
  }

  async write(frame: string): Promise<void> {
    if (this.destroyed) return;
    if (!this.push(frame)) await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  override _read(): void {
    this.release();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearInterval(this.ping);
    this.release();
    this.onClose();
    callback(error);
  }

  private release(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const resolve of waiting) resolve();
  }
}
