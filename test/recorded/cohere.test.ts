// Cohere Chat API v2 recorded by vercel/ai. Chat API reference: a streamed response is
// message-start, tool-plan-delta (the model's plan before its tool calls, exposed here as
// reasoning), tool-call-start / -delta / -end, and message-end with finish_reason and usage.
// Usage: `billed_units` are the tokens the caller is billed for; `tokens` also counts tokens
// Cohere adds itself; `cached_tokens` counts prompt tokens that hit the cache on the `tokens`
// base (1504 of 1549 here, more than the 119 billed), so it says nothing about billed units and
// billed input carries no cache-read discount.
import { recordedCases, useReplayHarness } from './recorded-cases.ts';
import { jsonRecording, sseLinesRecording } from './recordings.ts';
import { replayModels } from './replay-driver.ts';

const harness = useReplayHarness();

recordedCases(harness, 'Cohere v2 recorded responses', replayModels.cohere, [
  {
    name: 'streamed tool plan and two tool calls, billed units 119 in + 44 out',
    recording: sseLinesRecording('cohere/cohere-tool-call.chunks.txt'),
    expected: {
      reasoning: 'I will use the weather tool to find the weather in San Francisco and the cityAttractions tool to find attractions in San Francisco.',
      toolCalls: [
        { id: 'weather_e8p4pn45zt0t', name: 'weather', arguments: '{"location": "San Francisco"}' },
        { id: 'cityAttractions_pyxssbwnq9fq', name: 'cityAttractions', arguments: '{"city": "San Francisco"}' },
      ],
      finish: { unified: 'TOOL_CALLS', raw: 'TOOL_CALL' },
      usage: { inputTokens: 119, outputTokens: 44, totalTokens: 163 },
    },
  },
  {
    name: 'a grounded answer with citations: the text, billed units 39 in + 27 out',
    recording: jsonRecording('cohere/cohere-citations.json'),
    expected: {
      text: 'The key benefits mentioned in this document are:\n1. Automation of tasks\n2. Better decision-making\n3. Cost reduction',
      finish: { unified: 'STOP', raw: 'COMPLETE' },
      usage: { inputTokens: 39, outputTokens: 27, totalTokens: 66 },
    },
  },
]);
