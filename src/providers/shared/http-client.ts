import { Agent, type Dispatcher } from 'undici';
import { UpstreamProtocolError } from '../../core/errors.ts';
import type { HttpClient, HttpRequest, HttpResponse } from '../../core/ports.ts';

/** The default upstream response limit: far above any real completion or embeddings answer. */
export const DEFAULT_UPSTREAM_RESPONSE_LIMIT_BYTES = 32 * 1024 * 1024;

export interface UndiciHttpClientOptions {
  connectTimeoutMs?: number;
  /** Connections kept per origin. */
  connections?: number | null;
  keepAliveTimeoutMs?: number;
  /** See HttpClient.responseLimitBytes. */
  responseLimitBytes?: number;
}

/** The typed error a response over the limit ends with (the provider is filled in where it enters the core). */
export function responseTooLarge(limitBytes: number): UpstreamProtocolError {
  return new UpstreamProtocolError(`The upstream response is larger than the gateway's limit of ${limitBytes} bytes (upstream.responseLimitBytes)`);
}

/**
 * The default client: undici's Agent (a keep-alive Pool per origin) and `request()`, which costs
 * far less CPU per proxied request than the global fetch (see PERFORMANCE.md).
 */
export function createUndiciHttpClient(options: UndiciHttpClientOptions = {}): HttpClient {
  const limitBytes = options.responseLimitBytes ?? DEFAULT_UPSTREAM_RESPONSE_LIMIT_BYTES;
  const agent = new Agent({
    connections: options.connections ?? null,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
    connect: { timeout: options.connectTimeoutMs ?? 10_000 },
    // Bodies of long streams may pause for a while between events; the router owns idle timeouts.
    bodyTimeout: 0,
    headersTimeout: 0,
  });
  return {
    responseLimitBytes: limitBytes,
    async request(request) {
      const { origin, path } = target(request.url);
      const response = await agent.request({
        origin,
        path,
        method: request.method,
        headers: request.headers,
        body: request.body ?? null,
        signal: request.signal ?? null,
        highWaterMark: RESPONSE_BODY_HIGH_WATER_MARK,
      } as Dispatcher.RequestOptions);
      const body = response.body;
      const headers = response.headers as Record<string, string | string[] | undefined>;
      return {
        status: response.statusCode,
        headers,
        body: body as AsyncIterable<Uint8Array>,
        text: () => readWholeBody(body, headers, limitBytes),
        // An unfinished body is destroyed rather than drained: a stream the caller left early may
        // never end (a hung upstream), and reading the rest of a long stream only costs.
        dump: async () => {
          if (!body.readableEnded) body.destroy();
        },
      };
    },
    // Graceful first; requests still open after the grace period (a stream the caller abandoned)
    // are destroyed so shutdown always completes.
    async close(graceMs = 2000) {
      let timer: NodeJS.Timeout | undefined;
      const graceful = agent.close().then(() => true);
      const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), graceMs)));
      const closedInTime = await Promise.race([graceful, late]);
      clearTimeout(timer);
      if (!closedInTime) await agent.destroy();
    },
  };
}

/**
 * The body as text, refused as soon as it is known to pass the limit (a declared length, or the
 * bytes read so far); the rest is not read and the connection is closed. Read with 'data' events:
 * an async iterator over the body cost a promise and a stream read per chunk (BENCHMARKS.md,
 * round 2 session 5).
 */
function readWholeBody(body: Dispatcher.ResponseData['body'], headers: Record<string, string | string[] | undefined>, limitBytes: number): Promise<string> {
  const declared = Number(headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) {
    body.destroy();
    return Promise.reject(responseTooLarge(limitBytes));
  }
  // Destroyed before it was read (an abort between the headers and this read): its events are gone.
  if (body.destroyed) return Promise.reject(body.errored ?? closedBeforeEnd());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      reject(error);
    };
    body.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > limitBytes) {
        fail(responseTooLarge(limitBytes));
        body.destroy();
        return;
      }
      chunks.push(chunk);
    });
    body.on('error', fail);
    // Destroyed before its end (an abort): undici emits 'error' first; 'close' covers the rest.
    body.on('close', () => fail(closedBeforeEnd()));
    body.on('end', () => {
      if (settled) return;
      settled = true;
      resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, size).toString('utf8'));
    });
  });
}

const closedBeforeEnd = () => new Error('The upstream response body closed before its end');

/**
 * What a response body buffers before the upstream connection is paused (undici's default is
 * 64 KiB). A stream whose client reads slower than the upstream sends holds at most this much in
 * the gateway; the rest waits in the kernel's socket buffers. With 1,000 streams behind slow
 * clients, 64 KiB each was up to 64 MB of the gateway's memory.
 */
const RESPONSE_BODY_HIGH_WATER_MARK = 16 * 1024;

/** Adapters call a handful of URLs over and over; each is parsed once. */
const targets = new Map<string, { origin: string; path: string }>();
const MAX_CACHED_TARGETS = 1000;

function target(url: string): { origin: string; path: string } {
  let found = targets.get(url);
  if (found === undefined) {
    const parsed = new URL(url);
    found = { origin: parsed.origin, path: parsed.pathname + parsed.search };
    // URLs with per-request parts (a query string) must not grow the cache without bound.
    if (targets.size >= MAX_CACHED_TARGETS) targets.clear();
    targets.set(url, found);
  }
  return found;
}
