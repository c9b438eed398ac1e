// OpenTelemetry traces as a collector receives them: an in-test OTLP/HTTP receiver (JSON) gets the
// spans of a streamed completion that fell back to a second deployment, of a GraphQL subscription
// over WebSocket and of GraphQL embeddings: one server span per request or operation, named and
// attributed per the GenAI conventions, a client span per upstream attempt under it, and each
// upstream request carrying its attempt's span as `traceparent`. Content (prompts, completions) is
// on attempt spans only when opted in, with credentials redacted.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { AppConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/client.ts';
import { databaseCases } from '../helpers/databases.ts';
import { subscribeWs, wsClient } from '../helpers/graphql-streams.ts';
import { eventually } from '../helpers/metering.ts';
import { readSseEvents } from '../helpers/sse-events.ts';
import { startTestApp, testConfig, TEST_ADMIN_KEY, type TestApp } from '../helpers/test-app.ts';
import type { RecordedRequest, UpstreamSimulator } from '../helpers/upstream-scenario.ts';
import { startOpenAISimulator } from '../providers/openai-simulator.ts';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Array<{ key: string; value: Record<string, unknown> }>;
  status?: { code?: number };
}

const FAILING_KEY = 'sk-failing-provider';
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_PARENT = '00f067aa0ba902b7';
const SERVER = 2;
const CLIENT = 3;
// A credential shape the scrubber knows (an OpenAI project key), pasted into a prompt.
const PASTED_KEY = 'sk-proj-Abcdefghijklmnop1234567890QRSTUV';

function attributesOf(span: OtlpSpan): Record<string, unknown> {
  return Object.fromEntries(span.attributes.map(({ key, value }) => [key, unwrap(value)]));
}

function unwrap(value: Record<string, unknown>): unknown {
  const array = value.arrayValue as { values?: Array<Record<string, unknown>> } | undefined;
  return array ? (array.values ?? []).map(unwrap) : Object.values(value)[0];
}

function byStart(a: OtlpSpan, b: OtlpSpan): number {
  return Number(BigInt(a.startTimeUnixNano) - BigInt(b.startTimeUnixNano));
}

