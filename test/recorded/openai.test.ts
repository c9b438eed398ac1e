// OpenAI Chat Completions recorded by vercel/ai (gpt-4.1-nano). "The chat completion object":
// prompt_tokens includes prompt_tokens_details.cached_tokens, completion_tokens includes
// completion_tokens_details.reasoning_tokens, and total_tokens = prompt_tokens + completion_tokens.
// Responses API (upstream adapter, `api: "responses"`), "Streaming events": a function_call item
// opens with output_item.added (call_id, name), its arguments come as
// function_call_arguments.delta, output_item.done closes it, and response.completed carries usage
// (input_tokens includes cached_tokens, output_tokens includes reasoning_tokens).
import { expect } from 'vitest';
import { recordedCases, textMatching, useReplayHarness } from './recorded-cases.ts';
import { jsonRecording, sseLinesRecording } from './recordings.ts';
import { replayModels } from './replay-driver.ts';

const harness = useReplayHarness();

recordedCases(harness, 'OpenAI recorded responses', replayModels.openai, [
  {
    name: 'non-streaming text: 16 prompt + 363 completion = 379, nothing cached, no reasoning',
    recording: jsonRecording('openai/openai-text.json'),
    expected: {
      text: textMatching({
        start: '**Holiday Name:** Galaxy Day  \n\n**Date:** October 31st',
        contains: ['illuminate vast darkness\u2014mirroring our quest'],
        end: 'inspiring individuals to look up and dream beyond our world.',
      }),
      finish: { unified: 'STOP', raw: 'stop' },
      usage: { inputTokens: 16, outputTokens: 363, totalTokens: 379 },
    },
  },
  {
    name: 'Responses API upstream, streamed function call (gpt-5.1): 45 input + 25 output = 70',
    model: replayModels.openaiResponses,
    recording: sseLinesRecording('openai/issue-19493-gpt-5.1-tool-call.chunks.txt'),
    expected: {
      toolCalls: [{ id: 'call_2FQdm3Br7Qb35YUBSkDR7kue', name: 'get_weather', arguments: '{"city":"Beijing"}' }],
      finish: { unified: 'TOOL_CALLS', raw: 'completed' },
      usage: { inputTokens: 45, outputTokens: 25, totalTokens: 70 },
    },
    also: (_result, replay) => expect(replay.replay.requests.at(-1)!.url).toBe('/v1/responses'),
  },
  {
    name: 'Azure OpenAI stream (model router, gpt-5-nano): a leading prompt_filter_results chunk with empty id, reasoning tokens inside completion_tokens',
    model: replayModels.azure,
    recording: sseLinesRecording('openai/azure-model-router.1.chunks.txt', { done: true }),
    expected: { text: 'Capital of Denmark.', finish: { unified: 'STOP', raw: 'stop' }, usage: { inputTokens: 15, outputTokens: 78, reasoningTokens: 64, totalTokens: 93 } },
  },
]);
