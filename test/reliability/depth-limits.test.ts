// Deeply nested input must be refused with a clear, coded error, never a 500 from a stack overflow:
// REST bodies (OpenAI and Anthropic formats), GraphQL documents (selections and argument values),
// GraphQL JSON variables; and over WebSocket one such operation fails alone while the socket and
// the other subscriptions on it keep running.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH } from '../../src/core/json-depth.ts';
import type { Database } from '../../src/db/client.ts';
import { databaseCases } from '../helpers/databases.ts';
import { wsClient } from '../helpers/graphql-streams.ts';
import { startTestApp, testConfig, TEST_ADMIN_KEY, type TestApp } from '../helpers/test-app.ts';

/** An object nested `levels` deep: { a: { a: ... { a: 1 } } } (JSON.stringify itself overflows on thousands of levels). */
function nested(levels: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
}
/** The JSON text of `body` with `"$deep"` replaced by an object nested `levels` deep, written directly. */
const withDeep = (body: object, levels: number) => JSON.stringify(body).replace('"$deep"', `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`);
const deepSelection = (levels: number) => `{ ${'health { '.repeat(levels)}status${' }'.repeat(levels)} }`;
const deepLiteral = (levels: number) => `{ models(filter: ${'{ a: '.repeat(levels)}1${' }'.repeat(levels)}) { edges { node { id } } } }`;
const auth = { authorization: `Bearer ${TEST_ADMIN_KEY}` };

describe('depth limits', () => {
  let database: Database;
  let app: TestApp;
  beforeAll(async () => {
    database = await databaseCases.at(-1)!.open();
    app = await startTestApp(
      testConfig({
        providers: [{ id: 'mock', kind: 'mock', mock: { text: 'one two three four five six seven eight nine ten eleven twelve', tokensPerSecond: 10 } }],
        models: [{ name: 'chat', provider: 'mock', model: 'mock-small' }],
      }),
      database,
    );
  });
  afterAll(async () => {
    await app?.stop();
    await database?.close();
  });

  const post = (path: string, body: string) => fetch(`${app.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body });

  describe('REST bodies', () => {
    // Levels of the body above the tool's parameters: the body, tools, [0], function.
    const chatWithToolParameters = (levels: number) =>
      withDeep({ model: 'chat', messages: [{ role: 'user', content: 'hi' }], tools: [{ type: 'function', function: { name: 'f', parameters: '$deep' } }] }, levels);

    it('refuses a tool schema nested 5,000 levels with a 400 naming the field, in OpenAI format', async () => {
      const response = await post('/v1/chat/completions', chatWithToolParameters(5000));
      expect(response.status).toBe(400);
      const body = (await response.json()) as any;
      expect(body.error).toMatchObject({ type: 'invalid_request_error', code: 'json_too_deep' });
      expect(body.error.param).toMatch(/^tools\[0\]\.function\.parameters/);
      expect(body.error.message).toContain(`deeper than ${MAX_JSON_DEPTH} levels`);
    });

    it('refuses a deep body in Anthropic format on /v1/messages', async () => {
      const response = await post(
        '/v1/messages',
        withDeep({ model: 'chat', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }], tools: [{ name: 'f', input_schema: '$deep' }] }, 5000),
      );
      expect(response.status).toBe(400);
      const body = (await response.json()) as any;
      expect(body).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
      expect(body.error.message).toContain(`deeper than ${MAX_JSON_DEPTH} levels`);
    });

    it('accepts a body exactly at the limit and refuses one level more', async () => {
      const atLimit = MAX_JSON_DEPTH - 4;
      const ok = await post('/v1/chat/completions', chatWithToolParameters(atLimit));
      expect(ok.status).toBe(200);
      await ok.text();
      const over = await post('/v1/chat/completions', chatWithToolParameters(atLimit + 1));
      expect(over.status).toBe(400);
    });
  });

  describe('GraphQL over HTTP', () => {
    it('refuses selections and argument values nested thousands deep with a coded error, not a 500', async () => {
      for (const query of [deepSelection(2000), deepSelection(5000), deepLiteral(2000), deepLiteral(5000)]) {
        const response = await fetch(app.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify({ query }) });
        expect(response.status).toBeLessThan(500);
        const body = (await response.json()) as any;
        expect(body.errors[0].extensions).toEqual({ code: 'QUERY_TOO_COMPLEX', limit: 'maxNesting' });
      }
    });

    it('refuses a JSON variable nested 5,000 levels with a coded error', async () => {
      const response = await post(
        '/graphql',
        withDeep({ query: `mutation($metadata: JSON) { createApiKey(input: { name: "deep", metadata: $metadata }) { __typename } }`, variables: { metadata: '$deep' } }, 5000),
      );
      expect(response.status).toBeLessThan(500);
      const result = (await response.json()) as any;
      expect(result.data).toBeUndefined();
      expect(result.errors[0].message).toContain(`deeper than ${MAX_JSON_DEPTH} levels`);
      expect(result.errors[0].extensions.code).toBe('INVALID_REQUEST');
    });

    it('still serves ordinary documents, comments and strings with braces included', async () => {
      const result = await app.graphql(`# { [ ( unbalanced in a comment
        query { health { status } models(filter: { search: "{{{[[[(((" }) { edges { node { id } } } }`);
      expect(result.errors).toBeUndefined();
      expect(result.data.health.status).toBe('OK');
    });
  });

  describe('GraphQL over WebSocket', () => {
    it('fails the bad operation alone: the socket and another subscription on it keep running', async () => {
      const client = wsClient(app.wsUrl);
      const closes: unknown[] = [];
      client.on('closed', (event) => closes.push(event));
      try {
        const events: string[] = [];
        let firstDelta!: () => void;
        const started = new Promise<void>((resolve) => (firstDelta = resolve));
        const stream = new Promise<void>((resolve, reject) => {
          client.subscribe<any>(
            { query: `subscription { chatCompletionStream(input: { model: "chat", messages: [{ role: USER, content: "hi" }] }) { __typename } }` },
            {
              next: (message) => {
                const type = message.data?.chatCompletionStream?.__typename;
                events.push(type);
                if (type === 'ChatTextDelta') firstDelta();
              },
              error: reject,
              complete: resolve,
            },
          );
        });
        await started;
        const failures: unknown[] = [];
        for (const payload of [
          { query: `subscription { usageEvents ${deepSelection(2000).slice(1)}` },
          { query: deepLiteral(5000) },
          { query: `mutation($metadata: JSON) { createApiKey(input: { name: "deep", metadata: $metadata }) { __typename } }`, variables: { metadata: nested(200) } },
        ]) {
          failures.push(
            await new Promise((resolve) => {
              client.subscribe(payload, { next: (message) => resolve(message.errors), error: resolve, complete: () => resolve('completed without error') });
            }),
          );
        }
        // Answered while the stream still ran on the same socket, which never closed.
        expect(events).not.toContain('ChatCompletionCompleted');
        expect(closes).toEqual([]);
        expect(JSON.stringify(failures[0])).toContain('maxNesting');
        expect(JSON.stringify(failures[1])).toContain('maxNesting');
        expect(JSON.stringify(failures[2])).toContain(`deeper than ${MAX_JSON_DEPTH} levels`);
        await stream;
        expect(events.at(-1)).toBe('ChatCompletionCompleted');
        expect(events.filter((type) => type === 'ChatTextDelta').length).toBeGreaterThan(1);
      } finally {
        await client.dispose();
      }
    });
  });
});
