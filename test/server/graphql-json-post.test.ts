// The JSON POST fast lane (src/server/graphql-json-post.ts) answers exactly as yoga does: every
// request is sent twice, once as an API client sends it (no Origin: the lane) and once as the
// page's own origin (a browser: yoga's pipeline), and status, content type and body must match.
// Each case goes to the lane first, so state the lane leaves behind (parser cache, APQ registry)
// is what yoga then sees.
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/server/persisted-operations.ts';
import { TEST_ADMIN_KEY } from '../helpers/test-app.ts';
import { useTestApp } from '../helpers/use-test-app.ts';

interface Exchange {
  status: number;
  contentType: string | null;
  body: string;
  requestId: string | null;
}

describe('GraphQL JSON POST fast lane', () => {
  const { app } = useTestApp();
  const origin = () => new URL(app.url).origin;

  const admin = { authorization: `Bearer ${TEST_ADMIN_KEY}` };
  const send = async (body: string, headers: Record<string, string>, viaYoga: boolean): Promise<Exchange> => {
    const response = await fetch(app.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers, ...(viaYoga ? { origin: origin() } : {}) },
      body,
    });
    return { status: response.status, contentType: response.headers.get('content-type'), body: normalized(await response.text()), requestId: response.headers.get('x-request-id') };
  };
  /** Ids, secrets and times differ between two calls; everything else must not. */
  const normalized = (text: string) =>
    text
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>')
      .replace(/"secret":"[^"]+"/g, '"secret":"<secret>"')
      .replace(/"prefix":"[^"]+"/g, '"prefix":"<prefix>"')
      .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '<time>')
      .replace(/req_[0-9a-f]{32}/g, '<request-id>');
  const sameAnswer = async (body: string, headers: Record<string, string> = admin) => {
    const lane = await send(body, headers, false);
    const yoga = await send(body, headers, true);
    expect({ status: lane.status, contentType: lane.contentType, body: lane.body }).toEqual({ status: yoga.status, contentType: yoga.contentType, body: yoga.body });
    expect(lane.requestId).toMatch(/^req_[0-9a-f]{32}$/);
    return lane;
  };
  const json = (params: unknown) => JSON.stringify(params);

  it('answers queries and mutations as yoga does, with every Accept yoga serves as JSON', async () => {
    const me = await sameAnswer(json({ query: '{ me { __typename } health { __typename } }' }));
    expect(me.status).toBe(200);
    expect(me.body).toContain('"me"');
    for (const accept of ['application/json', 'application/graphql-response+json', '*/*', 'application/graphql-response+json, application/json;q=0.9', 'text/html, */*']) {
      await sameAnswer(json({ query: '{ me { __typename } }' }), { ...admin, accept });
    }
    const created = await sameAnswer(json({ query: 'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { __typename ... on ApiKeyWithSecret { secret apiKey { name } } } }', variables: { input: { name: 'lane' } } }));
    expect(created.body).toContain('ApiKeyWithSecret');
    await sameAnswer(json({ query: 'query A { me { __typename } } query B { health { __typename } }', operationName: 'B' }));
  });

  it('fails as yoga does: parsing, validation, variables, missing or unknown keys, limits, odd params', async () => {
    await sameAnswer(json({ query: '{ me {' }), { ...admin, accept: 'application/graphql-response+json' });
    await sameAnswer(json({ query: '{ me {' }));
    await sameAnswer(json({ query: '{ noSuchField }' }), { ...admin, accept: 'application/graphql-response+json' });
    await sameAnswer(json({ query: 'query($n: Int!) { __typename }', variables: { n: 'x' } }));
    await sameAnswer(json({ query: 'query A { __typename } query B { __typename }' }));
    await sameAnswer(json({ query: '{ me { __typename } }' }), {});
    await sameAnswer(json({ query: '{ me { __typename } }' }), { authorization: 'Bearer mg-not-a-key-0123456789abcdefghijklmnop' });
    await sameAnswer(json({ query: `{ ${'me { __typename } '.repeat(1)}${Array.from({ length: 40 }, (_, index) => `a${index}: __typename`).join(' ')} }` }));
    await sameAnswer(json({ query: '{ __typename }', unknown: 1 }));
    await sameAnswer(json({ query: 42 }));
    await sameAnswer(json([{ query: '{ __typename }' }]));
    await sameAnswer('{"query": ');
    await sameAnswer('');
    await sameAnswer(json({ query: '{ __typename }' }), { ...admin, accept: 'application/json; charset=iso-8859-1' });
    await sameAnswer(json({ query: 'subscription { __typename }' }));
  });

  it('holds persisted operations to the same protocol: unknown hash, registration, hash only, mismatch', async () => {
    const query = '{ me { __typename } }';
    const hash = sha256Hex(query);
    const persisted = (withQuery: boolean, sha256Hash = hash) => json({ ...(withQuery ? { query } : {}), extensions: { persistedQuery: { version: 1, sha256Hash } } });
    const unknown = await sameAnswer(persisted(false));
    expect(unknown.status).toBe(404);
    await sameAnswer(persisted(true));
    const known = await sameAnswer(persisted(false));
    expect(known.status).toBe(200);
    await sameAnswer(persisted(true, sha256Hex('{ health { __typename } }')));
  });

  it('streams subscriptions over GraphQL over SSE as yoga does: events, refusals before the stream, operations that are not subscriptions', async () => {
    const sse = { accept: 'text/event-stream' };
    const stream = await sameAnswer(json({ query: 'subscription { time(intervalMs: 5, count: 3) }' }), { ...admin, ...sse });
    expect(stream.contentType).toBe('text/event-stream');
    expect(stream.body.match(/event: next\ndata: \{"data":\{"time":"<time>"\}\}\n\n/g)).toHaveLength(3);
    expect(stream.body.endsWith('event: complete\ndata:\n\n')).toBe(true);
    // Refused before any event: one result as an event stream.
    const refused = await sameAnswer(json({ query: 'subscription { usageEvents { id } }' }), sse);
    expect(refused.body).toContain('UNAUTHENTICATED');
    await sameAnswer(json({ query: 'subscription { usageEvents { id } }' }), { authorization: 'Bearer mg-not-a-key-0123456789abcdefghijklmnop', ...sse });
    await sameAnswer(json({ query: 'subscription { time(intervalMs: -1, count: 1) }' }), { ...admin, ...sse });
    await sameAnswer(json({ query: 'subscription { noSuchField }' }), { ...admin, ...sse });
    await sameAnswer(json({ query: '{ me { __typename } }' }), { ...admin, ...sse });
  });

  it('echoes a sane x-request-id and counts the body limit from Content-Length', async () => {
    const echoed = await send(json({ query: '{ __typename }' }), { ...admin, 'x-request-id': 'client-id-1' }, false);
    expect(echoed.requestId).toBe('client-id-1');
    const big = await send(json({ query: `{ __typename } # ${'x'.repeat(5 * 1024 * 1024)}` }), admin, false);
    expect(big.status).toBe(413);
  });
});
