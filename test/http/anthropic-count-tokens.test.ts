// POST /v1/messages/count_tokens over real HTTP: the exact count of an Anthropic upstream (its own
// count_tokens endpoint, reached with the provider's key), the gateway's estimate for other
// upstreams and when the upstream count fails, the official SDK's `messages.countTokens`, and
// authentication, model access and validation in Anthropic's error format.
import Anthropic from '@anthropic-ai/sdk';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bearer, usageFlushed } from '../helpers/metering.ts';
import { testConfig } from '../helpers/test-app.ts';
import { useSimulator } from '../helpers/use-simulator.ts';
import { useTestApp } from '../helpers/use-test-app.ts';
import { startAnthropicSimulator } from '../providers/anthropic-simulator.ts';
import { startOpenAISimulator } from '../providers/openai-simulator.ts';
import { recordingLogger } from '../helpers/log-capture.ts';

const upstreamAnthropicKey = 'sk-ant-upstream-count-secret';
const upstreamOpenAIKey = 'sk-upstream-openai-count-secret';
/** Public model names: one per upstream, and a group whose first deployment cannot count. */
const models = { anthropic: 'claude-test', openai: 'gpt-test', mixed: 'mixed-test' } as const;

const anthropic = useSimulator(startAnthropicSimulator);
const openai = useSimulator(startOpenAISimulator);
const logs: string[] = [];
const { app } = useTestApp({
  config: () =>
    testConfig({
      providers: [
        { id: 'ant', kind: 'anthropic', baseUrl: anthropic.baseUrl, apiKey: upstreamAnthropicKey },
        { id: 'oai', kind: 'openai', baseUrl: openai.baseUrl, apiKey: upstreamOpenAIKey },
      ],
      models: [
        { name: models.anthropic, provider: 'ant', model: 'claude-sonnet-4-5', pricing: { input: 3, output: 15 } },
        { name: models.openai, provider: 'oai', model: 'gpt-5-mini', pricing: { input: 2, output: 8 } },
        { name: models.mixed, provider: 'oai', model: 'gpt-5-mini', priority: 0 },
        { name: models.mixed, provider: 'ant', model: 'claude-haiku-4-5', priority: 1 },
      ],
    }),
  logger: recordingLogger(logs),
});
let apiKey: string;
let client: Anthropic;

beforeAll(async () => {
  apiKey = (await app.createKey({ name: 'count tokens', scopes: ['INFERENCE'] })).secret;
  client = new Anthropic({ baseURL: app.url, apiKey, maxRetries: 0 });
});
beforeEach(() => {
  anthropic.requests.length = 0;
  openai.requests.length = 0;
  logs.length = 0;
});

