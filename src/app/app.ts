// The composition root: the only place that wires concrete adapters, the database and servers.
import { join } from 'node:path';
import { randomFillSync } from 'node:crypto';
import { V7Generator } from 'uuidv7';
import type { AppConfig } from '../config.ts';
import { CompletionService } from '../core/completion-service.ts';
import { HealthProbe } from '../core/health.ts';
import { EmbeddingService } from '../core/embedding-service.ts';
import { systemClock, type Clock, type Logger, type HttpClient } from '../core/ports.ts';
import { TokenCountService } from '../core/token-count-service.ts';
import { CATALOG_CHANGES_TOPIC, ProviderAdminService } from '../core/provider-admin-service.ts';
import { createSecretBox } from '../core/secret-box.ts';
import { AdminService, KEY_CHANGES_TOPIC } from '../core/keys/admin-service.ts';
import { BUDGET_SHORTAGE_TOPIC } from '../core/metering/budget-shortage.ts';
import { hashKeySecret } from '../core/keys/api-key-secret.ts';
import { bootstrapMasterKey } from '../core/keys/bootstrap-master-key.ts';
import { FailedAuthLimiter } from '../core/keys/failed-auth-limiter.ts';
import { KeyAuthenticator } from '../core/keys/key-authenticator.ts';
import { createAuditLogRepository } from '../db/audit-log-repository.ts';
import { createKeyRepository } from '../db/key-repository.ts';
import { createTeamRepository } from '../db/team-repository.ts';
import { startResponseExpiry } from '../db/response-expiry.ts';
import { createResponseRepository } from '../db/response-repository.ts';
import { openDatabase, type Database } from '../db/client.ts';
import { createDeploymentRepository } from '../db/deployment-repository.ts';
import { createProviderRepository } from '../db/provider-repository.ts';
import type { GraphQLServices } from '../graphql/context.ts';
import { buildSchema } from '../graphql/schema.ts';
import { findProviderKind } from '../providers/registry.ts';
import { ProviderRuntime } from './provider-runtime.ts';
import { loadSecretKey } from './secret-key-file.ts';
import { createProviderCredentialRepository } from '../db/provider-credential-repository.ts';
import { knownSecrets, loggerFor } from './logger.ts';
import { createUndiciHttpClient } from '../providers/shared/http-client.ts';
import { startHttpServer, type RunningServer } from '../server/http-server.ts';
import { graphqlSecurity } from '../server/graphql-security.ts';
import { graphqlRequestLogging } from '../server/graphql-request-logging.ts';
import { redactJson } from '../core/redact-json.ts';
import { SecretScrubber } from '../core/secret-scrubber.ts';
import { loadPersistedOperations } from '../server/persisted-operations.ts';
import { CONSOLE_OPERATIONS_MANIFEST, createConsoleHandler } from '../server/console-static.ts';
import { createRestHandler } from '../http/create-rest-handler.ts';
import { createClientAddressResolver } from '../http/shared/client-address.ts';
import { createMeteringRuntime } from './metering-runtime.ts';
import { isFirstEmbeddedStart, startupSummary } from './startup-summary.ts';
import { combineTelemetry } from '../core/telemetry/request-telemetry.ts';
import { PrometheusMetrics } from '../observability/prometheus-metrics.ts';
import type { Tracing } from '../observability/tracing.ts';
import { metricsRoute, startMetricsServer } from '../server/metrics-routes.ts';
import { createResponseCache } from './create-response-cache.ts';
import type { ResponseCacheStore } from '../core/cache/response-cache-store.ts';
import { ResponseCacheAdmin } from '../core/cache/response-cache-admin.ts';

export interface AppDependencies {
  /** Injected for tests and benchmarks; defaults to undici keep-alive pools. */
  http?: HttpClient;
  clock?: Clock;
  /** Defaults to pino on stdout, configured by `log` (config.ts). */
  logger?: Logger;
  /** An already open database (tests share one); otherwise opened from config. */
  database?: Database;
  /** Tests: the response cache's store (a failing one); otherwise from `cache` in the config. */
  responseCacheStore?: ResponseCacheStore;
}

export interface App {
  start(): Promise<{ url: string; port: number }>;
  stop(): Promise<void>;
  readonly database: Database;
  readonly services: GraphQLServices;
  /** The address of `metrics.listen` once started (its port may have been chosen by the OS). */
  readonly metricsUrl: string | undefined;
}

