// Server-sent events onto a node:http response. Text sent in the same tick (the events of one
// upstream read) goes out in one write at the end of the tick; a write the response does not take
// at once makes the sender wait for 'drain', so a slow client slows the upstream read instead of
// filling memory.
import type { ServerResponse } from 'node:http';

export interface SseFrame {
  /** Omitted for data-only streams such as OpenAI's. */
  event?: string;
  data: string;
}

export interface SseWriter {
  readonly opened: boolean;
  /** The client has gone or the response has ended. */
  readonly closed: boolean;
  /** Sets the status and headers; they are written with the first frames sent. */
  open(headers?: Record<string, string>): void;
  /**
   * Queues SSE text (whole frames, see formatSseFrames) for this tick's write. Undefined when the
   * response takes more at once; otherwise resolves on 'drain' or 'close'.
   */
  send(text: string): Promise<void> | undefined;
  /** Writes what is queued now rather than at the end of the tick. */
  flush(): void;
  end(): void;
}

export function formatSseFrames(frames: readonly SseFrame[]): string {
  let text = '';
  for (const frame of frames) text += `${frame.event === undefined ? '' : `event: ${frame.event}\n`}data: ${frame.data}\n\n`;
  return text;
}

export function createSseWriter(response: ServerResponse): SseWriter {
  let opened = false;
  let queued = '';
  let flushScheduled = false;
  /** Set while the response waits for 'drain'. */
  let drained: Promise<void> | undefined;
  const isClosed = () => response.destroyed || response.writableEnded;

  const waitForDrain = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        response.off('drain', done);
        response.off('close', done);
        drained = undefined;
        resolve();
      };
      response.on('drain', done);
      response.on('close', done);
    });

  const flush = () => {
    flushScheduled = false;
    if (queued === '') return;
    const text = queued;
    queued = '';
    if (isClosed()) return;
    if (!response.write(text)) drained ??= waitForDrain();
  };

  return {
    get opened() {
      return opened;
    },
    get closed() {
      return isClosed();
    },
    open(headers = {}) {
      opened = true;
      response.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        // Reverse proxies (nginx) must not buffer the stream.
        'x-accel-buffering': 'no',
        ...headers,
      });
      // No flushHeaders(): the headers leave with the first frames, which are sent in this tick,
      // in one write. A separate write for them costs a wake-up of the client on the path to its
      // first token.
    },
    send(text) {
      if (text === '' || isClosed()) return drained;
      queued += text;
      // After the microtasks that pass on the rest of this read's events, before any I/O.
      if (!flushScheduled) {
        flushScheduled = true;
        process.nextTick(flush);
      }
      return drained;
    },
    flush,
    end() {
      const text = queued;
      queued = '';
      if (!isClosed()) response.end(text);
    },
  };
}
