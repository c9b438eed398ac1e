// Anthropic recorded by vercel/ai: a `ping` between text deltas, and a message_delta whose usage
// restates input_tokens (61, beside message_start's 43). Messages streaming docs: the token counts
// in message_delta's usage are cumulative, so the last one counts. "Prompt caching": input_tokens
// counts only the tokens after the last breakpoint, cache_creation_input_tokens and
// cache_read_input_tokens are beside it, and cache_creation splits the writes into 5-minute and
// 1-hour ones, priced at 1.25x and 2x base input. Extended thinking: a thinking block (with its
// signature) before a tool_use block; output_tokens includes the thinking tokens.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonRecording, sseBodyRecording, sseLinesRecording } from './recordings.ts';
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

  it('a streamed 1-hour cache write: 13 + 3913 written = 3926 input, priced at the 1-hour write price', async () => {
    const recording = sseBodyRecording('anthropic/test_anthropic_cache_earlier_breakpoint_raised_to_later_longer_ttl.response.sse');
    const result = await harness.both(replayModels.anthropic, recording);
    const usage = { inputTokens: 13 + 3913, outputTokens: 4, cachedInputTokens: 0, cacheWriteTokens: 3913, reasoningTokens: 0, totalTokens: 3930 };
    expect(result).toEqual({
      text: 'Django',
      reasoning: '',
      toolCalls: [],
      finish: { unified: 'STOP', raw: 'end_turn' },
      usage,
      cost: expectedCost(usage, 3913),
      error: null,
    });
    expect(result.cost).not.toBe(expectedCost(usage));
  });

  it('thinking then a tool call with empty input; thinking_tokens is the reasoning subset of output', async () => {
    const result = await harness.both(replayModels.anthropic, jsonRecording('anthropic/issue-13430-thinking-tool-call.json'));
    const usage = { inputTokens: 599, outputTokens: 59, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 18, totalTokens: 658 };
    expect(result).toEqual({
      text: '',
      reasoning: 'The user wants me to call checkSandboxErrors immediately.',
      toolCalls: [{ id: 'toolu_017R7ACrx7NF7sLDDtvdQ1u9', name: 'checkSandboxErrors', arguments: '{}' }],
      finish: { unified: 'TOOL_CALLS', raw: 'tool_use' },
      usage,
      cost: expectedCost(usage),
      error: null,
    });
  });
});
