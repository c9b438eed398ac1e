// Configuration: an optional YAML file plus environment variables, validated by zod.
// This is the only module that reads process.env. It composes the section schemas of src/config/
// (one file per section) into the file schema and turns file + environment into AppConfig.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { INSTALL_ROOT } from './install-root.ts';
import type { BudgetsWhenDatabaseUnavailable } from './core/metering/metering-admission.ts';
import { providerSettingsSchema, type ProviderSettings } from './providers/provider-settings.ts';
import { checkProvidersAndModels, recordOf, recordsOf, stringOf } from './config/cross-checks.ts';
import type { Env } from './config/env.ts';
import { providersFromEnvironment } from './config/environment-providers.ts';
import { graphqlSchema } from './config/graphql-schema.ts';
import { formatPath, interpolate } from './config/interpolate.ts';
import { logLevelSchema, logSchema, type LogLevel } from './config/log-schema.ts';
import { METERING_DEFAULTS, meteringSchema } from './config/metering-schema.ts';
import { modelSchema, routerGroupSchema, type ModelConfig, type RouterGroupConfig } from './config/model-schemas.ts';
import { serverSchema, type ServerTimeouts } from './config/server-schema.ts';
import { captureContentFrom, hostAndPort, metricsSchema, tracesUrlFrom, tracingSchema } from './config/telemetry-schema.ts';
import { cacheConfigSchema, type CacheConfig } from './config/cache-schema.ts';

const fileSchema = z
  .object({
    server: serverSchema.prefault({}),
    database: z
      .object({
        url: z.string().optional(),
        dataDir: z.string().default('./.modelgraph'),
      })
      .strict()
      .default({ dataDir: './.modelgraph' }),
    providers: z.array(providerSettingsSchema).default([]),
    models: z.array(modelSchema).default([]),
    routerDefaults: routerGroupSchema.optional(),
    router: z.object({ groups: z.record(z.string().min(1), routerGroupSchema).default({}) }).strict().default({ groups: {} }),
    auth: z
      .object({
        maxFailedAttemptsPerMinute: z.number().int().positive().default(20),
        /** A cached key is re-read after this long, so a lost change notification holds at most this long. */
        keyCacheTtlSeconds: z.number().positive().max(3600).default(30),
      })
      .strict()
      .prefault({}),
    metering: meteringSchema.default(METERING_DEFAULTS),
    graphql: graphqlSchema.prefault({}),
    /** What the gateway accepts from upstreams: a whole body, or one event of a stream, at most this long. */
    upstream: z.object({ responseLimitBytes: z.number().int().positive().default(32 * 1024 * 1024) }).strict().prefault({}),
    /** The web console at /console, built from console/ into console/dist at install time. */
    console: z.object({ enabled: z.boolean().default(true), distDir: z.string().optional() }).strict().prefault({}),
    /** POST /v1/responses: whether responses are stored (for previous_response_id and GET), and for how long. */
    responses: z
      .object({ store: z.boolean().default(true), ttlSeconds: z.number().int().positive().optional() })
      .strict()
      .prefault({}),
    log: logSchema.prefault({}),
    metrics: metricsSchema.prefault({}),
    tracing: tracingSchema.prefault({}),
    cache: cacheConfigSchema.prefault({}),
  })
  .strict();

export type ProviderConfig = ProviderSettings;

