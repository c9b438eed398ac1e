import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import { databaseCases } from '../helpers/databases.ts';
import { startTestApp, testConfig, type TestApp } from '../helpers/test-app.ts';

describe.each(databaseCases)('catalog queries over HTTP ($name)', ({ open }) => {
  let database: Database;
  let app: TestApp;
  let providerQueries = 0;

  beforeAll(async () => {
    database = await open();
    app = await startTestApp(
      testConfig({
        providers: [
          { id: 'openai', kind: 'openai', apiKey: 'sk-test' },
          { id: 'anthropic', kind: 'anthropic', apiKey: 'sk-ant' },
          { id: 'mock', kind: 'mock' },
        ],
        models: [{ name: 'house-chat', provider: 'anthropic', model: 'claude-3-7-sonnet-20250219', pricing: { input: 2 } }],
      }),
      database,
    );
    const repository = app.app.services.providers;
    const original = repository.findByIds.bind(repository);
    repository.findByIds = (ids) => {
      providerQueries++;
      return original(ids);
    };
  });
  afterAll(async () => {
    await app?.stop();
    await database?.close();
  });

  it('lists models with prices as decimal USD strings, filtered by capability', async () => {
    const { data, errors } = await app.graphql(`{
      models(filter: { provider: "openai", capabilities: [TOOLS, VISION] }, first: 500) {
        edges { node { id capabilities pricing { input output cacheRead } contextLength routable provider { id configured } } }
      }
    }`);
    expect(errors).toBeUndefined();
    const nodes = data.models.edges.map((e: any) => e.node);
    expect(nodes.length).toBeGreaterThan(3);
    for (const node of nodes) {
      expect(node.id.startsWith('openai/')).toBe(true);
      expect(node.capabilities).toEqual(expect.arrayContaining(['TOOLS', 'VISION']));
      expect(node.routable).toBe(true);
      expect(node.provider).toEqual({ id: 'openai', configured: true });
    }
    const gpt41 = nodes.find((n: any) => n.id === 'openai/gpt-4.1');
    expect(gpt41.pricing.input).toMatch(/^\d+(\.\d{1,6})?$/);
    expect(Number(gpt41.pricing.input)).toBeGreaterThan(0);
  });

  it('paginates with first/after and keeps the order', async () => {
    const query = `query($after: String) { models(first: 5, after: $after, orderBy: { field: ID }) {
      edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`;
    const first = await app.graphql(query);
    const second = await app.graphql(query, { after: first.data.models.pageInfo.endCursor });
    const ids = [...first.data.models.edges, ...second.data.models.edges].map((e: any) => e.node.id);
    expect(ids).toHaveLength(10);
    expect(new Set(ids).size).toBe(10);
    expect([...ids].sort()).toEqual(ids);
    expect(first.data.models.pageInfo.hasNextPage).toBe(true);
  });

  it('filters by price, context length, search and configuredOnly, and sorts by price', async () => {
    const { data } = await app.graphql(`{
      models(filter: { maxInputPrice: "1", minContextLength: 100000, configuredOnly: true }, orderBy: { field: INPUT_PRICE, direction: DESC }, first: 200) {
        edges { node { id contextLength pricing { input } routable } }
      }
    }`);
    const nodes = data.models.edges.map((e: any) => e.node);
    expect(nodes.length).toBeGreaterThan(0);
    const prices = nodes.map((n: any) => Number(n.pricing.input));
    expect(prices.every((p: number) => p <= 1)).toBe(true);
    expect([...prices].sort((a, b) => b - a)).toEqual(prices);
    expect(nodes.every((n: any) => n.contextLength >= 100000 && n.routable)).toBe(true);
    const search = await app.graphql(`{ models(filter: { search: "sonnet", provider: "anthropic" }, first: 50) { edges { node { id name } } } }`);
    expect(search.data.models.edges.length).toBeGreaterThan(0);
    for (const edge of search.data.models.edges) expect(`${edge.node.id} ${edge.node.name}`.toLowerCase()).toContain('sonnet');
  });

  it('shows configured names with their price override, and unconfigured providers as not routable', async () => {
    const { data } = await app.graphql(`{
      model(id: "house-chat") { id upstreamModel pricing { input output } provider { id } routable }
      groq: models(filter: { provider: "groq" }, first: 1) { edges { node { routable provider { configured } } } }
      mock: models(filter: { provider: "mock" }) { edges { node { id simulated } } }
    }`);
    expect(data.model).toEqual({
      id: 'house-chat',
      upstreamModel: 'claude-3-7-sonnet-20250219',
      pricing: { input: '2', output: '15' },
      provider: { id: 'anthropic' },
      routable: true,
    });
    expect(data.groq.edges[0].node).toEqual({ routable: false, provider: { configured: false } });
    expect(data.mock.edges.map((e: any) => e.node)).toEqual([
      { id: 'mock/mock-large', simulated: true },
      { id: 'mock/mock-small', simulated: true },
    ]);
  });

  it('loads the providers of a page of 100 models with one batched lookup', async () => {
    providerQueries = 0;
    const { data } = await app.graphql(`{ models(first: 100) { edges { node { id provider { id name } } } } }`);
    expect(data.models.edges).toHaveLength(100);
    expect(new Set(data.models.edges.map((e: any) => e.node.provider.id)).size).toBeGreaterThan(1);
    expect(providerQueries).toBe(1);
  });

  it('lists providers with their kind, protocol and configuration, and answers health', async () => {
    const { data } = await app.graphql(`{
      providers(first: 200) { edges { node { id kind protocol configured supports { chat embeddings } } } }
      provider(id: "anthropic") { id protocol configured models(first: 2) { edges { node { id } } } }
      health { status databaseDriver databaseReachable version uptimeSeconds }
    }`);
    const providers = data.providers.edges.map((e: any) => e.node);
    expect(providers.length).toBeGreaterThanOrEqual(30);
    expect(providers.find((p: any) => p.id === 'groq')).toEqual({ id: 'groq', kind: 'groq', protocol: 'OPENAI', configured: false, supports: { chat: true, embeddings: false } });
    expect(providers.find((p: any) => p.id === 'cohere')).toMatchObject({ protocol: 'COHERE', supports: { chat: true, embeddings: true } });
    expect(data.provider.configured).toBe(true);
    expect(data.provider.models.edges).toHaveLength(2);
    expect(data.health.status).toBe('OK');
    expect(data.health.databaseDriver).toBe(database.driver.toUpperCase());
    expect(data.health.databaseReachable).toBe(true);
  });
});
