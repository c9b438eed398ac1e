// Deployment exposes every price it routes with (input, output, cache read, cache write and one-hour write), so an admin
// client can show a deployment and send it back edited without losing a price.
import { describe, expect, it } from 'vitest';
import { testConfig } from '../helpers/test-app.ts';
import { useTestApp } from '../helpers/use-test-app.ts';

describe('Deployment prices', () => {
  const { app } = useTestApp({ config: () => testConfig({ providers: [{ id: 'sim', kind: 'mock' }] }) });

  it('answers the cache prices an admin set, beside input and output', async () => {
    const saved = await app.graphql(
      `mutation { upsertDeployment(input: { model: "priced", provider: "sim", upstreamModel: "mock-small", pricing: { input: "1", output: "2", cacheRead: "0.1", cacheWrite: "1.25", cacheWrite1h: "2" } }) {
        __typename ... on Deployment { id inputPrice outputPrice cacheReadPrice cacheWritePrice cacheWrite1hPrice } ... on Error { code message } } }`,
    );
    expect(saved.data.upsertDeployment).toMatchObject({ __typename: 'Deployment', inputPrice: '1', outputPrice: '2', cacheReadPrice: '0.1', cacheWritePrice: '1.25', cacheWrite1hPrice: '2' });
    const listed = await app.graphql('{ deployments(model: "priced") { inputPrice outputPrice cacheReadPrice cacheWritePrice cacheWrite1hPrice } }');
    expect(listed.data.deployments).toEqual([{ inputPrice: '1', outputPrice: '2', cacheReadPrice: '0.1', cacheWritePrice: '1.25', cacheWrite1hPrice: '2' }]);
  });
});
