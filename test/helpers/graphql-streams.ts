// Real subscription clients for tests: graphql-ws over WebSocket and GraphQL-over-SSE over fetch.
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { readSseEvents } from './sse-events.ts';
import { TEST_ADMIN_KEY } from './test-app.ts';

/**
 * A graphql-ws client. Lazy by default: it connects on the first subscription and closes the
 * socket when the last one ends. `lazy: false` keeps the socket open until `dispose()`, so a test
 * can tell a subscription's own `complete` from the socket closing.
 */
export function wsClient(
  url: string,
  connectionParams: Record<string, unknown> = { authorization: `Bearer ${TEST_ADMIN_KEY}` },
  options: { lazy?: boolean } = {},
): Client {
  return createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0, lazy: options.lazy ?? true, connectionParams });
}

/** Runs a subscription to completion over graphql-ws and returns every `data` payload. */
export async function subscribeWs<T = any>(client: Client, query: string, variables?: Record<string, unknown>): Promise<T[]> {
  const values: T[] = [];
  await new Promise<void>((resolve, reject) => {
    client.subscribe<T>(
      { query, ...(variables ? { variables } : {}) },
      {
        next: (message) => {
          if (message.errors) reject(new Error(JSON.stringify(message.errors)));
          else values.push(message.data as T);
        },
        error: (error) => reject(error instanceof Error || !Array.isArray(error) ? error : new Error(JSON.stringify(error))),
        complete: resolve,
      },
    );
  });
  return values;
}

/** Runs a subscription over GraphQL-over-SSE (distinct connections mode) and returns every `data` payload. */
export async function subscribeSse<T = any>(
  graphqlUrl: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
  signal?: AbortSignal,
): Promise<T[]> {
  const response = await fetch(graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${TEST_ADMIN_KEY}`, ...headers },
    body: JSON.stringify({ query, variables }),
    ...(signal ? { signal } : {}),
  });
  if (!response.ok || !response.body) throw new Error(`SSE request failed with ${response.status}: ${await response.text()}`);
  const values: T[] = [];
  for await (const event of readSseEvents(response.body as unknown as AsyncIterable<Uint8Array>)) {
    if (event.event === 'complete') break;
    if (event.event !== 'next') continue;
    const payload = JSON.parse(event.data) as { data?: T; errors?: unknown };
    if (payload.errors) throw new Error(JSON.stringify(payload.errors));
    values.push(payload.data as T);
  }
  return values;
}

/**
 * Subscribes over graphql-ws and resolves, once an event's data satisfies `until`, with the
 * subscription's unsubscribe (which sends graphql-ws `complete`). The subscription stays open.
 */
export function subscribeWsUntil<T = any>(client: Client, query: string, variables: Record<string, unknown>, until: (data: T) => boolean): Promise<() => void> {
  return new Promise((resolve, reject) => {
    const unsubscribe = client.subscribe<T>(
      { query, variables },
      {
        next: (message) => {
          if (message.errors) reject(new Error(JSON.stringify(message.errors)));
          else if (until(message.data as T)) resolve(unsubscribe);
        },
        error: (error) => reject(error instanceof Error || !Array.isArray(error) ? error : new Error(JSON.stringify(error))),
        complete: () => reject(new Error('the subscription completed before the awaited event')),
      },
    );
  });
}

/**
 * Subscribes over GraphQL-over-SSE and resolves, once an event's data satisfies `until`, with a
 * function that drops the connection (the client going away). The connection stays open.
 */
export async function subscribeSseUntil<T = any>(graphqlUrl: string, query: string, variables: Record<string, unknown>, until: (data: T) => boolean): Promise<() => void> {
  const controller = new AbortController();
  const response = await fetch(graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${TEST_ADMIN_KEY}` },
    body: JSON.stringify({ query, variables }),
    signal: controller.signal,
  });
  if (!response.ok || !response.body) throw new Error(`SSE request failed with ${response.status}: ${await response.text()}`);
  const events = readSseEvents(response.body as unknown as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  for (;;) {
    const { value: event, done } = await events.next();
    if (done || event.event === 'complete') throw new Error('the subscription completed before the awaited event');
    if (event.event !== 'next') continue;
    const payload = JSON.parse(event.data) as { data?: T; errors?: unknown };
    if (payload.errors) throw new Error(JSON.stringify(payload.errors));
    if (until(payload.data as T)) return () => controller.abort();
  }
}
