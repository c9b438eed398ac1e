// Upstreams that quote the credential they were sent ("Incorrect API key provided: sk-...") must not
// leak it: not to GraphQL clients (mutation and subscription), not in REST error bodies (OpenAI and
// Anthropic formats), not in the gateway's logs and not in stored usage records (Attempt.errorMessage).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import { SecretScrubber } from '../../src/core/secret-scrubber.ts';
import { databaseCases } from '../helpers/databases.ts';
import { subscribeWs, wsClient } from '../helpers/graphql-streams.ts';
import { bearer, usageFlushed } from '../helpers/metering.ts';
import { startTestApp, testConfig, TEST_ADMIN_KEY, type TestApp } from '../helpers/test-app.ts';
import type { RecordedRequest, Scenario, UpstreamSimulator } from '../helpers/upstream-scenario.ts';
import { startAnthropicSimulator } from '../providers/anthropic-simulator.ts';
import { startGeminiSimulator } from '../providers/gemini-simulator.ts';
import { startOpenAISimulator } from '../providers/openai-simulator.ts';
import { recordingLogger } from '../helpers/log-capture.ts';

const random = (length: number) => randomBytes(length).toString('base64url').slice(0, length);
const KEYS = {
  openai: `sk-proj-${random(48)}`,
  anthropic: `sk-ant-api03-${random(40)}`,
  gemini: `AIzaSy${random(33)}`,
  // No recognisable shape: only the list of configured credentials can catch it.
  plain: `${random(12)}7${random(12)}`,
  // Stored through the admin mutation, encrypted at rest.
  stored: `${random(14)}9${random(14)}`,
};

/** The credential the simulator received, whatever header its protocol uses. */
function receivedKey(request: RecordedRequest): string {
  const { authorization, 'x-api-key': apiKey, 'x-goog-api-key': googKey } = request.headers as Record<string, string | undefined>;
  return apiKey ?? googKey ?? authorization?.replace(/^Bearer /, '') ?? '(none)';
}

