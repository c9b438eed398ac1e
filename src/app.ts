// The composition root: the only place that wires concrete adapters, the database and servers.
import { randomUUID } from 'node:crypto';
import type { AppConfig } from './config.ts';
import { CatalogService } from './core/catalog.ts';
import { CompletionService } from './core/completion-service.ts';
import { DeploymentTable } from './core/deployments.ts';
import { systemClock, type Clock, type ProviderAdapter, type StoredDeployment } from './core/ports.ts';
import { usdToMicro } from './core/money.ts';
import { openDatabase, type Database } from './db/client.ts';
import { createDeploymentRepository } from './db/deployment-repository.ts';
import { createProviderRepository } from './db/provider-repository.ts';
import type { GraphQLServices } from './graphql/context.ts';
import { buildSchema } from './graphql/schema.ts';
import { buildCatalog } from './providers/catalog/build-catalog.ts';
import { createProviderAdapter, findProviderKind, isConfigured, type ProviderSettings } from './providers/registry.ts';
import { createUndiciHttpClient, type HttpClient } from './providers/shared/http-client.ts';
import { startHttpServer, type RunningServer } from './server/http-server.ts';
import { createRestHandler } from './http/create-rest-handler.ts';

export interface AppDependencies {
  /** Injected for tests and benchmarks; defaults to undici keep-alive pools. */
  http?: HttpClient;
  clock?: Clock;
  logger?: (line: string) => void;
  /** An already open database (tests share one); otherwise opened from config. */
  database?: Database;
}

export interface App {
  start(): Promise<{ url: string; port: number }>;
  stop(): Promise<void>;
  readonly database: Database;
  readonly services: GraphQLServices;
}

function toPricingOverride(pricing: AppConfig['models'][number]['pricing']): StoredDeployment['pricing'] {
  if (!pricing) return null;
  return {
    ...(pricing.input !== undefined ? { input: usdToMicro(pricing.input) } : {}),
    ...(pricing.output !== undefined ? { output: usdToMicro(pricing.output) } : {}),
    ...(pricing.cacheRead !== undefined ? { cacheRead: usdToMicro(pricing.cacheRead) } : {}),
    ...(pricing.cacheWrite !== undefined ? { cacheWrite: usdToMicro(pricing.cacheWrite) } : {}),
  };
}

export async function buildApp(config: AppConfig, dependencies: AppDependencies = {}): Promise<App> {
  const log = dependencies.logger ?? ((line: string) => console.log(line));
  const clock = dependencies.clock ?? systemClock;
  const ownsDatabase = !dependencies.database;
  const database = dependencies.database ?? (await openDatabase({ url: config.database.url, dataDir: config.database.dataDir }));
  await database.migrate();
  const http = dependencies.http ?? createUndiciHttpClient();
  const ownsHttp = !dependencies.http;

  const providerRepository = createProviderRepository(database.db);
  const deploymentRepository = createDeploymentRepository(database.db);
  const settings: ProviderSettings[] = config.providers.map((provider) => ({
    id: provider.id,
    kind: provider.kind,
    baseUrl: provider.baseUrl,
    apiKey: provider.apiKey,
    headers: provider.headers,
    apiVersion: provider.apiVersion,
    mock: provider.mock,
  }));
  await providerRepository.syncFromConfig(
    config.providers.map((provider) => ({
      id: provider.id,
      name: provider.name ?? findProviderKind(provider.kind)?.name ?? provider.id,
      kind: provider.kind,
      baseUrl: provider.baseUrl ?? null,
      source: config.fromEnvironment ? 'environment' : 'config',
    })),
  );
  await deploymentRepository.syncFromConfig(
    config.models.map((model) => ({
      modelName: model.name,
      providerId: model.provider,
      upstreamModel: model.model,
      weight: model.weight ?? 1,
      priority: model.priority ?? 0,
      timeoutMs: model.timeoutMs ?? null,
      contextLength: model.contextLength ?? null,
      maxOutputTokens: model.maxOutputTokens ?? null,
      pricing: toPricingOverride(model.pricing),
      source: 'config',
    })),
  );

  const built = buildCatalog({
    providers: config.providers.map((provider, index) => ({ ...settings[index]!, name: provider.name })),
    deployments: await deploymentRepository.list(),
  });
  const catalog = new CatalogService(built.snapshot);
  const deployments = new DeploymentTable(catalog, built.deployments);
  const adapters = new Map<string, ProviderAdapter>();
  for (const provider of settings) {
    if (isConfigured(provider)) adapters.set(provider.id, createProviderAdapter(provider, http));
  }

  const completions = new CompletionService({ deployments, adapters, clock, newId: () => randomUUID() });
  const startedAt = clock.now();
  const services: GraphQLServices = {
    catalog,
    providers: providerRepository,
    completions,
    health: {
      status: 'OK',
      version: config.version,
      databaseDriver: database.driver,
      startedAt,
      databaseReachable: () =>
        database.ping().then(
          () => true,
          () => false,
        ),
    },
  };
  const schema = buildSchema();
  const rest = createRestHandler({
    completions,
    catalog,
    bodyLimitBytes: config.server.bodyLimitBytes,
    corsOrigins: config.server.corsOrigins,
    clock,
    logger: log,
  });
  let server: RunningServer | undefined;

  return {
    database,
    services,
    async start() {
      server = await startHttpServer({ schema, services, rest, host: config.server.host, port: config.server.port, logger: log });
      log(`modelgraph ${config.version} listening on ${server.url}/graphql (database: ${database.driver})`);
      return { url: server.url, port: server.port };
    },
    async stop() {
      await server?.stop();
      if (ownsHttp) await http.close();
      if (ownsDatabase) await database.close();
    },
  };
}