export async function buildApp(config: AppConfig, dependencies: AppDependencies = {}): Promise<App> {
  const logger = dependencies.logger ?? (await loggerFor(config));
  const clock = dependencies.clock ?? systemClock;
  const ownsDatabase = !dependencies.database;
  logger.info(`modelgraph ${config.version} starting`);
  if (!dependencies.database && isFirstEmbeddedStart(config)) {
    logger.info(`First start: creating the embedded database in ${config.database.dataDir} (takes 5-15 s, once)`);
  }
  const database = dependencies.database ?? (await openDatabase({ url: config.database.url, dataDir: config.database.dataDir }));
  const migrations = await database.migrate();
  // Traces only when an OTLP endpoint is configured; the SDK is not even loaded otherwise.
  // Spans name providers by their kind, from the catalog built below.
  let catalogRef: { provider(id: string): { kind: string } | undefined } | undefined;
  const tracing: Tracing | undefined = config.tracing.tracesUrl
    ? (await import('../observability/tracing.ts')).startTracing({
        tracesUrl: config.tracing.tracesUrl,
        serviceName: config.tracing.serviceName,
        serviceVersion: config.version,
        providerKind: (id) => catalogRef?.provider(id)?.kind,
        captureContent: config.tracing.captureContent ? contentRedactor(new SecretScrubber(knownSecrets(config))) : undefined,
      })
    : undefined;
  const baseHttp = dependencies.http ?? createUndiciHttpClient({ responseLimitBytes: config.upstream.responseLimitBytes });
  const http = tracing ? tracing.propagatingHttpClient(baseHttp) : baseHttp;
  const ownsHttp = !dependencies.http;

  const providerRepository = createProviderRepository(database.db);
  const deploymentRepository = createDeploymentRepository(database.db);
  const credentialRepository = createProviderCredentialRepository(database.db);
  await providerRepository.syncFromConfig(
    config.providers.map((provider) => ({
      id: provider.id,
      name: provider.name ?? findProviderKind(provider.kind)?.name ?? provider.id,
      kind: provider.kind,
      baseUrl: provider.baseUrl ?? null,
      source: config.fromEnvironment ? 'environment' : 'config',
    })),
  );
  const secretBox = createSecretBox(await loadSecretKey(config));
  const runtime = await ProviderRuntime.create({ config, deployments: deploymentRepository, credentials: credentialRepository, secretBox, http, logger });
  const { catalog, deployments, adapters } = runtime;
  catalogRef = catalog;

  // uuidv7's default generator refills 8 random words per call or two; 1,024 at a time is the same
  // CSPRNG with a fraction of the calls.
  const ids = new V7Generator(bufferedRandom(1024));
  const newId = () => ids.generate().toString();
  // With Redis, every instance shares the router's cooldowns and rpm/tpm counters.
  // Redis modules are loaded only when Redis is configured.
  const health = config.redisUrl ? (await import('../redis/redis-deployment-health-store.ts')).createRedisDeploymentHealthStore(config.redisUrl) : undefined;
  const metering = await createMeteringRuntime({ config, database, clock, newId, logger });
  // Lookups are counted once `metrics` (below) exists: none happens before the server starts.
  const responseCache = await createResponseCache({ config: config.cache, redisUrl: config.redisUrl, database, clock, logger, onLookup: (result) => metrics?.responseCacheLookup(result), ...(dependencies.responseCacheStore ? { store: dependencies.responseCacheStore } : {}) });
  const completions = new CompletionService({
    deployments,
    adapters,
    clock,
    newId,
    router: config.router,
    admission: metering.admission,
    usage: metering.writer,
    ...(health ? { health } : {}),
    ...(responseCache ? { cache: responseCache.cache } : {}),
  });
  // Embeddings share the completions' router (strategies, retries, cooldowns and live stats per
  // deployment), admission (budgets, rate limits) and usage sink.
  const embeddings = new EmbeddingService({
    router: completions.router,
    adapters: runtime.embeddingAdapters,
    clock,
    newId,
    admission: metering.admission,
    usage: metering.writer,
    ...(responseCache ? { cache: responseCache.cache } : {}),
  });

  // Token counting resolves and authorizes models as completions do; it is not metered.
  const tokenCounts = new TokenCountService({ deployments, adapters, logger });

  const keys = createKeyRepository(database.db);
  const teams = createTeamRepository(database.db);
  const authenticator = new KeyAuthenticator({
    keys,
    teams,
    clock,
    limiter: new FailedAuthLimiter(clock, config.auth.maxFailedAttemptsPerMinute),
    masterKeyHash: config.adminKey ? hashKeySecret(config.adminKey) : null,
    cacheTtlMs: config.auth.keyCacheTtlSeconds * 1000,
    logger,
  });
  const clientAddress = createClientAddressResolver(config.server.trustedProxies);
  const audit = createAuditLogRepository(database.db);
  const admin = new AdminService({ keys, teams, audit, authenticator, changes: database.changes, clock, newId });
  const providerAdmin = new ProviderAdminService({
    deployments: deploymentRepository,
    declared: runtime.declared,
    credentials: credentialRepository,
    secretBox,
    audit,
    changes: database.changes,
    clock,
    newId,
    reload: () => runtime.reload(),
    isKnownKind: (kind) => findProviderKind(kind) !== undefined,
    providerExists: (id) => catalog.provider(id) !== undefined,
  });
  // Other instances' changes: drop cached keys (a team change can affect every key) or rebuild the catalog.
  // Each time the listener (re)connects, changes may have been missed: every cached key is dropped.
  const unsubscribeChanges = await database.changes.subscribe(
    (topic, id) => {
      if (topic === CATALOG_CHANGES_TOPIC) {
        runtime.reload().catch((error: unknown) => logger.error({ err: error }, 'catalog reload failed'));
      } else if (topic !== BUDGET_SHORTAGE_TOPIC) {
        // (A budget shortage is metering's business: it must not empty the key cache.)
        authenticator.invalidate(topic === KEY_CHANGES_TOPIC ? id : undefined);
      }
    },
    () => authenticator.invalidate(),
  );
  const generatedMasterKey = await bootstrapMasterKey(keys, config.adminKey);
  if (generatedMasterKey) {
    // Printed once (only its hash is stored), as plain text rather than a log entry: it must appear
    // whatever the log level, and the structured log never carries a secret.
    process.stdout.write(`Generated the admin (master) key; store it now, it is not shown again:\n  ${generatedMasterKey}\n`);
  }
  const startedAt = clock.now();
  const healthProbe = new HealthProbe({
    pingDatabase: () => database.ping(),
    timeoutMs: config.server.healthTimeoutMs,
    metering: () => metering.status(),
    meteringBufferLimit: config.metering.bufferLimit,
    configuredProviders: () => catalog.listProviders().filter((provider) => provider.configured).length,
    clock,
  });
  const services: GraphQLServices = {
    authenticator,
    admin,
    keys,
    teams,
    audit,
    providerAdmin,
    deploymentTable: deployments,
    catalog,
    providers: providerRepository,
    completions,
    embeddings,
    usage: metering.usage,
    usageFeed: metering.feed,
    budgets: metering.budgets,
    responseCacheAdmin: new ResponseCacheAdmin({ cache: responseCache?.cache, audit, clock, newId }),
    health: {
      version: config.version,
      databaseDriver: database.driver,
      startedAt,
      databaseReachable: () => healthProbe.databaseReachable(),
      readiness: () => healthProbe.readiness(),
      metering: () => metering.status(),
    },
  };
  const schema = buildSchema();
  // The access log; with `log.bodies` (debugging) each line carries the request body, credentials redacted.
  const bodyScrubber = config.log.bodies ? new SecretScrubber(knownSecrets(config)) : undefined;
  const redactBody = bodyScrubber ? contentRedactor(bodyScrubber) : undefined;
  const metrics = config.metrics.enabled
    ? new PrometheusMetrics({
        keyLabel: config.metrics.keyLabel,
        deploymentStates: () => completions.deploymentStates(),
        metering: () => metering.status(),
        leases: () => metering.leases(),
        databaseUnavailable: () => metering.admission.databaseUnavailable,
        clock,
      })
    : undefined;
  const telemetry = combineTelemetry([metrics, tracing?.telemetry]);
  const requestLogging = graphqlRequestLogging({ logger, clock, redactBody, telemetry });
  // Expired stored responses are invisible already; the sweep gives their rows back.
  const responseExpiry = config.responses.store ? startResponseExpiry({ db: database.db, clock, logger }) : null;
  const rest = createRestHandler({
    completions,
    embeddings,
    tokenCounts,
    authenticate: (credentials) => authenticator.authenticate(credentials),
    watch: (caller) => authenticator.watch(caller),
    clientAddress,
    catalog,
    bodyLimitBytes: config.server.bodyLimitBytes,
    corsOrigins: config.server.corsOrigins,
    responses: {
      store: config.responses.store ? createResponseRepository(database.db) : null,
      ttlMs: config.responses.ttlSeconds === undefined ? undefined : config.responses.ttlSeconds * 1000,
    },
    clock,
    logger,
    redactBody,
    telemetry,
  });
  // /metrics on the main port (admin or METRICS keys) unless metrics.listen gives it an address of its own.
  const metricsOnMainPort =
    metrics && !config.metrics.listen
      ? metricsRoute({ exposition: () => metrics.exposition(), authenticate: (credentials) => authenticator.authenticate(credentials), clientAddress: (request) => clientAddress(request) })
      : undefined;
  const restAndMetrics: typeof rest = metricsOnMainPort
    ? async (request, response, signal) => (await metricsOnMainPort(request, response)) || rest(request, response, signal)
    : rest;
  // In allowlist mode the console keeps working: its build lists the operations it sends.
  const persistedOperations = await loadPersistedOperations({
    mode: config.graphql.persistedOperations.mode,
    file: config.graphql.persistedOperations.file,
    optionalFiles:
      config.console.enabled && config.graphql.persistedOperations.allowConsole ? [join(config.console.distDir, CONSOLE_OPERATIONS_MANIFEST)] : [],
  });
  if (persistedOperations.mode === 'allowlist') logger.info(`GraphQL persisted operations: allowlist of ${persistedOperations.size} operation hashes`);
  const security = graphqlSecurity({
    corsOrigins: config.server.corsOrigins,
    limits: config.graphql,
    introspection: config.graphql.introspection,
    persistedOperations,
    bodyLimitBytes: config.server.bodyLimitBytes,
  });
  const consoleHandler = config.console.enabled ? await createConsoleHandler({ distDir: config.console.distDir, logger }) : undefined;
  let server: RunningServer | undefined;
  let metricsServer: { url: string; close(): Promise<void> } | undefined;

  return {
    database,
    services,
    get metricsUrl() {
      return metricsServer?.url;
    },
    async start() {
      server = await startHttpServer({
        schema,
        services,
        rest: restAndMetrics,
        security,
        ...(consoleHandler ? { console: consoleHandler } : {}),
        host: config.server.host,
        port: config.server.port,
        limits: config.server,
        requestLogging,
        logger,
        clientAddress,
        ...(tracing ? { requestContext: (request, run) => tracing.requestContext(request, run) } : {}),
      });
      if (metrics && config.metrics.listen) {
        metricsServer = await startMetricsServer({ ...config.metrics.listen, exposition: () => metrics.exposition() });
        logger.info(`metrics at ${metricsServer.url}/metrics (no authentication: keep this address private)`);
      }
      if (tracing) logger.info(`traces to ${new URL(config.tracing.tracesUrl!).origin} (OTLP/HTTP)`);
      const summary = startupSummary({
        config,
        migrations,
        providers: catalog.listProviders(),
        models: [...new Set(deployments.all().map((deployment) => deployment.modelName))].sort(),
      });
      for (const line of summary) logger.info(line);
      logger.info(`modelgraph ${config.version} listening on ${server.url}/graphql (database: ${database.driver})`);
      return { url: server.url, port: server.port };
    },
    async stop() {
      await server?.stop();
      await metricsServer?.close();
      // Before the database closes: settle reservations and write out buffered usage.
      await metering.stop();
      await responseExpiry?.stop();
      await unsubscribeChanges().catch(() => undefined);
      authenticator.sessions.close();
      await health?.close();
      await responseCache?.close();
      await tracing?.stop().catch((error: unknown) => logger.warn({ err: error }, 'traces could not be exported at shutdown'));
      if (ownsHttp) await http.close();
      if (ownsDatabase) await database.close();
    },
  };
}

/** Random 32-bit words from the system CSPRNG, fetched `size` at a time. */
function bufferedRandom(size: number): { nextUint32(): number } {
  const words = new Uint32Array(size);
  let cursor = size;
  return {
    nextUint32() {
      if (cursor >= size) {
        randomFillSync(words);
        cursor = 0;
      }
      return words[cursor++]!;
    },
  };
}

function contentRedactor(scrubber: SecretScrubber): (value: unknown) => unknown {
  return (value) => redactJson(value, scrubber);
}
