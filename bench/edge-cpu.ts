// Gateway CPU per request of each edge, interleaved: REST, the GraphQL mutation as an API client
// sends it (the JSON POST fast lane) and the same mutation from a browser page (yoga's pipeline,
// same-origin Origin header), REST and the mutation with a budgeted virtual key (issue #18), in alternating blocks against one modelgraph process. Every edge is
// measured in the same windows, so a busy machine slows them alike and the ratios hold where the
// end-to-end runs of `npm run bench` cannot (a machine shared with other work).
// Usage: npm run bench:edges [-- --rounds=12 --block=200 --concurrency=1 --gateway-root=<checkout> --compare-root=<checkout> --database-url=postgres://... --observability]
import { Agent, request } from 'node:http';
import { benchModel, graphQLMutationBody, mockAnswer, openAIRequestBody } from './bench-wire.ts';
import { provisionVirtualKey, startModelgraph } from './modelgraph-gateway.ts';
import { startOtlpSink } from './otlp-sink.ts';
import { observabilityVariants } from './plan.ts';
import { cpuMicroseconds } from './process-stats.ts';
import { loadCore, nodeScript, startService, type Service } from './services.ts';
import { spread } from './statistics.ts';

const median = (values: number[]) => spread(values)!.median;

const argument = (name: string, fallback: string) => process.argv.find((value) => value.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const rounds = Number(argument('rounds', '12'));
const block = Number(argument('block', '200'));
const concurrency = Number(argument('concurrency', '1'));
const gatewayRoot = process.argv.find((value) => value.startsWith('--gateway-root='))?.slice('--gateway-root='.length);
/**
 * --observability: the cost of logs, metrics and traces (issue #19) instead of the edges: REST on
 * three gateways that differ only in them, as shipped (logs at info, metrics on, tracing off), with
 * them off (logs silent, metrics off) and with tracing on (to a local OTLP sink that discards).
 */
const observability = process.argv.includes('--observability');
/**
 * --compare-root=<checkout>: two builds instead of the edges: REST and the GraphQL mutation on this
 * tree (or --gateway-root) and on another checkout (a commit before a change), interleaved in the
 * same rounds, so a change is measured against its parent on a busy machine.
 */
const compareRoot = process.argv.find((value) => value.startsWith('--compare-root='))?.slice('--compare-root='.length);
/** A Postgres database to run on (as deployed); PGlite in a temporary directory when absent. */
const databaseUrl = process.argv.find((value) => value.startsWith('--database-url='))?.slice('--database-url='.length);

interface Edge {
  name: string;
  /** The gateway answering this edge (its base URL and process). */
  gateway: { url: URL; pid: number };
  path: string;
  headers: Record<string, string>;
  body: string;
}

const services: Service[] = [];
let closeSink: (() => Promise<void>) | undefined;
try {
  const mock = await startService({ name: 'mock upstream', command: nodeScript('bench/mock-upstream.ts'), core: loadCore, ready: { pattern: /listening (\d+)/ } });
  services.push(mock);
  const gateway = await startModelgraph({ upstreamPort: mock.port, ...(gatewayRoot ? { gatewayRoot } : {}), ...(databaseUrl ? { databaseUrl } : {}) });
  services.push(gateway);
  const url = new URL(gateway.url);
  const main = { url, pid: gateway.pid };
  const auth = { authorization: `Bearer ${gateway.adminKey}`, 'content-type': 'application/json' };
  const edges: Edge[] = [{ name: 'REST /v1/chat/completions', gateway: main, path: '/v1/chat/completions', headers: auth, body: openAIRequestBody(false) }];
  if (observability) {
    edges[0]!.name = 'REST, as shipped (logs info, metrics on, tracing off)';
    const sink = await startOtlpSink();
    closeSink = () => sink.close();
    for (const variant of observabilityVariants) {
      const other = await startModelgraph({ upstreamPort: mock.port, ...(gatewayRoot ? { gatewayRoot } : {}), ...(databaseUrl ? { databaseUrl } : {}), variant: { env: variant.env(sink.url), config: variant.config } });
      services.push(other);
      edges.push({ name: `REST${variant.label}`, gateway: { url: new URL(other.url), pid: other.pid }, path: '/v1/chat/completions', headers: { ...auth, authorization: `Bearer ${other.adminKey}` }, body: openAIRequestBody(false) });
    }
  } else if (compareRoot) {
    if (databaseUrl) throw new Error('--compare-root runs both builds on PGlite (two schemas cannot share one database): drop --database-url');
    const other = await startModelgraph({ upstreamPort: mock.port, gatewayRoot: compareRoot });
    services.push(other);
    const otherGateway = { url: new URL(other.url), pid: other.pid };
    const otherAuth = { ...auth, authorization: `Bearer ${other.adminKey}` };
    edges[0]!.name = 'REST, this tree';
    edges.push(
      { name: 'GraphQL mutation, this tree', gateway: main, path: '/graphql', headers: { ...auth, accept: 'application/json' }, body: graphQLMutationBody() },
      { name: `REST, ${compareRoot}`, gateway: otherGateway, path: '/v1/chat/completions', headers: otherAuth, body: openAIRequestBody(false) },
      { name: `GraphQL mutation, ${compareRoot}`, gateway: otherGateway, path: '/graphql', headers: { ...otherAuth, accept: 'application/json' }, body: graphQLMutationBody() },
    );
  } else {
    const virtualKey = await provisionVirtualKey(gateway);
    const budgeted = virtualKey ? { ...auth, authorization: `Bearer ${virtualKey}` } : null;
    const graphql = (name: string, headers: Record<string, string>): Edge => ({ name, gateway: main, path: '/graphql', headers: { ...headers, accept: 'application/json' }, body: graphQLMutationBody() });
    edges.push(
      ...(budgeted ? [{ name: 'REST, virtual key + budget', gateway: main, path: '/v1/chat/completions', headers: budgeted, body: openAIRequestBody(false) }] : []),
      graphql('GraphQL mutation (API client)', auth),
      graphql('GraphQL mutation (browser page, yoga)', { ...auth, origin: url.origin }),
      ...(budgeted ? [graphql('GraphQL mutation (API client), virtual key + budget', budgeted)] : []),
    );
  }
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency * 4 });
  const send = (edge: Edge) =>
    new Promise<void>((resolve, reject) => {
      const call = request({ host: edge.gateway.url.hostname, port: edge.gateway.url.port, method: 'POST', path: edge.path, agent, headers: { ...edge.headers, 'content-length': Buffer.byteLength(edge.body) } }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          if (response.statusCode !== 200 || !text.includes(mockAnswer)) reject(new Error(`${edge.name}: ${response.statusCode} ${text.slice(0, 200)}`));
          else resolve();
        });
      });
      call.on('error', reject);
      call.end(edge.body);
    });
  const runBlock = async (edge: Edge) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < block) {
          next += 1;
          await send(edge);
        }
      }),
    );
  };
  // Warm-up: every edge's code paths compiled before anything is counted.
  for (const edge of edges) for (let index = 0; index < 3; index += 1) await runBlock(edge);
  const samples = new Map<string, number[]>(edges.map((edge) => [edge.name, []]));
  const wall = new Map<string, number[]>(edges.map((edge) => [edge.name, []]));
  for (let round = 0; round < rounds; round += 1) {
    // Rotating order: no edge always follows the same one.
    for (let offset = 0; offset < edges.length; offset += 1) {
      const edge = edges[(round + offset) % edges.length]!;
      const cpuBefore = cpuMicroseconds(edge.gateway.pid);
      const started = performance.now();
      await runBlock(edge);
      wall.get(edge.name)!.push(((performance.now() - started) * 1000) / block);
      samples.get(edge.name)!.push((cpuMicroseconds(edge.gateway.pid) - cpuBefore) / block);
    }
  }
  const rest = median(samples.get(edges[0]!.name)!);
  console.log(`\nmodelgraph${gatewayRoot ? ` from ${gatewayRoot}` : ''} on ${databaseUrl ? 'Postgres' : 'PGlite'}, model ${benchModel}, ${rounds} rounds of ${block} requests per edge, ${concurrency} connection(s)\n`);
  console.log(`| edge | gateway CPU µs/request, median [min–max] | vs ${edges[0]!.name} | wall µs/request (median) |`);
  console.log('| --- | ---: | ---: | ---: |');
  for (const edge of edges) {
    const values = samples.get(edge.name)!;
    const cpu = median(values);
    console.log(`| ${edge.name} | ${cpu.toFixed(0)} [${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)}] | ${(cpu / rest).toFixed(2)}× | ${median(wall.get(edge.name)!).toFixed(0)} |`);
  }
  agent.destroy();
} finally {
  for (const service of services.reverse()) await service.stop().catch(() => undefined);
  await closeSink?.();
}
