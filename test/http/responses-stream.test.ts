// POST /v1/responses with stream: true, read by the official SDK's stream helpers
// (responses.stream: events, text and argument deltas with snapshots, finalResponse()).
import OpenAI from 'openai';
import type { ResponseStreamEvent } from 'openai/resources/responses/responses';
import { describe, expect, it } from 'vitest';
import { databaseCases } from '../helpers/databases.ts';
import { models, useOpenAIClient } from './rest-test-app.ts';
import { weatherInParisAndOslo } from '../helpers/upstream-scenario.ts';

const { context, client } = useOpenAIClient({ databaseCase: databaseCases.at(-1)! });

const weather = {
  type: 'function' as const,
  name: 'get_weather',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  strict: false,
};

async function collect(stream: ReturnType<OpenAI['responses']['stream']>) {
  const events: ResponseStreamEvent[] = [];
  stream.on('event', (event) => events.push(event));
  const final = await stream.finalResponse();
  return { events, final };
}

describe('responses.stream with the openai SDK', () => {
  it('streams text deltas with snapshots, numbered events in order and the final response', async () => {
    context.openai.setScenario({ kind: 'text', chunks: ['One', ' two', ' three'], usage: { input: 12, output: 3 } });
    const stream = client.responses.stream({ model: models.openai, input: 'Count', store: false });
    const snapshots: string[] = [];
    stream.on('response.output_text.delta', (event) => snapshots.push(event.snapshot));
    const { events, final } = await collect(stream);

    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    expect(events.map((event) => event.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(snapshots).toEqual(['One', 'One two', 'One two three']);
    expect(final.status).toBe('completed');
    expect(final.output_text).toBe('One two three');
    expect(final.usage).toMatchObject({ input_tokens: 12, output_tokens: 3, total_tokens: 15 });
    // The item ids of the events are the final response's.
    const added = events.find((event) => event.type === 'response.output_item.added');
    expect(added?.type === 'response.output_item.added' && added.item.id).toBe(final.output[0]!.id);
  });

  it('streams function call argument deltas from an OpenAI upstream, one item per call', async () => {
    context.openai.setScenario(weatherInParisAndOslo);
    const stream = client.responses.stream({ model: models.openai, input: 'Weather in Paris and Oslo?', tools: [weather], store: false });
    const deltas: Array<{ index: number; snapshot: string }> = [];
    stream.on('response.function_call_arguments.delta', (event) => deltas.push({ index: event.output_index, snapshot: event.snapshot }));
    const { events, final } = await collect(stream);

    expect(final.output.map((item) => item.type === 'function_call' && [item.call_id, item.name, item.arguments])).toEqual([
      ['call_1', 'get_weather', '{"city":"Paris"}'],
      ['call_2', 'get_weather', '{"city":"Oslo"}'],
    ]);
    expect(deltas.filter((delta) => delta.index === 0).at(-1)?.snapshot).toBe('{"city":"Paris"}');
    expect(deltas.filter((delta) => delta.index === 1).length).toBeGreaterThanOrEqual(2);
    const done = events.filter((event) => event.type === 'response.function_call_arguments.done');
    expect(done.map((event) => event.type === 'response.function_call_arguments.done' && event.arguments)).toEqual(['{"city":"Paris"}', '{"city":"Oslo"}']);
  });

  it('streams reasoning summary deltas from an Anthropic upstream, then the text', async () => {
    context.anthropic.setScenario({ kind: 'text', chunks: ['Paris.'], reasoningChunks: ['The Louvre ', 'is in Paris.'], usage: { input: 20, output: 30, reasoning: 10 } });
    const stream = client.responses.stream({ model: models.anthropic, input: 'Where is the Louvre?', reasoning: { effort: 'medium', summary: 'auto' }, store: false });
    const summaryDeltas: string[] = [];
    stream.on('response.reasoning_summary_text.delta', (event) => summaryDeltas.push(event.delta));
    const { events, final } = await collect(stream);

    expect(summaryDeltas).toEqual(['The Louvre ', 'is in Paris.']);
    expect(events.map((event) => event.type)).toContain('response.reasoning_summary_text.done');
    expect(final.output.map((item) => item.type)).toEqual(['reasoning', 'message']);
    const reasoning = final.output[0]!;
    expect(reasoning.type === 'reasoning' && reasoning.summary).toEqual([{ type: 'summary_text', text: 'The Louvre is in Paris.' }]);
    expect(reasoning.type === 'reasoning' && reasoning.encrypted_content).toMatch(/^mg1\./);
    expect(final.output_text).toBe('Paris.');
    expect(final.usage?.output_tokens_details.reasoning_tokens).toBe(10);
  });

  it('streams a Gemini upstream', async () => {
    context.gemini.setScenario({ kind: 'text', chunks: ['Bon', 'jour'], usage: { input: 4, output: 2 } });
    const { final } = await collect(client.responses.stream({ model: models.gemini, input: 'Hello in French', store: false }));
    expect(final.output_text).toBe('Bonjour');
  });

  it('ends a stream that breaks after it started with error and response.failed, which the SDK helper raises', async () => {
    context.openai.setScenario({ kind: 'cut', chunks: ['partial'] });
    const raw = await client.responses.create({ model: models.openai, input: 'Hi', store: false, stream: true });
    const events: ResponseStreamEvent[] = [];
    for await (const event of raw) events.push(event);
    expect(events.map((event) => event.type).slice(-2)).toEqual(['error', 'response.failed']);
    const failed = events.at(-1)!;
    expect(failed.type === 'response.failed' && failed.response).toMatchObject({ status: 'failed', error: { code: 'upstream_protocol_error', message: expect.any(String) } });
    expect(failed.type === 'response.failed' && failed.response.output[0]).toMatchObject({ type: 'message', status: 'incomplete', content: [{ text: 'partial' }] });

    context.openai.setScenario({ kind: 'cut', chunks: ['partial'] });
    const error = await client.responses.stream({ model: models.openai, input: 'Hi', store: false }).finalResponse().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ message: expect.stringContaining('upstream connection broke') });
  });

  it('answers an error before the stream starts with an HTTP error', async () => {
    const error = await client.responses.stream({ model: 'no-such-model', input: 'Hi' }).finalResponse().catch((caught: unknown) => caught);
    expect((error as { status?: number }).status).toBe(404);
  });
});
