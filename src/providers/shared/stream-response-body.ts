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
