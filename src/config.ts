// Configuration: an optional YAML file plus environment variables, validated by zod.
// This is the only module that reads process.env.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isIP } from 'node:net';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { checkProvidersAndModels, recordOf, recordsOf, stringOf } from './config-cross-checks.ts';
import { INSTALL_ROOT } from './install-root.ts';
import { BUDGETS_WHEN_DATABASE_UNAVAILABLE, type BudgetsWhenDatabaseUnavailable } from './core/metering/metering-admission.ts';
import { ROUTER_ERROR_CODES, ROUTING_STRATEGIES } from './core/router/router-settings.ts';
import { providerSettingsSchema, type ProviderSettings } from './providers/provider-settings.ts';
import { findProviderKind } from './providers/registry.ts';
import { hostAndPort, metricsSchema, tracesUrlFrom, tracingSchema } from './config-telemetry.ts';
import { cacheConfigSchema, type CacheConfig } from './cache-config.ts';

function isAddressOrRange(value: string): boolean {
  const [address, prefix, ...rest] = value.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || rest.length > 0) return false;
  return prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}

const priceSchema = z
  .object({
    input: z.number().nonnegative().optional(),
    output: z.number().nonnegative().optional(),
    cacheRead: z.number().nonnegative().optional(),
    cacheWrite: z.number().nonnegative().optional(),
  })
  .strict();

const modelSchema = z
  .object({
    name: z.string().min(1),
    provider: z.string().min(1),
    model: z.string().min(1),
    weight: z.number().positive().optional(),
    priority: z.number().int().optional(),
    timeoutMs: z.number().int().positive().optional(),
    /** Prices in USD per 1M tokens; override the catalog's. */
    pricing: priceSchema.optional(),
    contextLength: z.number().int().positive().optional(),
    maxOutputTokens: z.number().int().positive().optional(),
    /** Requests and tokens per minute this deployment may take. */
    rpm: z.number().int().positive().optional(),
    tpm: z.number().int().positive().optional(),
    tags: z.array(z.string().min(1)).optional(),
    region: z.string().min(1).optional(),
  })
  .strict();

