// OpenAI-compatible families recorded by vercel/ai: DeepSeek (`reasoning_content`), Groq
// (`reasoning`, usage both in `x_groq.usage` and `usage` on the last chunk) and Mistral
// (magistral's `content` as typed chunks with a `thinking` chunk; tool calls without `type`).
// Each provider's Chat Completions reference counts reasoning inside completion_tokens
// (total_tokens = prompt_tokens + completion_tokens in every recording here).
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

describe('DeepSeek recorded responses', () => {
  it('reasoning_content is the reasoning; 97 prompt + 131 completion (113 reasoning) = 228', async () => {
    const result = await harness.both(replayModels.deepseek, jsonRecording('deepseek/deepseek-reasoning.json'));
    const usage = { inputTokens: 97, outputTokens: 131, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 113, totalTokens: 228 };
    expect(result).toEqual({
      text: 'There are **3** “r”s in **“strawberry”**.',
      reasoning: expect.stringMatching(/^We need answer simple\. Count r in strawberry\..*Total 3\. Need respond\.$/),
      toolCalls: [],
      finish: { unified: 'STOP', raw: 'stop' },
      usage,
      cost: expectedCost(usage),
      error: null,
    });
  });
});

describe('Groq recorded responses', () => {
  it('streamed tool call whose last chunk carries usage twice (x_groq.usage and usage): counted once', async () => {
    const result = await harness.both(replayModels.groq, sseLinesRecording('groq/groq-tool-call.chunks.txt', { done: true }));
    const usage = { inputTokens: 210, outputTokens: 15, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, totalTokens: 225 };
    expect(result).toEqual({
      text: '',
      reasoning: '',
      toolCalls: [{ id: 'tk85n1k4m', name: 'weather', arguments: '{}' }],
      finish: { unified: 'TOOL_CALLS', raw: 'tool_calls' },
      usage,
      cost: expectedCost(usage),
      error: null,
    });
  });

  it('`reasoning` is the reasoning; 17 prompt + 649 completion (570 reasoning) = 666', async () => {
    const result = await harness.both(replayModels.groq, jsonRecording('groq/groq-reasoning.json'));
    const usage = { inputTokens: 17, outputTokens: 649, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 570, totalTokens: 666 };
    expect(result.text).toMatch(/^The word "strawberry" contains \*\*3\*\* instances of the letter \*\*R\*\*\./);
    expect(result.reasoning).toMatch(/^Okay, so the user is asking how many times.*So the answer should be 3\.\n$/s);
    expect(result.finish).toEqual({ unified: 'STOP', raw: 'stop' });
    expect(result.usage).toEqual(usage);
    expect(result.cost).toBe(expectedCost(usage));
  });
});

describe('Mistral recorded responses', () => {
  it('tool call (no `type` field on the call): 124 prompt + 22 completion = 146', async () => {
    const result = await harness.both(replayModels.mistral, jsonRecording('mistral/mistral-tool-call.json'));
    const usage = { inputTokens: 124, outputTokens: 22, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, totalTokens: 146 };
    expect(result).toEqual({
      text: '',
      reasoning: '',
      toolCalls: [{ id: 'gSIMJiOkT', name: 'weather', arguments: '{"location": "San Francisco"}' }],
      finish: { unified: 'TOOL_CALLS', raw: 'tool_calls' },
      usage,
      cost: expectedCost(usage),
      error: null,
    });
  });

  it('a `thinking` content chunk is reasoning, the `text` chunk is the answer', async () => {
    const result = await harness.both(replayModels.mistral, jsonRecording('mistral/mistral-reasoning.json'));
    const usage = { inputTokens: 10, outputTokens: 46, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, totalTokens: 56 };
    expect(result).toEqual({
      text: '2 + 2 = 4',
      reasoning: 'The user is asking for 2+2. This is basic arithmetic. 2+2=4.',
      toolCalls: [],
      finish: { unified: 'STOP', raw: 'stop' },
      usage,
      cost: expectedCost(usage),
      error: null,
    });
  });
});
