// SIGTERM gives every stream the same grace period, over WebSocket as over SSE: a stream that
// finishes within it completes normally; one that outlasts it ends with a terminal event
// (SERVER_SHUTDOWN) and its usage record says the server ended it, not the client. Only then do
// WebSockets close (1001) and the process exit 0.
import { sql } from 'drizzle-orm';
import { createClient } from 'graphql-ws';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { rowsOf } from '../../src/db/usage-event-store.ts';
import { readSseEvents } from '../helpers/sse-events.ts';
import { spawnedDatabaseCases, startSpawnedGateway, waitForInFlight } from '../helpers/spawned-gateway.ts';

const ADMIN_KEY = 'mg-shutdown-grace-admin-key-0123456789ab';
const GRACE_MS = 3_000;
const auth = { authorization: `Bearer ${ADMIN_KEY}` };
/** The mock echoes the prompt at 10 words a second: 10 words take 1 s, 300 take 30 s. */
const words = (count: number) => Array.from({ length: count }, (_, i) => `w${i}`).join(' ');
const STREAM = `subscription($input: ChatCompletionInput!) { chatCompletionStream(input: $input) {
  __typename ... on ChatCompletionStarted { id } ... on ChatCompletionFailed { code } } }`;
const input = (count: number) => ({ input: { model: 'chat', messages: [{ role: 'USER', content: words(count) }] } });

interface Collected {
  typenames: string[];
  id: string | null;
  failedCode: string | null;
  /** performance.now() of the terminal event. */
  endedAt: number | null;
}

function collect(into: Collected, event: any): void {
  into.typenames.push(event.__typename);
  if (event.__typename === 'ChatCompletionStarted') into.id = event.id;
  if (event.__typename === 'ChatCompletionFailed') into.failedCode = event.code;
  if (event.__typename === 'ChatCompletionCompleted' || event.__typename === 'ChatCompletionFailed') into.endedAt = performance.now();
}
const collected = (): Collected => ({ typenames: [], id: null, failedCode: null, endedAt: null });

describe('SIGTERM with WebSocket and SSE streams open', () => {
  it.each(spawnedDatabaseCases)('gives WebSocket streams the grace period and ends those that outlast it as a server shutdown ($name)', async ({ name }) => {
    const gateway = await startSpawnedGateway({
      database: name,
      adminKey: ADMIN_KEY,
      mock: '{ text: "{echo}", tokensPerSecond: 10 }',
      config: ['server:', `  shutdownGraceMs: ${GRACE_MS}`],
    });
    const { server, base } = gateway;

    // Over one WebSocket: a stream that outlasts the grace period, then one that fits in it.
    const socketClosed: number[] = [];
    let socketClosedAt = 0;
    // Not lazy: the client keeps the socket open after its subscriptions end, so the server closes it.
    const ws = createClient({
      url: `${base.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false,
      onNonLazyError: () => undefined,
      connectionParams: auth,
    });
    ws.on('closed', (event) => {
      socketClosed.push((event as { code: number }).code);
      socketClosedAt = performance.now();
    });
    const subscribe = (variables: Record<string, unknown>, into: Collected) =>
      new Promise<'complete' | 'error'>((resolve) => {
        ws.subscribe({ query: STREAM, variables }, { next: (message) => collect(into, message.data!.chatCompletionStream), error: () => resolve('error'), complete: () => resolve('complete') });
      });
    const wsLong = collected();
    const wsLongDone = subscribe(input(300), wsLong);

    // Over SSE: GraphQL over SSE and the OpenAI-compatible REST stream, both outlasting the grace.
    const sseLong = collected();
    const sseDone = (async () => {
      const response = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...auth },
        body: JSON.stringify({ query: STREAM, variables: input(300) }),
      });
      for await (const event of readSseEvents(response.body as unknown as AsyncIterable<Uint8Array>)) {
        if (event.event === 'next') collect(sseLong, JSON.parse(event.data).data.chatCompletionStream);
      }
    })();
    const restDone = fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({ model: 'chat', stream: true, messages: [{ role: 'user', content: words(300) }] }),
    }).then(async (response) => ({ id: response.headers.get('x-modelgraph-generation-id'), text: await response.text() }));
    // And a plain (non-streamed) mutation that outlasts it.
    const mutationDone = fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({
        query: 'mutation($input: ChatCompletionInput!) { createChatCompletion(input: $input) { __typename ... on Error { code } } }',
        variables: input(300),
      }),
    }).then(async (response) => ((await response.json()) as any).data.createChatCompletion);

    await waitForInFlight(base, ADMIN_KEY, 4);
    await waitFor(() => wsLong.typenames.includes('ChatTextDelta') && sseLong.typenames.includes('ChatTextDelta'));
    const wsShort = collected();
    const wsShortDone = subscribe(input(10), wsShort);
    await waitFor(() => wsShort.typenames.includes('ChatTextDelta'));

    const signalledAt = performance.now();
    server.child.kill('SIGTERM');
    const [shortEnd, longEnd, , rest, mutation] = await Promise.all([wsShortDone, wsLongDone, sseDone, restDone, mutationDone]);
    expect(await server.exited).toBe(0);

    // Within the grace period the short stream finished as usual.
    expect(shortEnd).toBe('complete');
    expect(wsShort.typenames.at(-1)).toBe('ChatCompletionCompleted');
    // The long ones were not cut at the signal: each got the grace period, then a terminal event.
    for (const stream of [wsLong, sseLong]) {
      expect(stream.typenames.at(-1)).toBe('ChatCompletionFailed');
      expect(stream.failedCode).toBe('SERVER_SHUTDOWN');
      expect(stream.endedAt! - signalledAt).toBeGreaterThanOrEqual(GRACE_MS - 100);
    }
    expect(longEnd).toBe('complete');
    expect(rest.text).toContain('"code":"server_shutdown"');
    expect(rest.text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(mutation).toEqual({ __typename: 'GatewayError', code: 'SERVER_SHUTDOWN' });
    // The socket closed as going away, after its streams' terminal events.
    expect(socketClosed).toEqual([1001]);
    expect(socketClosedAt).toBeGreaterThanOrEqual(wsLong.endedAt!);
    await ws.dispose();

    const rows = await gateway.readStore(async (database) =>
      rowsOf<{ id: string; status: string; error_code: string | null; cancelled_by_client: boolean }>(
        await database.db.execute(sql`select id::text as id, status, error_code, cancelled_by_client from usage_events`),
      ),
    );
    const byId = new Map(rows.map((row) => [row.id, row]));
    expect(rows).toHaveLength(5);
    expect(byId.get(wsShort.id!)).toMatchObject({ status: 'SUCCESS', error_code: null, cancelled_by_client: false });
    const shutdownRows = rows.filter((row) => row.id !== wsShort.id);
    expect(shutdownRows.map((row) => row.id)).toEqual(expect.arrayContaining([wsLong.id, sseLong.id, rest.id]));
    for (const row of shutdownRows) expect(row).toMatchObject({ status: 'ERROR', error_code: 'SERVER_SHUTDOWN', cancelled_by_client: false });
  }, 120_000);
});

async function waitFor(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
