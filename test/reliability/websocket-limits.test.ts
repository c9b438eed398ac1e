// A WebSocket costs an unauthenticated client little: messages above the body limit are refused
// from their frame header (close 1009) without being buffered, a first message other than
// connection_init closes the socket, and a socket that never initialises is closed after the
// (configurable) init timeout. The server stays healthy for everyone else.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { subscribeWs, wsClient } from '../helpers/graphql-streams.ts';
import { testConfig, TEST_ADMIN_KEY } from '../helpers/test-app.ts';
import { useTestApp } from '../helpers/use-test-app.ts';

const BODY_LIMIT = 64 * 1024;
const INIT_TIMEOUT_MS = 400;

interface RawSocket {
  socket: WebSocket;
  /** Resolves with the close code and when it came (ms after the socket opened). */
  closed: Promise<{ code: number; afterMs: number }>;
  messages: Array<{ type: string }>;
}

/** A plain `ws` client speaking graphql-transport-ws by hand; resolves once the socket is open. */
async function openRaw(url: string): Promise<RawSocket> {
  const socket = new WebSocket(url, 'graphql-transport-ws');
  const messages: Array<{ type: string }> = [];
  socket.on('message', (data) => messages.push(JSON.parse(String(data))));
  const closed = new Promise<{ code: number; afterMs: number }>((resolve) => {
    let openedAt = performance.now();
    socket.once('open', () => (openedAt = performance.now()));
    socket.once('close', (code) => resolve({ code, afterMs: performance.now() - openedAt }));
  });
  socket.on('error', () => undefined);
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  return { socket, closed, messages };
}

/** Fails instead of hanging when the socket is not closed in time. */
function closedWithin(raw: RawSocket, ms: number): Promise<{ code: number; afterMs: number }> {
  return Promise.race([raw.closed, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`socket still open after ${ms} ms`)), ms))]);
}

/** A masked client text frame header announcing `length` payload bytes (RFC 6455, 64-bit length). */
function frameHeader(length: number): Buffer {
  const header = Buffer.alloc(14);
  header[0] = 0x81;
  header[1] = 0x80 | 127;
  header.writeBigUInt64BE(BigInt(length), 2);
  randomBytes(4).copy(header, 10);
  return header;
}

describe('WebSocket limits', () => {
  const { app } = useTestApp({ config: () => testConfig({ server: { ...testConfig().server, bodyLimitBytes: BODY_LIMIT, webSocketInitTimeoutMs: INIT_TIMEOUT_MS } }) });

  const serverStillServes = async () => {
    expect((await fetch(`${app.url}/health`)).status).toBe(200);
    const client = wsClient(app.wsUrl);
    expect(await subscribeWs(client, 'subscription { time(intervalMs: 10, count: 2) }')).toHaveLength(2);
    await client.dispose();
  };

  it('refuses a frame announcing 50 MiB from its header, before any of it is buffered: close 1009', async () => {
    const raw = await openRaw(app.wsUrl);
    // Only the header and 16 KiB follow: a server that buffered up to the announced length would
    // wait for the rest and never close the socket. (50 MiB: under ws's own 100 MiB default.)
    const underlying = (raw.socket as unknown as { _socket: import('node:net').Socket })._socket;
    underlying.write(Buffer.concat([frameHeader(50 * 1024 ** 2), randomBytes(16 * 1024)]));
    expect((await closedWithin(raw, 5_000)).code).toBe(1009);
    await serverStillServes();
  });

  it('takes a message up to the body limit and closes the socket on a larger one (1009)', async () => {
    const padding = 'x'.repeat(BODY_LIMIT - 200);
    const within = await openRaw(app.wsUrl);
    within.socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${TEST_ADMIN_KEY}`, padding } }));
    await expect.poll(() => within.messages.map((message) => message.type)).toEqual(['connection_ack']);
    within.socket.close();

    const over = await openRaw(app.wsUrl);
    over.socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${TEST_ADMIN_KEY}`, padding: `${padding}${'x'.repeat(400)}` } }));
    expect((await closedWithin(over, 5_000)).code).toBe(1009);
    expect(over.messages).toEqual([]);
    await serverStillServes();
  });

  it.each([
    ['subscribe', { id: '1', type: 'subscribe', payload: { query: 'subscription { time(intervalMs: 10, count: 2) }' } }],
    ['ping', { type: 'ping' }],
    ['complete', { id: '1', type: 'complete' }],
    ['a non-message', { hello: 'world' }],
  ])('closes a socket whose first message is %s rather than connection_init (4401), answering nothing', async (_name, message) => {
    const raw = await openRaw(app.wsUrl);
    raw.socket.send(JSON.stringify(message));
    const { code, afterMs } = await closedWithin(raw, 5_000);
    expect(code).toBe(4401);
    // Well before the init timeout: the message closed it, not the silence.
    expect(afterMs).toBeLessThan(INIT_TIMEOUT_MS);
    expect(raw.messages).toEqual([]);
  });

  it('closes a socket that sends nothing after the configured init timeout (4408)', async () => {
    const raw = await openRaw(app.wsUrl);
    const { code, afterMs } = await closedWithin(raw, 5_000);
    expect(code).toBe(4408);
    expect(afterMs).toBeGreaterThanOrEqual(INIT_TIMEOUT_MS - 50);
    // graphql-ws's own default is 3 s: the configured value is the one in force.
    expect(afterMs).toBeLessThan(2_500);
  });

  it('still serves a client that initialises in time', async () => {
    await serverStillServes();
  });
});
