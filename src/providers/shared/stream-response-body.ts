import type { HttpResponse } from './http-client.ts';

export interface BodyRelease {
  /**
   * Whether the stream waits for the body to be released when it ends ('wait', the default) or
   * releases it in the background, so that a hung upstream cannot hold the caller.
   */
  release?: 'wait' | 'background';
}

/**
 * Yields the parts read from a 2xx response's body, releasing the body however the iteration
 * ends. When the consumer stops early, the parser's own `for await` has usually destroyed the body
 * already; the release makes sure of the connection in every other case.
 */
export async function* streamResponseBody<Part>(response: HttpResponse, parts: AsyncIterable<Part>, options: BodyRelease = {}): AsyncGenerator<Part> {
  try {
    yield* parts;
  } finally {
    const released = response.dump().catch(() => undefined);
    if (options.release !== 'background') await released;
  }
}

/** Turns a body's chunks into parts synchronously, one chunk at a time. */
export interface BodyDecoder<Part> {
  /** The parts this chunk completes. */
  push(chunk: Uint8Array): Part[];
  /** The last parts, once the body has ended. */
  end(): Part[];
  /** The last parts when reading the body failed. */
  broken(error: unknown): Part[];
  /** The parts ended early (an error event): the rest of the body is not read. */
  readonly failed: boolean;
}

/**
 * Sends the request on the first `next()` (as an async generator's body would run) and yields the
 * parts decoded from the 2xx response's body, releasing the body however the iteration ends.
 * One await per body read, however many parts the read holds: the parts of a read already decoded
 * are handed out at once, instead of passing each through a chain of async generators. Like
 * `for await`, the consumer calls `next()` once the previous call has settled.
 */
export function streamResponseParts<Part>(send: () => Promise<HttpResponse>, decoder: BodyDecoder<Part>, options: BodyRelease = {}): AsyncIterableIterator<Part> {
  return new ResponsePartIterator(send, decoder, options.release ?? 'wait');
}

const finished: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });

class ResponsePartIterator<Part> implements AsyncIterableIterator<Part> {
  private response: HttpResponse | undefined;
  private body: AsyncIterator<Uint8Array> | undefined;
  /** Decoded parts not yet handed out, from `position` on. */
  private parts: Part[] = [];
  private position = 0;
  /** Nothing more is read: the body ended, broke or is unwanted, or the consumer returned. */
  private stopped = false;
  private released: Promise<void> | undefined;

  constructor(
    private readonly send: () => Promise<HttpResponse>,
    private readonly decoder: BodyDecoder<Part>,
    private readonly release: 'wait' | 'background',
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<Part>> {
    if (this.position < this.parts.length) return Promise.resolve({ value: this.parts[this.position++]!, done: false });
    if (this.stopped) return Promise.resolve(finished);
    return this.read();
  }

  /** The consumer stopped early (or a timeout gave up on a pending `next()`). */
  async return(): Promise<IteratorResult<Part>> {
    this.parts = [];
    if (!this.stopped) {
      this.stopped = true;
      await this.releaseBody(true);
    }
    return finished;
  }

  private async read(): Promise<IteratorResult<Part>> {
    try {
      if (this.body === undefined) {
        this.response = await this.send();
        // Returned while the request was being sent.
        if (this.stopped) {
          await this.releaseBody(false);
          return finished;
        }
        this.body = this.response.body[Symbol.asyncIterator]();
      }
      while (!this.stopped) {
        let step: IteratorResult<Uint8Array>;
        try {
          step = await this.body.next();
        } catch (error) {
          if (this.stopped) break;
          return await this.finish(this.decoder.broken(error), false);
        }
        if (this.stopped) break;
        if (step.done) return await this.finish(this.decoder.end(), false);
        const parts = this.decoder.push(step.value);
        if (this.decoder.failed) return await this.finish(parts, true);
        if (parts.length > 0) {
          this.parts = parts;
          this.position = 1;
          return { value: parts[0]!, done: false };
        }
      }
      return finished;
    } catch (error) {
      // The request was refused (a typed error from `send`), or decoding threw.
      this.stopped = true;
      await this.releaseBody(this.body !== undefined);
      throw error;
    }
  }

  /** Releases the body, then hands out the last parts. */
  private async finish(parts: Part[], early: boolean): Promise<IteratorResult<Part>> {
    this.stopped = true;
    await this.releaseBody(early);
    this.parts = parts;
    this.position = 0;
    return this.next();
  }

  /** `early`: the body has not ended, so its iterator is closed first, as `for await` would. */
  private releaseBody(early: boolean): Promise<void> {
    if (this.response === undefined || this.released !== undefined) return Promise.resolve();
    const body = this.body;
    // Not awaited: with a read pending (a timeout) it settles only once the body is destroyed.
    if (early && body?.return) void Promise.resolve().then(() => body.return!()).catch(() => undefined);
    this.released = this.response.dump().catch(() => undefined);
    return this.release === 'wait' ? this.released : Promise.resolve();
  }
}
