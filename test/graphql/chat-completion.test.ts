// The same GraphQL operations against the three protocols (OpenAI, Anthropic, Gemini), each served
// by its upstream simulator, must give equal results: text, tools, JSON, reasoning, errors, cost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import { databaseCases } from '../helpers/databases.ts';
import { subscribeSse, subscribeSseUntil, subscribeWs, subscribeWsUntil, wsClient } from '../helpers/graphql-streams.ts';
import { closeCausedBy, waitForRequestCount } from '../helpers/simulator-server.ts';
import { startTestApp, testConfig, TEST_ADMIN_KEY, type TestApp } from '../helpers/test-app.ts';
import type { Scenario, UpstreamSimulator } from '../helpers/upstream-scenario.ts';
import { startAnthropicSimulator } from '../providers/anthropic-simulator.ts';
import { startGeminiSimulator } from '../providers/gemini-simulator.ts';
import { startOpenAISimulator } from '../providers/openai-simulator.ts';
import { simulatedAccessKeyId, startBedrockSimulator } from '../providers/bedrock-simulator.ts';
import { startCohereSimulator } from '../providers/cohere-simulator.ts';
import { startVertexSimulator } from '../providers/vertex-simulator.ts';

const PROTOCOLS = ['openai', 'anthropic', 'gemini', 'cohere', 'bedrock', 'vertex', 'vertexanthropic'] as const;
type Protocol = (typeof PROTOCOLS)[number];
/** Protocols whose upstream reports prompt-cache reads (Cohere has no prompt cache). */
const CACHING = PROTOCOLS.filter((p) => p !== 'cohere');
/** Protocols that report a reasoning-token count (Cohere and Bedrock Converse stream reasoning text only). */
const REASONING_TOKENS = PROTOCOLS.filter((p) => p !== 'cohere' && p !== 'bedrock');

const RESULT = `
  __typename
  ... on ChatCompletion {
    id model provider
    output { content toolCalls { id name arguments } reasoning }
    finishReason { unified }
    usage { inputTokens outputTokens cachedInputTokens cacheWriteTokens reasoningTokens totalTokens }
    cost usageEstimated
    attempts { provider errorCode }
  }
  ... on Error { code errorMessage: message }
  ... on GatewayError { retryAfterMs upstreamProvider }
`;
const CREATE = `mutation($input: ChatCompletionInput!) { createChatCompletion(input: $input) { ${RESULT} } }`;
const STREAM = `subscription($input: ChatCompletionInput!) { chatCompletionStream(input: $input) {
  __typename
  ... on ChatCompletionStarted { id }
  ... on ChatTextDelta { text }
  ... on ChatReasoningDelta { text }
  ... on ChatToolCallDelta { index toolCallId toolName argumentsDelta }
  ... on ChatCompletionCompleted { finishReason { unified } usage { inputTokens outputTokens cachedInputTokens } cost completion { id output { content toolCalls { name arguments } } } }
  ... on ChatCompletionFailed { id code message cost usage { outputTokens } }
} }`;

