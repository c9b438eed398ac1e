// What every REST endpoint shares: the body limit, CORS, the request id, malformed bodies, wrong
// methods, and authentication with a Caller passed to the service.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Anthropic, { APIError as AnthropicError } from '@anthropic-ai/sdk';
import OpenAI, { APIError as OpenAIError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller, Credentials } from '../../src/core/auth.ts';
import type { CompletionRequest } from '../../src/core/completion-service.ts';
import { ForbiddenError, UnauthenticatedError } from '../../src/core/errors.ts';
import { createRestHandler } from '../../src/http/create-rest-handler.ts';
import { allowedOrigin, bodyLimitBytes, models, startRestTestApp, type RestTestContext } from './rest-test-app.ts';

let context: RestTestContext;

beforeAll(async () => {
  context = await startRestTestApp();
  context.openai.setScenario({ kind: 'text', chunks: ['ok'], usage: { input: 1, output: 1 } });
});
afterAll(async () => {
  await context?.stop();
});

const postJson = (path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${context.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${context.apiKey}`, ...headers }, body });

describe('request size limit', () => {
  const huge = 'x'.repeat(bodyLimitBytes + 1);

  it('answers an oversized body with 413 in OpenAI’s format', async () => {
    const client = new OpenAI({ baseURL: context.baseUrl, apiKey: context.apiKey, maxRetries: 0 });
    const error = await client.chat.completions.create({ model: models.openai, messages: [{ role: 'user', content: huge }] }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as OpenAIError).status).toBe(413);
    expect((error as OpenAIError).error).toMatchObject({ type: 'invalid_request_error', code: 'request_too_large' });
    expect((error as OpenAIError).message).toContain(`${bodyLimitBytes} bytes`);
  });

  it('answers an oversized body with 413 in Anthropic’s format, also when streamed without a length', async () => {
    const client = new Anthropic({ baseURL: context.app.url, apiKey: context.apiKey, maxRetries: 0 });
    const error = await client.messages.create({ model: models.openai, max_tokens: 10, messages: [{ role: 'user', content: huge }] }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(Anthropic.ContentTooLargeError);
    expect((error as AnthropicError).error).toMatchObject({ type: 'error', error: { type: 'request_too_large' } });

    // A chunked body has no content-length: the limit applies while reading.
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(JSON.stringify({ model: models.openai, max_tokens: 10, messages: [{ role: 'user', content: huge }] })));
        controller.close();
      },
    });
    const response = await fetch(`${context.app.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${context.apiKey}` }, body, duplex: 'half' } as RequestInit);
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ type: 'error', error: { type: 'request_too_large' } });
  });
});

describe('malformed requests', () => {
  it('rejects invalid JSON with a 400 in each API’s format, never a stack trace', async () => {
    const openai = await postJson('/chat/completions', '{"model": "gpt-test", ');
    expect(openai.status).toBe(400);
    const openaiBody = await openai.json();
    expect(openaiBody).toMatchObject({ error: { type: 'invalid_request_error', code: 'invalid_json' } });
    expect(openaiBody.error.message).toMatch(/^The request body is not valid JSON/);
    expect(JSON.stringify(openaiBody)).not.toMatch(/\.ts:\d+|at \w+ \(/);

    const anthropic = await postJson('/messages', 'not json');
    expect(anthropic.status).toBe(400);
    expect(await anthropic.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
  });

  it('names the field of a wrongly shaped message', async () => {
    const response = await postJson('/chat/completions', JSON.stringify({ model: models.openai, messages: [{ role: 'user', content: [{ type: 'image_url', image_url: {} }] }] }));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { param: 'messages[0].content[0].image_url.url' } });
  });

  it('answers a wrong method with 405', async () => {
    const response = await fetch(`${context.baseUrl}/chat/completions`);
    expect(response.status).toBe(405);
    expect(await response.json()).toMatchObject({ error: { code: 'method_not_allowed' } });
  });
});

describe('CORS and request ids', () => {
  it('answers a preflight from an allowed origin without authentication', async () => {
    const response = await fetch(`${context.baseUrl}/chat/completions`, {
      method: 'OPTIONS',
      headers: { origin: allowedOrigin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, x-stainless-os' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(allowedOrigin);
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    expect(response.headers.get('access-control-allow-headers')).toBe('authorization, content-type, x-stainless-os');
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
  });

  it('gives other origins no CORS grant', async () => {
    const preflight = await fetch(`${context.baseUrl}/messages`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const request = await fetch(`${context.baseUrl}/models`, { headers: { origin: 'https://evil.example', authorization: `Bearer ${context.apiKey}` } });
    expect(request.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('sets CORS headers on actual responses and echoes the client’s request id', async () => {
    const response = await postJson('/chat/completions', JSON.stringify({ model: models.openai, messages: [{ role: 'user', content: 'Hi' }] }), {
      origin: allowedOrigin,
      'x-request-id': 'client-chosen-42',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(allowedOrigin);
    // Browsers may read the gateway's own headers (generation id, token-count method, request id).
    const exposed = response.headers.get('access-control-expose-headers')?.split(', ');
    expect(exposed).toEqual(expect.arrayContaining(['x-modelgraph-generation-id', 'x-modelgraph-token-count', 'x-request-id', 'request-id']));
    expect(response.headers.get('x-request-id')).toBe('client-chosen-42');

    const failed = await postJson('/messages', '{}', { 'x-request-id': 'client-chosen-43' });
    expect(failed.status).toBe(400);
    expect(failed.headers.get('x-request-id')).toBe('client-chosen-43');
    expect(failed.headers.get('request-id')).toBe('client-chosen-43');
  });
});

describe('authentication', () => {
  let server: Server;
  let baseUrl: string;
  const seen: CompletionRequest[] = [];
  const credentials: Credentials[] = [];
  const caller: Caller = {
    keyId: 'key_1',
    keyName: 'test key',
    isMasterKey: false,
    teamId: null,
    userId: 'user_1',
    scopes: ['INFERENCE'],
    allowedModels: null,
    teamAllowedModels: null,
    modelAliases: {},
  };

  beforeAll(async () => {
    const { completions, catalog } = context.app.app.services;
    const handler = createRestHandler({
      completions: {
        create: (request, signal) => {
          seen.push(request);
          return completions.create(request, signal);
        },
        stream: (request, signal) => {
          seen.push(request);
          return completions.stream(request, signal);
        },
      },
      catalog,
      bodyLimitBytes,
      corsOrigins: ['*'],
      authenticate: async (given) => {
        credentials.push(given);
        if (given.secret === 'mg-good') return caller;
        if (given.secret === 'mg-readonly') throw new ForbiddenError('This key may not run inference');
        throw new UnauthenticatedError();
      },
    });
    server = createServer((request, response) => {
      void handler(request, response, new AbortController().signal).then((handled) => {
        if (!handled) response.writeHead(404).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('passes the caller from a Bearer key to the service', async () => {
    const client = new OpenAI({ baseURL: baseUrl, apiKey: 'mg-good', maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: models.openai, messages: [{ role: 'user', content: 'Hi' }] });
    expect(completion.choices[0]!.message.content).toBe('ok');
    expect(seen.at(-1)!.caller).toEqual(caller);
    expect(credentials.at(-1)).toEqual({ secret: 'mg-good', clientAddress: '127.0.0.1' });
  });

  it('reads the key from x-api-key for Anthropic clients', async () => {
    const client = new Anthropic({ baseURL: baseUrl.replace(/\/v1$/, ''), apiKey: 'mg-good', maxRetries: 0 });
    const message = await client.messages.create({ model: models.openai, max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] });
    expect(message.content).toEqual([{ type: 'text', text: 'ok' }]);
    expect(seen.at(-1)!.caller?.keyId).toBe('key_1');
  });

  it('answers an unknown key with 401 and a key without the scope with 403, in each API’s format', async () => {
    const openai = new OpenAI({ baseURL: baseUrl, apiKey: 'mg-bad', maxRetries: 0 });
    const unauthenticated = await openai.models.list().catch((thrown: unknown) => thrown);
    expect(unauthenticated).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((unauthenticated as OpenAIError).error).toMatchObject({ type: 'authentication_error', code: 'unauthenticated' });

    const anthropic = new Anthropic({ baseURL: baseUrl.replace(/\/v1$/, ''), apiKey: 'mg-readonly', maxRetries: 0 });
    const forbidden = await anthropic.messages.create({ model: models.openai, max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] }).catch((thrown: unknown) => thrown);
    expect(forbidden).toBeInstanceOf(Anthropic.PermissionDeniedError);
    expect((forbidden as AnthropicError).error).toEqual({ type: 'error', error: { type: 'permission_error', message: 'This key may not run inference' } });
  });

  it('lets preflights through without a key', async () => {
    const response = await fetch(`${baseUrl}/chat/completions`, { method: 'OPTIONS', headers: { origin: 'https://any.example', 'access-control-request-method': 'POST' } });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
  });
});
