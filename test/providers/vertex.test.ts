import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createProviderAdapter, findProviderKind, isConfigured } from '../../src/providers/registry.ts';
import { createUndiciHttpClient } from '../../src/providers/shared/http-client.ts';
import type { HttpClient, ProviderAdapter } from '../../src/core/ports.ts';
import { createVertexAnthropicAdapter } from '../../src/providers/vertex/create-vertex-anthropic-adapter.ts';
import { createVertexGeminiAdapter } from '../../src/providers/vertex/create-vertex-gemini-adapter.ts';
import { vertexBaseUrl } from '../../src/providers/vertex/vertex-endpoint.ts';
import { collect, runAdapterCases } from '../helpers/adapter-conformance.ts';
import { useSimulatorAndClient } from '../helpers/provider-simulator-setup.ts';
import { cannedHttp, sayHi, signal } from '../helpers/provider-test-kit.ts';
import type { UpstreamSimulator } from '../helpers/upstream-scenario.ts';
import { startVertexSimulator } from './vertex-simulator.ts';
import { startGoogleTokenServer, type GoogleTokenServer } from './vertex-token-server.ts';

// Both publishers on Vertex run the conformance suite against the one Vertex simulator.
const publishers: Array<{
  name: string;
  create: (options: { providerId: string; baseUrl: string; http: HttpClient; project: string; location: string; accessToken: string }) => ProviderAdapter;
  providerId: string;
  location: string;
  model: string;
  toolArgumentsStreamed?: boolean;
}> = [
  // Gemini sends each function call whole.
  { name: 'vertex (Gemini)', create: createVertexGeminiAdapter, providerId: 'vertex', location: 'us-central1', model: 'gemini-2.5-flash', toolArgumentsStreamed: false },
  { name: 'vertex (Claude)', create: createVertexAnthropicAdapter, providerId: 'vertex-anthropic', location: 'us-east5', model: 'claude-sonnet-4@20250514' },
];
for (const { create, providerId, location, ...publisher } of publishers) {
  runAdapterCases({
    ...publisher,
    startSimulator: () => startVertexSimulator(),
    createAdapter: ({ baseUrl, http, apiKey }) => create({ providerId, baseUrl, http, project: 'test-project', location, accessToken: apiKey }),
  });
}

/** Answers with a canned Gemini response, for URL checks without a server. */
const recordingHttp = () => cannedHttp(200, [JSON.stringify({ candidates: [{ content: { parts: [{ text: 'ok' }] }, finishReason: 'STOP' }] })]);

describe('vertex endpoints', () => {
  it('uses the regional host for a region and aiplatform.googleapis.com for global', async () => {
    expect(vertexBaseUrl('us-central1')).toBe('https://us-central1-aiplatform.googleapis.com/v1');
    expect(vertexBaseUrl('global')).toBe('https://aiplatform.googleapis.com/v1');
    const { http, requests } = recordingHttp();
    await createVertexGeminiAdapter({ providerId: 'vertex', http, project: 'my-proj', location: 'global', accessToken: 't' }).generate(sayHi('gemini-2.5-pro'), signal());
    await createVertexGeminiAdapter({ providerId: 'vertex', http, project: 'my-proj', location: 'europe-west4', accessToken: 't' }).generate(sayHi('gemini-2.5-pro'), signal());
    await createVertexGeminiAdapter({ providerId: 'vertex', http, project: 'my-proj', accessToken: 't' }).generate(
      sayHi('projects/my-proj/locations/us-central1/endpoints/1234567890'),
      signal(),
    );
    expect(requests.map((request) => request.url)).toEqual([
      'https://aiplatform.googleapis.com/v1/projects/my-proj/locations/global/publishers/google/models/gemini-2.5-pro:generateContent',
      'https://europe-west4-aiplatform.googleapis.com/v1/projects/my-proj/locations/europe-west4/publishers/google/models/gemini-2.5-pro:generateContent',
      'https://aiplatform.googleapis.com/v1/projects/my-proj/locations/us-central1/endpoints/1234567890:generateContent',
    ]);
  });

  it('refuses to build without a project or without credentials', () => {
    const { http } = recordingHttp();
    expect(() => createVertexGeminiAdapter({ providerId: 'vertex', http, accessToken: 't' })).toThrow(/needs a project/);
    expect(() => createVertexAnthropicAdapter({ providerId: 'vertex-anthropic', http, project: 'p' })).toThrow(/needs an access token or a service-account key/);
  });
});

