// The access log as an operator reads it: one JSON line per REST request, GraphQL request and
// subscription (graphql-ws, SSE), written by the real pino logger, with the request id the client
// got in `x-request-id`, the route or operation, the key and team, the models, the provider, the
// status, the latency, time to first token, tokens, cost, attempts and fallbacks; and never a
// secret, a prompt or a completion.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import { databaseCases } from '../helpers/databases.ts';
import { subscribeSse, subscribeWs, wsClient } from '../helpers/graphql-streams.ts';
import { jsonLogCapture, type JsonLogCapture } from '../helpers/log-capture.ts';
import { bearer, eventually } from '../helpers/metering.ts';
import { startTestApp, testConfig, TEST_ADMIN_KEY, type TestApp } from '../helpers/test-app.ts';
import type { RecordedRequest, UpstreamSimulator } from '../helpers/upstream-scenario.ts';
import { startOpenAISimulator } from '../providers/openai-simulator.ts';

const random = (length: number) => randomBytes(length).toString('base64url').slice(0, length);
const PROVIDER_KEY = `sk-proj-${random(40)}`;
/** The failing provider of the `flaky` model's first deployment. */
const FAILING_PROVIDER_KEY = `sk-proj-${random(40)}`;
const PROMPT = `the prompt nobody may read ${random(12)}`;
const COMPLETION = ['the completion ', `nobody may read ${random(12)}`];
const USAGE = { input: 12, output: 7, cachedInput: 4, reasoning: 2 };

const received = (request: RecordedRequest) => String(request.headers.authorization ?? '').replace(/^Bearer /, '');

