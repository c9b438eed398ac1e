// Slow and silent clients cannot hold a connection for Node's defaults (300 s for a request):
// the request head must arrive within server.headersTimeoutMs and the whole request within
// server.requestTimeoutMs. Those bound receiving the request only: a long stream, or a response
// the gateway is still waiting for upstream, is not cut by them nor by the idle timeout.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import { databaseCases } from '../helpers/databases.ts';
import { subscribeSse } from '../helpers/graphql-streams.ts';
import { startTestApp, testConfig, TEST_ADMIN_KEY, type TestApp } from '../helpers/test-app.ts';

const HEADERS_TIMEOUT_MS = 500;
const REQUEST_TIMEOUT_MS = 1_500;
const IDLE_TIMEOUT_MS = 1_000;
/** Room for a loaded machine; Node's defaults (60 s, 300 s) are far above it. */
const SLACK_MS = 2_500;

/** A raw TCP client: resolves with what the server sent and when it closed the connection. */
function rawClient(port: number, talk: (socket: Socket) => void): Promise<{ received: string; closedAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let received = '';
    const socket = connect(port, '127.0.0.1', () => talk(socket));
    socket.on('data', (chunk) => (received += chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ received, closedAfterMs: performance.now() - started }));
    setTimeout(() => {
      socket.destroy();
      reject(new Error('the server kept the connection open for 15 s'));
    }, 15_000).unref();
  });
}

/** Writes `text` one byte every `everyMs` until the socket closes. */
function trickle(socket: Socket, text: string, everyMs: number): void {
  let index = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || index >= text.length) return clearInterval(timer);
    socket.write(text[index++]!);
  }, everyMs);
}

describe('slow clients', () => {
  let database: Database;
  let app: TestApp;
  beforeAll(async () => {
    database = await databaseCases[0]!.open();
    const config = testConfig({
      server: {
        ...testConfig().server,
        headersTimeoutMs: HEADERS_TIMEOUT_MS,
        requestTimeoutMs: REQUEST_TIMEOUT_MS,
        idleTimeoutMs: IDLE_TIMEOUT_MS,
        keepAliveTimeoutMs: 500,
      },
      providers: [
        // Silent for 2.5 s before its answer: longer than the request and idle timeouts.
        { id: 'quiet', kind: 'mock', mock: { text: 'done', firstTokenLatencyMs: 2_500 } },
        { id: 'steady', kind: 'mock', mock: { text: '{echo}', tokensPerSecond: 5 } },
      ],
    });
    app = await startTestApp(config, database);
  });
  afterAll(async () => {
    await app?.stop();
    await database?.close();
  });
  const port = () => Number(new URL(app.url).port);

  it('disconnects a client sending its headers byte by byte after the headers timeout (slowloris)', async () => {
    const head = `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer ${TEST_ADMIN_KEY}\r\n${'X-Padding: y\r\n'.repeat(40)}\r\n`;
    const { received, closedAfterMs } = await rawClient(port(), (socket) => trickle(socket, head, 50));
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
    expect(closedAfterMs).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 50);
    expect(closedAfterMs).toBeLessThan(HEADERS_TIMEOUT_MS + SLACK_MS);
  });

  it('disconnects a client that connects and sends nothing (headers or idle timeout, whichever comes first)', async () => {
    const { closedAfterMs } = await rawClient(port(), () => undefined);
    expect(closedAfterMs).toBeLessThan(HEADERS_TIMEOUT_MS + SLACK_MS);
  });

  it('cuts a slow body upload after the request timeout', async () => {
    const { received, closedAfterMs } = await rawClient(port(), (socket) => {
      socket.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer ${TEST_ADMIN_KEY}\r\nContent-Length: 100000\r\n\r\n`);
      trickle(socket, `{"model":"quiet/mock-small","messages":[{"role":"user","content":"${'a'.repeat(99_000)}"}]}`, 20);
    });
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
    expect(closedAfterMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 50);
    expect(closedAfterMs).toBeLessThan(REQUEST_TIMEOUT_MS + SLACK_MS);
  });

  it('does not cut a stream that lasts longer than the request timeout (GraphQL over SSE and REST)', async () => {
    const started = performance.now();
    const [ticks, rest] = await Promise.all([
      subscribeSse(app.graphqlUrl, 'subscription { time(intervalMs: 200, count: 15) }'),
      fetch(`${app.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_KEY}` },
        body: JSON.stringify({ model: 'steady/mock-small', stream: true, messages: [{ role: 'user', content: 'one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen' }] }),
      }).then((response) => response.text()),
    ]);
    expect(performance.now() - started).toBeGreaterThan(REQUEST_TIMEOUT_MS + IDLE_TIMEOUT_MS);
    expect(ticks).toHaveLength(15);
    expect(rest).toContain('fifteen');
    expect(rest).toContain('"finish_reason":"stop"');
    expect(rest.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });

  it('does not cut a response the gateway is still waiting for, silent for longer than the idle and request timeouts', async () => {
    const [plain, stream] = await Promise.all([
      app.graphql('mutation { createChatCompletion(input: { model: "quiet/mock-small", messages: [{ role: USER, content: "hi" }] }) { ... on ChatCompletion { output { content } } } }'),
      fetch(`${app.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_KEY}` },
        body: JSON.stringify({ model: 'quiet/mock-small', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
      }).then((response) => response.text()),
    ]);
    expect(plain.data.createChatCompletion.output.content).toBe('done');
    expect(stream).toContain('"content":"done"');
    expect(stream.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });
});
