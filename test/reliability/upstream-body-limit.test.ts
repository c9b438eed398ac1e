// An upstream that floods (a 50 MB error body, a 50 MB completion, a stream event that never ends)
// must not be buffered whole nor passed on: the gateway stops reading at its limit and answers with
// a typed upstream error and a short message, over REST and GraphQL, streams included.
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/client.ts';
import { databaseCases } from '../helpers/databases.ts';
import { subscribeWs, wsClient } from '../helpers/graphql-streams.ts';
import { startSimulatorServer, writeSse } from '../helpers/simulator-server.ts';
import { startTestApp, testConfig, TEST_ADMIN_KEY, type TestApp } from '../helpers/test-app.ts';
import type { UpstreamSimulator } from '../helpers/upstream-scenario.ts';

const MB = 1024 * 1024;
type Flood = 'error-body' | 'long-message' | 'json-body' | 'stream-line' | 'stream-data-lines' | 'small-stream-event';
let flood: Flood = 'error-body';
/** Bytes of flood the simulator managed to write before the gateway stopped reading. */
let written = 0;

/** Resolves on 'drain' or 'close', removing both listeners (one wait per chunk must not pile them up). */
function drainOrClose(response: ServerResponse): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });
}

/** Writes `bytes` of `unit` repeated, waiting for drain; stops when the reader goes away. */
async function writeFlood(response: ServerResponse, bytes: number, unit: string): Promise<void> {
  const piece = Buffer.from(unit.repeat(Math.ceil((64 * 1024) / unit.length)));
  written = 0;
  while (written < bytes && !response.destroyed) {
    written += piece.length;
    if (!response.write(piece)) await drainOrClose(response);
  }
}

/** A JSON answer with `status` whose one string value, between `around[0]` and `around[1]`, is 50 MB of `unit`. */
async function writeFloodedJson(response: ServerResponse, status: number, around: [string, string], unit: string): Promise<void> {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.write(around[0]);
  await writeFlood(response, 50 * MB, unit);
  response.end(around[1]);
}

const chunk = (content: string) => JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', model: 'm', choices: [{ index: 0, delta: { content } }] });

/** An OpenAI-compatible upstream that floods as `flood` says. */
function startFloodingUpstream(): Promise<UpstreamSimulator> {
  return startSimulatorServer({
    basePath: '/v1',
    async respond({ response }) {
      if (flood === 'error-body') return writeFloodedJson(response, 400, ['{"error":{"type":"invalid_request_error","message":"', '"}}'], 'x');
      if (flood === 'long-message') {
        response.writeHead(400, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { type: 'invalid_request_error', message: `Bad request: ${'v'.repeat(60_000)}` } }));
        return;
      }
      if (flood === 'json-body') return writeFloodedJson(response, 200, ['{"id":"c1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"', '"},"finish_reason":"stop"}]}'], 'y');
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      writeSse(response, chunk('Hello'));
      if (flood === 'small-stream-event') {
        // 2 MB in one event: over the small app's limit, far under the default.
        writeSse(response, chunk('z'.repeat(2 * MB)));
        writeSse(response, JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', model: 'm', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }));
        response.end('data: [DONE]\n\n');
        return;
      }
      // One line that never ends, or one event of endless `data:` lines.
      response.write(flood === 'stream-line' ? 'data: ' : '');
      await writeFlood(response, 50 * MB, flood === 'stream-line' ? 'w' : 'data: abcdefghijklmnopqrstuvwxyz\n');
      response.end('\n\n');
    },
  });
}