function countTokens(body: unknown, headers: Record<string, string> = { 'x-api-key': apiKey }): Promise<Response> {
  return fetch(`${app.url}/v1/messages/count_tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', ...headers },
    body: JSON.stringify(body),
  });
}

const weatherTool = {
  name: 'get_weather',
  description: 'Weather in a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

describe('POST /v1/messages/count_tokens', () => {
  it("forwards to an Anthropic upstream's count_tokens with the provider's key and returns its exact count", async () => {
    anthropic.setScenario({ kind: 'text', chunks: [], usage: { input: 1234, output: 0 } });
    const response = await countTokens({
      model: models.anthropic,
      system: 'You are a guide.',
      messages: [{ role: 'user', content: 'Where is the Louvre?' }],
      tools: [weatherTool],
      tool_choice: { type: 'auto' },
      thinking: { type: 'enabled', budget_tokens: 2048 },
      // Generation settings a client may send along: read and left out of the upstream count.
      max_tokens: 4096,
      temperature: 0.5,
      stream: true,
    });

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ input_tokens: 1234 });
    expect(response.headers.get('x-modelgraph-token-count')).toBe('exact');
    expect(response.headers.get('request-id')).toBe(response.headers.get('x-request-id'));

    expect(anthropic.requests).toHaveLength(1);
    const upstream = anthropic.requests[0]!;
    expect(upstream.method).toBe('POST');
    expect(upstream.url).toBe('/v1/messages/count_tokens');
    expect(upstream.headers['x-api-key']).toBe(upstreamAnthropicKey);
    expect(upstream.headers['anthropic-version']).toBe('2023-06-01');
    expect(upstream.body).toEqual({
      model: 'claude-sonnet-4-5',
      system: [{ type: 'text', text: 'You are a guide.' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Where is the Louvre?' }] }],
      tools: [weatherTool],
      tool_choice: { type: 'auto' },
      thinking: { type: 'enabled', budget_tokens: 2048 },
    });
  });

  it('estimates for an OpenAI upstream without calling it', async () => {
    const response = await countTokens({ model: models.openai, system: 'Be brief.', messages: [{ role: 'user', content: 'Hello there' }] });
    expect(response.status).toBe(200);
    // estimatePromptTokens: 4 per message (system + user) and 20 characters / 4.
    expect(await response.json()).toEqual({ input_tokens: 13 });
    expect(response.headers.get('x-modelgraph-token-count')).toBe('estimated');
    expect(openai.requests).toHaveLength(0);
    expect(anthropic.requests).toHaveLength(0);
  });

  it("counts a mixed group with its first deployment that can count (the Anthropic one, with its upstream model)", async () => {
    anthropic.setScenario({ kind: 'text', chunks: [], usage: { input: 21, output: 0 } });
    const response = await countTokens({ model: models.mixed, messages: [{ role: 'user', content: 'Hi' }] });
    expect(await response.json()).toEqual({ input_tokens: 21 });
    expect(response.headers.get('x-modelgraph-token-count')).toBe('exact');
    expect((anthropic.requests[0]!.body as { model: string }).model).toBe('claude-haiku-4-5');
  });

  it('falls back to the estimate when the upstream count fails, and logs it without secrets', async () => {
    anthropic.setScenario({ kind: 'error', status: 529, message: 'Overloaded' });
    const response = await countTokens({ model: models.anthropic, messages: [{ role: 'user', content: 'Hello there' }] });
    expect(response.status).toBe(200);
    // 4 for the message and 11 characters / 4.
    expect(await response.json()).toEqual({ input_tokens: 7 });
    expect(response.headers.get('x-modelgraph-token-count')).toBe('estimated');
    expect(anthropic.requests).toHaveLength(1);

    const line = logs.find((entry) => entry.startsWith('token count:'));
    expect(line).toMatch(/provider ant failed \(OVERLOADED 529: Overloaded\); answered with an estimate/);
    for (const entry of logs) {
      expect(entry).not.toContain(upstreamAnthropicKey);
      expect(entry).not.toContain(apiKey);
    }

    // A body that is no count at all is a failure too.
    anthropic.setScenario({ kind: 'cut', chunks: [] });
    const cut = await countTokens({ model: models.anthropic, messages: [{ role: 'user', content: 'Hello there' }] });
    expect(await cut.json()).toEqual({ input_tokens: 7 });
    expect(cut.headers.get('x-modelgraph-token-count')).toBe('estimated');
  });

  it('is free: not counted against the key’s rate limits, and leaves no usage record', async () => {
    const key = await app.createKey({ name: 'count tokens rpm 1', scopes: ['INFERENCE'], limits: { rpm: 1 } });
    anthropic.setScenario({ kind: 'text', chunks: ['ok'], usage: { input: 5, output: 1 } });
    for (let i = 0; i < 3; i++) {
      const response = await countTokens({ model: models.anthropic, messages: [{ role: 'user', content: 'Hi' }] }, { 'x-api-key': key.secret });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-ratelimit-limit-requests')).toBeNull();
    }
    // The one request a minute is still there for a message.
    const message = await fetch(`${app.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(key.secret) },
      body: JSON.stringify({ model: models.anthropic, max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] }),
    });
    expect(message.status).toBe(200);
    expect(message.headers.get('x-ratelimit-limit-requests')).toBe('1');
    expect(message.headers.get('x-ratelimit-remaining-requests')).toBe('0');

    await usageFlushed(app);
    const usage = await app.graphql(`query($keys: [ID!]) { usageEvents(first: 10, filter: { keyIds: $keys }) { edges { node { requestedModel streamed } } } }`, { keys: [key.id] });
    expect(usage.errors).toBeUndefined();
    expect(usage.data.usageEvents.edges).toHaveLength(1);
  });
});

