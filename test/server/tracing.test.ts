// OpenTelemetry traces as a collector receives them: an in-test OTLP/HTTP receiver (JSON) gets the
// spans of a streamed completion that fell back to a second deployment: one server span per
// request, named and attributed per the GenAI conventions, a client span per upstream attempt
// under it, and the client's traceparent carried through to the upstream.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import { databaseCases } from '../helpers/databases.ts';
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

function attributesOf(span: OtlpSpan): Record<string, unknown> {
  return Object.fromEntries(span.attributes.map(({ key, value }) => [key, Object.values(value)[0]]));
}

describe('traces', () => {
  let database: Database;
  let app: TestApp;
  let upstream: UpstreamSimulator;
  let receiver: Server;
  const spans: OtlpSpan[] = [];
  const contentTypes: string[] = [];
  let stopped = false;

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
    upstream = await startOpenAISimulator();
    upstream.setScenario((request: RecordedRequest) =>
      String(request.headers.authorization) === `Bearer ${FAILING_KEY}`
        ? { kind: 'error', status: 500, message: 'upstream broke' }
        : { kind: 'text', chunks: ['one ', 'two'], usage: { input: 9, output: 2, cachedInput: 3, reasoning: 1 }, gapMs: 5 },
    );
    database = await databaseCases[0]!.open();
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
        ],
        router: { defaults: { retries: { UPSTREAM_ERROR: 0 } }, groups: {} },
        tracing: { ...base.tracing, tracesUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/v1/traces` },
      }),
      database,
    );
  });
  afterAll(async () => {
    if (!stopped) await app?.stop();
    await database?.close();
    await upstream?.close();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  it('exports a streamed completion with a fallback: request span, one child per attempt, GenAI attributes, traceparent to the upstream', async () => {
    const response = await fetch(`${app.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_KEY}`, traceparent: `00-${TRACE_ID}-${CLIENT_PARENT}-01` },
      body: JSON.stringify({ model: 'flaky', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'a secret prompt' }] }),
    });
    expect(response.status).toBe(200);
    for await (const _ of readSseEvents(response.body as unknown as AsyncIterable<Uint8Array>));
    // The BatchSpanProcessor exports on shutdown at the latest.
    stopped = true;
    await app.stop();
    await eventually(() => spans.some((span) => span.name === 'chat flaky'));
    expect(contentTypes[0]).toContain('application/json');

    const server = spans.find((span) => span.name === 'chat flaky')!;
    expect(server.traceId).toBe(TRACE_ID);
    expect(server.parentSpanId).toBe(CLIENT_PARENT);
    expect(server.kind).toBe(2); // SERVER
    expect(attributesOf(server)).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'flaky',
      'gen_ai.provider.name': 'openai',
      'gen_ai.response.model': 'gpt-4o',
      'gen_ai.request.stream': true,
      'gen_ai.usage.input_tokens': 9,
      'gen_ai.usage.output_tokens': 2,
      'gen_ai.usage.cache_read.input_tokens': 3,
      'gen_ai.usage.reasoning.output_tokens': 1,
      'http.request.method': 'POST',
      'http.route': '/v1/chat/completions',
      'http.response.status_code': 200,
    });
    expect(attributesOf(server)['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);

    const children = spans.filter((span) => span.parentSpanId === server.spanId).sort((a, b) => Number(BigInt(a.startTimeUnixNano) - BigInt(b.startTimeUnixNano)));
    expect(children.map((span) => span.name)).toEqual(['chat gpt-4o-mini', 'chat gpt-4o']);
    expect(children.every((span) => span.kind === 3 && span.traceId === TRACE_ID)).toBe(true); // CLIENT
    expect(attributesOf(children[0]!)).toMatchObject({ 'error.type': 'upstream_error', 'modelgraph.provider.id': 'sim-failing', 'http.response.status_code': 500 });
    expect(children[0]!.status?.code).toBe(2); // ERROR
    expect(attributesOf(children[1]!)).toMatchObject({ 'gen_ai.response.model': 'gpt-4o', 'gen_ai.usage.output_tokens': 2, 'modelgraph.provider.id': 'sim' });
    expect(BigInt(children[0]!.endTimeUnixNano) <= BigInt(children[1]!.startTimeUnixNano)).toBe(true);
    // No prompt on any span.
    expect(JSON.stringify(spans)).not.toContain('a secret prompt');

    // Both upstream requests carried the trace, under the request's span.
    const traceparents = upstream.requests.map((request) => String(request.headers.traceparent));
    expect(traceparents).toHaveLength(2);
    for (const traceparent of traceparents) expect(traceparent).toBe(`00-${TRACE_ID}-${server.spanId}-01`);
  });
});
