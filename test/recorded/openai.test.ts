// OpenAI Chat Completions recorded by vercel/ai (gpt-4.1-nano). "The chat completion object":
// prompt_tokens includes prompt_tokens_details.cached_tokens, completion_tokens includes
// completion_tokens_details.reasoning_tokens, and total_tokens = prompt_tokens + completion_tokens.
// Responses API (upstream adapter, `api: "responses"`), "Streaming events": a function_call item
// opens with output_item.added (call_id, name), its arguments come as
// function_call_arguments.delta, output_item.done closes it, and response.completed carries usage
// (input_tokens includes cached_tokens, output_tokens includes reasoning_tokens).
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

describe('OpenAI recorded responses', () => {
  it('non-streaming text: 16 prompt + 363 completion = 379, nothing cached, no reasoning', async () => {
    const result = await harness.both(replayModels.openai, jsonRecording('openai/openai-text.json'));
    const usage = { inputTokens: 16, outputTokens: 363, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, totalTokens: 379 };
    expect(result.text.startsWith('**Holiday Name:** Galaxy Day  \n\n**Date:** October 31st')).toBe(true);
    expect(result.text).toContain('illuminate vast darkness\u2014mirroring our quest');
    expect(result.text.endsWith('inspiring individuals to look up and dream beyond our world.')).toBe(true);
    expect(result).toEqual({ text: result.text, reasoning: '', toolCalls: [], finish: { unified: 'STOP', raw: 'stop' }, usage, cost: expectedCost(usage), error: null });
  });

  it('Responses API upstream, streamed function call (gpt-5.1): 45 input + 25 output = 70', async () => {
    const result = await harness.both(replayModels.openaiResponses, sseLinesRecording('openai/issue-19493-gpt-5.1-tool-call.chunks.txt'));
    const usage = { inputTokens: 45, outputTokens: 25, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, totalTokens: 70 };
    expect(result).toEqual({
      text: '',
      reasoning: '',
      toolCalls: [{ id: 'call_2FQdm3Br7Qb35YUBSkDR7kue', name: 'get_weather', arguments: '{"city":"Beijing"}' }],
      finish: { unified: 'TOOL_CALLS', raw: 'completed' },
      usage,
      cost: expectedCost(usage),
      error: null,
    });
    expect(harness.replay.requests.at(-1)!.url).toBe('/v1/responses');
  });

  it('Azure OpenAI stream (model router, gpt-5-nano): a leading prompt_filter_results chunk with empty id, reasoning tokens inside completion_tokens', async () => {
    const result = await harness.both(replayModels.azure, sseLinesRecording('openai/azure-model-router.1.chunks.txt', { done: true }));
    const usage = { inputTokens: 15, outputTokens: 78, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 64, totalTokens: 93 };
    expect(result).toEqual({ text: 'Capital of Denmark.', reasoning: '', toolCalls: [], finish: { unified: 'STOP', raw: 'stop' }, usage, cost: expectedCost(usage), error: null });
  });
});
