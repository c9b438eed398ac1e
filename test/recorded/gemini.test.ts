// Gemini recorded by vercel/ai and pydantic-ai. Streamed function-call arguments (Vertex AI / Gemini 3
// `streamFunctionCallArguments`): `functionCall { name, willContinue: true }` opens a call,
// `partialArgs` pieces ({ jsonPath, stringValue, willContinue }) fill it, and a `functionCall`
// without `willContinue` closes it (Vertex AI reference: FunctionCall.partial_args,
// FunctionCall.will_continue, PartialArg). Usage: candidatesTokenCount excludes
// thoughtsTokenCount; totalTokenCount = prompt + candidates + thoughts. A 429 is RESOURCE_EXHAUSTED
// with a RetryInfo.retryDelay.
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


describe('Gemini recorded responses', () => {
  it('assembles streamed partialArgs into one call per function call, with valid JSON arguments', async () => {
    const result = await harness.both(replayModels.gemini, sseLinesRecording('gemini/google-stream-tool-call-arguments.chunks.txt'));
    const usage = { inputTokens: 26, outputTokens: 23 + 132, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 132, totalTokens: 181 };
    expect(result).toEqual({
      text: '',
      reasoning: '',
      toolCalls: [
        { id: expect.any(String), name: 'getWeather', arguments: '{"location":"Boston"}' },
        { id: expect.any(String), name: 'getWeather', arguments: '{"location":"San Francisco"}' },
      ],
      finish: { unified: 'TOOL_CALLS', raw: 'STOP' },
      usage,
      cost: expectedCost(usage),
      error: null,
    });
    expect(result.toolCalls[0]!.id).not.toBe(result.toolCalls[1]!.id);
  });

  it('a 429 RESOURCE_EXHAUSTED is RATE_LIMITED on both edges', async () => {
    const result = await harness.both(replayModels.gemini, jsonRecording('gemini/google-429-retry-info.json', 429));
    expect(result.error).toEqual({ code: 'RATE_LIMITED' });
  });

  it('thinking model text stream: thoughtsTokenCount beside candidatesTokenCount, billed as output', async () => {
    const result = await harness.both(replayModels.gemini, sseLinesRecording('gemini/google-reasoning.chunks.txt'));
    // The last chunk's counts are the response's: 9 prompt, 29 candidates + 256 thoughts = 294.
    const usage = { inputTokens: 9, outputTokens: 29 + 256, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 256, totalTokens: 294 };
    expect(result).toEqual({
      text: 'There are **3** "r"s in strawberry.\n\nHere is the breakdown: st**r**awbe**rr**y.',
      reasoning: '',
      toolCalls: [],
      finish: { unified: 'STOP', raw: 'STOP' },
      usage,
      cost: expectedCost(usage),
      error: null,
    });
  });

  it('Gemini 3 function call with a thoughtSignature, finishReason STOP: a tool call; 29 + 15 + 1801 thoughts = 1845', async () => {
    const result = await harness.both(replayModels.gemini, jsonRecording('gemini/google-tool-call-gemini3.json'));
    const usage = { inputTokens: 29, outputTokens: 15 + 1801, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 1801, totalTokens: 1845 };
    expect(result).toEqual({
      text: '',
      reasoning: '',
      toolCalls: [{ id: expect.any(String), name: 'weather', arguments: '{"location":"San Francisco"}' }],
      finish: { unified: 'TOOL_CALLS', raw: 'STOP' },
      usage,
      cost: expectedCost(usage),
      error: null,
    });
  });

  it('thought summaries (`thought: true` parts) are the reasoning, the other part the text; 29 + 736 + 1001 thoughts = 1766', async () => {
    const result = await harness.both(replayModels.gemini, jsonRecording('gemini/test_google_model_thinking_part.response.json'));
    const usage = { inputTokens: 29, outputTokens: 736 + 1001, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 1001, totalTokens: 1766 };
    expect(result.reasoning.startsWith('**A Safe Street-Crossing Guide: My Thought Process**\n\nAlright, let')).toBe(true);
    expect(result.reasoning.endsWith("Then, I'm ready to produce the final response.\n\n\n")).toBe(true);
    expect(result.text.startsWith('Crossing the street safely is a fundamental skill')).toBe(true);
    expect(result.text.endsWith('rather than looking for you.')).toBe(true);
    expect(result.text).not.toContain('My Thought Process');
    expect(result.toolCalls).toEqual([]);
    expect(result.finish).toEqual({ unified: 'STOP', raw: 'STOP' });
    expect(result.usage).toEqual(usage);
    expect(result.cost).toBe(expectedCost(usage));
  });
});
