// modelgraph as users run it (`npm start`: scripts/build.mjs, then `node dist/main.js`) in a child
// process with a generated config file (one OpenAI-kind provider pointing at the mock upstream,
// one model), on a fresh Postgres database (DATABASE_URL) or PGlite in a temporary data directory
// (MODELGRAPH_DATA_DIR), PORT chosen by the OS.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchModel, openAIRequestBody } from './bench-wire.ts';
import { gatewayCore, repositoryRoot, startService, tsxLoader, type Service } from './services.ts';
import { freePort } from '../test/helpers/free-port.ts';

export interface ModelgraphOptions {
  upstreamPort: number;
  /** Postgres instead of PGlite (DATABASE_URL); PGlite alone keeps ~650 MB resident. */
  databaseUrl?: string;
  /** Another checkout to run from (to compare a change against the same floor). */
  gatewayRoot?: string;
  /** Write a V8 CPU profile (node --cpu-prof) into this directory when the process exits. */
  cpuProfileDirectory?: string;
  /** An observability variant (plan.ts): its environment and config lines. */
  variant?: { env: Record<string, string>; config: string };
}

export interface ModelgraphGateway extends Service {
  /** The admin (master) key the gateway was started with (MODELGRAPH_ADMIN_KEY): every scope, no limits. */
  adminKey: string;
  /** Whether POST /v1/chat/completions (the REST edge, built in src/http/) answers 200. */
  restAvailable: boolean;
  /** Why REST is not measured, when it is not. */
  restNote: string | null;
  /** Whether the checkout has the response cache (enabled in its config: the `+cache` target). */
  responseCacheAvailable: boolean;
}

export function modelgraphConfig(upstreamPort: number, options: { responseCache: boolean; extra?: string | undefined }): string {
  return [
    'providers:',
    `  - { id: upstream, kind: openai, baseUrl: "http://127.0.0.1:${upstreamPort}/v1", apiKey: x }`,
    'models:',
    `  - { name: ${benchModel}, provider: upstream, model: ${benchModel} }`,
    // No default TTL: only the requests that ask (the `+cache` target) are cached.
    ...(options.responseCache ? ['cache: { enabled: true }'] : []),
    options.extra ?? '',
    '',
  ].join('\n');
}

export async function startModelgraph(options: ModelgraphOptions): Promise<ModelgraphGateway> {
  const directory = mkdtempSync(join(tmpdir(), 'modelgraph-bench-'));
  const configPath = join(directory, 'modelgraph.yaml');
  // A checkout from before the response cache (--gateway-root) rejects a `cache` section (the config is strict).
  const responseCacheAvailable = existsSync(join(options.gatewayRoot ?? repositoryRoot, 'src', 'config', 'cache-schema.ts'));
  writeFileSync(configPath, modelgraphConfig(options.upstreamPort, { responseCache: responseCacheAvailable, extra: options.variant?.config }));
  // A variant may silence the logs, and with them the "listening" line: it is polled on a fixed port.
  const port = options.variant ? await freePort() : 0;
  const adminKey = `mg-bench-${randomBytes(24).toString('hex')}`;
  const profileArguments = options.cpuProfileDirectory ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDirectory}`] : [];
  const service = await startService({
    name: 'modelgraph',
    command: [
      process.execPath,
      ...profileArguments,
      ...(process.env.MG_BENCH_NODE_FLAGS ? process.env.MG_BENCH_NODE_FLAGS.split(' ') : []),
      ...entryArguments(options.gatewayRoot ?? repositoryRoot),
    ],
    core: gatewayCore,
    cwd: directory,
    env: {
      // As deployed; graphql-js also skips its development-only checks (instanceOf) then.
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      MODELGRAPH_CONFIG: configPath,
      MODELGRAPH_DATA_DIR: join(directory, 'data'),
      MODELGRAPH_ADMIN_KEY: adminKey,
      ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
      ...options.variant?.env,
    },
    ready: options.variant ? { port, path: '/health/live' } : { pattern: /listening on http:\/\/[^\s:]+:(\d+)/ },
    timeoutMs: 120_000,
  });
  const restStatus = await probeRest(service.url, adminKey);
  return {
    ...service,
    adminKey,
    responseCacheAvailable,
    restAvailable: restStatus === 200,
    restNote:
      restStatus === 200
        ? null
        : restStatus === 404
          ? 'not built yet (POST /v1/chat/completions answers 404)'
          : `POST /v1/chat/completions answered ${restStatus ?? 'nothing'}`,
    async stop() {
      await service.stop();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/**
 * What `npm start` runs in that checkout: the build (scripts/build.mjs), then dist/main.js. A
 * checkout from before the build step (given with --gateway-root) runs src/main.ts through tsx.
 */
function entryArguments(root: string): string[] {
  const buildScript = join(root, 'scripts', 'build.mjs');
  if (!existsSync(buildScript)) return ['--import', tsxLoader, join(root, 'src', 'main.ts')];
  execFileSync(process.execPath, [buildScript], { cwd: root, stdio: 'inherit' });
  return [join(root, 'dist', 'main.js')];
}

/** The REST edge is being built; until it lands the route answers 404 and REST targets are skipped. */
async function probeRest(url: string, key: string): Promise<number | null> {
  try {
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: openAIRequestBody(false),
    });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return null;
  }
}

// HOOK(virtual-keys): the `+key` targets. The modelgraph targets above use the admin (master) key,
// which skips limits; these use an INFERENCE key with a budget, so admission (budget reserve and
// settle), limits and metering are on the measured path. The budget is far above what a run spends
// (the mock's model has no price, so nothing is charged; raise it or set pricing in
// modelgraphConfig to exercise spending). Returns null, and the targets are reported as not
// measured, when the gateway has no key API.
export async function provisionVirtualKey(gateway: ModelgraphGateway): Promise<string | null> {
  const query = `mutation BenchKey($input: CreateApiKeyInput!) {
    createApiKey(input: $input) { __typename ... on ApiKeyWithSecret { secret } ... on GatewayError { code message } }
  }`;
  const variables = {
    input: { name: 'bench', scopes: ['INFERENCE'], limits: { maxBudget: '1000000', budgetPeriod: 'MONTHLY' } },
  };
  try {
    const response = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${gateway.adminKey}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: { createApiKey?: { secret?: string } } };
    return body.data?.createApiKey?.secret ?? null;
  } catch {
    return null;
  }
}