describe('vertex adapters against the simulator', () => {
  let simulator: UpstreamSimulator;
  let http: HttpClient;
  const last = () => simulator.requests.at(-1)!;

  useSimulatorAndClient(() => startVertexSimulator(), (started) => ({ simulator, http } = started));

  it('calls Gemini at publishers/google with a bearer token and no API key', async () => {
    const adapter = createVertexGeminiAdapter({ providerId: 'vertex', baseUrl: simulator.baseUrl, http, project: 'test-project', location: 'us-central1', accessToken: 'ya29.given' });
    await adapter.generate(sayHi('gemini-2.5-flash'), signal());
    expect(last().url).toBe('/v1/projects/test-project/locations/us-central1/publishers/google/models/gemini-2.5-flash:generateContent');
    expect(last().headers.authorization).toBe('Bearer ya29.given');
    expect(last().headers['x-goog-api-key']).toBeUndefined();
    expect(last().body).toEqual({ contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] });
    await collect(adapter.stream(sayHi('gemini-2.5-flash'), signal()));
    expect(last().url).toBe('/v1/projects/test-project/locations/us-central1/publishers/google/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
  });

  it('calls Claude at publishers/anthropic with anthropic_version in the body and no model', async () => {
    const adapter = createVertexAnthropicAdapter({ providerId: 'vertex-anthropic', baseUrl: simulator.baseUrl, http, project: 'test-project', location: 'us-east5', accessToken: 'ya29.given', headers: { 'x-extra': 'yes' } });
    const result = await adapter.generate({ ...sayHi('claude-sonnet-4@20250514'), maxOutputTokens: 64 }, signal());
    expect(result).toMatchObject({ text: 'ok', model: 'claude-sonnet-4@20250514' });
    expect(last().url).toBe('/v1/projects/test-project/locations/us-east5/publishers/anthropic/models/claude-sonnet-4@20250514:rawPredict');
    expect(last().headers.authorization).toBe('Bearer ya29.given');
    expect(last().headers['x-extra']).toBe('yes');
    expect(last().headers['anthropic-version']).toBeUndefined();
    expect(last().body).toEqual({ anthropic_version: 'vertex-2023-10-16', max_tokens: 64, messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] });
    await collect(adapter.stream(sayHi('claude-sonnet-4@20250514'), signal()));
    expect(last().url).toMatch(/:streamRawPredict$/);
    expect(last().body).toMatchObject({ anthropic_version: 'vertex-2023-10-16', stream: true });
  });

  it("maps Vertex's own google.rpc.Status refusals and the model's Anthropic errors for Claude", async () => {
    const adapter = createVertexAnthropicAdapter({ providerId: 'vertex-anthropic', baseUrl: simulator.baseUrl, http, project: 'test-project', location: 'us-east5', accessToken: 't' });
    simulator.setScenario({ kind: 'error', status: 403, message: "Permission 'aiplatform.endpoints.predict' denied on resource" });
    await expect(adapter.generate(sayHi('claude-sonnet-4@20250514'), signal())).rejects.toMatchObject({ code: 'UPSTREAM_PERMISSION', upstreamCode: 'PERMISSION_DENIED' });
    simulator.setScenario({ kind: 'error', status: 529, message: 'Overloaded' });
    await expect(adapter.generate(sayHi('claude-sonnet-4@20250514'), signal())).rejects.toMatchObject({ code: 'OVERLOADED', upstreamCode: 'overloaded_error', message: 'Overloaded' });
  });
});

