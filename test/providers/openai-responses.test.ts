// The OpenAI Responses API upstream adapter (provider setting `api: "responses"`): the shared
// conformance cases against a simulator speaking the Responses wire, and what is its own: the
// request as input items (stateless, encrypted reasoning asked for and sent back), reasoning
// summaries and encrypted_content, an incomplete response, and the setting in config.
import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '../../src/core/types.ts';
import { createOpenAIResponsesAdapter } from '../../src/providers/openai-responses/create-openai-responses-adapter.ts';
import { mapResponsesFinish } from '../../src/providers/openai-responses/map-responses-response.ts';
import { providerSettingsSchema } from '../../src/providers/provider-settings.ts';
import type { HttpClient } from '../../src/core/ports.ts';
import { collect, runAdapterCases } from '../helpers/adapter-conformance.ts';
import { useSimulatorAndClient } from '../helpers/provider-simulator-setup.ts';
import { caught, signal } from '../helpers/provider-test-kit.ts';
import type { UpstreamSimulator } from '../helpers/upstream-scenario.ts';
import { simulatedEncryptedReasoning, startOpenAIResponsesSimulator } from './openai-responses-simulator.ts';

runAdapterCases({
  name: 'openai responses',
  startSimulator: startOpenAIResponsesSimulator,
  createAdapter: ({ baseUrl, http, apiKey }) => createOpenAIResponsesAdapter({ providerId: 'openai', baseUrl, http, apiKey }),
  model: 'o4-mini',
});

describe('openai responses adapter', () => {
  let simulator: UpstreamSimulator;
  let http: HttpClient;
  useSimulatorAndClient(startOpenAIResponsesSimulator, (started) => {
    ({ simulator, http } = started);
  });
  const adapter = () => createOpenAIResponsesAdapter({ providerId: 'openai', baseUrl: simulator.baseUrl, http, apiKey: 'sk-test' });
  const lastBody = () => simulator.requests.at(-1)!.body as Record<string, any>;

  const conversation: ChatRequest = {
    model: 'o4-mini',
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: [{ type: 'text', text: 'Weather in Oslo?' }, { type: 'image', url: 'https://example.com/oslo.png' }] },
      { role: 'assistant', content: null, reasoning: [{ type: 'redacted', data: 'gAAAA-earlier' }, { type: 'thinking', text: 'summary only' }], toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' }] },
      { role: 'tool', toolCallId: 'call_1', content: 'snow' },
    ],
    tools: [{ name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }],
    toolChoice: { name: 'get_weather' },
    responseFormat: { type: 'json_schema', name: 'weather', schema: { type: 'object' }, strict: true },
    reasoning: { effort: 'high' },
    maxOutputTokens: 300,
  };

  it('sends the conversation as input items, stateless, asking for encrypted reasoning', async () => {
    simulator.setScenario({ kind: 'text', chunks: ['Snow.'], usage: { input: 40, output: 5 } });
    await adapter().generate(conversation, signal());
    expect(simulator.requests.at(-1)!.url).toBe('/v1/responses');
    expect(lastBody()).toEqual({
      model: 'o4-mini',
      input: [
        { role: 'developer', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'input_text', text: 'Weather in Oslo?' }, { type: 'input_image', image_url: 'https://example.com/oslo.png', detail: 'auto' }] },
        { type: 'reasoning', summary: [], encrypted_content: 'gAAAA-earlier' },
        { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' },
        { type: 'function_call_output', call_id: 'call_1', output: 'snow' },
      ],
      store: false,
      include: ['reasoning.encrypted_content'],
      tools: [{ type: 'function', name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: false }],
      tool_choice: { type: 'function', name: 'get_weather' },
      text: { format: { type: 'json_schema', name: 'weather', schema: { type: 'object' }, strict: true } },
      reasoning: { effort: 'high', summary: 'auto' },
      max_output_tokens: 300,
    });
  });

  it('returns encrypted_content as a redacted reasoning block, streamed and not', async () => {
    simulator.setScenario({ kind: 'text', reasoningChunks: ['Cold ', 'north.'], chunks: ['Snow.'], usage: { input: 40, output: 25, reasoning: 20, cachedInput: 32 } });
    const result = await adapter().generate(conversation, signal());
    expect(result.reasoningBlocks).toEqual([{ type: 'redacted', data: simulatedEncryptedReasoning }]);
    expect(result.usage).toEqual({ inputTokens: 40, outputTokens: 25, cachedInputTokens: 32, cacheWriteTokens: 0, reasoningTokens: 20 });
    const parts = await collect(adapter().stream(conversation, signal()));
    expect(parts.filter((part) => part.type === 'reasoning-block')).toEqual([{ type: 'reasoning-block', block: { type: 'redacted', data: simulatedEncryptedReasoning } }]);
    expect(parts[0]).toMatchObject({ type: 'response-metadata', id: expect.stringMatching(/^resp_/), model: 'o4-mini' });
  });

  it('refuses stop sequences, which the Responses API does not take', async () => {
    expect((await caught(adapter().generate({ ...conversation, stop: ['END'] }, signal()))).code).toBe('INVALID_REQUEST');
  });

  it('maps incomplete_details.reason to LENGTH or CONTENT_FILTER', () => {
    expect(mapResponsesFinish({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } }, false)).toEqual({ unified: 'LENGTH', raw: 'max_output_tokens' });
    expect(mapResponsesFinish({ status: 'incomplete', incomplete_details: { reason: 'content_filter' } }, false)).toEqual({ unified: 'CONTENT_FILTER', raw: 'content_filter' });
    expect(mapResponsesFinish({ status: 'completed' }, true)).toEqual({ unified: 'TOOL_CALLS', raw: 'completed' });
  });

  it('is chosen with api: "responses" on kind openai only', () => {
    expect(providerSettingsSchema.safeParse({ id: 'o', kind: 'openai', apiKey: 'k', api: 'responses' }).success).toBe(true);
    expect(providerSettingsSchema.safeParse({ id: 'g', kind: 'groq', apiKey: 'k', api: 'responses' }).success).toBe(false);
  });
});
