// Unexpected errors (issue 16 #2): each is logged once, with its stack, the operation and the
// request id, and the client, who sees only a masked error, gets the same request id
// (GraphQL: `extensions.requestId`; REST: the `x-request-id` header and the error message).
// A service that throws stands in for a bug; its message quotes what must not be logged.
import { beforeAll, describe, expect, it } from 'vitest';
import type { ProviderAdapter } from '../../src/core/ports.ts';
import { wsClient } from '../helpers/graphql-streams.ts';
import { jsonLogCapture, type JsonLogCapture } from '../helpers/log-capture.ts';
import { testConfig, TEST_ADMIN_KEY } from '../helpers/test-app.ts';
import { lazy } from '../helpers/lazy.ts';
import { useTestApp } from '../helpers/use-test-app.ts';

const LEAKED_KEY = 'sk-proj-Zq8xLw3VbN7mT2kR9sD4fG6hJ1cY5uE0aP';
const BUG = `connection to 10.1.2.3:5432 failed for key ${LEAKED_KEY}`;
const admin = { authorization: `Bearer ${TEST_ADMIN_KEY}` };

describe('unexpected errors', () => {
  let logs: JsonLogCapture;
  beforeAll(async () => {
    logs = await jsonLogCapture();
  });
  const { app, database } = useTestApp({
    config: () => testConfig({ providers: [{ id: 'mock', kind: 'mock' }], models: [{ name: 'chat', provider: 'mock', model: 'mock-small' }] }),
    logger: lazy(() => logs?.logger, 'the log capture'),
  });

  /** Makes `object[method]` throw a new bug each call while `run` runs. */
  async function withBug<T, K extends keyof T>(object: T, method: K, run: () => Promise<void>): Promise<void> {
    const original = object[method];
    object[method] = (async () => {
      throw new TypeError(BUG);
    }) as T[K];
    try {
      await run();
    } finally {
      object[method] = original;
    }
  }

  const errorLines = (requestId: string) => logs.entries().filter((entry) => entry.kind === 'unexpected_error' && entry.requestId === requestId);

  it('GraphQL over HTTP: logs the error once with stack, operation and request id; the client gets the masked error with that id', async () => {
    await withBug(app.app.services.keys, 'list', async () => {
      const response = await fetch(app.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...admin, 'x-request-id': 'bug-trace-1' },
        body: JSON.stringify({ query: 'query Keys { apiKeys { edges { cursor } } }' }),
      });
      expect(response.headers.get('x-request-id')).toBe('bug-trace-1');
      const text = await response.text();
      expect(JSON.parse(text).errors).toEqual([
        { message: 'Unexpected error.', locations: [{ line: 1, column: 14 }], path: ['apiKeys'], extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'bug-trace-1' } },
      ]);
      expect(text).not.toMatch(/10\.1\.2\.3|stack|TypeError/);
    });
    const access = await logs.waitFor((entry) => entry.kind === 'access' && entry.requestId === 'bug-trace-1');
    expect(access).toMatchObject({ operationName: 'Keys', errorCode: 'INTERNAL_SERVER_ERROR' });
    const [line, ...more] = errorLines('bug-trace-1');
    expect(more).toHaveLength(0);
    expect(line).toMatchObject({ level: 'error', route: 'POST /graphql', operationType: 'query', operationName: 'Keys', path: 'apiKeys', err: { type: 'TypeError' } });
    expect(line!.err.stack).toMatch(/TypeError: connection to 10\.1\.2\.3:5432 failed/);
    expect(line!.err.stack).toMatch(/unexpected-errors\.test\.ts/);
  });

  it('GraphQL over WebSocket: the same, with the operation’s own request id', async () => {
    await withBug(app.app.services.keys, 'list', async () => {
      const client = wsClient(app.wsUrl);
      try {
        const errors = await new Promise<any[]>((resolve, reject) => {
          client.subscribe(
            { query: 'query KeysOverWs { apiKeys { edges { cursor } } }' },
            { next: (message) => message.errors && resolve(message.errors as any[]), error: reject, complete: () => reject(new Error('no error')) },
          );
        });
        expect(errors).toHaveLength(1);
        expect(errors[0]).toMatchObject({ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
        const requestId = errors[0].extensions.requestId as string;
        expect(requestId).toMatch(/^req_[0-9a-f]{32}$/);
        const [line, ...more] = errorLines(requestId);
        expect(more).toHaveLength(0);
        expect(line).toMatchObject({ route: 'WS /graphql', operationType: 'query', operationName: 'KeysOverWs', err: { type: 'TypeError' } });
        expect(line!.err.stack).toContain('connection to 10.1.2.3');
      } finally {
        await client.dispose();
      }
    });
  });

  it('REST: a 500 whose body and header name the request id under which the error was logged once', async () => {
    await withBug(app.app.services.completions, 'create', async () => {
      const response = await fetch(`${app.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...admin },
        body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(response.status).toBe(500);
      const requestId = response.headers.get('x-request-id')!;
      const body = (await response.json()) as any;
      expect(body.error).toMatchObject({ type: 'server_error', code: 'internal' });
      expect(body.error.message).toBe(`Internal error (request id ${requestId}); the gateway logged the details`);
      const access = await logs.waitFor((entry) => entry.kind === 'access' && entry.requestId === requestId);
      expect(access).toMatchObject({ status: 500, errorCode: 'INTERNAL' });
      const [line, ...more] = errorLines(requestId);
      expect(more).toHaveLength(0);
      expect(line).toMatchObject({ level: 'error', route: 'POST /v1/chat/completions', err: { type: 'TypeError' } });
      expect(line!.err.stack).toContain('connection to 10.1.2.3');
    });
  });

  it('a bug inside a provider adapter: logged once though both the service and the REST edge see it', async () => {
    const adapters = (app.app.services.completions as unknown as { options: { adapters: Map<string, ProviderAdapter> } }).options.adapters;
    const working = adapters.get('mock')!;
    adapters.set('mock', {
      generate: async () => {
        throw new TypeError(BUG);
      },
      async *stream() {
        throw new TypeError(BUG);
      },
    });
    try {
      const response = await fetch(`${app.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...admin, 'x-request-id': 'adapter-bug' },
        body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(response.status).toBe(500);
      expect(((await response.json()) as any).error.message).toContain('adapter-bug');
      const access = await logs.waitFor((entry) => entry.kind === 'access' && entry.requestId === 'adapter-bug');
      expect(access).toMatchObject({ status: 500, errorCode: 'INTERNAL', model: 'chat', provider: null, outcome: 'ERROR' });
      const [line, ...more] = errorLines('adapter-bug');
      expect(more).toHaveLength(0);
      expect(line!.err).toMatchObject({ type: 'TypeError' });

      // Streamed, the failure is an event of the stream: the service's usage record reports it.
      const streamed = await fetch(`${app.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...admin, 'x-request-id': 'adapter-bug-streamed' },
        body: JSON.stringify({ model: 'chat', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
      });
      await streamed.text();
      await logs.waitFor((entry) => entry.kind === 'access' && entry.requestId === 'adapter-bug-streamed');
      expect(errorLines('adapter-bug-streamed')).toHaveLength(1);
      expect(errorLines('adapter-bug-streamed')[0]!.err.stack).toContain('connection to 10.1.2.3');
    } finally {
      adapters.set('mock', working);
    }
  });

  it('logs no credential quoted by an error', () => {
    expect(logs.text()).toContain('connection to 10.1.2.3:5432 failed for key sk-proj-[REDACTED]');
    expect(logs.text()).not.toContain(LEAKED_KEY);
    expect(logs.text()).not.toContain(TEST_ADMIN_KEY);
  });
});