export interface AppConfig {
  server: {
    host: string;
    port: number;
    bodyLimitBytes: number;
    corsOrigins: string[];
    environment: 'production' | 'development';
    /** Proxies whose X-Forwarded-For names the client (addresses or CIDR ranges); empty: the socket's peer is the client. */
    trustedProxies: string[];
  } & ServerTimeouts;
  database: { url: string | undefined; dataDir: string };
  providers: ProviderConfig[];
  models: ModelConfig[];
  /** Routing per model group over `defaults` (the file's `routerDefaults` and `router.groups`). */
  router: { defaults?: RouterGroupConfig | undefined; groups: Record<string, RouterGroupConfig> };
  /** Providers enabled from standard environment variables (no config file providers given). */
  fromEnvironment: boolean;
  adminKey: string | undefined;
  auth: { maxFailedAttemptsPerMinute: number; keyCacheTtlSeconds: number };
  metering: {
    flushIntervalMs: number;
    bufferLimit: number;
    retentionDays?: number | undefined;
    budgetsWhenDatabaseUnavailable: BudgetsWhenDatabaseUnavailable;
    budgetLeaseTtlMs: number;
  };
  graphql: {
    maxDepth: number;
    maxAliases: number;
    maxTokens: number;
    maxCost: number;
    introspection: boolean;
    /** `file` is resolved against the working directory. */
    persistedOperations: { mode: 'off' | 'allowlist'; file: string | undefined; allowConsole: boolean };
  };
  console: { enabled: boolean; distDir: string };
  upstream: { responseLimitBytes: number };
  /** Stored Responses API responses; without `ttlSeconds` they are kept until deleted. */
  responses: { store: boolean; ttlSeconds?: number | undefined };
  log: { level: LogLevel; format: 'auto' | 'json' | 'pretty'; bodies: boolean };
  metrics: { enabled: boolean; listen: { host: string; port: number } | undefined; keyLabel: boolean };
  /** `tracesUrl` set: traces are on. */
  tracing: { tracesUrl: string | undefined; serviceName: string; captureContent: boolean };
  cache: CacheConfig;
  secretKey: string | undefined;
  redisUrl: string | undefined;
  configPath: string | undefined;
  version: string;
}

/** console/dist of the installation, wherever the process starts. */
const DEFAULT_CONSOLE_DIST = join(INSTALL_ROOT, 'console', 'dist');

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

export interface LoadConfigOptions {
  env?: Env;
  cwd?: string;
  version?: string;
}

