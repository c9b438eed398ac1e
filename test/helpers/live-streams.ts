// Streams a test watches while they run (rather than collecting them to the end): each event with
// the time it arrived, and when the stream ended. Over graphql-ws, GraphQL-over-SSE and REST SSE.
import type { Client } from 'graphql-ws';
import { readSseEvents } from './sse-events.ts';

export interface LiveEvent<T> {
  at: number;
  value: T;
}

export interface LiveStream<T> {
  readonly events: LiveEvent<T>[];
  /** Resolves with the time the stream completed (rejects if it failed as a transport). */
  readonly ended: Promise<number>;
  /** Resolves once an event matching `predicate` has arrived. */
  waitFor(predicate: (value: T) => boolean, timeoutMs?: number): Promise<LiveEvent<T>>;
  /** Leaves the stream early. */
  cancel(): void;
}

function liveStream<T>(): { stream: LiveStream<T>; push(value: T): void; end(): void; fail(error: unknown): void; onCancel(cancel: () => void): void } {
  const events: LiveEvent<T>[] = [];
  const waiters = new Set<() => void>();
  let resolveEnded!: (at: number) => void;
  let rejectEnded!: (error: unknown) => void;
  const ended = new Promise<number>((resolve, reject) => ((resolveEnded = resolve), (rejectEnded = reject)));
  ended.catch(() => undefined);
  let finished = false;
  let cancel = () => undefined as void;
  const notify = () => {
    for (const waiter of [...waiters]) waiter();
  };
  return {
    stream: {
      events,
      ended,
      waitFor(predicate, timeoutMs = 10_000) {
        return new Promise((resolve, reject) => {
          const check = () => {
            const found = events.find((event) => predicate(event.value));
            if (found) return done(() => resolve(found));
            if (finished) return done(() => reject(new Error(`stream ended without the expected event: ${JSON.stringify(events.map((e) => e.value))}`)));
          };
          const timer = setTimeout(() => done(() => reject(new Error(`no expected event within ${timeoutMs} ms: ${JSON.stringify(events.map((e) => e.value))}`))), timeoutMs);
          const done = (settle: () => void) => {
            clearTimeout(timer);
            waiters.delete(check);
            settle();
          };
          waiters.add(check);
          check();
        });
      },
      cancel: () => cancel(),
    },
    push(value) {
      events.push({ at: Date.now(), value });
      notify();
    },
    end() {
      finished = true;
      resolveEnded(Date.now());
      notify();
    },
    fail(error) {
      finished = true;
      rejectEnded(error);
      notify();
    },
    onCancel(callback) {
      cancel = callback;
    },
  };
}

/** A subscription over a real graphql-ws client; each event is the whole `{ data, errors }` payload. */
export function liveWs(client: Client, query: string, variables?: Record<string, unknown>): LiveStream<{ data?: any; errors?: any[] }> {
  const live = liveStream<{ data?: any; errors?: any[] }>();
  const unsubscribe = client.subscribe(
    { query, ...(variables ? { variables } : {}) },
    { next: (payload) => live.push(payload as { data?: any; errors?: any[] }), error: (error) => live.fail(error), complete: () => live.end() },
  );
  live.onCancel(unsubscribe);
  return live.stream;
}

/** A subscription over GraphQL-over-SSE (distinct connections); each event is a `next` payload. */
export function liveGraphqlSse(graphqlUrl: string, query: string, variables: Record<string, unknown>, headers: Record<string, string>): LiveStream<{ data?: any; errors?: any[] }> {
  const live = liveStream<{ data?: any; errors?: any[] }>();
  const controller = new AbortController();
  live.onCancel(() => controller.abort());
  void (async () => {
    const response = await fetch(graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
      body: JSON.stringify({ query, variables }),
      signal: controller.signal,
    });
    if (!response.ok || !response.body) throw new Error(`SSE request failed with ${response.status}: ${await response.text()}`);
    for await (const event of readSseEvents(response.body as unknown as AsyncIterable<Uint8Array>)) {
      if (event.event === 'complete') return live.end();
      if (event.event === 'next') live.push(JSON.parse(event.data));
    }
    throw new Error('the SSE response ended without a complete event');
  })().catch((error: unknown) => live.fail(error));
  return live.stream;
}

/** A REST SSE response (OpenAI or Anthropic streaming); each event is an SSE frame, `data` parsed when JSON. */
export function liveRestSse(url: string, body: unknown, headers: Record<string, string>): LiveStream<{ event: string | undefined; data: any }> {
  const live = liveStream<{ event: string | undefined; data: any }>();
  const controller = new AbortController();
  live.onCancel(() => controller.abort());
  void (async () => {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), signal: controller.signal });
    if (!response.ok || !response.body) throw new Error(`request failed with ${response.status}: ${await response.text()}`);
    for await (const event of readSseEvents(response.body as unknown as AsyncIterable<Uint8Array>)) {
      let data: unknown = event.data;
      try {
        data = JSON.parse(event.data);
      } catch {
        // `[DONE]` and other plain text stay as they are
      }
      live.push({ event: event.event, data });
    }
    live.end();
  })().catch((error: unknown) => live.fail(error));
  return live.stream;
}