describe('provider credentials in upstream errors', () => {
  let database: Database;
  let app: TestApp;
  let gatewayKey: string;
  const logs: string[] = [];
  const simulators: UpstreamSimulator[] = [];

  beforeAll(async () => {
    const [openai, anthropic, gemini] = await Promise.all([startOpenAISimulator(), startAnthropicSimulator(), startGeminiSimulator()]);
    simulators.push(openai, anthropic, gemini);
    // Every upstream echoes the key it got, in its message, as a header dump and beside an unrelated word.
    const echo = (request: RecordedRequest): Scenario => {
      const key = receivedKey(request);
      return {
        kind: 'error',
        status: 400,
        message: `Incorrect API key provided: ${key}. Sent headers: authorization: Bearer ${key}; x-api-key: ${key}. Account ${key} is suspended. Client key ${gatewayKey} and admin ${TEST_ADMIN_KEY}.`,
      };
    };
    for (const simulator of simulators) simulator.setScenario(echo);
    database = await databaseCases.at(-1)!.open();
    const config = testConfig({
      providers: [
        { id: 'sim-openai', kind: 'openai', baseUrl: openai.baseUrl, apiKey: KEYS.openai },
        { id: 'sim-anthropic', kind: 'anthropic', baseUrl: anthropic.baseUrl, apiKey: KEYS.anthropic },
        { id: 'sim-gemini', kind: 'gemini', baseUrl: gemini.baseUrl, apiKey: KEYS.gemini },
        { id: 'sim-plain', kind: 'openai', baseUrl: openai.baseUrl, apiKey: KEYS.plain },
      ],
      models: [
        { name: 'chat-openai', provider: 'sim-openai', model: 'gpt-4o' },
        { name: 'chat-anthropic', provider: 'sim-anthropic', model: 'claude-sonnet-4-5' },
        { name: 'chat-gemini', provider: 'sim-gemini', model: 'gemini-2.5-pro' },
        { name: 'chat-plain', provider: 'sim-plain', model: 'gpt-4o' },
      ],
    });
    app = await startTestApp(config, database, { logger: recordingLogger(logs) });
    gatewayKey = (await app.createKey({ name: 'client' })).secret;
    const stored = await app.graphql(`mutation($input: ProviderCredentialInput!) { upsertProviderCredential(input: $input) { __typename } }`, {
      input: { providerId: 'stored', kind: 'openai', baseUrl: openai.baseUrl, apiKey: KEYS.stored },
    });
    expect(stored.data.upsertProviderCredential.__typename).toBe('ProviderCredential');
    const deployment = await app.graphql(`mutation { upsertDeployment(input: { model: "chat-stored", provider: "stored", upstreamModel: "gpt-4o" }) { __typename } }`);
    expect(deployment.data.upsertDeployment.__typename).toBe('Deployment');
  });
  afterAll(async () => {
    await app?.stop();
    await database?.close();
    for (const simulator of simulators) await simulator.close();
  });

  const MODELS = ['chat-openai', 'chat-anthropic', 'chat-gemini', 'chat-plain', 'chat-stored'];
  const secrets = () => [...Object.values(KEYS), gatewayKey, TEST_ADMIN_KEY];

  /** No secret anywhere in the text, and the message still says what went wrong. */
  function expectScrubbed(text: string, what: string) {
    for (const secret of secrets()) expect(text, what).not.toContain(secret);
    expect(text, what).toContain('Incorrect API key provided');
    expect(text, what).toContain('[REDACTED]');
  }

  it('scrubs the GraphQL mutation result and the subscription failure', async () => {
    for (const model of MODELS) {
      const response = await app.graphql(
        `mutation($model: String!) { createChatCompletion(input: { model: $model, messages: [{ role: USER, content: "hi" }] }) { ... on Error { code message } } }`,
        { model },
        bearer(gatewayKey),
      );
      expect(response.data.createChatCompletion.code, model).toBe('INVALID_REQUEST');
      expectScrubbed(JSON.stringify(response), `mutation ${model}`);
    }
    const client = wsClient(app.wsUrl, { authorization: `Bearer ${gatewayKey}` });
    try {
      for (const model of MODELS) {
        const events = await subscribeWs(
          client,
          `subscription($model: String!) { chatCompletionStream(input: { model: $model, messages: [{ role: USER, content: "hi" }] }) { __typename ... on ChatCompletionFailed { code message } } }`,
          { model },
        );
        expect(events.at(-1).chatCompletionStream.__typename, model).toBe('ChatCompletionFailed');
        expectScrubbed(JSON.stringify(events), `subscription ${model}`);
      }
    } finally {
      await client.dispose();
    }
  });

  it('scrubs REST error bodies in the OpenAI and Anthropic formats, streamed or not', async () => {
    const post = (path: string, body: object) =>
      fetch(`${app.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(gatewayKey) }, body: JSON.stringify(body) });
    for (const model of MODELS) {
      for (const stream of [false, true]) {
        const openai = await post('/v1/chat/completions', { model, stream, messages: [{ role: 'user', content: 'hi' }] });
        expect(openai.status, model).toBe(400);
        expectScrubbed(await openai.text(), `chat completions ${model} stream=${stream}`);
        const anthropic = await post('/v1/messages', { model, stream, max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] });
        expect(anthropic.status, model).toBe(400);
        expectScrubbed(await anthropic.text(), `messages ${model} stream=${stream}`);
      }
    }
  });

  it('scrubs what the gateway logs (the token counter logs the upstream message)', async () => {
    const before = logs.length;
    const counted = await fetch(`${app.url}/v1/messages/count_tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(gatewayKey) },
      body: JSON.stringify({ model: 'chat-anthropic', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(counted.status).toBe(200);
    const logged = logs.slice(before).join('\n');
    expect(logged).toContain('token count: provider sim-anthropic failed');
    expectScrubbed(logged, 'log');
    for (const secret of secrets()) expect(logs.join('\n')).not.toContain(secret);
  });

  it('scrubs the attempts stored in usage records (Attempt.errorMessage)', async () => {
    await usageFlushed(app);
    const response = await app.graphql(`{ usageEvents(first: 200) { edges { node { requestedModel attempts { errorCode errorMessage } } } } }`);
    const nodes = response.data.usageEvents.edges.map((edge: any) => edge.node);
    for (const model of MODELS) {
      const attempts = nodes.filter((node: any) => node.requestedModel === model).flatMap((node: any) => node.attempts);
      expect(attempts.length, model).toBeGreaterThan(0);
      for (const attempt of attempts) expectScrubbed(attempt.errorMessage, `stored attempt ${model}`);
    }
  });
});

describe('SecretScrubber', () => {
  const scrubber = new SecretScrubber(['configured-secret-123']);
  it.each([
    ['Incorrect API key provided: sk-abc123def456ghi789jkl', 'Incorrect API key provided: sk-[REDACTED]'],
    ['invalid x-api-key: sk-ant-api03-AAAABBBBCCCCDDDD1234', 'invalid x-api-key: sk-ant-[REDACTED]'],
    ['API key not valid: AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW', 'API key not valid: AIza[REDACTED]'],
    ['bad key xai-AbCdEf0123456789AbCd and gsk_AbCdEf0123456789AbCd', 'bad key xai-[REDACTED] and gsk_[REDACTED]'],
    ['header Authorization: Bearer abc.DEF-123_xyz', 'header Authorization: Bearer [REDACTED]'],
    ['aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'aws_secret_access_key=[REDACTED]'],
    ['The security token included in the request is invalid: IQoJb3JpZ2luX2VjEJr1234567890abc', 'The security token included in the request is invalid: [REDACTED]'],
    ['gateway key mg-3x4mpl3K3yW1thEnoughCharacters0', 'gateway key mg-[REDACTED]'],
    ['account configured-secret-123 is suspended', 'account [REDACTED] is suspended'],
  ])('%s', (input, expected) => expect(scrubber.scrub(input)).toBe(expected));

  it.each([
    'Token limit of 5000 exceeded',
    'max_tokens: 100000 > 8192, which is the maximum allowed number of output tokens for claude-3-5-sonnet-20241022',
    "The key 'messages' is required",
    'model gpt-4o-mini-2024-07-18 does not exist or you do not have access to it',
    'Rate limit reached for requests; please try again in 20s (request id req_abc123)',
    'Please include the request ID req_0c8f3a5e9b2d4f6a8c0e1b3d5f7a9c2e in your message',
    'POST https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-pro:generateContent failed',
  ])('keeps %s', (message) => expect(scrubber.scrub(message)).toBe(message));
});