describe('chat completions through GraphQL across protocols', () => {
  let database: Database;
  let app: TestApp;
  const simulators = {} as Record<Protocol, UpstreamSimulator>;

  beforeAll(async () => {
    simulators.openai = await startOpenAISimulator();
    simulators.anthropic = await startAnthropicSimulator();
    simulators.gemini = await startGeminiSimulator();
    simulators.cohere = await startCohereSimulator();
    simulators.bedrock = await startBedrockSimulator();
    simulators.vertex = await startVertexSimulator();
    simulators.vertexanthropic = await startVertexSimulator();
    database = await databaseCases[0]!.open();
    const pricing = { input: 2, output: 8, cacheRead: 0.5, cacheWrite: 2.5 };
    app = await startTestApp(
      testConfig({
        providers: [
          { id: 'sim-openai', kind: 'openai', baseUrl: simulators.openai.baseUrl, apiKey: 'sk-sim' },
          { id: 'sim-anthropic', kind: 'anthropic', baseUrl: simulators.anthropic.baseUrl, apiKey: 'sk-ant-sim' },
          { id: 'sim-gemini', kind: 'gemini', baseUrl: simulators.gemini.baseUrl, apiKey: 'g-sim' },
          { id: 'sim-cohere', kind: 'cohere', baseUrl: simulators.cohere.baseUrl, apiKey: 'co-sim' },
          { id: 'sim-bedrock', kind: 'bedrock', baseUrl: simulators.bedrock.baseUrl, region: 'us-east-1', accessKeyId: simulatedAccessKeyId, secretAccessKey: 'sk-test-key' },
          { id: 'sim-vertex', kind: 'vertex', baseUrl: simulators.vertex.baseUrl, project: 'test-project', location: 'us-central1', accessToken: 'ya29.sim' },
          { id: 'sim-vertexanthropic', kind: 'vertex-anthropic', baseUrl: simulators.vertexanthropic.baseUrl, project: 'test-project', location: 'us-east5', accessToken: 'ya29.sim' },
        ],
        models: [
          { name: 'chat-openai', provider: 'sim-openai', model: 'gpt-4o', pricing },
          { name: 'chat-anthropic', provider: 'sim-anthropic', model: 'claude-sonnet-4-5', pricing },
          { name: 'chat-gemini', provider: 'sim-gemini', model: 'gemini-2.5-pro', pricing },
          { name: 'chat-cohere', provider: 'sim-cohere', model: 'command-a-03-2025', pricing },
          { name: 'chat-bedrock', provider: 'sim-bedrock', model: 'anthropic.claude-sonnet-4-20250514-v1:0', pricing },
          { name: 'chat-vertex', provider: 'sim-vertex', model: 'gemini-2.5-pro', pricing },
          { name: 'chat-vertexanthropic', provider: 'sim-vertexanthropic', model: 'claude-sonnet-4-5@20250929', pricing },
        ],
      }),
      database,
    );
  });
  afterAll(async () => {
    await app?.stop();
    await database?.close();
    for (const simulator of Object.values(simulators)) await simulator?.close();
  });

  const baseInput = {
    messages: [
      { role: 'SYSTEM', content: 'You are terse.' },
      { role: 'USER', content: 'Say hello' },
    ],
    maxOutputTokens: 4096,
  };

  /** Runs the mutation on every protocol with the same scenario; returns results without per-provider fields. */
  async function acrossProtocols(scenario: Scenario, input: Record<string, unknown> = baseInput, protocols: readonly Protocol[] = PROTOCOLS) {
    const results: Record<string, any> = {};
    for (const protocol of protocols) {
      simulators[protocol].setScenario(scenario);
      const response = await app.graphql(CREATE, { input: { ...input, model: `chat-${protocol}` } });
      expect(response.errors).toBeUndefined();
      const result = response.data.createChatCompletion;
      const { id, model, provider, attempts, ...comparable } = result;
      if (result.__typename === 'ChatCompletion') {
        expect(model).toBe(`chat-${protocol}`);
        expect(provider).toBe(`sim-${protocol}`);
        expect(id).toMatch(/^[0-9a-f-]{36}$/);
        expect(attempts).toEqual([{ provider: `sim-${protocol}`, errorCode: null }]);
        // Cohere always states a tool plan before its calls; it is reported as reasoning.
        if (protocol === 'cohere' && comparable.output.toolCalls.length > 0) {
          expect(comparable.output.reasoning).toEqual(expect.any(String));
          comparable.output.reasoning = null;
        }
        for (const call of comparable.output.toolCalls) {
          expect(call.id.length).toBeGreaterThan(0);
          delete call.id;
        }
      }
      if (comparable.provider !== undefined) {
        expect(comparable.provider).toBe(`sim-${protocol}`);
        delete comparable.provider;
      }
      results[protocol] = comparable;
    }
    for (const protocol of protocols) expect(results[protocol], protocol).toEqual(results[protocols[0]!]);
    return results[protocols[0]!];
  }

  it('plain text with cost from the catalog price incl. cached input', async () => {
    const result = await acrossProtocols({ kind: 'text', chunks: ['Hello', ' there'], usage: { input: 1000, output: 200, cachedInput: 400 } }, baseInput, CACHING);
    expect(result.output.content).toBe('Hello there');
    expect(result.finishReason.unified).toBe('STOP');
    expect(result.usage).toEqual({ inputTokens: 1000, outputTokens: 200, cachedInputTokens: 400, cacheWriteTokens: 0, reasoningTokens: 0, totalTokens: 1200 });
    // 600 uncached x $2 + 400 cached x $0.5 + 200 output x $8, per 1M tokens
    expect(result.cost).toBe('0.003');
    expect(result.usageEstimated).toBe(false);
    const uncached = await acrossProtocols({ kind: 'text', chunks: ['Hello'], usage: { input: 1000, output: 200 } });
    expect(uncached.cost).toBe('0.0036'); // 1000 x $2 + 200 x $8 per 1M, the same on all seven
  });

  it('multi-turn with a system prompt and an image input', async () => {
    const input = {
      messages: [
        { role: 'SYSTEM', content: 'Describe images.' },
        { role: 'USER', content: 'Hi' },
        { role: 'ASSISTANT', content: 'Hello! Send an image.' },
        { role: 'USER', parts: [{ type: 'TEXT', text: 'What is this?' }, { type: 'IMAGE', imageData: 'iVBORw0KGgo=', mediaType: 'image/png' }] },
      ],
      maxOutputTokens: 512,
    };
    const result = await acrossProtocols({ kind: 'text', chunks: ['A tiny PNG.'], usage: { input: 300, output: 5 } }, input);
    expect(result.output.content).toBe('A tiny PNG.');
    expect(JSON.stringify(simulators.openai.requests.at(-1)!.body)).toContain('data:image/png;base64,iVBORw0KGgo=');
    expect(JSON.stringify(simulators.anthropic.requests.at(-1)!.body)).toContain('"data":"iVBORw0KGgo="');
    expect(JSON.stringify(simulators.gemini.requests.at(-1)!.body)).toContain('"inlineData"');
  });

  const tools = [
    { name: 'get_weather', description: 'Weather by city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
    { name: 'get_time', parameters: { type: 'object', properties: { timezone: { type: 'string' } } } },
  ];

  it('one and several tool calls, then their results sent back', async () => {
    const one = await acrossProtocols(
      { kind: 'tool-calls', calls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }], usage: { input: 80, output: 12 } },
      { ...baseInput, tools },
    );
    expect(one.finishReason.unified).toBe('TOOL_CALLS');
    expect(one.output.toolCalls).toEqual([{ name: 'get_weather', arguments: '{"city":"Paris"}' }]);

    const several = await acrossProtocols(
      {
        kind: 'tool-calls',
        calls: [
          { id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
          { id: 'call_2', name: 'get_time', arguments: '{"timezone":"Europe/Paris"}' },
        ],
        usage: { input: 80, output: 30 },
      },
      { ...baseInput, tools },
    );
    expect(several.output.toolCalls.map((c: any) => c.name)).toEqual(['get_weather', 'get_time']);

    const followUp = {
      ...baseInput,
      tools,
      messages: [
        { role: 'USER', content: 'Weather and time in Paris?' },
        {
          role: 'ASSISTANT',
          toolCalls: [
            { id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
            { id: 'call_2', name: 'get_time', arguments: '{"timezone":"Europe/Paris"}' },
          ],
        },
        { role: 'TOOL', toolCallId: 'call_1', name: 'get_weather', content: '{"temperature":18}' },
        { role: 'TOOL', toolCallId: 'call_2', name: 'get_time', content: '{"time":"14:00"}' },
      ],
    };
    const answer = await acrossProtocols({ kind: 'text', chunks: ['18°C at 14:00.'], usage: { input: 120, output: 8 } }, followUp);
    expect(answer.output.content).toBe('18°C at 14:00.');
    expect(JSON.stringify(simulators.openai.requests.at(-1)!.body)).toContain('"tool_call_id":"call_2"');
    expect(JSON.stringify(simulators.anthropic.requests.at(-1)!.body)).toContain('"tool_result"');
    expect(JSON.stringify(simulators.gemini.requests.at(-1)!.body)).toContain('"functionResponse"');
  });

  it('JSON-schema output', async () => {
    const schema = { type: 'object', properties: { answer: { type: 'number' } }, required: ['answer'], additionalProperties: false };
    const result = await acrossProtocols(
      { kind: 'text', chunks: ['{"answer":', '42}'], usage: { input: 40, output: 6 } },
      { ...baseInput, responseFormat: { type: 'JSON_SCHEMA', name: 'answer', schema, strict: true } },
    );
    expect(JSON.parse(result.output.content)).toEqual({ answer: 42 });
    expect(JSON.stringify(simulators.openai.requests.at(-1)!.body)).toContain('"json_schema"');
    expect(JSON.stringify(simulators.gemini.requests.at(-1)!.body)).toContain('application/json');
  });

  it('reasoning, billed as output', async () => {
    const result = await acrossProtocols(
      { kind: 'text', reasoningChunks: ['Let me ', 'think.'], chunks: ['42'], usage: { input: 50, output: 100, reasoning: 80 } },
      { ...baseInput, reasoning: { effort: 'LOW', budgetTokens: 1024 } },
      REASONING_TOKENS,
    );
    expect(result.output).toMatchObject({ content: '42', reasoning: 'Let me think.' });
    expect(result.usage).toMatchObject({ outputTokens: 100, reasoningTokens: 80 });
    expect(result.cost).toBe('0.0009'); // 50 x $2 + 100 x $8 per 1M
  });

  const errors: Array<[string, Scenario, string]> = [
    ['401', { kind: 'error', status: 401, message: 'invalid upstream key' }, 'UPSTREAM_AUTHENTICATION'],
    ['404 model', { kind: 'error', status: 404, message: 'no such model' }, 'MODEL_NOT_FOUND'],
    ['429', { kind: 'error', status: 429, message: 'slow down', retryAfterSeconds: 7 }, 'RATE_LIMITED'],
    ['context length', { kind: 'error', status: 400, message: 'too many tokens in prompt', contextLength: true }, 'CONTEXT_LENGTH_EXCEEDED'],
    ['500', { kind: 'error', status: 500, message: 'upstream broke' }, 'UPSTREAM_ERROR'],
  ];
  for (const [label, scenario, code] of errors) {
    it(`a ${label} becomes a typed ${code} error with the provider's message`, async () => {
      const results: any[] = [];
      for (const protocol of PROTOCOLS) {
        simulators[protocol].setScenario(scenario);
        const response = await app.graphql(CREATE, { input: { ...baseInput, model: `chat-${protocol}` } });
        results.push(response.data.createChatCompletion);
      }
      for (const [index, result] of results.entries()) {
        expect(result.__typename).toBe('GatewayError');
        expect(result.code).toBe(code);
        expect(result.errorMessage).toContain((scenario as { message: string }).message);
        expect(result.upstreamProvider).toBe(`sim-${PROTOCOLS[index]}`);
        if (label === '429') expect(result.retryAfterMs).toBe(7000);
      }
    });
  }

  it('invalid input is a typed INVALID_REQUEST, unknown models MODEL_NOT_FOUND', async () => {
    const bad = await app.graphql(CREATE, { input: { model: 'chat-openai', messages: [{ role: 'TOOL', content: 'x' }] } });
    expect(bad.data.createChatCompletion).toMatchObject({ __typename: 'GatewayError', code: 'INVALID_REQUEST' });
    expect(bad.data.createChatCompletion.errorMessage).toContain('messages[0].toolCallId');
    const unknown = await app.graphql(CREATE, { input: { ...baseInput, model: 'nope/nothing' } });
    expect(unknown.data.createChatCompletion).toMatchObject({ __typename: 'GatewayError', code: 'MODEL_NOT_FOUND' });
  });

  it("applies the core's parameter rules: topP 0 is served, topP above 1 and tool-call arguments that are not JSON are INVALID_REQUEST", async () => {
    simulators.openai.setScenario({ kind: 'text', chunks: ['ok'], usage: { input: 3, output: 1 } });
    const model = 'chat-openai';
    const served = await app.graphql(CREATE, { input: { ...baseInput, model, topP: 0 } });
    expect(served.data.createChatCompletion.__typename).toBe('ChatCompletion');
    const tooHigh = await app.graphql(CREATE, { input: { ...baseInput, model, topP: 1.5 } });
    expect(tooHigh.data.createChatCompletion).toMatchObject({ __typename: 'GatewayError', code: 'INVALID_REQUEST', errorMessage: 'topP: must be between 0 and 1' });
    const toolCalls = [{ id: 'call_1', name: 'get_weather', arguments: '{"city": Paris}' }];
    const messages = [...baseInput.messages, { role: 'ASSISTANT', toolCalls }, { role: 'TOOL', toolCallId: 'call_1', content: 'sunny' }];
    const notJson = await app.graphql(CREATE, { input: { ...baseInput, model, messages } });
    expect(notJson.data.createChatCompletion).toMatchObject({ __typename: 'GatewayError', code: 'INVALID_REQUEST' });
    expect(notJson.data.createChatCompletion.errorMessage).toContain('messages[2].toolCalls[0].arguments: not valid JSON');
    const client = wsClient(app.wsUrl);
    const events = (await subscribeWs(client, STREAM, { input: { ...baseInput, model, messages } })).map((e) => e.chatCompletionStream);
    await client.dispose();
    expect(events).toMatchObject([{ __typename: 'ChatCompletionFailed', code: 'INVALID_REQUEST', cost: '0' }]);
  });

  for (const transport of ['ws', 'sse'] as const) {
    it(`streams equal events over ${transport === 'ws' ? 'WebSocket' : 'SSE'} for every protocol, ending with usage and cost`, async () => {
      const summaries: any[] = [];
      for (const protocol of CACHING) {
        simulators[protocol].setScenario({ kind: 'text', chunks: ['Hel', 'lo ', 'world'], usage: { input: 1000, output: 200, cachedInput: 400 } });
        const variables = { input: { ...baseInput, model: `chat-${protocol}` } };
        const client = wsClient(app.wsUrl);
        const events =
          transport === 'ws' ? await subscribeWs(client, STREAM, variables) : await subscribeSse(app.graphqlUrl, STREAM, variables);
        await client.dispose();
        const stream = events.map((e) => e.chatCompletionStream);
        const terminal = stream.at(-1);
        expect(terminal.__typename).toBe('ChatCompletionCompleted');
        expect(stream.filter((e) => e.__typename === 'ChatCompletionCompleted')).toHaveLength(1);
        expect(stream[0].__typename).toBe('ChatCompletionStarted');
        expect(terminal.completion.id).toBe(stream[0].id);
        const { completion, ...comparableTerminal } = terminal;
        summaries.push({
          text: stream.filter((e) => e.__typename === 'ChatTextDelta').map((e) => e.text).join(''),
          terminal: { ...comparableTerminal, output: completion.output },
        });
      }
      expect(summaries[0].text).toBe('Hello world');
      expect(summaries[0].terminal).toMatchObject({ cost: '0.003', usage: { inputTokens: 1000, outputTokens: 200, cachedInputTokens: 400 } });
      for (const summary of summaries) expect(summary).toEqual(summaries[0]);
    });
  }

  it('streams tool-call deltas that rebuild the same calls on every protocol', async () => {
    const calls = [
      { id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { id: 'call_2', name: 'get_time', arguments: '{"timezone":"UTC"}' },
    ];
    for (const protocol of PROTOCOLS) {
      simulators[protocol].setScenario({ kind: 'tool-calls', calls, argumentPieces: 3, usage: { input: 10, output: 10 } });
      const client = wsClient(app.wsUrl);
      const events = (await subscribeWs(client, STREAM, { input: { ...baseInput, tools, model: `chat-${protocol}` } })).map((e) => e.chatCompletionStream);
      await client.dispose();
      const rebuilt: Array<{ name: string; arguments: string }> = [];
      for (const event of events.filter((e) => e.__typename === 'ChatToolCallDelta')) {
        if (event.toolName) rebuilt[event.index] = { name: event.toolName, arguments: '' };
        rebuilt[event.index]!.arguments += event.argumentsDelta;
      }
      expect(rebuilt.map((c) => ({ name: c.name, arguments: JSON.parse(c.arguments) }))).toEqual(
        calls.map((c) => ({ name: c.name, arguments: JSON.parse(c.arguments) })),
      );
      expect(events.at(-1)).toMatchObject({ __typename: 'ChatCompletionCompleted', finishReason: { unified: 'TOOL_CALLS' } });
    }
  });

  it('a stream cut mid-way ends with a terminal failure event after the partial text', async () => {
    for (const protocol of PROTOCOLS) {
      simulators[protocol].setScenario({ kind: 'cut', chunks: ['partial ', 'answer'] });
      const client = wsClient(app.wsUrl);
      const events = (await subscribeWs(client, STREAM, { input: { ...baseInput, model: `chat-${protocol}` } })).map((e) => e.chatCompletionStream);
      await client.dispose();
      expect(events.filter((e) => e.__typename === 'ChatTextDelta').map((e) => e.text).join('')).toBe('partial answer');
      expect(events.at(-1)).toMatchObject({ __typename: 'ChatCompletionFailed', code: 'UPSTREAM_PROTOCOL_ERROR' });
      expect(events.at(-1).usage.outputTokens).toBeGreaterThan(0);
    }
  });

  it('a stream that fails before any token is a terminal failure event with the typed code', async () => {
    simulators.anthropic.setScenario({ kind: 'error', status: 429, message: 'busy', retryAfterSeconds: 2 });
    const client = wsClient(app.wsUrl);
    const events = (await subscribeWs(client, STREAM, { input: { ...baseInput, model: 'chat-anthropic' } })).map((e) => e.chatCompletionStream);
    await client.dispose();
    expect(events).toHaveLength(2);
    expect(events[0].__typename).toBe('ChatCompletionStarted');
    expect(events[1]).toMatchObject({ __typename: 'ChatCompletionFailed', code: 'RATE_LIMITED', cost: '0', id: events[0].id });
  });

  describe('cancellation reaches the upstream', () => {
    const streamOn = (protocol: Protocol) => {
      simulators[protocol].setScenario({ kind: 'hang', chunks: ['first'] });
      return { input: { ...baseInput, model: `chat-${protocol}` } };
    };
    const isText = (data: any) => data?.chatCompletionStream?.__typename === 'ChatTextDelta';
    /** The client's action closed this test's upstream request, after the action. */
    const expectUpstreamClosedBy = async (protocol: Protocol, act: () => unknown) => {
      const close = await closeCausedBy(simulators[protocol], act);
      expect(close.request).toBe(simulators[protocol].requests.at(-1));
    };

    for (const protocol of PROTOCOLS) {
      it(`graphql-ws complete closes the ${protocol} upstream connection`, async () => {
        // Not lazy: the socket stays open after the unsubscribe, so only `complete` can close the upstream.
        const client = wsClient(app.wsUrl, undefined, { lazy: false });
        const unsubscribe = await subscribeWsUntil(client, STREAM, streamOn(protocol), isText);
        await expectUpstreamClosedBy(protocol, unsubscribe);
        await client.dispose();
      });

      it(`closing the WebSocket closes the ${protocol} upstream connection`, async () => {
        const client = wsClient(app.wsUrl);
        await subscribeWsUntil(client, STREAM, streamOn(protocol), isText);
        await expectUpstreamClosedBy(protocol, () => client.dispose());
      });

      it(`dropping the SSE connection closes the ${protocol} upstream connection`, async () => {
        const drop = await subscribeSseUntil(app.graphqlUrl, STREAM, streamOn(protocol), isText);
        await expectUpstreamClosedBy(protocol, drop);
      });

      it(`a client that leaves during a mutation closes the ${protocol} upstream connection`, async () => {
        // A non-streaming call that hangs upstream: only the client's going away can end it.
        simulators[protocol].setScenario({ kind: 'hang' });
        const before = simulators[protocol].requests.length;
        const controller = new AbortController();
        const pending = fetch(app.graphqlUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_KEY}` },
          body: JSON.stringify({ query: CREATE, variables: { input: { ...baseInput, model: `chat-${protocol}` } } }),
          signal: controller.signal,
        }).catch((error: unknown) => error);
        await waitForRequestCount(simulators[protocol], before + 1);
        await expectUpstreamClosedBy(protocol, () => controller.abort());
        expect(await pending).toBeInstanceOf(Error);
      });
    }
  });
});
