import type { HttpResponse } from '../../core/ports.ts';

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
 * The one stream pipeline of every adapter. Sends the request on the first `next()` (as an async
 * generator's body would run) and yields the parts that `decoderFor(response)` decodes from the
 * 2xx response's body, releasing the body however the iteration ends. One await per body read,
 * however many parts the read holds: the parts of a read already decoded are handed out at once,
 * instead of passing each through a chain of async generators. Like `for await`, the consumer
 * calls `next()` once the previous call has settled. The body is released in the background: the
 * iteration never waits for it, so a hung upstream cannot hold the caller.
 */
export function streamResponseParts<Part>(send: () => Promise<HttpResponse>, decoderFor: (response: HttpResponse) => BodyDecoder<Part>): AsyncIterableIterator<Part> {
  return new ResponsePartIterator(send, decoderFor);
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
  private decoder!: BodyDecoder<Part>;
  private released = false;

  constructor(
    private readonly send: () => Promise<HttpResponse>,
    private readonly decoderFor: (response: HttpResponse) => BodyDecoder<Part>,
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
      this.releaseBody(true);
    }
    return finished;
  }

  private async read(): Promise<IteratorResult<Part>> {
    try {
      if (this.body === undefined) {
        this.response = await this.send();
        // Returned while the request was being sent.
        if (this.stopped) {
          this.releaseBody(false);
          return finished;
        }
        this.decoder = this.decoderFor(this.response);
        this.body = this.response.body[Symbol.asyncIterator]();
      }
      while (!this.stopped) {
        let step: IteratorResult<Uint8Array>;
        try {
          step = await this.body.next();
        } catch (error) {
          if (this.stopped) break;
          return this.finish(this.decoder.broken(error), false);
        }
        if (this.stopped) break;
        if (step.done) return this.finish(this.decoder.end(), false);
        const parts = this.decoder.push(step.value);
        if (this.decoder.failed) return this.finish(parts, true);
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
      this.releaseBody(this.body !== undefined);
      throw error;
    }
  }

  /** Releases the body, then hands out the last parts. */
  private finish(parts: Part[], early: boolean): Promise<IteratorResult<Part>> {
    this.stopped = true;
    this.releaseBody(early);
    this.parts = parts;
    this.position = 0;
    return this.next();
  }

  /**
   * `early`: the body has not ended, so its iterator is closed first, as `for await` would.
   * Neither is awaited: with a read pending (a timeout) the close settles only once the body is
   * destroyed, and a hung upstream must not hold the caller.
   */
  private releaseBody(early: boolean): void {
    if (this.response === undefined || this.released) return;
    this.released = true;
    const body = this.body;
    if (early && body?.return) void Promise.resolve().then(() => body.return!()).catch(() => undefined);
    this.response.dump().catch(() => undefined);
  }
}
