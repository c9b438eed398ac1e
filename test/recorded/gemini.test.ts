// Gemini recorded by vercel/ai and pydantic-ai. Streamed function-call arguments (Vertex AI / Gemini 3
// `streamFunctionCallArguments`): `functionCall { name, willContinue: true }` opens a call,
// `partialArgs` pieces ({ jsonPath, stringValue, willContinue }) fill it, and a `functionCall`
// without `willContinue` closes it (Vertex AI reference: FunctionCall.partial_args,
// FunctionCall.will_continue, PartialArg). Usage: candidatesTokenCount excludes
// thoughtsTokenCount; totalTokenCount = prompt + candidates + thoughts. A 429 is RESOURCE_EXHAUSTED
// with a RetryInfo.retryDelay.
import { expect } from 'vitest';
import { recordedCases, textMatching, useReplayHarness } from './recorded-cases.ts';
import { jsonRecording, sseLinesRecording } from './recordings.ts';
import { replayModels } from './replay-driver.ts';

const harness = useReplayHarness();

recordedCases(harness, 'Gemini recorded responses', replayModels.gemini, [
  {
    name: 'assembles streamed partialArgs into one call per function call, with valid JSON arguments',
    recording: sseLinesRecording('gemini/google-stream-tool-call-arguments.chunks.txt'),
    expected: {
      toolCalls: [
        { id: expect.any(String), name: 'getWeather', arguments: '{"location":"Boston"}' },
        { id: expect.any(String), name: 'getWeather', arguments: '{"location":"San Francisco"}' },
      ],
      finish: { unified: 'TOOL_CALLS', raw: 'STOP' },
      usage: { inputTokens: 26, outputTokens: 23 + 132, reasoningTokens: 132, totalTokens: 181 },
    },
    also: (result) => expect(result.toolCalls[0]!.id).not.toBe(result.toolCalls[1]!.id),
  },
  {
    name: 'a 429 RESOURCE_EXHAUSTED is RATE_LIMITED on both edges',
    recording: jsonRecording('gemini/google-429-retry-info.json', 429),
    expected: { finish: null, usage: null, error: { code: 'RATE_LIMITED' } },
  },
  {
    // The last chunk's counts are the response's: 9 prompt, 29 candidates + 256 thoughts = 294.
    name: 'thinking model text stream: thoughtsTokenCount beside candidatesTokenCount, billed as output',
    recording: sseLinesRecording('gemini/google-reasoning.chunks.txt'),
    expected: {
      text: 'There are **3** "r"s in strawberry.\n\nHere is the breakdown: st**r**awbe**rr**y.',
      finish: { unified: 'STOP', raw: 'STOP' },
      usage: { inputTokens: 9, outputTokens: 29 + 256, reasoningTokens: 256, totalTokens: 294 },
    },
  },
  {
    name: 'Gemini 3 function call with a thoughtSignature, finishReason STOP: a tool call; 29 + 15 + 1801 thoughts = 1845',
    recording: jsonRecording('gemini/google-tool-call-gemini3.json'),
    expected: {
      toolCalls: [{ id: expect.any(String), name: 'weather', arguments: '{"location":"San Francisco"}' }],
      finish: { unified: 'TOOL_CALLS', raw: 'STOP' },
      usage: { inputTokens: 29, outputTokens: 15 + 1801, reasoningTokens: 1801, totalTokens: 1845 },
    },
  },
  {
    name: 'thought summaries (`thought: true` parts) are the reasoning, the other part the text; 29 + 736 + 1001 thoughts = 1766',
    recording: jsonRecording('gemini/test_google_model_thinking_part.response.json'),
    expected: {
      text: textMatching({ start: 'Crossing the street safely is a fundamental skill', end: 'rather than looking for you.', excludes: ['My Thought Process'] }),
      reasoning: textMatching({ start: '**A Safe Street-Crossing Guide: My Thought Process**\n\nAlright, let', end: "Then, I'm ready to produce the final response.\n\n\n" }),
      finish: { unified: 'STOP', raw: 'STOP' },
      usage: { inputTokens: 29, outputTokens: 736 + 1001, reasoningTokens: 1001, totalTokens: 1766 },
    },
  },
]);
