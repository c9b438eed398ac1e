// The default upstream HTTP client reads a whole body as text: up to the limit, and to a typed
// outcome even when the body was already destroyed (an abort between the headers and the read)
// rather than waiting for events that were emitted before anyone listened.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUndiciHttpClient } from '../../src/providers/shared/http-client.ts';

describe('undici HTTP client: whole bodies', () => {
  let server: Server;
  let url: string;
  const client = createUndiciHttpClient({ responseLimitBytes: 1024 });

  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === '/big') {
        // No content-length: the limit is found while reading.
        response.writeHead(200, { 'content-type': 'application/json' });
        for (let i = 0; i < 8; i++) response.write('x'.repeat(512));
        response.end();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"answer":');
      setTimeout(() => response.end('"two chunks"}'), 5);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await client.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('reads a body sent in several chunks', async () => {
    const response = await client.request({ method: 'POST', url: `${url}/ok`, headers: {}, body: '{}' });
    expect(JSON.parse(await response.text())).toEqual({ answer: 'two chunks' });
  });

  it('refuses a body over the limit with the typed error', async () => {
    const response = await client.request({ method: 'POST', url: `${url}/big`, headers: {}, body: '{}' });
    await expect(response.text()).rejects.toThrow(/larger than the gateway's limit of 1024 bytes/);
  });

  it.each([
    ['with an error', new Error('aborted upstream'), /aborted upstream/],
    // undici ends a body destroyed without a reason with its RequestAbortedError.
    ['without one', undefined, /Request aborted|closed before its end/],
  ])('rejects at once when the body was destroyed (%s) before it was read', async (_name, error, message) => {
    const response = await client.request({ method: 'POST', url: `${url}/ok`, headers: {}, body: '{}' });
    (response.body as unknown as NodeJS.ReadableStream & { destroy(error?: Error): void }).destroy(error);
    // Let the stream's 'error' and 'close' events pass with no listener.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const outcome = await Promise.race([response.text().then(() => 'resolved', (thrown: Error) => thrown.message), new Promise((resolve) => setTimeout(() => resolve('still waiting'), 1000))]);
    expect(outcome).toMatch(message);
  });
});
