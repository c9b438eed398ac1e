// Anthropic recorded by vercel/ai: a `ping` between text deltas, and a message_delta whose usage
// restates input_tokens (61, beside message_start's 43). Messages streaming docs: the token counts
// in message_delta's usage are cumulative, so the last one counts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sseLinesRecording } from './recordings.ts';
import { expectedCost, replayModels, startReplayHarness, type ReplayHarness } from './replay-driver.ts';

let harness: ReplayHarness;
beforeAll(async () => {
  harness = await startReplayHarness();
});
afterAll(async () => {
  await harness?.stop();
});

describe('Anthropic recorded responses', () => {
  it('message_delta usage is cumulative and replaces message_start input_tokens', async () => {
    const result = await harness.both(replayModels.anthropic, sseLinesRecording('anthropic/anthropic-message-delta-input-tokens.chunks.txt'));
    const usage = { inputTokens: 61, outputTokens: 2, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, totalTokens: 63 };
    expect(result).toEqual({
      text: 'pong',
      reasoning: '',
      toolCalls: [],
      finish: { unified: 'STOP', raw: 'end_turn' },
      usage,
      cost: expectedCost(usage),
      error: null,
    });
  });
});
