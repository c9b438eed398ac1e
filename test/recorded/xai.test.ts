// xAI (grok-3-mini) recorded by vercel/ai: completion_tokens leaves the reasoning tokens out and
// total_tokens counts them (xAI API reference, "Chat completions": usage.completion_tokens_details
// .reasoning_tokens). Every billed token must be kept: output = completion + reasoning, the
// total equals xAI's own total_tokens, and the cost prices the reasoning tokens as output.
import { expect } from 'vitest';
import { recordedCases, useReplayHarness } from './recorded-cases.ts';
import { jsonRecording, sseLinesRecording } from './recordings.ts';
import { replayModels } from './replay-driver.ts';

const harness = useReplayHarness();

recordedCases(harness, 'xAI recorded responses', replayModels.xai, [
  {
    name: 'streamed tool call with reasoning: 291 prompt (290 cached) + 26 completion + 196 reasoning = 513',
    recording: sseLinesRecording('xai/xai-tool-call.chunks.txt'),
    expected: {
      reasoning: 'First, the user is',
      toolCalls: [{ id: 'call_55117580', name: 'weather', arguments: '{"location":"San Francisco"}' }],
      finish: { unified: 'TOOL_CALLS', raw: 'tool_calls' },
      usage: { inputTokens: 291, outputTokens: 26 + 196, cachedInputTokens: 290, reasoningTokens: 196, totalTokens: 513 },
    },
  },
  {
    name: 'non-streaming tool call: 291 prompt (244 cached) + 26 completion + 189 reasoning = 506',
    recording: jsonRecording('xai/xai-tool-call.json'),
    expected: {
      reasoning: expect.stringMatching(/^First, the user is asking about the weather in San Francisco\./),
      toolCalls: [{ id: 'call_93562515', name: 'weather', arguments: '{"location":"San Francisco"}' }],
      finish: { unified: 'TOOL_CALLS', raw: 'tool_calls' },
      usage: { inputTokens: 291, outputTokens: 26 + 189, cachedInputTokens: 244, reasoningTokens: 189, totalTokens: 506 },
    },
  },
]);
