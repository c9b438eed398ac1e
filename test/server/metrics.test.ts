// GET /metrics as Prometheus scrapes it, after real requests through the gateway to a simulated
// upstream: a success, an upstream error, a budget refusal, a stream and a fallback; the text is
// parsed by a Prometheus text-format parser. And who may read it: an admin key or a key with the
// METRICS scope on the main port, anyone on `metrics.listen`, nobody when metrics are off.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/client.ts';
import { databaseCases } from '../helpers/databases.ts';
import { bearer, eventually } from '../helpers/metering.ts';
import { parseScrape, scrape, type Scrape } from '../helpers/prometheus-scrape.ts';
import { readSseEvents } from '../helpers/sse-events.ts';
import { startTestApp, testConfig, TEST_ADMIN_KEY, type TestApp } from '../helpers/test-app.ts';
import type { RecordedRequest, UpstreamSimulator } from '../helpers/upstream-scenario.ts';
import { startOpenAISimulator } from '../providers/openai-simulator.ts';

const FAILING_KEY = 'sk-failing-provider';
const USAGE = { input: 12, output: 7, cachedInput: 4, reasoning: 2 };
const admin = { authorization: `Bearer ${TEST_ADMIN_KEY}` };
const ROUTE = 'POST /v1/chat/completions';

function configFor(upstream: UpstreamSimulator, metrics: Partial<AppConfig['metrics']> = {}): AppConfig {
  const pricing = { input: 1, output: 2 };
  const base = testConfig();
  return testConfig({
    providers: [
      { id: 'sim', kind: 'openai', baseUrl: upstream.baseUrl, apiKey: 'sk-working-provider' },
      { id: 'sim-failing', kind: 'openai', baseUrl: upstream.baseUrl, apiKey: FAILING_KEY },
    ],
    models: [
      { name: 'chat', provider: 'sim', model: 'gpt-4o', pricing },
      { name: 'broken', provider: 'sim-failing', model: 'gpt-4o', pricing },
      { name: 'flaky', provider: 'sim-failing', model: 'gpt-4o', priority: 0, pricing },
      { name: 'flaky', provider: 'sim', model: 'gpt-4o', priority: 1, pricing },
    ],
    metrics: { ...base.metrics, ...metrics },
  });
}

