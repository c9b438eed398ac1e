// xAI (grok-3-mini) recorded by vercel/ai: completion_tokens leaves the reasoning tokens out and
// total_tokens counts them (xAI API reference, "Chat completions": usage.completion_tokens_details
// .reasoning_tokens). Every billed token must be kept: output = completion + reasoning, the
// total equals xAI's own total_tokens, and the cost prices the reasoning tokens as output.
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


describe('xAI recorded responses', () => {
  it('streamed tool call with reasoning: 291 prompt (290 cached) + 26 completion + 196 reasoning = 513', async () => {
    const result = await harness.both(replayModels.xai, sseLinesRecording('xai/xai-tool-call.chunks.txt'));
    const usage = { inputTokens: 291, outputTokens: 26 + 196, cachedInputTokens: 290, cacheWriteTokens: 0, reasoningTokens: 196, totalTokens: 513 };
    expect(result).toEqual({
      text: '',
      reasoning: 'First, the user is',
      toolCalls: [{ id: 'call_55117580', name: 'weather', arguments: '{"location":"San Francisco"}' }],
      finish: { unified: 'TOOL_CALLS', raw: 'tool_calls' },
      usage,
      cost: expectedCost(usage),
      error: null,
    });
  });

  it('non-streaming tool call: 291 prompt (244 cached) + 26 completion + 189 reasoning = 506', async () => {
    const result = await harness.both(replayModels.xai, jsonRecording('xai/xai-tool-call.json'));
    const usage = { inputTokens: 291, outputTokens: 26 + 189, cachedInputTokens: 244, cacheWriteTokens: 0, reasoningTokens: 189, totalTokens: 506 };
    expect(result.toolCalls).toEqual([{ id: 'call_93562515', name: 'weather', arguments: '{"location":"San Francisco"}' }]);
    expect(result.reasoning).toMatch(/^First, the user is asking about the weather in San Francisco\./);
    expect(result.finish).toEqual({ unified: 'TOOL_CALLS', raw: 'tool_calls' });
    expect(result.usage).toEqual(usage);
    expect(result.cost).toBe(expectedCost(usage));
  });
});
