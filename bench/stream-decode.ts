// The stream decode path of each adapter, alone: recorded-shape bodies of every provider fed
// from memory through `adapter.stream()` (framing, JSON, state, parts, the part iterator), no
// network and no core. Reports µs per content event, median over runs.
//
//   node --import tsx bench/stream-decode.ts [--runs=9] [--streams=40] [--providers=openai,bedrock] [--compare=DIR]
//
// --compare=DIR loads the adapters of another checkout too (e.g. `git archive main src | tar -x -C
// DIR`, with DIR/node_modules linked to this one) and alternates the two within each run, so the
// ratio is measured under the same machine load. Not run by CI.
import { pathToFileURL } from 'node:url';
import { join, resolve } from 'node:path';
import { EventStreamCodec } from '@smithy/core/event-streams';

type Adapter = { stream(request: unknown, signal: AbortSignal): AsyncIterable<{ type: string }> };
type Http = { request(request: unknown): Promise<unknown>; close(): Promise<void> };
type Factory = (http: Http) => Adapter;

const DELTAS = 400;
const encoder = new TextEncoder();
const token = (i: number) => `tok${i % 10} `;

// --- recorded-shape bodies, one Uint8Array per event ---

const sse = (data: unknown, event?: string) => encoder.encode(`${event === undefined ? '' : `event: ${event}\n`}data: ${JSON.stringify(data)}\n\n`);

