// OpenAI Chat Completions recorded by vercel/ai (gpt-4.1-nano). "The chat completion object":
// prompt_tokens includes prompt_tokens_details.cached_tokens, completion_tokens includes
// completion_tokens_details.reasoning_tokens, and total_tokens = prompt_tokens + completion_tokens.
// Responses API (upstream adapter, `api: "responses"`), "Streaming events": a function_call item
// opens with output_item.added (call_id, name), its arguments come as
// function_call_arguments.delta, output_item.done closes it, and response.completed carries usage
// (input_tokens includes cached_tokens, output_tokens includes reasoning_tokens). "Reasoning": a
// reasoning item carries summary parts and, with include ["reasoning.encrypted_content"] and
// store: false, the encrypted_content a later turn sends back as a reasoning input item.
import { expect } from 'vitest';
import { recordedCases, textMatching, useReplayHarness } from './recorded-cases.ts';
import { jsonRecording, sseLinesRecording } from './recordings.ts';
import { replayModels } from './replay-driver.ts';

const harness = useReplayHarness();

const encryptedReasoning = 'openai/openai-reasoning-encrypted-content.1.json';

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
    name: 'Responses API upstream, reasoning item with a summary and encrypted_content (gpt-5-mini): 865 input + 163 output (128 reasoning)',
    model: replayModels.openaiResponses,
    recording: jsonRecording(encryptedReasoning),
    expected: {
      text: '12 + 7 = 19\n19 × 3 = 57\n57 × 10 = 570\n\nFinal result: 570',
      reasoning:
        "**Reporting final result**\n\nThe tool returned 570, and now I need to report this final result. The user asked for a clear breakdown, so I'll include the steps taken: first, I added 12 and 7 to get 19; then, I multiplied 19 by 3 for 57; finally, I multiplied 57 by 10 to arrive at 570. I want to keep it concise, so I'll simply say, \"Final result: 570,\" without heavy formatting. Let's finalize that!",
      finish: { unified: 'STOP', raw: 'completed' },
      usage: { inputTokens: 865, outputTokens: 163, reasoningTokens: 128, totalTokens: 1028 },
    },
    also: async (_result, replay) => {
      const blocks = await replay.graphqlReasoningBlocks(replayModels.openaiResponses, jsonRecording(encryptedReasoning));
      expect(blocks).toEqual([{ text: null, signature: null, redactedData: expect.stringMatching(/^gAAAAABpPMlcH0HHEv5_ozHwP5Gxz5ZLE7A8.*7eJRZj1LtUqh2kCQ==$/) }]);
      // Sent back on the next turn as a reasoning input item, unchanged.
      await replay.restResponse(replayModels.openaiResponses, jsonRecording(encryptedReasoning), [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: '12 + 7 = 19', reasoning_details: [{ type: 'reasoning.encrypted', data: blocks[0]!.redactedData, index: 0 }] },
        { role: 'user', content: 'And times 2?' },
      ]);
      const upstream = JSON.parse(replay.replay.requests.at(-1)!.body);
      expect(upstream).toMatchObject({ store: false, include: ['reasoning.encrypted_content'] });
      expect(upstream.input).toContainEqual({ type: 'reasoning', summary: [], encrypted_content: blocks[0]!.redactedData });
    },
  },
  {
    name: 'Azure OpenAI stream (model router, gpt-5-nano): a leading prompt_filter_results chunk with empty id, reasoning tokens inside completion_tokens',
    model: replayModels.azure,
    recording: sseLinesRecording('openai/azure-model-router.1.chunks.txt', { done: true }),
    expected: { text: 'Capital of Denmark.', finish: { unified: 'STOP', raw: 'stop' }, usage: { inputTokens: 15, outputTokens: 78, reasoningTokens: 64, totalTokens: 93 } },
  },
]);
