// Small pieces the provider tests share: a fresh signal, a typed-error catcher, a canned HttpClient
// and recorded bodies run through an adapter's stream decoder.
import { expect } from 'vitest';
import { GatewayError } from '../../src/core/errors.ts';
import type { ChatRequest, StreamPart } from '../../src/core/types.ts';
import type { HttpClient, HttpRequest, HttpResponse } from '../../src/core/ports.ts';
import { streamResponseParts, type BodyDecoder } from '../../src/providers/shared/stream-response-parts.ts';

/** A signal nobody aborts. */
export const signal = (): AbortSignal => new AbortController().signal;

/** A one-turn request saying "Hi" to the model. */
export const sayHi = (model: string): ChatRequest => ({ model, messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] });

/** Awaits a call that must fail with a GatewayError, and returns that error. */
export async function caught(promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    return error as GatewayError;
  }
  throw new Error('expected the call to fail');
}

/** An HttpClient that answers every request with the given status and body chunks, recording the requests. */
export function cannedHttp(status: number, chunks: Array<string | Uint8Array>, headers: Record<string, string> = {}) {
  const requests: HttpRequest[] = [];
  const bytes = chunks.map((chunk) => (typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk));
  const http: HttpClient = {
    async request(request) {
      requests.push(request);
      return {
        status,
        headers,
        body: (async function* () {
          yield* bytes;
        })(),
        text: async () => Buffer.concat(bytes).toString('utf8'),
        dump: async () => undefined,
      };
    },
    close: async () => undefined,
  };
  return { http, requests, lastBody: () => JSON.parse(String(requests.at(-1)!.body)) as Record<string, unknown> };
}

/** The parts a stream decoder makes of `body`, read through the adapters' own pipeline. */
export function decodeBody(body: AsyncIterable<Uint8Array>, decoder: BodyDecoder<StreamPart>): AsyncIterable<StreamPart> {
  const response: HttpResponse = { status: 200, headers: {}, body, text: async () => '', dump: async () => undefined };
  return streamResponseParts(async () => response, () => decoder);
}
