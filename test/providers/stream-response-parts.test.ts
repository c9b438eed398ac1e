// streamResponseParts: the request is sent on the first next(), each read is decoded whole, and the
// body is released however the iteration ends.
import { describe, expect, it } from 'vitest';
import type { HttpResponse } from '../../src/core/ports.ts';
import { streamResponseParts, type BodyDecoder } from '../../src/providers/shared/stream-response-parts.ts';

/** A body of chunks, recording whether it was read to the end, closed early, and dumped. */
function fakeResponse(chunks: string[], options: { breakAfter?: number } = {}) {
  const log: string[] = [];
  let index = 0;
  const iterator: AsyncIterator<Uint8Array> = {
    async next() {
      if (options.breakAfter !== undefined && index === options.breakAfter) throw new Error('socket hang up');
      if (index === chunks.length) {
        log.push('ended');
        return { value: undefined, done: true };
      }
      log.push(`read ${chunks[index]}`);
      return { value: new TextEncoder().encode(chunks[index++]), done: false };
    },
    async return() {
      log.push('closed');
      return { value: undefined, done: true };
    },
  };
  const response: HttpResponse = {
    status: 200,
    headers: {},
    body: { [Symbol.asyncIterator]: () => iterator },
    text: async () => chunks.join(''),
    dump: async () => {
      log.push('dumped');
    },
  };
  return { response, log };
}

/** Comma-separated words per chunk; "!" makes the decoder fail. */
function wordDecoder(): BodyDecoder<string> & { ends: string[] } {
  const decoder = {
    failed: false,
    ends: [] as string[],
    push(chunk: Uint8Array) {
      const words = new TextDecoder().decode(chunk).split(',');
      const failedAt = words.indexOf('!');
      if (failedAt === -1) return words;
      decoder.failed = true;
      return [...words.slice(0, failedAt), 'error'];
    },
    end() {
      decoder.ends.push('end');
      return ['finish'];
    },
    broken(error: unknown) {
      decoder.ends.push(`broken: ${(error as Error).message}`);
      return ['broken'];
    },
  };
  return decoder;
}

async function collect(parts: AsyncIterable<string>): Promise<string[]> {
  const seen: string[] = [];
  for await (const part of parts) seen.push(part);
  return seen;
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('streamResponseParts', () => {
  it('sends on the first next(), hands out every part of each read, then the end parts, and releases the body', async () => {
    const { response, log } = fakeResponse(['a,b,c', 'd', 'e,f']);
    let sent = 0;
    const parts = streamResponseParts(async () => (sent++, response), wordDecoder);
    expect(sent).toBe(0);
    expect(await collect(parts)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'finish']);
    expect(sent).toBe(1);
    // One read per chunk, whatever the number of parts in it.
    expect(log).toEqual(['read a,b,c', 'read d', 'read e,f', 'ended', 'dumped']);
  });

  it('closes and releases the body when the consumer stops early', async () => {
    const { response, log } = fakeResponse(['a,b', 'c']);
    for await (const part of streamResponseParts(async () => response, wordDecoder)) if (part === 'a') break;
    await flush();
    expect(log).toEqual(['read a,b', 'dumped', 'closed']);
  });

  it('stops reading once the decoder failed, after handing out the parts before the failure', async () => {
    const { response, log } = fakeResponse(['a,!,b', 'c']);
    const decoder = wordDecoder();
    expect(await collect(streamResponseParts(async () => response, () => decoder))).toEqual(['a', 'error']);
    await flush();
    expect(log).toEqual(['read a,!,b', 'dumped', 'closed']);
    expect(decoder.ends).toEqual([]);
  });

  it('asks the decoder for the parts of a broken body', async () => {
    const { response, log } = fakeResponse(['a', 'b'], { breakAfter: 1 });
    const decoder = wordDecoder();
    expect(await collect(streamResponseParts(async () => response, () => decoder))).toEqual(['a', 'broken']);
    expect(decoder.ends).toEqual(['broken: socket hang up']);
    expect(log).toEqual(['read a', 'dumped']);
  });

  it('throws what sending throws from the first next()', async () => {
    const parts = streamResponseParts(async () => Promise.reject(new Error('refused')), wordDecoder);
    await expect(parts.next()).rejects.toThrow('refused');
    expect(await parts.next()).toEqual({ value: undefined, done: true });
  });

  it('releases a response that arrives after the consumer returned', async () => {
    const { response, log } = fakeResponse(['a']);
    let answer!: (response: HttpResponse) => void;
    const parts = streamResponseParts(() => new Promise<HttpResponse>((resolve) => (answer = resolve)), wordDecoder);
    const pending = parts.next();
    await parts.return!();
    answer(response);
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(log).toEqual(['dumped']);
  });

  it('never waits for the release: a body that never finishes releasing holds neither the end nor a return', async () => {
    const hung = () => {
      const { response } = fakeResponse(['a', 'b']);
      response.dump = () => new Promise(() => undefined);
      return response;
    };
    expect(await collect(streamResponseParts(async () => hung(), wordDecoder))).toEqual(['a', 'b', 'finish']);
    const parts = streamResponseParts(async () => hung(), wordDecoder);
    expect(await parts.next()).toEqual({ value: 'a', done: false });
    expect(await parts.return!()).toEqual({ value: undefined, done: true });
  });

  it('makes the decoder from the response, once it has arrived', async () => {
    const { response } = fakeResponse(['a']);
    const seen: HttpResponse[] = [];
    const parts = streamResponseParts(async () => response, (answered) => (seen.push(answered), wordDecoder()));
    expect(seen).toEqual([]);
    expect(await collect(parts)).toEqual(['a', 'finish']);
    expect(seen).toEqual([response]);
  });
});