describe('access log', () => {
  let database: Database;
  let app: TestApp;
  let upstream: UpstreamSimulator;
  let logs: JsonLogCapture;
  let client: { id: string; secret: string };
  let teamId: string;

  beforeAll(async () => {
    upstream = await startOpenAISimulator();
    upstream.setScenario((request) =>
      received(request) === FAILING_PROVIDER_KEY
        ? { kind: 'error', status: 500, message: 'upstream broke' }
        : { kind: 'text', chunks: COMPLETION, usage: USAGE, gapMs: 5 },
    );
    logs = await jsonLogCapture();
    database = await databaseCases[0]!.open();
    const pricing = { input: 1, output: 2 };
    const config = testConfig({
      providers: [
        { id: 'sim', kind: 'openai', baseUrl: upstream.baseUrl, apiKey: PROVIDER_KEY },
        { id: 'sim-failing', kind: 'openai', baseUrl: upstream.baseUrl, apiKey: FAILING_PROVIDER_KEY },
      ],
      models: [
        { name: 'chat', provider: 'sim', model: 'gpt-4o', pricing },
        { name: 'flaky', provider: 'sim-failing', model: 'gpt-4o', priority: 0, pricing },
        { name: 'flaky', provider: 'sim', model: 'gpt-4o', priority: 1, pricing },
      ],
    });
    app = await startTestApp(config, database, { logger: logs.logger });
    const team = await app.graphql('mutation { createTeam(input: { name: "logged team" }) { ... on Team { id } } }');
    teamId = team.data.createTeam.id;
    client = await app.createKey({ name: 'logged key', teamId });
  });
  afterAll(async () => {
    await app?.stop();
    await database?.close();
    await upstream?.close();
  });

  const accessLine = (requestId: string) => logs.waitFor((entry) => entry.kind === 'access' && entry.requestId === requestId);
  const completionTokens = { input: USAGE.input, output: USAGE.output, cached: USAGE.cachedInput, cacheWrite: 0, reasoning: USAGE.reasoning };
  /** What the client was told the request cost (USD), in micro-USD. */
  const micro = (usd: string | number) => Math.round(Number(usd) * 1_000_000);

  it('logs a REST completion with the client’s request id, key, team, models, provider, tokens, cost, attempts and fallbacks', async () => {
    const response = await fetch(`${app.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(client.secret), 'x-request-id': 'client-trace-0001' },
      body: JSON.stringify({ model: 'flaky', messages: [{ role: 'user', content: PROMPT }] }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('client-trace-0001');
    const body = (await response.json()) as any;

    const line = await accessLine('client-trace-0001');
    expect(line).toMatchObject({
      level: 'info',
      kind: 'access',
      transport: 'http',
      route: 'POST /v1/chat/completions',
      keyId: client.id,
      teamId,
      status: 200,
      model: 'flaky',
      servedModel: 'flaky',
      provider: 'sim',
      upstreamModel: 'gpt-4o',
      outcome: 'SUCCESS',
      streamed: false,
      timeToFirstTokenMs: null,
      tokens: completionTokens,
      costMicroUsd: micro(body.usage.cost),
      attempts: 2,
      fallbacks: 1,
    });
    expect(line.costMicroUsd).toBeGreaterThan(0);
    expect(line.latencyMs).toBeGreaterThanOrEqual(0);
    expect(line.generationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(line.msg).toBe(`POST /v1/chat/completions 200 ${line.latencyMs}ms`);
    expect(line).not.toHaveProperty('errorCode');
  });

  it('logs a streamed REST completion with its time to first token, and replaces an unusable x-request-id', async () => {
    const response = await fetch(`${app.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(client.secret), 'x-request-id': 'spaces and "quotes" are not taken' },
      body: JSON.stringify({ model: 'chat', stream: true, messages: [{ role: 'user', content: PROMPT }] }),
    });
    const requestId = response.headers.get('x-request-id')!;
    expect(requestId).toMatch(/^req_[0-9a-f]{32}$/);
    await response.text();
    const line = await accessLine(requestId);
    expect(line).toMatchObject({ route: 'POST /v1/chat/completions', status: 200, streamed: true, model: 'chat', provider: 'sim', tokens: completionTokens, attempts: 1, fallbacks: 0 });
    expect(line.timeToFirstTokenMs).toBeGreaterThanOrEqual(0);
    expect(line.timeToFirstTokenMs).toBeLessThanOrEqual(line.latencyMs);
  });

  it('logs a REST error with its status and code', async () => {
    const response = await fetch(`${app.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(client.secret) },
      body: JSON.stringify({ model: 'no-such-model', messages: [{ role: 'user', content: PROMPT }] }),
    });
    expect(response.status).toBe(404);
    const line = await accessLine(response.headers.get('x-request-id')!);
    expect(line).toMatchObject({ status: 404, errorCode: 'MODEL_NOT_FOUND', keyId: client.id, model: 'no-such-model', servedModel: null, provider: null, attempts: 0 });
  });

  it('logs a GraphQL mutation with its operation name and type, and answers with the request id', async () => {
    const response = await fetch(app.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(client.secret), 'x-request-id': 'graphql-trace-42' },
      body: JSON.stringify({
        operationName: 'Ask',
        query: `mutation Ask($content: String!) { createChatCompletion(input: { model: "flaky", messages: [{ role: USER, content: $content }] }) { __typename ... on ChatCompletion { id cost attempts { provider } } } }`,
        variables: { content: PROMPT },
      }),
    });
    expect(response.headers.get('x-request-id')).toBe('graphql-trace-42');
    const body = (await response.json()) as any;
    expect(body.data.createChatCompletion.__typename).toBe('ChatCompletion');

    const line = await accessLine('graphql-trace-42');
    expect(line).toMatchObject({
      transport: 'http',
      route: 'POST /graphql',
      operationType: 'mutation',
      operationName: 'Ask',
      keyId: client.id,
      teamId,
      status: 200,
      generationId: body.data.createChatCompletion.id,
      model: 'flaky',
      servedModel: 'flaky',
      provider: 'sim',
      tokens: completionTokens,
      costMicroUsd: micro(body.data.createChatCompletion.cost),
      attempts: body.data.createChatCompletion.attempts.length,
    });
    expect(line.msg).toBe(`POST /graphql mutation Ask 200 ${line.latencyMs}ms`);
  });

  it('logs a GraphQL request refused before it ran (no key) with its error code', async () => {
    const response = await fetch(app.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'query Me { me { keyId } }' }),
    });
    const line = await accessLine(response.headers.get('x-request-id')!);
    expect(line).toMatchObject({ operationType: 'query', operationName: 'Me', errorCode: 'UNAUTHENTICATED' });
    expect(line).not.toHaveProperty('keyId');
  });

  const STREAM = `subscription Stream($content: String!) { chatCompletionStream(input: { model: "chat", messages: [{ role: USER, content: $content }] }) { __typename ... on ChatCompletionCompleted { cost } } }`;

  it('logs a graphql-ws subscription once, when it ends, with time to first token and usage', async () => {
    const ws = wsClient(app.wsUrl, { authorization: `Bearer ${client.secret}` });
    let cost = '';
    try {
      const events = await subscribeWs(ws, STREAM, { content: PROMPT });
      expect(events.at(-1).chatCompletionStream.__typename).toBe('ChatCompletionCompleted');
      cost = events.at(-1).chatCompletionStream.cost;
    } finally {
      await ws.dispose();
    }
    const line = await logs.waitFor((entry) => entry.kind === 'access' && entry.transport === 'ws' && entry.operationName === 'Stream');
    expect(line).toMatchObject({
      route: 'WS /graphql',
      operationType: 'subscription',
      keyId: client.id,
      teamId,
      model: 'chat',
      provider: 'sim',
      outcome: 'SUCCESS',
      streamed: true,
      tokens: completionTokens,
      costMicroUsd: micro(cost),
      attempts: 1,
    });
    expect(line.requestId).toMatch(/^req_[0-9a-f]{32}$/);
    expect(line.timeToFirstTokenMs).toBeGreaterThanOrEqual(0);
    expect(line).not.toHaveProperty('status');
    expect(logs.accessLines().filter((entry) => entry.requestId === line.requestId)).toHaveLength(1);
  });

  it('logs a graphql-ws subscription the client stopped, once its usage is in', async () => {
    upstream.setScenario({ kind: 'hang', chunks: ['partial '] });
    const ws = wsClient(app.wsUrl, { authorization: `Bearer ${client.secret}` });
    try {
      const seen: unknown[] = [];
      const stop = ws.subscribe({ query: STREAM.replace('Stream(', 'Stopped('), variables: { content: PROMPT } }, { next: (value) => seen.push(value), error: () => undefined, complete: () => undefined });
      // Started, then the first delta.
      await eventually(() => seen.length >= 2);
      stop();
      const line = await logs.waitFor((entry) => entry.kind === 'access' && entry.operationName === 'Stopped');
      expect(line).toMatchObject({ transport: 'ws', operationType: 'subscription', model: 'chat', provider: 'sim', outcome: 'CANCELLED', errorCode: 'CANCELLED' });
      expect(line.timeToFirstTokenMs).toBeGreaterThanOrEqual(0);
    } finally {
      await ws.dispose();
      upstream.setScenario((request) =>
        received(request) === FAILING_PROVIDER_KEY ? { kind: 'error', status: 500, message: 'upstream broke' } : { kind: 'text', chunks: COMPLETION, usage: USAGE, gapMs: 5 },
      );
    }
  });

  it('logs a subscription over SSE when it ends', async () => {
    const events = await subscribeSse(app.graphqlUrl, STREAM.replace('Stream(', 'OverSse('), { content: PROMPT }, { ...bearer(client.secret), 'x-request-id': 'sse-trace-7' });
    expect(events.at(-1).chatCompletionStream.__typename).toBe('ChatCompletionCompleted');
    const line = await accessLine('sse-trace-7');
    expect(line).toMatchObject({ transport: 'sse', route: 'POST /graphql', operationType: 'subscription', operationName: 'OverSse', status: 200, provider: 'sim', tokens: completionTokens });
  });

  it('logs an SSE subscription that never ends by itself once the client drops it: the drop ended it', async () => {
    // usageEvents has no last event: its line is written only when the subscription is ended.
    const controller = new AbortController();
    const response = await fetch(app.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${TEST_ADMIN_KEY}`, 'x-request-id': 'sse-dropped-1' },
      body: JSON.stringify({ query: 'subscription Dropped { usageEvents { id } }' }),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    // The opening comment or the usage of earlier tests: the subscription is running.
    expect(new TextDecoder().decode((await reader.read()).value)).toMatch(/^(:\n\n|event: next\n)/);
    controller.abort();
    const line = await accessLine('sse-dropped-1');
    expect(line).toMatchObject({ transport: 'sse', operationType: 'subscription', operationName: 'Dropped' });
  });

  it('never logs a secret, a prompt or a completion, and every line is JSON', async () => {
    expect(logs.accessLines().length).toBeGreaterThanOrEqual(8);
    const text = logs.text();
    for (const secret of [client.secret, TEST_ADMIN_KEY, PROVIDER_KEY, FAILING_PROVIDER_KEY]) expect(text).not.toContain(secret);
    for (const content of [PROMPT, ...COMPLETION]) expect(text).not.toContain(content.trim());
    expect(() => logs.entries()).not.toThrow();
  });
});

describe('access log with log.bodies (debugging)', () => {
  it('carries the request body with credentials redacted', async () => {
    const logs = await jsonLogCapture();
    const database = await databaseCases[0]!.open();
    const config = testConfig({ providers: [{ id: 'mock', kind: 'mock' }], models: [{ name: 'chat', provider: 'mock', model: 'mock-small' }] });
    const app = await startTestApp({ ...config, log: { ...config.log, bodies: true } }, database, { logger: logs.logger });
    try {
      const response = await fetch(`${app.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_KEY}`, 'x-request-id': 'with-body' },
        body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: `my key is ${PROVIDER_KEY}` }], metadata: { api_key: 'plain-words' } }),
      });
      expect(response.status).toBe(200);
      const line = await logs.waitFor((entry) => entry.requestId === 'with-body');
      expect(line.body.model).toBe('chat');
      expect(line.body.messages[0].content).toBe('my key is sk-proj-[REDACTED]');
      expect(line.body.metadata.api_key).toBe('[REDACTED]');
      expect(logs.text()).not.toContain(PROVIDER_KEY);
      expect(logs.text()).not.toContain(TEST_ADMIN_KEY);
    } finally {
      await app.stop();
      await database.close();
    }
  });
});