describe('messages.countTokens of the Anthropic SDK', () => {
  it('returns the exact count of an Anthropic upstream and the estimate of an OpenAI one', async () => {
    anthropic.setScenario({ kind: 'text', chunks: [], usage: { input: 403, output: 0 } });
    const { data, response } = await client.messages
      .countTokens({ model: models.anthropic, system: 'You are a scientist', messages: [{ role: 'user', content: 'Hello, Claude' }], tools: [weatherTool as Anthropic.Tool] })
      .withResponse();
    expect(data).toEqual({ input_tokens: 403 });
    expect(response.headers.get('x-modelgraph-token-count')).toBe('exact');
    expect(anthropic.requests.at(-1)!.url).toBe('/v1/messages/count_tokens');

    const estimated = await client.messages.countTokens({ model: models.openai, messages: [{ role: 'user', content: 'Hello, Claude' }] });
    expect(estimated.input_tokens).toBeGreaterThan(0);
  });

  it('raises the SDK’s own error classes', async () => {
    await expect(client.messages.countTokens({ model: 'no-such-model', messages: [{ role: 'user', content: 'Hi' }] })).rejects.toBeInstanceOf(Anthropic.NotFoundError);
    await expect(client.messages.countTokens({ model: models.anthropic, messages: [] })).rejects.toBeInstanceOf(Anthropic.BadRequestError);
    const anonymous = new Anthropic({ baseURL: app.url, apiKey: 'mg-not-a-key', maxRetries: 0 });
    await expect(anonymous.messages.countTokens({ model: models.anthropic, messages: [{ role: 'user', content: 'Hi' }] })).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
  });
});

describe('refusals in Anthropic’s error format', () => {
  const hello = { model: models.anthropic, messages: [{ role: 'user', content: 'Hi' }] };

  it('answers 401 authentication_error without a key or with an unknown one', async () => {
    const anonymous: Array<Record<string, string>> = [{}, { 'x-api-key': 'mg-unknown-key' }, bearer('mg-unknown-key')];
    for (const headers of anonymous) {
      const response = await countTokens(hello, headers);
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    }
    expect(anthropic.requests).toHaveLength(0);
  });

  it('takes the key as a Bearer token too', async () => {
    anthropic.setScenario({ kind: 'text', chunks: [], usage: { input: 9, output: 0 } });
    const response = await countTokens(hello, bearer(apiKey));
    expect(await response.json()).toEqual({ input_tokens: 9 });
  });

  it('answers 403 permission_error for a model the key may not use, as /v1/messages does', async () => {
    const { secret } = await app.createKey({ name: 'openai only', scopes: ['INFERENCE'], allowedModels: [models.openai] });
    const response = await countTokens(hello, { 'x-api-key': secret });
    expect(response.status).toBe(403);
    const body = await response.json();
    expect(body).toMatchObject({ type: 'error', error: { type: 'permission_error', message: `This API key may not use the model "${models.anthropic}"` } });
    expect(anthropic.requests).toHaveLength(0);

    const messages = await fetch(`${app.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': secret },
      body: JSON.stringify({ ...hello, max_tokens: 16 }),
    });
    expect(messages.status).toBe(403);
    expect(await messages.json()).toEqual(body);

    const allowed = await countTokens({ ...hello, model: models.openai }, { 'x-api-key': secret });
    expect(allowed.status).toBe(200);
  });

  it('answers an unknown model with the same 404 not_found_error as /v1/messages', async () => {
    const response = await countTokens({ ...hello, model: 'no-such-model' });
    expect(response.status).toBe(404);
    const body = await response.json();
    expect(body).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });

    const messages = await fetch(`${app.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
      body: JSON.stringify({ ...hello, model: 'no-such-model', max_tokens: 16 }),
    });
    expect(messages.status).toBe(404);
    expect(await messages.json()).toEqual(body);
  });

  it('answers an invalid body with 400 invalid_request_error naming the field', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ messages: [{ role: 'user', content: 'Hi' }] }, /^model: /],
      [{ model: models.anthropic }, /^messages: /],
      [{ model: models.anthropic, messages: [] }, /^messages: /],
      [{ model: models.anthropic, messages: [{ role: 'user', content: [{ type: 'tool_use', id: 't', name: 'x', input: {} }] }] }, /^messages\[0\]\.content\[0\]\.type: /],
      [{ model: models.anthropic, messages: [{ role: 'user', content: 'Hi' }], max_tokens: 0 }, /^max_tokens: /],
    ];
    for (const [body, message] of cases) {
      const response = await countTokens(body);
      expect(response.status).toBe(400);
      const error = (await response.json()) as { type: string; error: { type: string; message: string } };
      expect(error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
      expect(error.error.message).toMatch(message);
    }
    const notJson = await fetch(`${app.url}/v1/messages/count_tokens`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': apiKey }, body: '{"model":' });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    expect(anthropic.requests).toHaveLength(0);
  });

  it('answers other methods with 405', async () => {
    const response = await fetch(`${app.url}/v1/messages/count_tokens`, { headers: { 'x-api-key': apiKey } });
    expect(response.status).toBe(405);
    expect(await response.json()).toMatchObject({ type: 'error' });
  });
});