describe('/metrics', () => {
  let database: Database;
  let app: TestApp;
  let upstream: UpstreamSimulator;

  beforeAll(async () => {
    upstream = await startOpenAISimulator();
    upstream.setScenario((request: RecordedRequest) =>
      String(request.headers.authorization) === `Bearer ${FAILING_KEY}`
        ? { kind: 'error', status: 500, message: 'upstream broke' }
        : { kind: 'text', chunks: ['one ', 'two ', 'three'], usage: USAGE, gapMs: 5 },
    );
    database = await databaseCases[0]!.open();
    app = await startTestApp(configFor(upstream), database);
  });
  afterAll(async () => {
    await app?.stop();
    await database?.close();
    await upstream?.close();
  });

  const complete = (model: string, secret = TEST_ADMIN_KEY, extra: Record<string, unknown> = {}) =>
    fetch(`${app.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(secret) },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hello' }], ...extra }),
    });
  const read = () => scrape(`${app.url}/metrics`, admin);
  /**
   * Runs `act` (one request) and returns the metrics before and after it. A request is counted when
   * its access line is complete, which may be just after the client has its response.
   */
  const around = async (act: () => Promise<void>): Promise<{ before: Scrape; after: Scrape; delta(name: string, labels?: Record<string, string>): number }> => {
    const before = await read();
    await act();
    let after = await read();
    await eventually(async () => {
      after = await read();
      return after.value('modelgraph_requests_total') > before.value('modelgraph_requests_total');
    });
    return { before, after, delta: (name, labels) => after.value(name, labels) - before.value(name, labels) };
  };

  it('counts a successful completion with its duration, gateway overhead, upstream time, tokens and cost', async () => {
    let cost = '';
    const { after, delta } = await around(async () => {
      const response = await complete('chat');
      expect(response.status).toBe(200);
      cost = ((await response.json()) as any).usage.cost;
    });
    expect(delta('modelgraph_requests_total', { route: ROUTE, model: 'chat', provider: 'sim', status: '200', error_type: 'none', fault: 'none' })).toBe(1);
    expect(delta('modelgraph_request_duration_seconds', { route: ROUTE, model: 'chat', provider: 'sim' })).toBe(1);
    expect(delta('modelgraph_gateway_overhead_seconds', { route: ROUTE })).toBe(1);
    expect(delta('modelgraph_upstream_duration_seconds', { model: 'chat', provider: 'sim', error_type: 'none' })).toBe(1);
    const tokens = (type: string) => delta('modelgraph_tokens_total', { model: 'chat', provider: 'sim', team: '', type });
    expect([tokens('input'), tokens('output'), tokens('cached_input'), tokens('reasoning')]).toEqual([USAGE.input, USAGE.output, USAGE.cachedInput, USAGE.reasoning]);
    // What the client was told it cost (USD), in micro-USD.
    expect(delta('modelgraph_cost_micro_usd_total', { model: 'chat', provider: 'sim', team: '' })).toBe(Math.round(Number(cost) * 1_000_000));
    // The overhead is below the whole request and resolved below a millisecond.
    const [overhead] = after.histogram('modelgraph_gateway_overhead_seconds', { route: ROUTE });
    expect(Object.keys(overhead!.buckets)).toContain('0.0001');
    const [duration] = after.histogram('modelgraph_request_duration_seconds', { route: ROUTE, model: 'chat', provider: 'sim' });
    expect(overhead!.sum).toBeGreaterThan(0);
    expect(overhead!.sum).toBeLessThan(duration!.sum);
    expect(after.families.get('modelgraph_gateway_overhead_seconds')?.type).toBe('HISTOGRAM');
  });

  it('counts an upstream error as the provider’s fault', async () => {
    const { delta } = await around(async () => {
      const response = await complete('broken');
      expect(response.status).toBe(502);
      await response.text();
    });
    expect(delta('modelgraph_requests_total', { route: ROUTE, model: 'broken', provider: 'sim-failing', status: '502', error_type: 'upstream_error', fault: 'provider' })).toBe(1);
    // Retried once (the default for upstream errors): two attempts, one of them a retry.
    expect(delta('modelgraph_upstream_duration_seconds', { model: 'broken', provider: 'sim-failing', error_type: 'upstream_error' })).toBe(2);
    expect(delta('modelgraph_retries_total', { model: 'broken', provider: 'sim-failing' })).toBe(1);
  });

  it('counts a budget refusal as policy, without an upstream call', async () => {
    const key = await app.createKey({ name: 'tiny budget', limits: { maxBudget: '0.000001' } });
    const { delta } = await around(async () => {
      const response = await complete('chat', key.secret, { max_tokens: 1000 });
      expect(response.status).toBe(402);
      await response.text();
    });
    expect(delta('modelgraph_requests_total', { route: ROUTE, error_type: 'budget_exceeded', fault: 'policy' })).toBe(1);
    expect(delta('modelgraph_upstream_duration_seconds')).toBe(0);
    expect(delta('modelgraph_gateway_overhead_seconds')).toBe(0);
  });

  it('observes a stream’s time to first token and the time between its chunks (one observation per gap), and its open stream while it runs', async () => {
    let during: Scrape | undefined;
    const { after, delta } = await around(async () => {
      upstream.setScenario({ kind: 'text', chunks: ['one ', 'two ', 'three'], usage: USAGE, gapMs: 150 });
      const response = await complete('chat', TEST_ADMIN_KEY, { stream: true, stream_options: { include_usage: true } });
      expect(response.status).toBe(200);
      const events = readSseEvents(response.body as unknown as AsyncIterable<Uint8Array>);
      await events.next();
      during = await read();
      for await (const _ of events);
    });
    upstream.setScenario((request: RecordedRequest) =>
      String(request.headers.authorization) === `Bearer ${FAILING_KEY}` ? { kind: 'error', status: 500, message: 'upstream broke' } : { kind: 'text', chunks: ['one ', 'two ', 'three'], usage: USAGE, gapMs: 5 },
    );
    expect(during!.value('modelgraph_open_streams', { transport: 'http' })).toBe(1);
    await eventually(async () => (await read()).value('modelgraph_open_streams') === 0);
    expect(delta('modelgraph_time_to_first_token_seconds', { model: 'chat', provider: 'sim' })).toBe(1);
    // Three chunks 150 ms apart: two gaps.
    expect(delta('modelgraph_inter_token_seconds', { model: 'chat', provider: 'sim' })).toBe(2);
    const [interToken] = after.histogram('modelgraph_inter_token_seconds', { model: 'chat', provider: 'sim' });
    expect(interToken!.sum).toBeGreaterThan(0.25);
  });

  it('counts a fallback to another deployment, and each attempt’s outcome', async () => {
    const { delta } = await around(async () => {
      const response = await complete('flaky');
      expect(response.status).toBe(200);
      await response.json();
    });
    expect(delta('modelgraph_requests_total', { route: ROUTE, model: 'flaky', provider: 'sim', status: '200', error_type: 'none' })).toBe(1);
    expect(delta('modelgraph_fallbacks_total', { model: 'flaky', provider: 'sim' })).toBe(1);
    expect(delta('modelgraph_upstream_duration_seconds', { model: 'flaky', provider: 'sim-failing', error_type: 'upstream_error' })).toBe(1);
    expect(delta('modelgraph_upstream_duration_seconds', { model: 'flaky', provider: 'sim', error_type: 'none' })).toBe(1);
  });

  it('reports router, usage writer, budget and process state', async () => {
    const metrics = await read();
    expect(metrics.value('modelgraph_deployment_up', { model: 'chat', provider: 'sim' })).toBe(1);
    expect(metrics.families.has('modelgraph_usage_records_buffered')).toBe(true);
    expect(metrics.families.get('modelgraph_usage_records_written_total')?.type).toBe('COUNTER');
    expect(metrics.families.has('modelgraph_budget_leases')).toBe(true);
    expect(metrics.families.has('modelgraph_budget_database_unavailable_admissions_total')).toBe(true);
    expect(metrics.families.has('process_cpu_seconds_total')).toBe(true);
    expect(metrics.families.has('nodejs_eventloop_lag_seconds')).toBe(true);
  });

  it('answers an admin key or a METRICS key, refuses others with a typed error', async () => {
    const inference = await app.createKey({ name: 'inference only' });
    const metricsKey = await app.createKey({ name: 'scraper', scopes: ['METRICS'] });
    const noKey = await fetch(`${app.url}/metrics`);
    expect(noKey.status).toBe(401);
    expect(((await noKey.json()) as any).error.code).toBeTruthy();
    const refused = await fetch(`${app.url}/metrics`, { headers: bearer(inference.secret) });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as any).error).toMatchObject({ message: expect.stringContaining('METRICS') });
    const allowed = await fetch(`${app.url}/metrics`, { headers: bearer(metricsKey.secret) });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('content-type')).toContain('text/plain');
    expect(parseScrape(await allowed.text()).families.has('modelgraph_requests_total')).toBe(true);
  });
});

describe('/metrics protection settings', () => {
  let database: Database;
  let upstream: UpstreamSimulator;
  beforeAll(async () => {
    upstream = await startOpenAISimulator();
    database = await databaseCases[0]!.open();
  });
  afterAll(async () => {
    await database?.close();
    await upstream?.close();
  });

  it('metrics.listen: served on its own address without a key, not on the main port', async () => {
    const app = await startTestApp(configFor(upstream, { listen: { host: '127.0.0.1', port: 0 } }), database);
    try {
      const mainPort = await fetch(`${app.url}/metrics`, { headers: admin });
      expect(mainPort.status).toBe(404);
      await mainPort.text();
      const url = app.app.metricsUrl;
      expect(url).toBeTruthy();
      const metrics = await scrape(`${url}/metrics`);
      expect(metrics.families.has('modelgraph_requests_total')).toBe(true);
      expect((await fetch(`${url}/other`)).status).toBe(404);
    } finally {
      await app.stop();
    }
  });

  it('metrics.enabled: false: no /metrics at all', async () => {
    const app = await startTestApp(configFor(upstream, { enabled: false }), database);
    try {
      const response = await fetch(`${app.url}/metrics`, { headers: admin });
      expect(response.status).toBe(404);
      await response.text();
    } finally {
      await app.stop();
    }
  });
});
