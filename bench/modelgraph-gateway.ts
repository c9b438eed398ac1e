// modelgraph as users run it: `src/main.ts` in a child process with a generated config file
// (one OpenAI-kind provider pointing at the mock upstream, one model), PGlite in a temporary
// data directory (MODELGRAPH_DATA_DIR), DATABASE_URL unset, PORT chosen by the OS.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchModel, openAIRequestBody } from './bench-wire.ts';
import { gatewayCore, repositoryRoot, startService, tsxLoader, type Service } from './services.ts';

export interface ModelgraphOptions {
  upstreamPort: number;
  /** Postgres instead of PGlite (DATABASE_URL); PGlite alone keeps ~650 MB resident. */
  databaseUrl?: string;
  /** Another checkout to run src/main.ts from (to compare a change against the same floor). */
  gatewayRoot?: string;
  /** Write a V8 CPU profile (node --cpu-prof) into this directory when the process exits. */
  cpuProfileDirectory?: string;
}

export interface ModelgraphGateway extends Service {
  /** Whether POST /v1/chat/completions (the REST edge, built in src/http/) answers 200. */
  restAvailable: boolean;
  /** Why REST is not measured, when it is not. */
  restNote: string | null;
}

export function modelgraphConfig(upstreamPort: number): string {
  return [
    'providers:',
    `  - { id: upstream, kind: openai, baseUrl: "http://127.0.0.1:${upstreamPort}/v1", apiKey: x }`,
    'models:',
    `  - { name: ${benchModel}, provider: upstream, model: ${benchModel} }`,
    '',
  ].join('\n');
}

export async function startModelgraph(options: ModelgraphOptions): Promise<ModelgraphGateway> {
  const directory = mkdtempSync(join(tmpdir(), 'modelgraph-bench-'));
  const configPath = join(directory, 'modelgraph.yaml');
  writeFileSync(configPath, modelgraphConfig(options.upstreamPort));
  const profileArguments = options.cpuProfileDirectory ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDirectory}`] : [];
  const service = await startService({
    name: 'modelgraph',
    command: [process.execPath, ...profileArguments, '--import', tsxLoader, join(options.gatewayRoot ?? repositoryRoot, 'src', 'main.ts')],
    core: gatewayCore,
    cwd: directory,
    env: {
      // As deployed; graphql-js also skips its development-only checks (instanceOf) then.
      NODE_ENV: 'production',
      PORT: '0',
      HOST: '127.0.0.1',
      MODELGRAPH_CONFIG: configPath,
      MODELGRAPH_DATA_DIR: join(directory, 'data'),
      ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    },
    ready: { pattern: /listening on http:\/\/[^\s:]+:(\d+)/ },
    timeoutMs: 120_000,
  });
  const restStatus = await probeRest(service.url);
  return {
    ...service,
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

/** The REST edge is being built; until it lands the route answers 404 and REST targets are skipped. */
async function probeRest(url: string): Promise<number | null> {
  try {
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer x' },
      body: openAIRequestBody(false),
    });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return null;
  }
}

// HOOK(virtual-keys): when API keys and budgets land, provision one here and return its secret;
// run.ts then adds the `rest+key` and `graphql+key` targets, which send it as `Authorization: Bearer`.
// Expected shape: start the gateway with MODELGRAPH_ADMIN_KEY set, call the key-creating mutation
// (e.g. `createApiKey(input: { name: "bench", budget: { limitUsd: "1000000" } })`) with the admin key,
// and return the new key's secret. Until then this returns null and those targets are reported as
// not measured.
export async function provisionVirtualKey(_gateway: ModelgraphGateway): Promise<string | null> {
  return null;
}