describe('upstream response limit', () => {
  let database: Database;
  let upstream: UpstreamSimulator;
  let app: TestApp;
  let small: TestApp;

  const configFor = (upstreamLimit?: AppConfig['upstream']) => {
    const base = testConfig({
      providers: [{ id: 'flood', kind: 'openai', baseUrl: upstream.baseUrl, apiKey: 'sk-test' }],
      models: [{ name: 'chat', provider: 'flood', model: 'gpt-4o' }],
      // One attempt each: a retry would only read the flood again.
      router: { defaults: { retries: { UPSTREAM_PROTOCOL_ERROR: 0, UPSTREAM_ERROR: 0 } }, groups: {} },
    });
    return upstreamLimit ? { ...base, upstream: upstreamLimit } : base;
  };

  beforeAll(async () => {
    upstream = await startFloodingUpstream();
    upstream.setScenario({ kind: 'hang' });
    database = await databaseCases.at(-1)!.open();
    app = await startTestApp(configFor(), database);
    small = await startTestApp(configFor({ responseLimitBytes: MB }), database);
  });
  afterAll(async () => {
    await app?.stop();
    await small?.stop();
    await database?.close();
    await upstream?.close();
  });

  const complete = (target: TestApp, body: object) =>
    fetch(`${target.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_KEY}` },
      body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }], ...body }),
    });

  it('cuts a 50 MB error body: the client gets the typed error with a short message', async () => {
    flood = 'error-body';
    const response = await complete(app, {});
    const text = await response.text();
    expect(response.status).toBe(400);
    expect(text.length).toBeLessThan(4096);
    expect(JSON.parse(text).error.type).toBe('invalid_request_error');
    expect(written).toBeLessThan(50 * MB);
  });

  it('cuts a long upstream message to a sane length', async () => {
    flood = 'long-message';
    const response = await complete(app, {});
    const body = (await response.json()) as any;
    expect(response.status).toBe(400);
    expect(body.error.message).toMatch(/^Bad request: v+… \(truncated\)$/);
    expect(body.error.message.length).toBeLessThan(2100);
  });

  it('ends a 50 MB completion body with a typed upstream error (502), never a 500', async () => {
    flood = 'json-body';
    const response = await complete(app, {});
    const body = (await response.json()) as any;
    expect(response.status).toBe(502);
    expect(body.error).toMatchObject({ type: 'upstream_error' });
    expect(body.error.message).toContain("larger than the gateway's limit of 33554432 bytes");
    expect(written).toBeLessThan(50 * MB);

    const graphql = await app.graphql(`mutation { createChatCompletion(input: { model: "chat", messages: [{ role: USER, content: "hi" }] }) { ... on GatewayError { code message upstreamProvider } } }`);
    expect(graphql.data.createChatCompletion).toMatchObject({ code: 'UPSTREAM_PROTOCOL_ERROR', upstreamProvider: 'flood' });
  });

  it('ends a stream whose line or event passes the limit with a terminal error event, REST and GraphQL', async () => {
    for (const mode of ['stream-line', 'stream-data-lines'] as const) {
      flood = mode;
      const response = await complete(app, { stream: true });
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(text, mode).toContain('Hello');
      expect(text, mode).toContain("larger than the gateway's limit");
      expect(text.length, mode).toBeLessThan(8192);
      expect(written, mode).toBeLessThan(50 * MB);
    }
    flood = 'stream-line';
    const client = wsClient(app.wsUrl);
    try {
      const events = await subscribeWs(
        client,
        `subscription { chatCompletionStream(input: { model: "chat", messages: [{ role: USER, content: "hi" }] }) { __typename ... on ChatCompletionFailed { code message } } }`,
      );
      expect(events.at(-1).chatCompletionStream).toMatchObject({ __typename: 'ChatCompletionFailed', code: 'UPSTREAM_PROTOCOL_ERROR' });
    } finally {
      await client.dispose();
    }
  });

  it('takes its limit from upstream.responseLimitBytes', async () => {
    flood = 'small-stream-event';
    const limited = await (await complete(small, { stream: true })).text();
    expect(limited).toContain(`larger than the gateway's limit of ${MB} bytes`);
    const served = await (await complete(app, { stream: true })).text();
    expect(served).not.toContain('limit');
    expect(served).toContain('[DONE]');
  });
});
