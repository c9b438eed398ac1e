// OpenRouter recorded by pydantic-ai (VCR cassette): SSE comments (": OPENROUTER PROCESSING"),
// reasoning deltas, a chunk with finish_reason "length", then a mid-stream error chunk that also
// carries the final usage (OpenRouter docs, "Errors": errors during a stream arrive as a data
// event with a top-level `error`; "Usage accounting": the last chunk carries usage). The error is
// the outcome, and the usage that came with it is what is billed, not an estimate.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cassetteRecording } from './recordings.ts';
import { expectedCost, replayModels, startReplayHarness, type ReplayHarness } from './replay-driver.ts';

let harness: ReplayHarness;
beforeAll(async () => {
  harness = await startReplayHarness();
});
afterAll(async () => {
  await harness?.stop();
});

describe('OpenRouter recorded responses', () => {
  it('a mid-stream error after finish_reason keeps the usage that came with it', async () => {
    const recording = cassetteRecording('openrouter/test_openrouter_stream_error.yaml');
    const rest = await harness.both(replayModels.openrouter, recording);
    // OpenRouter reports 11 reasoning tokens beside 10 completion tokens in total 53 = 43 + 10: kept as sent.
    const usage = { inputTokens: 43, outputTokens: 10, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 11, totalTokens: 53 };
    expect(rest).toEqual({
      text: '',
      reasoning: 'We need to respond to a greeting. The user',
      toolCalls: [],
      finish: null,
      usage,
      cost: expectedCost(usage),
      // OpenRouter's error.code is the HTTP status it would have answered: 400, a bad request.
      error: { code: 'INVALID_REQUEST' },
    });
  });
});
