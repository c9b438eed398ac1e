import { Agent } from 'node:http';
import { startService, nodeScript, loadCore, pinProcess } from './services.ts';
import { startModelgraph } from './modelgraph-gateway.ts';
import { openAISseStream, graphQLSseStream, connectGraphQLWs, graphQLWsStream } from './stream-clients.ts';
import { openAIRequestBody, graphQLSubscriptionPayload } from './bench-wire.ts';
pinProcess(process.pid, loadCore);
const mock = await startService({ name: 'mock', command: nodeScript('bench/mock-upstream.ts'), core: loadCore, ready: { pattern: /listening (\d+)/ } });
await fetch(`${mock.url}/__bench/config`, { method: 'POST', body: JSON.stringify({ ttftMs: 20, chunks: 5, gapMs: 5 }) });
const mg = await startModelgraph({ upstreamPort: mock.port });
const agent = new Agent({ keepAlive: true });
const j = { 'content-type': 'application/json' };
const ws = await connectGraphQLWs(`${mg.url.replace('http', 'ws')}/graphql`, {});
for (let round = 0; round < 3; round++) {
  const row: Record<string, string> = {};
  for (const [name, fn] of [
    ['direct', () => openAISseStream({ url: `${mock.url}/v1/chat/completions`, headers: j, body: openAIRequestBody(true), agent, timeoutMs: 5000 })],
    ['rest', () => openAISseStream({ url: `${mg.url}/v1/chat/completions`, headers: j, body: openAIRequestBody(true), agent, timeoutMs: 5000 })],
    ['gql-sse', () => graphQLSseStream({ url: `${mg.url}/graphql`, headers: { ...j, accept: 'text/event-stream' }, body: JSON.stringify(graphQLSubscriptionPayload()), agent, timeoutMs: 5000 })],
    ['gql-ws', () => graphQLWsStream(ws, graphQLSubscriptionPayload(), 5000)],
  ] as const) {
    const ts: number[] = [];
    for (let i = 0; i < 10; i++) { const o = await fn(); ts.push(o.ttftMs!); if (!o.finished) console.log(name, o); }
    ts.sort((a, b) => a - b);
    row[name] = `${ts[5]!.toFixed(1)} (${ts[0]!.toFixed(1)}–${ts[9]!.toFixed(1)})`;
  }
  console.log(row);
}
await ws.dispose(); agent.destroy();
await mg.stop(); await mock.stop();
