// The Vercel AI SDK's OpenAI-compatible provider (`ai` + `@ai-sdk/openai-compatible`) pointed at
// the gateway, unchanged apart from base URL and key.
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { APICallError, generateText, Output, stepCountIs, streamText, tool } from 'ai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { RecordedRequest } from '../helpers/upstream-scenario.ts';
import { models, startRestTestApp, type RestTestContext } from './rest-test-app.ts';

let context: RestTestContext;
let gateway: ReturnType<typeof createOpenAICompatible>;

beforeAll(async () => {
  context = await startRestTestApp();
  gateway = createOpenAICompatible({ name: 'modelgraph', baseURL: context.baseUrl, apiKey: context.apiKey, includeUsage: true, supportsStructuredOutputs: true });
});
afterAll(async () => {
  await context?.stop();
});
beforeEach(() => {
  context.openai.requests.length = 0;
  context.anthropic.requests.length = 0;
});

const hasToolResult = (request: RecordedRequest) => JSON.stringify(request.body).includes('"role":"tool"') || JSON.stringify(request.body).includes('"tool_result"');

describe('AI SDK with the OpenAI-compatible provider', () => {
  it('generates text with usage', async () => {
    context.openai.setScenario({ kind: 'text', chunks: ['Bonjour', '!'], usage: { input: 8, output: 2 } });
    const result = await generateText({ model: gateway(models.openai), prompt: 'Say hello in French', maxRetries: 0 });
    expect(result.text).toBe('Bonjour!');
    expect(result.finishReason).toBe('stop');
    expect(result.usage).toMatchObject({ inputTokens: 8, outputTokens: 2 });
  });

  it('streams text and reasoning from an Anthropic upstream', async () => {
    context.anthropic.setScenario({ kind: 'text', chunks: ['The ', 'answer ', 'is 4.'], reasoningChunks: ['2+2'], usage: { input: 9, output: 6 } });
    const result = streamText({ model: gateway(models.anthropic), prompt: 'What is 2+2?', maxRetries: 0, providerOptions: { modelgraph: { reasoningEffort: 'low' } } });
    let text = '';
    for await (const delta of result.textStream) text += delta;
    expect(text).toBe('The answer is 4.');
    expect(await result.reasoningText).toBe('2+2');
    expect(await result.finishReason).toBe('stop');
    expect(await result.usage).toMatchObject({ inputTokens: 9, outputTokens: 6 });
  });

  it('runs a tool loop: the call streams out, the result goes back, the answer streams', async () => {
    context.openai.setScenario((request) =>
      hasToolResult(request)
        ? { kind: 'text', chunks: ['It is 21°C in Nice.'], usage: { input: 30, output: 8 } }
        : { kind: 'tool-calls', calls: [{ id: 'call_a', name: 'weather', arguments: '{"city":"Nice"}' }], argumentPieces: 2, usage: { input: 20, output: 9 } },
    );
    const seen: string[] = [];
    const result = streamText({
      model: gateway(models.openai),
      prompt: 'Weather in Nice?',
      maxRetries: 0,
      stopWhen: stepCountIs(3),
      tools: {
        weather: tool({
          description: 'Weather in a city',
          inputSchema: z.object({ city: z.string() }),
          execute: async ({ city }) => {
            seen.push(city);
            return { city, celsius: 21 };
          },
        }),
      },
    });
    expect(await result.text).toBe('It is 21°C in Nice.');
    expect(seen).toEqual(['Nice']);
    const followUp = context.openai.requests.at(-1)!.body as { messages: Array<Record<string, unknown>> };
    expect(followUp.messages.at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'call_a', content: JSON.stringify({ city: 'Nice', celsius: 21 }) });
  });

  it('returns structured JSON output through response_format json_schema', async () => {
    context.openai.setScenario({ kind: 'text', chunks: ['{"name":"Ada","age":36}'], usage: { input: 10, output: 9 } });
    const result = await generateText({
      model: gateway(models.openai),
      prompt: 'A person',
      maxRetries: 0,
      output: Output.object({ schema: z.object({ name: z.string(), age: z.number() }) }),
    });
    expect(result.output).toEqual({ name: 'Ada', age: 36 });
    expect((context.openai.requests.at(-1)!.body as Record<string, any>).response_format).toMatchObject({ type: 'json_schema' });
  });

  it('surfaces gateway errors as APICallError with the status', async () => {
    context.openai.setScenario({ kind: 'error', status: 429, message: 'slow down', retryAfterSeconds: 2 });
    const error = await generateText({ model: gateway(models.openai), prompt: 'Hi', maxRetries: 0 }).catch((thrown: unknown) => thrown);
    expect(APICallError.isInstance(error)).toBe(true);
    expect((error as APICallError).statusCode).toBe(429);
    expect((error as APICallError).message).toBe('slow down');
  });
});
