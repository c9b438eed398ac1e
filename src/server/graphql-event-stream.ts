// Subscriptions over GraphQL-over-SSE (distinct connections mode) written as a Node stream.
// graphql-yoga's own processor enqueues two encoded chunks per event into a WHATWG
// ReadableStream that @whatwg-node then pumps into the response; here each event is one string
// pushed into a Readable that is piped straight into the node response, which halves what an
// event costs on this path. The wire format is the same: `event: next` per result, `event:
// complete` at the end, a `:` comment when the first event takes over 100 ms and a `:` ping every
// 12 seconds while idle.
// Only streams (async iterable results) take this path; single results asked for as
// text/event-stream, and everything else, keep yoga's processors.
import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { ExecutionResult } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { createSseWriter } from '../http/shared/sse-writer.ts';

const PING_INTERVAL_MS = 12_000;
/** How long a stream may go without its first event before a comment sends the headers. */
const OPENING_COMMENT_MS = 100;

const EVENT_STREAM_HEADERS = {
  'content-type': 'text/event-stream',
  connection: 'keep-alive',
  'cache-control': 'no-cache',
  'content-encoding': 'none',
  // Reverse proxies (nginx) must not buffer the stream.
  'x-accel-buffering': 'no',
} as const;

export function useNodeEventStream(): Plugin {
  return {
    onResultProcess({ request, result, setResultProcessor }) {
      if (!isAsyncIterable(result)) return;
      if (!acceptsEventStream(request.headers.get('accept'))) return;
      setResultProcessor(
        (processed, fetchAPI) =>
          new fetchAPI.Response(new EventStream((processed as AsyncIterable<ExecutionResult>)[Symbol.asyncIterator]()) as unknown as BodyInit, {
            status: 200,
            headers: EVENT_STREAM_HEADERS,
          }),
        'text/event-stream',
      );
    },
  };
}

/**
 * The same stream written straight into node's response (the fast lane, graphql-json-post.ts),
 * through the SSE writer REST streams use: the events of one upstream read leave in one write at
 * the end of the tick (the Readable above makes one write per event), and a client that does not
 * read slows the subscription instead of filling memory. The client going away ends the
 * subscription (and its upstream request).
 */
export async function sendEventStream(results: AsyncIterable<ExecutionResult>, res: ServerResponse): Promise<void> {
  const iterator = results[Symbol.asyncIterator]();
  const sse = createSseWriter(res);
  sse.open(EVENT_STREAM_HEADERS);
  let opened = false;
  let finished = false;
  const send = (text: string) => {
    opened = true;
    return sse.send(text);
  };
  const opening = setTimeout(() => {
    if (!opened) send(':\n\n');
  }, OPENING_COMMENT_MS);
  opening.unref();
  const ping = setInterval(() => {
    if (!res.writableNeedDrain) send(':\n\n');
  }, PING_INTERVAL_MS);
  ping.unref();
  const stop = () => {
    clearTimeout(opening);
    clearInterval(ping);
  };
  res.once('close', () => {
    stop();
    if (!finished) {
      finished = true;
      void Promise.resolve(iterator.return?.()).catch(() => undefined);
    }
  });
  try {
    for (;;) {
      const step = await iterator.next();
      if (step.done || sse.closed) break;
      const drained = send(`event: next\ndata: ${stringifyResult(step.value)}\n\n`);
      if (drained) await drained;
    }
    finished = true;
    stop();
    send('event: complete\ndata:\n\n');
    sse.end();
  } catch (error) {
    finished = true;
    stop();
    // As the Readable's error: the response is cut, the client sees no `complete`.
    sse.flush();
    res.destroy(error instanceof Error ? error : new Error(String(error)));
  }
}

function acceptsEventStream(accept: string | null): boolean {
  if (!accept) return false;
  for (const part of accept.split(',')) {
    if (part.split(';')[0]!.trim().toLowerCase() === 'text/event-stream') return true;
  }
  return false;
}

/** Pulls one result per `_read`; backpressure is the Readable's (a slow client slows the upstream read). */
class EventStream extends Readable {
  private pulling = false;
  private finished = false;
  /** Something has been pushed (the headers are on their way). */
  private opened = false;
  private readonly opening: NodeJS.Timeout;
  private readonly ping: NodeJS.Timeout;

  constructor(private readonly results: AsyncIterator<ExecutionResult>) {
    super();
    // Some browsers hold a fetch until the first bytes. The headers leave with the first event;
    // when that takes longer than OPENING_COMMENT_MS, a comment opens the stream. Writing it at
    // once would put one more write (a wake-up of the client) before the upstream request.
    this.opening = setTimeout(() => {
      if (!this.opened) this.pushFrame(':\n\n');
    }, OPENING_COMMENT_MS);
    this.opening.unref();
    this.ping = setInterval(() => {
      if (this.readableLength === 0) this.pushFrame(':\n\n');
    }, PING_INTERVAL_MS);
    this.ping.unref();
  }

  private pushFrame(text: string | null): void {
    if (!this.opened) {
      this.opened = true;
      clearTimeout(this.opening);
    }
    this.push(text);
  }

  override _read(): void {
    if (this.pulling || this.finished) return;
    this.pulling = true;
    this.results.next().then(
      (step) => {
        this.pulling = false;
        if (this.destroyed) return;
        if (step.done) {
          this.finish();
          return;
        }
        // push() asks for more through _read while the buffer has room.
        this.pushFrame(`event: next\ndata: ${stringifyResult(step.value)}\n\n`);
      },
      (error: unknown) => {
        this.pulling = false;
        this.destroy(error instanceof Error ? error : new Error(String(error)));
      },
    );
  }

  private finish(): void {
    this.finished = true;
    clearInterval(this.ping);
    this.pushFrame('event: complete\ndata:\n\n');
    this.push(null);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.opening);
    clearInterval(this.ping);
    // The client went away: ending the iterator ends the subscription (and its upstream request).
    if (!this.finished) {
      this.finished = true;
      void Promise.resolve(this.results.return?.()).catch(() => undefined);
    }
    callback(error);
  }
}

/** JSON of one result without yoga's internal extensions (`http`, `unexpected`). */
export function stringifyResult(result: ExecutionResult): string {
  if (!result.errors?.length && !(result.extensions && 'http' in result.extensions)) return JSON.stringify(result);
  const { http: _http, ...extensions } = (result.extensions ?? {}) as Record<string, unknown>;
  return JSON.stringify({
    ...result,
    ...(result.errors
      ? {
          errors: result.errors.map((error) => {
            const json = (typeof error.toJSON === 'function' ? error.toJSON() : { ...error }) as { extensions?: Record<string, unknown> };
            if (!json.extensions) return json;
            const { http: _h, unexpected: _u, ...rest } = json.extensions;
            return { ...json, extensions: Object.keys(rest).length > 0 ? rest : undefined };
          }),
        }
      : {}),
    extensions: Object.keys(extensions).length > 0 ? extensions : undefined,
  });
}
