// The response cache on /v1/messages (driven by the Anthropic SDK) and /v1/responses (driven by
// the openai SDK): a hit is answered in the endpoint's own format, as a single answer or replayed
// as a stream with the same event types as a live one, and carries `x-modelgraph-cache: hit`,
// which browsers may read (CORS).
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { ResponseStreamEvent } from 'openai/resources/responses/responses';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RestTestContext } from '../http/rest-test-app.ts';
import { allowedOrigin, models } from '../http/rest-test-app.ts';
import type { UpstreamSimulator } from '../helpers/upstream-scenario.ts';
import { cacheCases, startCacheTestApp } from './cache-test-app.ts';

let context: RestTestContext;
let anthropic: Anthropic;
let openai: OpenAI;
const cached = { headers: { 'x-modelgraph-cache-ttl': '60' } };
const unique = (text: string) => `${text} ${Math.random()}`;
/** Event types with runs of the same type as one: a hit replays the stored text as one delta, not as the upstream's chunks. */
const shape = (types: string[]) => types.filter((type, index) => type !== types[index - 1]);

beforeAll(async () => {
  context = await startCacheTestApp(cacheCases[0]!);
  anthropic = new Anthropic({ baseURL: context.app.url, apiKey: context.apiKey, maxRetries: 0 });
  openai = new OpenAI({ baseURL: context.baseUrl, apiKey: context.apiKey, maxRetries: 0 });
  context.anthropic.setScenario({ kind: 'text', chunks: ['Cached', ' by', ' the gateway'], usage: { input: 40, output: 3 } });
  context.openai.setScenario({ kind: 'text', chunks: ['Answered', ' once'], usage: { input: 12, output: 2 } });
});
afterAll(async () => context?.stop());

/** Sends one request twice: the first must miss (and reach `upstream`), the second hit (without reaching it). */
async function missThenHit<T extends { response: Response }>(upstream: UpstreamSimulator, send: () => Promise<T>): Promise<[T, T]> {
  const before = upstream.requests.length;
  const first = await send();
  const second = await send();
  expect([first.response.headers.get('x-modelgraph-cache'), second.response.headers.get('x-modelgraph-cache')]).toEqual(['miss', 'hit']);
  expect(upstream.requests.length - before).toBe(1);
  return [first, second];
}

/** Streams one request twice: live (a miss), then replayed (a hit) with the live stream's event types. */
async function liveThenReplayed<T extends { cache: string | null; types: string[] }>(stream: () => Promise<T>): Promise<[T, T]> {
  const live = await stream();
  const replayed = await stream();
  expect([live.cache, replayed.cache]).toEqual(['miss', 'hit']);
  expect(shape(replayed.types)).toEqual(shape(live.types));
  return [live, replayed];
}

async function messagesStream(content: string) {
  const { data: stream, response } = await anthropic.messages
    .create({ model: models.anthropic, max_tokens: 256, stream: true, messages: [{ role: 'user', content }] }, cached)
    .withResponse();
  const events: Anthropic.RawMessageStreamEvent[] = [];
  for await (const event of stream) events.push(event);
  const text = events.map((event) => (event.type === 'content_block_delta' && event.delta.type === 'text_delta' ? event.delta.text : '')).join('');
  return { cache: response.headers.get('x-modelgraph-cache'), types: events.map((event) => event.type), text, events };
}

function messagesCreate(content: string) {
  return anthropic.messages.create({ model: models.anthropic, max_tokens: 256, messages: [{ role: 'user', content }] }, cached).withResponse();
}

describe('response cache on /v1/messages (Anthropic SDK)', () => {
  it('answers a repeated message from the cache as an Anthropic message with the original usage', async () => {
    const content = unique('messages hit');
    const [first, second] = await missThenHit(context.anthropic, () => messagesCreate(content));
    expect(second.data).toMatchObject({ type: 'message', role: 'assistant', model: first.data.model, stop_reason: first.data.stop_reason, content: first.data.content });
    expect(second.data.content).toEqual([{ type: 'text', text: 'Cached by the gateway' }]);
    expect(second.data.usage).toMatchObject({ input_tokens: first.data.usage.input_tokens, output_tokens: first.data.usage.output_tokens });
    expect(second.data.id).not.toBe(first.data.id);
  });

  it("replays a stream with Anthropic's event sequence, terminal message_stop included", async () => {
    const content = unique('messages stream');
    const [live, replayed] = await liveThenReplayed(() => messagesStream(content));
    expect(replayed.types.at(0)).toBe('message_start');
    expect(replayed.types.at(-1)).toBe('message_stop');
    expect(replayed.text).toBe('Cached by the gateway');
    const stopOf = (events: Anthropic.RawMessageStreamEvent[]) => events.find((event) => event.type === 'message_delta') as Anthropic.RawMessageDeltaEvent;
    expect(stopOf(replayed.events).delta.stop_reason).toBe(stopOf(live.events).delta.stop_reason);
  });

  it('answers a stream from a single answer and a single answer from a stream', async () => {
    const singleFirst = unique('single first');
    const single = await messagesCreate(singleFirst);
    const asStream = await messagesStream(singleFirst);
    expect(asStream.cache).toBe('hit');
    expect(asStream.text).toBe((single.data.content[0] as Anthropic.TextBlock).text);
    expect(asStream.types.at(-1)).toBe('message_stop');

    const streamFirst = unique('stream first');
    const streamed = await messagesStream(streamFirst);
    const asSingle = await messagesCreate(streamFirst);
    expect(asSingle.response.headers.get('x-modelgraph-cache')).toBe('hit');
    expect(asSingle.data.content).toEqual([{ type: 'text', text: streamed.text }]);
  });
});

