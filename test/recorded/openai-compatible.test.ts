// OpenAI-compatible families recorded by vercel/ai: DeepSeek (`reasoning_content`), Groq
// (`reasoning`, usage both in `x_groq.usage` and `usage` on the last chunk) and Mistral
// (magistral's `content` as typed chunks with a `thinking` chunk; tool calls without `type`).
// Each provider's Chat Completions reference counts reasoning inside completion_tokens
// (total_tokens = prompt_tokens + completion_tokens in every recording here).
import { expect } from 'vitest';
import { recordedCases, useReplayHarness } from './recorded-cases.ts';
import { jsonRecording, sseLinesRecording } from './recordings.ts';
import { replayModels } from './replay-driver.ts';

const harness = useReplayHarness();

recordedCases(harness, 'DeepSeek recorded responses', replayModels.deepseek, [
  {
    name: 'reasoning_content is the reasoning; 97 prompt + 131 completion (113 reasoning) = 228',
    recording: jsonRecording('deepseek/deepseek-reasoning.json'),
    expected: {
      text: 'There are **3** “r”s in **“strawberry”**.',
      reasoning: expect.stringMatching(/^We need answer simple\. Count r in strawberry\..*Total 3\. Need respond\.$/),
      finish: { unified: 'STOP', raw: 'stop' },
      usage: { inputTokens: 97, outputTokens: 131, reasoningTokens: 113, totalTokens: 228 },
    },
  },
]);

recordedCases(harness, 'Groq recorded responses', replayModels.groq, [
  {
    name: 'streamed tool call whose last chunk carries usage twice (x_groq.usage and usage): counted once',
    recording: sseLinesRecording('groq/groq-tool-call.chunks.txt', { done: true }),
    expected: {
      toolCalls: [{ id: 'tk85n1k4m', name: 'weather', arguments: '{}' }],
      finish: { unified: 'TOOL_CALLS', raw: 'tool_calls' },
      usage: { inputTokens: 210, outputTokens: 15, totalTokens: 225 },
    },
  },
  {
    name: '`reasoning` is the reasoning; 17 prompt + 649 completion (570 reasoning) = 666',
    recording: jsonRecording('groq/groq-reasoning.json'),
    expected: {
      text: expect.stringMatching(/^The word "strawberry" contains \*\*3\*\* instances of the letter \*\*R\*\*\./),
      reasoning: expect.stringMatching(/^Okay, so the user is asking how many times.*So the answer should be 3\.\n$/s),
      finish: { unified: 'STOP', raw: 'stop' },
      usage: { inputTokens: 17, outputTokens: 649, reasoningTokens: 570, totalTokens: 666 },
    },
  },
]);

recordedCases(harness, 'Mistral recorded responses', replayModels.mistral, [
  {
    name: 'tool call (no `type` field on the call): 124 prompt + 22 completion = 146',
    recording: jsonRecording('mistral/mistral-tool-call.json'),
    expected: {
      toolCalls: [{ id: 'gSIMJiOkT', name: 'weather', arguments: '{"location": "San Francisco"}' }],
      finish: { unified: 'TOOL_CALLS', raw: 'tool_calls' },
      usage: { inputTokens: 124, outputTokens: 22, totalTokens: 146 },
    },
  },
  {
    name: 'a `thinking` content chunk is reasoning, the `text` chunk is the answer',
    recording: jsonRecording('mistral/mistral-reasoning.json'),
    expected: {
      text: '2 + 2 = 4',
      reasoning: 'The user is asking for 2+2. This is basic arithmetic. 2+2=4.',
      finish: { unified: 'STOP', raw: 'stop' },
      usage: { inputTokens: 10, outputTokens: 46, totalTokens: 56 },
    },
  },
]);