function openAIEvents(): Uint8Array[] {
  const chunk = (delta: object, finish: string | null = null) => ({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o', choices: [{ index: 0, delta, finish_reason: finish }] });
  return [
    sse(chunk({ role: 'assistant', content: '' })),
    ...Array.from({ length: DELTAS }, (_, i) => sse(chunk({ content: token(i) }))),
    sse(chunk({}, 'stop')),
    sse({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o', choices: [], usage: { prompt_tokens: 9, completion_tokens: DELTAS, total_tokens: 9 + DELTAS } }),
    encoder.encode('data: [DONE]\n\n'),
  ];
}

function anthropicEvents(): Uint8Array[] {
  const event = (body: Record<string, unknown>) => sse(body, String(body['type']));
  return [
    event({ type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-x', content: [], stop_reason: null, usage: { input_tokens: 9, output_tokens: 1 } } }),
    event({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
    ...Array.from({ length: DELTAS }, (_, i) => event({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: token(i) } })),
    event({ type: 'content_block_stop', index: 0 }),
    event({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: DELTAS } }),
    event({ type: 'message_stop' }),
  ];
}

function geminiEvents(): Uint8Array[] {
  const chunk = (text: string, finish?: string) => ({
    candidates: [{ content: { role: 'model', parts: [{ text }] }, index: 0, ...(finish ? { finishReason: finish } : {}) }],
    usageMetadata: { promptTokenCount: 9, candidatesTokenCount: 1, totalTokenCount: 10 },
    modelVersion: 'gemini-x',
    responseId: 'r1',
  });
  const event = (data: unknown) => encoder.encode(`data: ${JSON.stringify(data)}\r\n\r\n`);
  return Array.from({ length: DELTAS }, (_, i) => event(chunk(token(i), i === DELTAS - 1 ? 'STOP' : undefined)));
}

function cohereEvents(): Uint8Array[] {
  const event = (body: Record<string, unknown>) => sse(body, String(body['type']));
  return [
    event({ type: 'message-start', id: 'm1', delta: { message: { role: 'assistant' } } }),
    event({ type: 'content-start', index: 0, delta: { message: { content: { type: 'text', text: '' } } } }),
    ...Array.from({ length: DELTAS }, (_, i) => event({ type: 'content-delta', index: 0, delta: { message: { content: { text: token(i) } } } })),
    event({ type: 'content-end', index: 0 }),
    event({ type: 'message-end', delta: { finish_reason: 'COMPLETE', usage: { billed_units: { input_tokens: 9, output_tokens: DELTAS } } } }),
  ];
}

function bedrockEvents(): Uint8Array[] {
  const codec = new EventStreamCodec(
    (bytes) => new TextDecoder().decode(bytes),
    (text) => encoder.encode(text),
  );
  const frame = (eventType: string, payload: Record<string, unknown>) =>
    codec.encode({
      headers: {
        ':event-type': { type: 'string', value: eventType },
        ':content-type': { type: 'string', value: 'application/json' },
        ':message-type': { type: 'string', value: 'event' },
      },
      body: encoder.encode(JSON.stringify({ ...payload, p: 'abcdefgh' })),
    });
  return [
    frame('messageStart', { role: 'assistant' }),
    ...Array.from({ length: DELTAS }, (_, i) => frame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: token(i) } })),
    frame('contentBlockStop', { contentBlockIndex: 0 }),
    frame('messageStop', { stopReason: 'end_turn' }),
    frame('metadata', { usage: { inputTokens: 9, outputTokens: DELTAS, totalTokens: 9 + DELTAS }, metrics: { latencyMs: 10 } }),
  ];
}

/** `perRead` events per body read: 1 is a paced stream, 16 a burst the socket delivers together. */
function reads(events: Uint8Array[], perRead: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < events.length; i += perRead) out.push(Buffer.concat(events.slice(i, i + perRead)));
  return out;
}

/** An HttpClient answering 200 with these reads, the body iterated the way undici's is (one promise per read). */
function memoryHttp(chunks: Uint8Array[]): Http {
  return {
    async request() {
      let index = 0;
      const iterator = {
        next: () => Promise.resolve(index < chunks.length ? { value: chunks[index++]!, done: false } : { value: undefined, done: true }),
        return: () => Promise.resolve({ value: undefined, done: true }),
      };
      return {
        status: 200,
        headers: { 'x-amzn-requestid': 'req-1' },
        body: { [Symbol.asyncIterator]: () => iterator },
        text: async () => '',
        dump: async () => undefined,
      };
    },
    close: async () => undefined,
  };
}

// --- the adapters of one checkout ---

async function loadFactories(root: string): Promise<Record<string, Factory>> {
  const load = (path: string) => import(pathToFileURL(join(root, 'src/providers', path)).href);
  const [openai, anthropic, gemini, cohere, bedrock] = await Promise.all([
    load('openai/create-openai-adapter.ts'),
    load('anthropic/create-anthropic-adapter.ts'),
    load('gemini/create-gemini-adapter.ts'),
    load('cohere/create-cohere-adapter.ts'),
    load('bedrock/create-bedrock-adapter.ts'),
  ]);
  return {
    openai: (http) => openai.createOpenAIAdapter({ providerId: 'openai', http, apiKey: 'k' }),
    anthropic: (http) => anthropic.createAnthropicAdapter({ providerId: 'anthropic', http, apiKey: 'k' }),
    gemini: (http) => gemini.createGeminiAdapter({ providerId: 'gemini', http, apiKey: 'k', toolCallId: () => 'x' }),
    cohere: (http) => cohere.createCohereAdapter({ providerId: 'cohere', http, apiKey: 'k' }),
    bedrock: (http) => bedrock.createBedrockAdapter({ providerId: 'bedrock', http, apiKey: 'k', region: 'us-east-1' }),
  };
}

const recorded: Record<string, () => Uint8Array[]> = { openai: openAIEvents, anthropic: anthropicEvents, gemini: geminiEvents, cohere: cohereEvents, bedrock: bedrockEvents };
const chosen = process.argv.find((arg) => arg.startsWith('--providers='))?.split('=')[1]?.split(',') ?? Object.keys(recorded);
const bodies: Record<string, Uint8Array[]> = Object.fromEntries(chosen.map((provider) => [provider, recorded[provider]!()]));

const request = { model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] };
const signal = new AbortController().signal;

/** µs per text delta over `streams` streams. */
async function measure(factory: Factory, chunks: Uint8Array[], streams: number): Promise<number> {
  const adapter = factory(memoryHttp(chunks));
  const started = process.hrtime.bigint();
  let deltas = 0;
  for (let i = 0; i < streams; i++) {
    let finished = false;
    for await (const part of adapter.stream(request, signal)) {
      if (part.type === 'text-delta') deltas++;
      else if (part.type === 'finish') finished = true;
      else if (part.type === 'error') throw new Error(`stream failed: ${JSON.stringify(part)}`);
    }
    if (!finished) throw new Error('stream did not finish');
  }
  return Number(process.hrtime.bigint() - started) / 1000 / deltas;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

async function main(): Promise<void> {
  const option = (name: string) => process.argv.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1];
  const runs = Number(option('runs') ?? 9);
  const streams = Number(option('streams') ?? 40);
  const compare = option('compare');
  const implementations: Array<[string, Record<string, Factory>]> = [];
  if (compare !== undefined) implementations.push(['before', await loadFactories(resolve(compare))]);
  implementations.push([compare === undefined ? 'this' : 'after', await loadFactories(resolve(import.meta.dirname, '..'))]);

  const shapes = [1, 16];
  const samples = new Map<string, number[]>();
  const ratios = new Map<string, number[]>();
  for (const [name] of implementations) for (const provider of Object.keys(bodies)) for (const perRead of shapes) samples.set(`${name} ${provider} ${perRead}`, []);
  // Warm-up: every path compiled before the first measured run.
  for (const [, factories] of implementations) for (const [provider, events] of Object.entries(bodies)) for (const perRead of shapes) await measure(factories[provider]!, reads(events, perRead), streams);

  for (let run = 0; run < runs; run++) {
    for (const [provider, events] of Object.entries(bodies)) {
      for (const perRead of shapes) {
        const chunks = reads(events, perRead);
        // Alternate which goes first, so neither always runs right after the other's garbage.
        const order = run % 2 === 0 ? implementations : [...implementations].reverse();
        const figures = new Map<string, number>();
        for (const [name, factories] of order) {
          const value = await measure(factories[provider]!, chunks, streams);
          figures.set(name, value);
          samples.get(`${name} ${provider} ${perRead}`)!.push(value);
        }
        if (compare !== undefined) {
          const key = `${provider} ${perRead}`;
          ratios.set(key, [...(ratios.get(key) ?? []), figures.get('after')! / figures.get('before')!]);
        }
      }
    }
  }

  const names = implementations.map(([name]) => name);
  console.log(`${runs} runs x ${streams} streams x ${DELTAS} text deltas per provider; µs per text delta, median of runs`);
  console.log(`| provider | events per read | ${names.join(' | ')} |${compare === undefined ? '' : ' after / before (median of per-run ratios) |'}`);
  console.log(`|---|---|${names.map(() => '---|').join('')}${compare === undefined ? '' : '---|'}`);
  for (const provider of Object.keys(bodies)) {
    for (const perRead of shapes) {
      const cells = names.map((name) => median(samples.get(`${name} ${provider} ${perRead}`)!).toFixed(3));
      const ratio = compare === undefined ? '' : ` ${median(ratios.get(`${provider} ${perRead}`)!).toFixed(2)} |`;
      console.log(`| ${provider} | ${perRead} | ${cells.join(' | ')} |${ratio}`);
    }
  }
}

await main();
