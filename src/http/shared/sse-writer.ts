// Server-sent events onto a node:http response, waiting for 'drain' so a slow client slows the
// upstream read instead of filling memory.
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
  open(headers?: Record<string, string>): void;
  /** Undefined when the frame was taken at once; otherwise resolves on 'drain' or 'close'. */
  send(frame: SseFrame): Promise<void> | undefined;
  end(): void;
}

export function createSseWriter(response: ServerResponse): SseWriter {
  let opened = false;
  const isClosed = () => response.destroyed || response.writableEnded;
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
      response.flushHeaders();
    },
    send(frame) {
      if (isClosed()) return undefined;
      const text = `${frame.event === undefined ? '' : `event: ${frame.event}\n`}data: ${frame.data}\n\n`;
      if (response.write(text)) return undefined;
      return new Promise<void>((resolve) => {
        const done = () => {
          response.off('drain', done);
          response.off('close', done);
          resolve();
        };
        response.on('drain', done);
        response.on('close', done);
      });
    },
    end() {
      if (!isClosed()) response.end();
    },
  };
}
