// Small pieces the provider tests share: a fresh signal, a typed-error catcher, a check of a recorded
// request's method, path and headers, a canned HttpClient and recorded bodies run through an
// adapter's stream decoder.
import { expect, it } from 'vitest';
import { GatewayError } from '../../src/core/errors.ts';
import type { ChatRequest, FinishReason, StreamPart } from '../../src/core/types.ts';
import type { HttpClient, HttpRequest, HttpResponse } from '../../src/core/ports.ts';
import type { RecordedRequest } from './upstream-scenario.ts';
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

/**
 * One test per row of a finish-reason table (`title` in it.each's %s format): `map(raw)` is
 * `{ unified, raw }`; and, with `missing`, one test that no reason (null or undefined) is OTHER with raw null.
 */
export function itMapsFinishReasons(
  title: string,
  map: (raw: string | null | undefined) => FinishReason,
  rows: string[][],
  missing?: { title: string; raw: null | undefined },
): void {
  it.each(rows)(title, (raw, unified) => {
    expect(map(raw)).toEqual({ unified, raw });
  });
  if (missing) {
    it(missing.title, () => {
      expect(map(missing.raw)).toEqual({ unified: 'OTHER', raw: null });
    });
  }
}

/** Stop reasons Anthropic's Messages API and Bedrock's Converse API both send, with the finish reason each maps to. */
export const messagesAndConverseStopReasons: string[][] = [
  ['end_turn', 'STOP'],
  ['stop_sequence', 'STOP'],
  ['max_tokens', 'LENGTH'],
  ['model_context_window_exceeded', 'LENGTH'],
  ['tool_use', 'TOOL_CALLS'],
];

/** The parts of one tool call whose arguments arrive in a single delta: start, delta, end. */
export function wholeToolCall(index: number, id: string, name: string, argumentsDelta: string): StreamPart[] {
  return [
    { type: 'tool-call-start', index, id, name },
    { type: 'tool-call-delta', index, argumentsDelta },
    { type: 'tool-call-end', index },
  ];
}

/** Checks that a request the simulator recorded is a POST to `url` with these headers (undefined: absent). */
export function expectPost(request: RecordedRequest, url: string, headers: Record<string, string | undefined>): void {
  expect(request.method).toBe('POST');
  expect(request.url).toBe(url);
  for (const [name, value] of Object.entries(headers)) expect(request.headers[name], `the ${name} header`).toBe(value);
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