async function responsesStream(input: string) {
  const { data: stream, response } = await openai.responses.create({ model: models.openai, input, temperature: 0, stream: true }, cached).withResponse();
  const events: ResponseStreamEvent[] = [];
  for await (const event of stream) events.push(event);
  const completed = events.at(-1) as Extract<ResponseStreamEvent, { type: 'response.completed' }>;
  return { cache: response.headers.get('x-modelgraph-cache'), types: events.map((event) => event.type), events, final: completed.response };
}

function responsesCreate(input: string) {
  return openai.responses.create({ model: models.openai, input, temperature: 0 }, cached).withResponse();
}

describe('response cache on /v1/responses (openai SDK)', () => {
  it('answers a repeated request with a complete Responses object of its own', async () => {
    const input = unique('responses hit');
    const [first, second] = await missThenHit(context.openai, () => responsesCreate(input));
    expect(second.data).toMatchObject({ object: 'response', status: 'completed', model: first.data.model, output_text: 'Answered once' });
    expect(second.data.id).toMatch(/^resp_/);
    expect(second.data.id).not.toBe(first.data.id);
    expect(second.data.usage).toMatchObject({ input_tokens: 12, output_tokens: 2, total_tokens: 14 });
    // A stored hit is a response like any other: it can be read back and continued.
    expect((await openai.responses.retrieve(second.data.id)).output_text).toBe('Answered once');
  });

  it('replays a stream with the same numbered events as a live one, ending with response.completed', async () => {
    const input = unique('responses stream');
    const [live, replayed] = await liveThenReplayed(() => responsesStream(input));
    expect(replayed.types.at(0)).toBe('response.created');
    expect(replayed.types.at(-1)).toBe('response.completed');
    expect(replayed.events.map((event) => event.sequence_number)).toEqual(replayed.events.map((_, index) => index));
    expect(replayed.final.output_text ?? replayed.final.output.flatMap((item) => (item.type === 'message' ? item.content : [])).map((part) => (part.type === 'output_text' ? part.text : '')).join('')).toBe('Answered once');
    expect(replayed.final.id).not.toBe(live.final.id);
  });

  it('answers a stream from a single answer', async () => {
    const input = unique('responses single first');
    const single = await responsesCreate(input);
    const asStream = await responsesStream(input);
    expect(asStream.cache).toBe('hit');
    expect(asStream.types.at(-1)).toBe('response.completed');
    const text = asStream.events.map((event) => (event.type === 'response.output_text.delta' ? event.delta : '')).join('');
    expect(text).toBe(single.data.output_text);
  });
});

describe('response cache header in browsers (CORS)', () => {
  it('exposes x-modelgraph-cache to an allowed origin and lets a preflight ask for the cache headers', async () => {
    const preflight = await fetch(`${context.baseUrl}/chat/completions`, { method: 'OPTIONS', headers: { origin: allowedOrigin, 'access-control-request-method': 'POST' } });
    expect(preflight.headers.get('access-control-allow-headers')?.split(', ')).toEqual(expect.arrayContaining(['x-modelgraph-cache-ttl', 'cache-control']));
    const body = JSON.stringify({ model: models.openai, messages: [{ role: 'user', content: unique('cors') }], temperature: 0 });
    const headers = { origin: allowedOrigin, 'content-type': 'application/json', authorization: `Bearer ${context.apiKey}`, 'x-modelgraph-cache-ttl': '60' };
    for (const expected of ['miss', 'hit']) {
      const response = await fetch(`${context.baseUrl}/chat/completions`, { method: 'POST', headers, body });
      await response.text();
      expect(response.headers.get('x-modelgraph-cache')).toBe(expected);
      expect(response.headers.get('access-control-allow-origin')).toBe(allowedOrigin);
      expect(response.headers.get('access-control-expose-headers')?.split(', ')).toContain('x-modelgraph-cache');
    }
  });
});
