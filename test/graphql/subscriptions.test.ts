import { createClient } from 'graphql-ws';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { TEST_ADMIN_KEY } from '../helpers/test-app.ts';
import { useTestApp } from '../helpers/use-test-app.ts';

describe('subscription transports', () => {
  const { app } = useTestApp();

  it('streams over graphql-ws with the real client', async () => {
    const client = createClient({ url: app.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${TEST_ADMIN_KEY}` } });
    const values: string[] = [];
    await new Promise<void>((resolve, reject) => {
      client.subscribe<{ time: string }>(
        { query: 'subscription { time(intervalMs: 10, count: 3) }' },
        { next: (message) => values.push(message.data!.time), error: reject, complete: resolve },
      );
    });
    await client.dispose();
    expect(values).toHaveLength(3);
    for (const value of values) expect(Number.isNaN(Date.parse(value))).toBe(false);
  });

  it('streams over GraphQL-over-SSE from the same schema', async () => {
    const response = await fetch(app.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${TEST_ADMIN_KEY}` },
      body: JSON.stringify({ query: 'subscription { time(intervalMs: 10, count: 2) }' }),
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const text = await response.text();
    const events = text.split('\n\n').filter((block) => block.includes('event: next'));
    expect(events).toHaveLength(2);
    expect(text).toContain('event: complete');
  });

  it('over SSE, sends the headers with the first event, or with a comment when no event comes soon', async () => {
    const firstBytes = async (query: string) => {
      const started = performance.now();
      const response = await fetch(app.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${TEST_ADMIN_KEY}` },
        body: JSON.stringify({ query }),
      });
      const headersAfterMs = performance.now() - started;
      const reader = response.body!.getReader();
      const first = new TextDecoder().decode((await reader.read()).value);
      await reader.cancel();
      return { headersAfterMs, first };
    };
    // An event at once: it carries the headers, with no comment written before it.
    const fast = await firstBytes('subscription { time(intervalMs: 10, count: 1) }');
    expect(fast.first.startsWith('event: next\n')).toBe(true);
    // No event for a while (nothing is being metered): a comment opens the stream so the client
    // knows it is connected; without it the fetch would wait for the first usage record.
    const quiet = await firstBytes('subscription { usageEvents { id } }');
    expect(quiet.first).toBe(':\n\n');
    expect(quiet.headersAfterMs).toBeLessThan(2000);
  });

  it('serves GraphiQL to a browser', async () => {
    const response = await fetch(app.graphqlUrl, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('GraphiQL');
  });

  it('answers the health endpoint and 404s unknown routes as JSON', async () => {
    const health = await fetch(`${app.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    const missing = await fetch(`${app.url}/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { type: 'not_found' } });
  });

  it('masks unexpected errors and never leaks a stack', async () => {
    const { errors } = await app.graphql('{ models(first: -1) { edges { node { id } } } }');
    expect(errors?.length).toBeGreaterThan(0);
    expect(JSON.stringify(errors)).not.toMatch(/at .*\.ts:\d+/);
  });
});