describe('traces', () => {
  let database: Database;
  let app: TestApp | undefined;
  let upstream: UpstreamSimulator;
  let receiver: Server;
  let tracesUrl: string;
  const spans: OtlpSpan[] = [];
  const contentTypes: string[] = [];

  async function start(tracing: Partial<AppConfig['tracing']> = {}): Promise<TestApp> {
    const base = testConfig();
    app = await startTestApp(
      testConfig({
        providers: [
          { id: 'sim', kind: 'openai', baseUrl: upstream.baseUrl, apiKey: 'sk-working' },
          { id: 'sim-failing', kind: 'openai', baseUrl: upstream.baseUrl, apiKey: FAILING_KEY },
        ],
        models: [
          { name: 'flaky', provider: 'sim-failing', model: 'gpt-4o-mini', priority: 0 },
          { name: 'flaky', provider: 'sim', model: 'gpt-4o', priority: 1 },
          { name: 'plain', provider: 'sim', model: 'gpt-4o' },
          { name: 'embed', provider: 'sim', model: 'text-embedding-3-small' },
        ],
        router: { defaults: { retries: { UPSTREAM_ERROR: 0 } }, groups: {} },
        tracing: { ...base.tracing, tracesUrl, ...tracing },
      }),
      database,
    );
    return app;
  }

  /** Stops the app: the BatchSpanProcessor exports what is pending on shutdown. */
  /** Runs a chat subscription on `client` to its end, closes the client, and returns the request's server span once exported. */
  async function subscribedChatSpan(client: Client): Promise<OtlpSpan> {
    const events = await subscribeWs(client, 'subscription { chatCompletionStream(input: { model: "plain", messages: [{ role: USER, content: "hi" }] }) { __typename } }');
    expect(events.at(-1)).toEqual({ chatCompletionStream: { __typename: 'ChatCompletionCompleted' } });
    await client.dispose();
    await stopAndCollect((span) => span.name === 'chat plain');
    return spans.find((span) => span.name === 'chat plain')!;
  }

  async function stopAndCollect(until: (span: OtlpSpan) => boolean): Promise<void> {
    const running = app!;
    app = undefined;
    await running.stop();
    await eventually(() => spans.some(until));
  }

  beforeAll(async () => {
    receiver = createServer(async (request, response) => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      if (request.url === '/v1/traces') {
        contentTypes.push(String(request.headers['content-type']));
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        for (const resource of body.resourceSpans ?? []) for (const scope of resource.scopeSpans ?? []) spans.push(...scope.spans);
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    tracesUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/v1/traces`;
    upstream = await startOpenAISimulator();
    database = await databaseCases[0]!.open();
  });
  beforeEach(() => {
    spans.length = 0;
    upstream.requests.length = 0;
    upstream.setScenario((request: RecordedRequest) =>
      String(request.headers.authorization) === `Bearer ${FAILING_KEY}`
        ? { kind: 'error', status: 500, message: 'upstream broke' }
        : { kind: 'text', chunks: ['one ', 'two'], usage: { input: 9, output: 2, cachedInput: 3, reasoning: 1 }, gapMs: 5 },
    );
  });
  afterAll(async () => {
    await app?.stop();
    await database?.close();
    await upstream?.close();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  /** Each upstream request's traceparent names an attempt span (trace and span id) of `attempts`. */
  function expectUpstreamParents(requests: RecordedRequest[], attempts: OtlpSpan[]): void {
    expect(requests).toHaveLength(attempts.length);
    const parents = requests.map((request) => String(request.headers.traceparent));
    expect(parents.sort()).toEqual(attempts.map((span) => `00-${span.traceId}-${span.spanId}-01`).sort());
  }

  it('exports a streamed completion with a fallback: request span, one child per attempt, GenAI attributes, each upstream request under its attempt', async () => {
    const running = await start();
    const response = await fetch(`${running.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_KEY}`, traceparent: `00-${TRACE_ID}-${CLIENT_PARENT}-01` },
      body: JSON.stringify({ model: 'flaky', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'a secret prompt' }] }),
    });
    expect(response.status).toBe(200);
    for await (const _ of readSseEvents(response.body as unknown as AsyncIterable<Uint8Array>));
    await stopAndCollect((span) => span.name === 'chat flaky');
    expect(contentTypes[0]).toContain('application/json');

    const server = spans.find((span) => span.name === 'chat flaky')!;
    expect(server.traceId).toBe(TRACE_ID);
    expect(server.parentSpanId).toBe(CLIENT_PARENT);
    expect(server.kind).toBe(SERVER);
    const serverAttributes = attributesOf(server);
    expect(serverAttributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'flaky',
      'gen_ai.provider.name': 'openai',
      'gen_ai.response.model': 'gpt-4o',
      'gen_ai.request.stream': true,
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 9,
      'gen_ai.usage.output_tokens': 2,
      'gen_ai.usage.cache_read.input_tokens': 3,
      'gen_ai.usage.reasoning.output_tokens': 1,
      'http.request.method': 'POST',
      'http.route': '/v1/chat/completions',
      'http.response.status_code': 200,
    });
    expect(serverAttributes['gen_ai.response.id']).toMatch(/^chatcmpl-Sim/);
    expect(serverAttributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);

    const children = spans.filter((span) => span.parentSpanId === server.spanId).sort(byStart);
    expect(children.map((span) => span.name)).toEqual(['chat gpt-4o-mini', 'chat gpt-4o']);
    expect(children.every((span) => span.kind === CLIENT && span.traceId === TRACE_ID)).toBe(true);
    const [failed, served] = children.map(attributesOf);
    expect(failed).toMatchObject({ 'error.type': 'upstream_error', 'modelgraph.provider.id': 'sim-failing', 'http.response.status_code': 500 });
    expect(failed!['gen_ai.response.id']).toBeUndefined();
    expect(children[0]!.status?.code).toBe(2); // ERROR
    expect(served).toMatchObject({
      'gen_ai.response.model': 'gpt-4o',
      'gen_ai.response.id': serverAttributes['gen_ai.response.id'],
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.output_tokens': 2,
      'modelgraph.provider.id': 'sim',
    });
    expect(served!['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
    expect(BigInt(children[0]!.endTimeUnixNano) <= BigInt(children[1]!.startTimeUnixNano)).toBe(true);
    // Content is opt-in: no prompt on any span.
    expect(JSON.stringify(spans)).not.toContain('a secret prompt');
    expect(served!['gen_ai.input.messages']).toBeUndefined();

    // The upstream's parent is the attempt, not the request.
    expectUpstreamParents(upstream.requests, children);
  });

  it('traces a subscription over WebSocket: its upstream request carries the attempt span as its parent', async () => {
    const running = await start();
    const client = wsClient(running.wsUrl);
    const server = await subscribedChatSpan(client);
    expect(server.kind).toBe(SERVER);
    expect(attributesOf(server)).toMatchObject({ 'modelgraph.transport': 'ws', 'graphql.operation.type': 'subscription', 'gen_ai.response.finish_reasons': ['stop'] });
    const attempts = spans.filter((span) => span.parentSpanId === server.spanId);
    expect(attempts.map((span) => [span.name, span.kind, span.traceId])).toEqual([['chat gpt-4o', CLIENT, server.traceId]]);
    expectUpstreamParents(upstream.requests, attempts);
  });

  it("takes a WebSocket client's trace context from the upgrade request's traceparent", async () => {
    const running = await start();
    const traceparent = `00-${TRACE_ID}-${CLIENT_PARENT}-01`;
    // A client (or a proxy in front of it) sends traceparent on the upgrade request, as on any HTTP request.
    class TracedWebSocket extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols, { headers: { traceparent } });
      }
    }
    const client = createClient({ url: running.wsUrl, webSocketImpl: TracedWebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${TEST_ADMIN_KEY}` } });
    const server = await subscribedChatSpan(client);
    expect(server.traceId).toBe(TRACE_ID);
    expect(server.parentSpanId).toBe(CLIENT_PARENT);
    const attempts = spans.filter((span) => span.parentSpanId === server.spanId);
    expect(attempts.map((span) => span.traceId)).toEqual([TRACE_ID]);
    expectUpstreamParents(upstream.requests, attempts);
  });

  it('names GraphQL embeddings `embeddings`, on the request span and the attempt span', async () => {
    const running = await start();
    const result = await running.graphql(`mutation { createEmbeddings(input: { model: "embed", input: ["a text"] }) { __typename } }`);
    expect(result.data?.createEmbeddings.__typename).toBe('Embeddings');
    await stopAndCollect((span) => span.name === 'embeddings embed');

    const server = spans.find((span) => span.name === 'embeddings embed')!;
    expect(attributesOf(server)).toMatchObject({ 'gen_ai.operation.name': 'embeddings', 'http.route': '/graphql', 'graphql.operation.type': 'mutation' });
    const attempts = spans.filter((span) => span.parentSpanId === server.spanId);
    expect(attempts.map((span) => span.name)).toEqual(['embeddings text-embedding-3-small']);
    expect(attributesOf(attempts[0]!)['gen_ai.operation.name']).toBe('embeddings');
    expectUpstreamParents(upstream.requests, attempts);
  });

  it('puts prompts and completions on attempt spans when opted in, credentials redacted', async () => {
    const running = await start({ captureContent: true });
    const response = await fetch(`${running.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_KEY}` },
      body: JSON.stringify({
        model: 'plain',
        messages: [
          { role: 'system', content: 'be brief' },
          { role: 'user', content: `my key is ${PASTED_KEY}, keep it` },
        ],
      }),
    });
    expect(response.status).toBe(200);
    await response.json();
    await stopAndCollect((span) => span.name === 'chat gpt-4o');

    const attempt = attributesOf(spans.find((span) => span.name === 'chat gpt-4o')!);
    expect(JSON.parse(String(attempt['gen_ai.system_instructions']))).toEqual([{ type: 'text', content: 'be brief' }]);
    expect(JSON.parse(String(attempt['gen_ai.input.messages']))).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'my key is sk-proj-[REDACTED], keep it' }] }]);
    expect(JSON.parse(String(attempt['gen_ai.output.messages']))).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'one two' }], finish_reason: 'stop' }]);
    expect(JSON.stringify(spans)).not.toContain(PASTED_KEY);
    // The request's span carries no content.
    expect(attributesOf(spans.find((span) => span.name === 'chat plain')!)['gen_ai.input.messages']).toBeUndefined();
  });
});
