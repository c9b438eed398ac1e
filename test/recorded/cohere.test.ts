// Cohere Chat API v2 recorded by vercel/ai. Chat API reference: a streamed response is
// message-start, tool-plan-delta (the model's plan before its tool calls, exposed here as
// reasoning), tool-call-start / -delta / -end, and message-end with finish_reason and usage.
// Usage: `billed_units` are the tokens the caller is billed for; `tokens` also counts tokens
// Cohere adds itself; `cached_tokens` counts prompt tokens that hit the cache on the `tokens`
// base (1504 of 1549 here, more than the 119 billed), so it says nothing about billed units and
// billed input carries no cache-read discount.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonRecording, sseLinesRecording } from './recordings.ts';
import { expectedCost, replayModels, startReplayHarness, type ReplayHarness } from './replay-driver.ts';

let harness: ReplayHarness;
beforeAll(async () => {
  harness = await startReplayHarness();
});
afterAll(async () => {
  await harness?.stop();
});

describe('Cohere v2 recorded responses', () => {
  it('streamed tool plan and two tool calls, billed units 119 in + 44 out', async () => {
    const result = await harness.both(replayModels.cohere, sseLinesRecording('cohere/cohere-tool-call.chunks.txt'));
    const usage = { inputTokens: 119, outputTokens: 44, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, totalTokens: 163 };
    expect(result).toEqual({
      text: '',
      reasoning: 'I will use the weather tool to find the weather in San Francisco and the cityAttractions tool to find attractions in San Francisco.',
      toolCalls: [
        { id: 'weather_e8p4pn45zt0t', name: 'weather', arguments: '{"location": "San Francisco"}' },
        { id: 'cityAttractions_pyxssbwnq9fq', name: 'cityAttractions', arguments: '{"city": "San Francisco"}' },
      ],
      finish: { unified: 'TOOL_CALLS', raw: 'TOOL_CALL' },
      usage,
      cost: expectedCost(usage),
      error: null,
    });
  });

  it('a grounded answer with citations: the text, billed units 39 in + 27 out', async () => {
    const result = await harness.both(replayModels.cohere, jsonRecording('cohere/cohere-citations.json'));
    const usage = { inputTokens: 39, outputTokens: 27, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, totalTokens: 66 };
    expect(result).toEqual({
      text: 'The key benefits mentioned in this document are:\n1. Automation of tasks\n2. Better decision-making\n3. Cost reduction',
      reasoning: '',
      toolCalls: [],
      finish: { unified: 'STOP', raw: 'COMPLETE' },
      usage,
      cost: expectedCost(usage),
      error: null,
    });
  });
});
