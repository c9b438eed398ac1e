// Real subscription clients for tests: graphql-ws over WebSocket and GraphQL-over-SSE over fetch.
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { parseSse } from '../../src/providers/shared/sse.ts';
import { TEST_ADMIN_KEY } from './test-app.ts';

export function wsClient(url: string, connectionParams: Record<string, unknown> = { authorization: `Bearer ${TEST_ADMIN_KEY}` }): Client {
  return createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true, connectionParams });
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
  for await (const event of parseSse(response.body as unknown as AsyncIterable<Uint8Array>)) {
    if (event.event === 'complete') break;
    if (event.event !== 'next') continue;
    const payload = JSON.parse(event.data) as { data?: T; errors?: unknown };
    if (payload.errors) throw new Error(JSON.stringify(payload.errors));
    values.push(payload.data as T);
  }
  return values;
}
