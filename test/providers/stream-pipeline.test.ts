// Every provider streams through one pipeline, so a broken body, an abort and an event over the
// size limit end every provider's parts the same way, after the text that came before.
import { describe, expect, it } from 'vitest';
import type { StreamPart } from '../../src/core/types.ts';
import { createAnthropicStreamDecoder } from '../../src/providers/anthropic/anthropic-stream.ts';
import { createBedrockStreamDecoder } from '../../src/providers/bedrock/bedrock-stream.ts';
import { loadEventStreamCodec } from '../../src/providers/bedrock/read-bedrock-event-stream.ts';
import { createCohereStreamDecoder } from '../../src/providers/cohere/cohere-stream.ts';
import { createGeminiStreamDecoder } from '../../src/providers/gemini/gemini-stream.ts';
import { createOpenAIStreamDecoder } from '../../src/providers/openai/openai-stream.ts';
import type { BodyDecoder } from '../../src/providers/shared/stream-response-parts.ts';
import { collect } from '../helpers/adapter-conformance.ts';
import { decodeBody, signal } from '../helpers/provider-test-kit.ts';
import { encodeBedrockEvent } from './bedrock-simulator.ts';

const encoder = new TextEncoder();
const sse = (data: unknown, event?: string) => encoder.encode(`${event === undefined ? '' : `event: ${event}\n`}data: ${JSON.stringify(data)}\n\n`);

interface DecoderOptions {
  signal: AbortSignal;
  maxEventLength?: number;
}

interface ProviderCase {
  name: string;
  decoder(options: DecoderOptions): Promise<BodyDecoder<StreamPart>>;
  /** The start of an answer whose text is `text`. */
  start(text: string): Uint8Array[];
}

const cases: ProviderCase[] = [
  {
    name: 'openai',
    decoder: async (options) => createOpenAIStreamDecoder({ provider: 'p', usage: { completionTokensIncludeReasoning: true }, ...options }),
    start: (text) => [sse({ id: 'c1', model: 'm', choices: [{ index: 0, delta: { content: text } }] })],
  },
  {
    name: 'anthropic',
    decoder: async (options) => createAnthropicStreamDecoder({ providerId: 'p', ...options }),
    start: (text) => [
      sse({ type: 'message_start', message: { id: 'msg_1', model: 'claude-x', usage: { input_tokens: 3 } } }, 'message_start'),
      sse({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }, 'content_block_start'),
      sse({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } }, 'content_block_delta'),
    ],
  },
  {
    name: 'gemini',
    decoder: async (options) => createGeminiStreamDecoder({ providerId: 'p', toolCallId: () => 'x', ...options }),
    start: (text) => [sse({ candidates: [{ content: { role: 'model', parts: [{ text }] } }] })],
  },
  {
    name: 'cohere',
    decoder: async (options) => createCohereStreamDecoder({ providerId: 'p', ...options }),
    start: (text) => [
      sse({ type: 'message-start', id: 'm1' }, 'message-start'),
      sse({ type: 'content-delta', index: 0, delta: { message: { content: { text } } } }, 'content-delta'),
    ],
  },
  {
    name: 'bedrock',
    decoder: async (options) => createBedrockStreamDecoder({ providerId: 'p', requestId: 'r1', codec: await loadEventStreamCodec(), ...options }),
    start: (text) => [encodeBedrockEvent('messageStart', { role: 'assistant' }), encodeBedrockEvent('contentBlockDelta', { contentBlockIndex: 0, delta: { text } })],
  },
];

/** A body that sends `chunks`, then runs `before` and breaks as a reset socket does. */
async function* breaking(chunks: Uint8Array[], before: () => void = () => undefined): AsyncGenerator<Uint8Array> {
  yield* chunks;
  before();
  throw Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
}

async function* body(chunks: Uint8Array[]): AsyncGenerator<Uint8Array> {
  yield* chunks;
}

const texts = (parts: StreamPart[]) => parts.flatMap((part) => (part.type === 'text-delta' ? [part.text] : []));
const lastError = (parts: StreamPart[]) => {
  const last = parts.at(-1);
  return last?.type === 'error' ? last.error : undefined;
};

describe.each(cases)('the $name stream through the shared pipeline', (provider) => {
  it('ends a body that breaks mid-answer with UPSTREAM_PROTOCOL_ERROR, after the text it got', async () => {
    const parts = await collect(decodeBody(breaking(provider.start('partial')), await provider.decoder({ signal: signal() })));
    expect(texts(parts)).toEqual(['partial']);
    expect(lastError(parts)).toMatchObject({ code: 'UPSTREAM_PROTOCOL_ERROR', provider: 'p' });
  });

  it('ends with CANCELLED when the caller aborted the request the body broke under', async () => {
    const controller = new AbortController();
    const parts = await collect(decodeBody(breaking(provider.start('partial'), () => controller.abort()), await provider.decoder({ signal: controller.signal })));
    expect(texts(parts)).toEqual(['partial']);
    expect(lastError(parts)).toMatchObject({ code: 'CANCELLED', provider: 'p' });
  });

  it('ends an event over the size limit with a typed error, after the text before it', async () => {
    const limit = 2000;
    const parts = await collect(decodeBody(body([...provider.start('small'), ...provider.start('x'.repeat(3 * limit))]), await provider.decoder({ signal: signal(), maxEventLength: limit })));
    expect(texts(parts)).toEqual(['small']);
    expect(lastError(parts)).toMatchObject({ code: 'UPSTREAM_PROTOCOL_ERROR' });
    expect(lastError(parts)?.message).toContain(`larger than the gateway's limit of ${limit} bytes`);
  });
});