export function loadConfig(options: LoadConfigOptions): AppConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const problems: string[] = [];

  let configPath: string | undefined;
  if (env.MODELGRAPH_CONFIG) {
    configPath = resolve(cwd, env.MODELGRAPH_CONFIG);
    if (!existsSync(configPath)) throw new ConfigError([`MODELGRAPH_CONFIG: file not found: ${configPath}`]);
  } else if (existsSync(resolve(cwd, 'modelgraph.yaml'))) {
    configPath = resolve(cwd, 'modelgraph.yaml');
  }

  let raw: unknown = {};
  if (configPath) {
    try {
      raw = parseYaml(readFileSync(configPath, 'utf8')) ?? {};
    } catch (error) {
      throw new ConfigError([`${configPath}: invalid YAML: ${(error as Error).message.split('\n')[0]}`]);
    }
  }
  raw = interpolate(raw, env, '', problems);
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) for (const issue of parsed.error.issues) problems.push(`${formatPath(issue.path)}: ${issue.message}`);
  // The checks below run even when the file failed its schema, on what can be read of it, so that
  // one start reports every problem (not the schema's first and the references' after a fix).
  const file = parsed.data;
  const readable = recordOf(raw);

  let port = file?.server.port ?? 4000;
  if (env.PORT !== undefined) {
    const value = Number(env.PORT);
    if (!Number.isInteger(value) || value < 0 || value > 65535) problems.push(`PORT: expected an integer port, got "${env.PORT}"`);
    else port = value;
  }
  const host = env.HOST ?? file?.server.host ?? '127.0.0.1';

  const listed = file ? file.providers : recordsOf(readable.providers);
  const fromEnvironment = listed.length === 0;
  const environmentProviders = fromEnvironment ? providersFromEnvironment(env) : [];
  checkProvidersAndModels(fromEnvironment ? environmentProviders : listed, file ? file.models : recordsOf(readable.models), problems);

  const databaseUrl = env.DATABASE_URL ?? (file ? file.database.url : stringOf(recordOf(readable.database).url));
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push(`${env.DATABASE_URL !== undefined ? 'DATABASE_URL' : 'database.url'}: expected a postgres:// URL`);
  }
  const secretKey = env.MODELGRAPH_SECRET_KEY;
  if (secretKey !== undefined && !/^[0-9a-fA-F]{64}$/.test(secretKey) && Buffer.from(secretKey, 'base64').length !== 32) {
    problems.push('MODELGRAPH_SECRET_KEY: expected 32 bytes as 64 hex characters or base64');
  }

  const persistedOperations = (file ? file.graphql : graphqlSchema.safeParse(readable.graphql ?? {}).data)?.persistedOperations;
  if (persistedOperations?.mode === 'allowlist' && !persistedOperations.file && !persistedOperations.allowConsole) {
    problems.push('graphql.persistedOperations.file: required in allowlist mode (or set allowConsole)');
  }

  if (file && file.server.headersTimeoutMs > file.server.requestTimeoutMs) {
    problems.push(`server.headersTimeoutMs: must not exceed server.requestTimeoutMs (${file.server.requestTimeoutMs})`);
  }
  const logLevel = env.LOG_LEVEL === undefined || env.LOG_LEVEL === '' ? undefined : logLevelSchema.safeParse(env.LOG_LEVEL.toLowerCase());
  if (logLevel && !logLevel.success) problems.push(`LOG_LEVEL: ${logLevel.error.issues[0]!.message}`);

  const tracesUrl = tracesUrlFrom(env, file?.tracing.endpoint, problems);
  const captureContent = captureContentFrom(env, file?.tracing.captureContent ?? false, problems);
  if (problems.length > 0 || !file || !persistedOperations) throw new ConfigError(problems);
  const providers = fromEnvironment ? environmentProviders : file.providers;

  const environment = file.server.environment ?? (env.NODE_ENV === 'production' ? 'production' : 'development');
  return {
    server: {
      host,
      port,
      bodyLimitBytes: file.server.bodyLimitBytes,
      headersTimeoutMs: file.server.headersTimeoutMs,
      requestTimeoutMs: file.server.requestTimeoutMs,
      keepAliveTimeoutMs: file.server.keepAliveTimeoutMs,
      idleTimeoutMs: file.server.idleTimeoutMs,
      webSocketInitTimeoutMs: file.server.webSocketInitTimeoutMs,
      shutdownGraceMs: file.server.shutdownGraceMs,
      healthTimeoutMs: file.server.healthTimeoutMs,
      corsOrigins: file.server.cors?.origins ?? (environment === 'production' ? [] : ['*']),
      environment,
      trustedProxies: file.server.trustProxy || [],
    },
    database: { url: databaseUrl, dataDir: resolve(cwd, env.MODELGRAPH_DATA_DIR ?? file.database.dataDir) },
    providers,
    models: file.models,
    router: { ...(file.routerDefaults ? { defaults: file.routerDefaults } : {}), groups: file.router.groups },
    fromEnvironment,
    adminKey: env.MODELGRAPH_ADMIN_KEY || undefined,
    auth: { maxFailedAttemptsPerMinute: file.auth.maxFailedAttemptsPerMinute, keyCacheTtlSeconds: file.auth.keyCacheTtlSeconds },
    metering: file.metering,
    graphql: {
      ...file.graphql,
      persistedOperations: { ...persistedOperations, file: persistedOperations.file === undefined ? undefined : resolve(cwd, persistedOperations.file) },
    },
    console: {
      enabled: file.console.enabled,
      distDir: file.console.distDir === undefined ? DEFAULT_CONSOLE_DIST : resolve(cwd, file.console.distDir),
    },
    upstream: file.upstream,
    responses: file.responses,
    log: { ...file.log, level: logLevel?.data ?? file.log.level },
    metrics: { enabled: file.metrics.enabled, listen: file.metrics.listen ? hostAndPort(file.metrics.listen) : undefined, keyLabel: file.metrics.keyLabel },
    tracing: { tracesUrl, serviceName: env.OTEL_SERVICE_NAME || file.tracing.serviceName || 'modelgraph', captureContent },
    cache: file.cache,
    secretKey,
    redisUrl: env.REDIS_URL || undefined,
    configPath,
    version: options.version ?? '0.1.0',
  };
}