describe('vertex service-account authentication', () => {
  let tokens: GoogleTokenServer;
  let simulator: UpstreamSimulator;
  let http: HttpClient;
  let now: number;
  const clock = { now: () => now };

  beforeAll(async () => {
    tokens = await startGoogleTokenServer();
    simulator = await startVertexSimulator({ acceptToken: (token) => tokens.issued(token) });
    http = createUndiciHttpClient();
  });
  afterAll(async () => {
    await http.close();
    await simulator.close();
    await tokens.close();
  });
  beforeEach(() => {
    now = Date.parse('2025-06-01T12:00:00Z');
    tokens.setDelay(0);
    tokens.refuseWith(undefined);
    simulator.setScenario({ kind: 'text', chunks: ['ok'], usage: { input: 5, output: 1 } });
  });

  it('signs an RS256 assertion for the cloud-platform scope, addressed to the key file token_uri', async () => {
    const adapter = createVertexGeminiAdapter({ providerId: 'vertex', baseUrl: simulator.baseUrl, http, serviceAccountKey: JSON.stringify(tokens.key), clock });
    await adapter.generate(sayHi('gemini-2.5-flash'), signal());
    const assertion = tokens.assertions.at(-1)!;
    const iat = Math.floor(now / 1000);
    expect(assertion.header).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'simulated-key-1' });
    expect(assertion.claims).toEqual({
      iss: 'modelgraph@test-project.iam.gserviceaccount.com',
      scope: 'https://www.googleapis.com/auth/cloud-platform',
      aud: tokens.key.token_uri,
      iat,
      exp: iat + 3600,
    });
    // The project comes from the key's project_id.
    expect(simulator.requests.at(-1)!.url).toContain('/projects/test-project/locations/global/');
  });

  it('fetches one token for concurrent requests, reuses it, and fetches a new one when it nears expiry', async () => {
    const adapter = createVertexAnthropicAdapter({ providerId: 'vertex-anthropic', baseUrl: simulator.baseUrl, http, serviceAccountKey: tokens.key, location: 'us-east5', clock });
    tokens.setDelay(50);
    const before = tokens.exchanges();
    const results = await Promise.all(Array.from({ length: 5 }, () => adapter.generate(sayHi('claude-sonnet-4@20250514'), signal())));
    expect(results.every((result) => result.text === 'ok')).toBe(true);
    expect(tokens.exchanges()).toBe(before + 1);
    const firstToken = simulator.requests.at(-1)!.headers.authorization;
    expect(new Set(simulator.requests.slice(-5).map((request) => request.headers.authorization))).toEqual(new Set([firstToken]));

    // Still valid 50 minutes later (the token lives 3599 s; it is refreshed 5 minutes early).
    now += 50 * 60_000;
    await collect(adapter.stream(sayHi('claude-sonnet-4@20250514'), signal()));
    expect(tokens.exchanges()).toBe(before + 1);

    now += 6 * 60_000;
    await adapter.generate(sayHi('claude-sonnet-4@20250514'), signal());
    expect(tokens.exchanges()).toBe(before + 2);
    expect(simulator.requests.at(-1)!.headers.authorization).not.toBe(firstToken);
  });

  it('reports a refused key as UPSTREAM_AUTHENTICATION and tries again on the next request', async () => {
    const adapter = createVertexGeminiAdapter({ providerId: 'vertex', baseUrl: simulator.baseUrl, http, serviceAccountKey: tokens.key, clock });
    tokens.refuseWith({ status: 400, error: 'invalid_grant', description: 'Invalid grant: account not found' });
    const before = tokens.exchanges();
    await expect(adapter.generate(sayHi('gemini-2.5-flash'), signal())).rejects.toMatchObject({
      code: 'UPSTREAM_AUTHENTICATION',
      upstreamCode: 'invalid_grant',
      upstreamStatus: 400,
      provider: 'vertex',
      message: expect.stringContaining('Invalid grant: account not found'),
    });
    await expect(collect(adapter.stream(sayHi('gemini-2.5-flash'), signal()))).rejects.toMatchObject({ code: 'UPSTREAM_AUTHENTICATION' });
    tokens.refuseWith(undefined);
    expect((await adapter.generate(sayHi('gemini-2.5-flash'), signal())).text).toBe('ok');
    expect(tokens.exchanges()).toBe(before + 3);
  });

  it('is built by the registry from a key file for "vertex-anthropic" and from key JSON for "vertex"', async () => {
    expect(findProviderKind('vertex')).toMatchObject({ protocol: 'gemini', catalogId: 'google-vertex' });
    expect(findProviderKind('vertex-anthropic')).toMatchObject({ protocol: 'anthropic', catalogId: 'google-vertex-anthropic' });
    expect(isConfigured({ id: 'v', kind: 'vertex', accessToken: 't' })).toBe(false);
    expect(isConfigured({ id: 'v', kind: 'vertex', accessToken: 't', project: 'p' })).toBe(true);
    expect(isConfigured({ id: 'v', kind: 'vertex-anthropic', serviceAccountFile: '/keys/sa.json' })).toBe(true);
    const directory = mkdtempSync(join(tmpdir(), 'modelgraph-vertex-'));
    try {
      const file = join(directory, 'service-account.json');
      writeFileSync(file, JSON.stringify(tokens.key));
      const claude = createProviderAdapter({ id: 'vc', kind: 'vertex-anthropic', baseUrl: simulator.baseUrl, location: 'us-east5', serviceAccountFile: file }, http);
      expect((await claude.generate(sayHi('claude-sonnet-4@20250514'), signal())).text).toBe('ok');
      expect(simulator.requests.at(-1)!.url).toBe('/v1/projects/test-project/locations/us-east5/publishers/anthropic/models/claude-sonnet-4@20250514:rawPredict');
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
    const gemini = createProviderAdapter({ id: 'vg', kind: 'vertex', baseUrl: simulator.baseUrl, project: 'other-project', serviceAccountJson: JSON.stringify(tokens.key) }, http);
    expect((await gemini.generate(sayHi('gemini-2.5-flash'), signal())).text).toBe('ok');
    expect(simulator.requests.at(-1)!.url).toBe('/v1/projects/other-project/locations/global/publishers/google/models/gemini-2.5-flash:generateContent');
  });

  it('does not accept a token the token server never issued', async () => {
    const adapter = createVertexGeminiAdapter({ providerId: 'vertex', baseUrl: simulator.baseUrl, http, project: 'test-project', accessToken: 'ya29.forged' });
    await expect(adapter.generate(sayHi('gemini-2.5-flash'), signal())).rejects.toMatchObject({ code: 'UPSTREAM_AUTHENTICATION', upstreamStatus: 401 });
  });
});
