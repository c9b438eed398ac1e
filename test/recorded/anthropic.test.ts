// Anthropic recorded by vercel/ai: a `ping` between text deltas, and a message_delta whose usage
// restates input_tokens (61, beside message_start's 43). Messages streaming docs: the token counts
// in message_delta's usage are cumulative, so the last one counts. "Prompt caching": input_tokens
// counts only the tokens after the last breakpoint, cache_creation_input_tokens and
// cache_read_input_tokens are beside it, and cache_creation splits the writes into 5-minute and
// 1-hour ones, priced at 1.25x and 2x base input. Extended thinking: a thinking block (with its
// signature) before a tool_use block; output_tokens includes the thinking tokens.
import { expect } from 'vitest';
import { recordedCases, useReplayHarness } from './recorded-cases.ts';
import { jsonRecording, sseBodyRecording, sseLinesRecording } from './recordings.ts';
import { expectedCost, replayModels } from './replay-driver.ts';

const harness = useReplayHarness();

const oneHourWrite = { inputTokens: 13 + 3913, outputTokens: 4, cacheWriteTokens: 3913, totalTokens: 3930 };

recordedCases(harness, 'Anthropic recorded responses', replayModels.anthropic, [
  {
    name: 'message_delta usage is cumulative and replaces message_start input_tokens',
    recording: sseLinesRecording('anthropic/anthropic-message-delta-input-tokens.chunks.txt'),
    expected: { text: 'pong', finish: { unified: 'STOP', raw: 'end_turn' }, usage: { inputTokens: 61, outputTokens: 2, totalTokens: 63 } },
  },
  {
    name: 'a streamed 1-hour cache write: 13 + 3913 written = 3926 input, priced at the 1-hour write price',
    recording: sseBodyRecording('anthropic/test_anthropic_cache_earlier_breakpoint_raised_to_later_longer_ttl.response.sse'),
    expected: { text: 'Django', finish: { unified: 'STOP', raw: 'end_turn' }, usage: oneHourWrite, cost: expectedCost({ cachedInputTokens: 0, ...oneHourWrite }, 3913) },
    also: (result) => expect(result.cost).not.toBe(expectedCost({ cachedInputTokens: 0, ...oneHourWrite })),
  },
  {
    name: 'thinking then a tool call with empty input; thinking_tokens is the reasoning subset of output',
    recording: jsonRecording('anthropic/issue-13430-thinking-tool-call.json'),
    expected: {
      reasoning: 'The user wants me to call checkSandboxErrors immediately.',
      toolCalls: [{ id: 'toolu_017R7ACrx7NF7sLDDtvdQ1u9', name: 'checkSandboxErrors', arguments: '{}' }],
      finish: { unified: 'TOOL_CALLS', raw: 'tool_use' },
      usage: { inputTokens: 599, outputTokens: 59, reasoningTokens: 18, totalTokens: 658 },
    },
  },
]);
