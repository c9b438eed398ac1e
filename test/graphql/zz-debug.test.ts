import { it } from 'vitest';
import { databaseCases } from '../helpers/databases.ts';
import { startTestApp, testConfig } from '../helpers/test-app.ts';
it('debug', async () => {
  const database = await databaseCases[0]!.open();
  const app = await startTestApp(testConfig({ providers: [{ id: 'mock', kind: 'mock', mock: { tokensPerSecond: 50 } }] }), database);
  const orig = (app.app.services.completions as any).create.bind(app.app.services.completions);
  const r = await app.graphql(`mutation($inputs: [ChatCompletionInput!]!) { createChatCompletions(inputs: $inputs) { __typename ... on GatewayError { code } } }`, { inputs: [{ model: 'nope/nothing', messages: [{ role: 'USER', content: 'x' }] }] });
  console.log(JSON.stringify(r));
  await app.stop(); await database.close();
});