/** A model group's routing (router.groups.<name>) or every group's (routerDefaults); see core/router/router-settings.ts. */
const routerGroupSchema = z
  .object({
    strategy: z.enum(ROUTING_STRATEGIES).optional(),
    fallbacks: z.array(z.string().min(1)).optional(),
    contextWindowFallbacks: z.array(z.string().min(1)).optional(),
    contentPolicyFallbacks: z.array(z.string().min(1)).optional(),
    retries: z.partialRecord(z.enum(ROUTER_ERROR_CODES), z.number().int().nonnegative()).optional(),
    fallbackOn: z.partialRecord(z.enum(ROUTER_ERROR_CODES), z.boolean()).optional(),
    backoff: z.object({ initialMs: z.number().int().nonnegative().optional(), maxMs: z.number().int().nonnegative().optional() }).strict().optional(),
    cooldown: z
      .object({
        failures: z.number().int().positive().optional(),
        windowMs: z.number().int().positive().optional(),
        cooldownMs: z.number().int().nonnegative().optional(),
      })
      .strict()
      .optional(),
    timeouts: z
      .object({
        connectMs: z.number().int().positive().optional(),
        firstTokenMs: z.number().int().positive().optional(),
        idleMs: z.number().int().positive().optional(),
        totalMs: z.number().int().positive().optional(),
        requestMs: z.number().int().positive().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** Usage metering: batching of usage writes, the outage buffer, retention of raw events and budgets in an outage. */
const METERING_DEFAULTS = { flushIntervalMs: 250, bufferLimit: 100_000, budgetsWhenDatabaseUnavailable: 'serve' as const, budgetLeaseTtlMs: 30_000 };
const meteringSchema = z
  .object({
    /** The longest a usage record waits before it is written. */
    flushIntervalMs: z.number().int().positive().default(250),
    /** Usage records kept in memory while the database cannot be written. */
    bufferLimit: z.number().int().positive().default(100_000),
    /** Raw usage events older than this are deleted (daily rollups are kept); absent = kept forever. */
    retentionDays: z.number().int().positive().optional(),
    /** A request with a budget when the database cannot be reached: served unreserved, or refused (503). */
    budgetsWhenDatabaseUnavailable: z
      .enum(BUDGETS_WHEN_DATABASE_UNAVAILABLE, {
        error: (issue) => `expected ${BUDGETS_WHEN_DATABASE_UNAVAILABLE.map((value) => `"${value}"`).join(' or ')}, got ${JSON.stringify(issue.input)}`,
      })
      .default('serve'),
    /**
     * How long a budget lease of an instance that stopped renewing it (crashed, or cut from the
     * database) keeps its amount out of other instances' reach; see README, "Budgets".
     */
    budgetLeaseTtlMs: z.number().int().min(200).max(600_000).default(30_000),
  })
  .strict();

/** Limits and persisted operations of the GraphQL endpoint (see README, "GraphQL for frontend apps"). */
const graphqlSchema = z
  .object({
    maxDepth: z.number().int().positive().default(15),
    maxAliases: z.number().int().positive().default(30),
    maxTokens: z.number().int().positive().default(5000),
    maxCost: z.number().int().positive().default(50_000),
    /** Catalog browsing and GraphiQL rely on it; switch it off to hide the schema. */
    introspection: z.boolean().default(true),
    persistedOperations: z
      .object({
        mode: z.enum(['off', 'allowlist']).default('off'),
        /** JSON: `{ "<sha256>": "<document>" }` (GraphQL Code Generator) or `["<sha256>", ...]`. */
        file: z.string().optional(),
        /** In allowlist mode, also allow the web console's own operations. */
        allowConsole: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
  })
  .strict();

/**
 * Slow or silent clients, WebSocket handshakes, health checks and shutdown (see README,
 * "Operations"). Node's own defaults would let a slow upload hold a connection for 300 s.
 */
const SERVER_TIMEOUTS_SCHEMA = {
  /** The whole request head must arrive within this. */
  headersTimeoutMs: z.number().int().positive().default(20_000),
  /** The whole request, body included, must arrive within this; the response is not limited by it. */
  requestTimeoutMs: z.number().int().positive().default(60_000),
  /** A keep-alive connection waits this long for its next request. */
  keepAliveTimeoutMs: z.number().int().positive().default(5_000),
  /** A connection with no traffic for this long is closed, unless a response is being produced. */
  idleTimeoutMs: z.number().int().positive().default(120_000),
  /** A WebSocket must send connection_init within this (graphql-ws connectionInitWaitTimeout). */
  webSocketInitTimeoutMs: z.number().int().positive().default(3_000),
  /** On SIGTERM, how long in-flight requests and streams (SSE and WebSocket) may take to finish. */
  shutdownGraceMs: z.number().int().nonnegative().default(10_000),
  /** /health, /health/ready and the health query answer within about this, whatever the database does. */
  healthTimeoutMs: z.number().int().positive().default(2_000),
};

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
const logLevelSchema = z.enum(LOG_LEVELS, { error: (issue) => `expected one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(issue.input)}` });

/** Structured logs (README, "Logs"). */
const logSchema = z
  .object({
    /** LOG_LEVEL overrides it. */
    level: logLevelSchema.default('info'),
    /** `auto`: human-readable when stdout is a terminal, JSON lines otherwise. */
    format: z.enum(['auto', 'json', 'pretty']).default('auto'),
    /** Debugging only: the access log carries each request's body (prompts included), credentials redacted. */
    bodies: z.boolean().default(false),
  })
  .strict();

const fileSchema = z
  .object({
    server: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(4000),
        /** Larger REST/GraphQL bodies get 413; also the largest WebSocket message (larger: close 1009). */
        bodyLimitBytes: z.number().int().positive().default(4 * 1024 * 1024),
        ...SERVER_TIMEOUTS_SCHEMA,
        /** Absent: NODE_ENV=production means production, anything else development. */
        environment: z.enum(['production', 'development']).optional(),
        /** Absent: same-origin only in production, any origin in development. */
        cors: z.object({ origins: z.array(z.string()) }).strict().optional(),
        /** Reverse proxies (addresses or CIDR ranges) whose X-Forwarded-For is believed; false: none. */
        trustProxy: z.union([z.literal(false), z.array(z.string().refine(isAddressOrRange, 'an IP address or a CIDR range such as 10.0.0.0/8'))]).default(false),
      })
      .strict()
      .prefault({}),
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
export type ServerTimeouts = { [K in keyof typeof SERVER_TIMEOUTS_SCHEMA]: number };
export type ModelConfig = z.infer<typeof modelSchema>;
export type PriceConfig = z.infer<typeof priceSchema>;
export type RouterGroupConfig = z.infer<typeof routerGroupSchema>;

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
  tracing: { tracesUrl: string | undefined; serviceName: string };
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

/** The providers enabled by their standard API-key variables (each kind's `apiKeyEnv`) when no config file lists providers. */
export const ENVIRONMENT_PROVIDER_KINDS = ['openai', 'anthropic', 'gemini', 'groq', 'mistral', 'deepseek', 'xai', 'openrouter', 'together', 'fireworks', 'cohere'] as const;

type Env = Record<string, string | undefined>;

/** Providers enabled by the standard environment variables (used when the file lists none). */
function providersFromEnvironment(env: Env): ProviderConfig[] {
  const providers: ProviderConfig[] = [];
  for (const kind of ENVIRONMENT_PROVIDER_KINDS) {
    const key = (findProviderKind(kind)?.apiKeyEnv ?? []).map((name) => env[name]).find((value) => value !== undefined && value !== '');
    if (key) providers.push({ id: kind, kind, apiKey: key });
  }
  // AWS Bedrock and Google Vertex AI from their standard variables.
  const awsRegion = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (awsRegion && ((env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) || env.AWS_BEARER_TOKEN_BEDROCK)) {
    providers.push({
      id: 'bedrock',
      kind: 'bedrock',
      region: awsRegion,
      ...(env.AWS_ACCESS_KEY_ID ? { accessKeyId: env.AWS_ACCESS_KEY_ID } : {}),
      ...(env.AWS_SECRET_ACCESS_KEY ? { secretAccessKey: env.AWS_SECRET_ACCESS_KEY } : {}),
      ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
      ...(env.AWS_BEARER_TOKEN_BEDROCK ? { apiKey: env.AWS_BEARER_TOKEN_BEDROCK } : {}),
    });
  }
  if (env.GOOGLE_APPLICATION_CREDENTIALS && env.GOOGLE_CLOUD_PROJECT) {
    providers.push({
      id: 'vertex',
      kind: 'vertex',
      serviceAccountFile: env.GOOGLE_APPLICATION_CREDENTIALS,
      project: env.GOOGLE_CLOUD_PROJECT,
      ...(env.GOOGLE_CLOUD_LOCATION ? { location: env.GOOGLE_CLOUD_LOCATION } : {}),
    });
  }
  return providers;
}

/** Replaces `${NAME}` with the environment value; a missing variable is a problem naming the field. */
function interpolate(value: unknown, env: Env, path: string, problems: string[]): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
      const found = env[name];
      if (found === undefined) {
        problems.push(`${path}: environment variable ${name} is not set`);
        return '';
      }
      return found;
    });
  }
  if (Array.isArray(value)) return value.map((item, i) => interpolate(item, env, `${path}[${i}]`, problems));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, interpolate(item, env, path ? `${path}.${key}` : key, problems)]),
    );
  }
  return value;
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out ? `.${String(segment)}` : String(segment);
  }
  return out || '(root)';
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
    tracing: { tracesUrl, serviceName: env.OTEL_SERVICE_NAME || file.tracing.serviceName || 'modelgraph' },
    cache: file.cache,
    secretKey,
    redisUrl: env.REDIS_URL || undefined,
    configPath,
    version: options.version ?? '0.1.0',
  };
}

