// The ports of the core: the interfaces outside services implement (providers, the database,
// Redis, the HTTP client, logging, clocks). Ports shared across the core sit here; a port that
// serves one concern sits beside the data it stores, in that concern's folder:
//   provider adapters, HTTP client, clock, logger, providers/deployments/credentials, change feed: here
//   embedding adapters ............................ embeddings.ts
//   admission, usage sink, usage feed ............. metering/metering-ports.ts
//   budgets (ledger, repository), budget leases ... metering/budgets.ts, metering/budget-lease-store.ts
//   rate limiter, usage reports ................... metering/rate-limits.ts, metering/usage-report.ts
//   keys, teams, audit log ........................ keys/types.ts
//   router health (breaker, rpm/tpm counters) ..... router/deployment-health-store.ts
//   stored responses (Responses API) .............. stored-responses.ts
//   secret box (sealing provider secrets) ......... secret-box.ts
import type { ChatRequest, ChatResult, StreamPart } from './types.ts';

/**
 * One wire protocol's implementation of chat completions. `stream` throws a GatewayError
 * (before yielding anything) when the upstream refuses the request, and yields an `error` part
 * when the stream breaks after it started. Both honour the AbortSignal by closing the upstream
 * connection.
 */
export interface ProviderAdapter {
  generate(request: ChatRequest, signal: AbortSignal): Promise<ChatResult>;
  stream(request: ChatRequest, signal: AbortSignal): AsyncIterable<StreamPart>;
  /**
   * The request's prompt tokens as the upstream's own counter gives them, without generating.
   * Only protocols with a counting endpoint (Anthropic's count_tokens) implement it; for the
   * others the token count service estimates.
   */
  countTokens?(request: ChatRequest, signal: AbortSignal): Promise<number>;
}

/**
 * A minimal HTTP client port used by every adapter and wrapped by tracing; injected so tests and
 * benchmarks can swap it. The undici implementation is providers/shared/http-client.ts.
 */
export interface HttpRequest {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string | Uint8Array;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: AsyncIterable<Uint8Array>;
  /** The whole body; past the client's responseLimitBytes the read stops with an UpstreamProtocolError. */
  text(): Promise<string>;
  /** Releases the connection: a finished body keeps it alive, an unfinished one closes it. */
  dump(): Promise<void>;
}

export interface HttpClient {
  request(request: HttpRequest): Promise<HttpResponse>;
  /**
   * The largest whole body, or single event of a stream, to accept from an upstream; stream
   * readers apply it per event. Absent: DEFAULT_UPSTREAM_RESPONSE_LIMIT_BYTES.
   */
  readonly responseLimitBytes?: number;
  close(graceMs?: number): Promise<void>;
}

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** Structured fields of a log entry; never a secret, a prompt or a completion. */
export type LogFields = Record<string, unknown>;

export interface LogMethod {
  (message: string): void;
  (fields: LogFields, message: string): void;
}

/** Structured logging (pino in the composition root, a recorder in tests). */
export interface Logger {
  debug: LogMethod;
  info: LogMethod;
  warn: LogMethod;
  error: LogMethod;
}

const ignore = (): void => undefined;
export const silentLogger: Logger = { debug: ignore, info: ignore, warn: ignore, error: ignore };

/** A provider as stored: the configured ones (from config, environment or admin mutations). */
export interface StoredProvider {
  id: string;
  name: string;
  kind: string;
  baseUrl: string | null;
  source: 'config' | 'environment' | 'admin';
}

export interface ProviderRepository {
  /** Rows for the given ids, in any order; missing ids are absent. One query per call. */
  findByIds(ids: readonly string[]): Promise<StoredProvider[]>;
  /** Makes the stored config/environment providers equal to `providers`; admin rows are kept. */
  syncFromConfig(providers: StoredProvider[]): Promise<void>;
}

/** A deployment as stored; prices are micro-USD per 1M tokens. */
export interface StoredDeployment {
  id: string;
  modelName: string;
  providerId: string;
  upstreamModel: string;
  weight: number;
  priority: number;
  timeoutMs: number | null;
  contextLength: number | null;
  maxOutputTokens: number | null;
  pricing: { input?: bigint; output?: bigint; cacheRead?: bigint; cacheWrite?: bigint; cacheWrite1h?: bigint } | null;
  rpm?: number | null;
  tpm?: number | null;
  tags?: string[] | null;
  region?: string | null;
  /** `config`: declared in this instance's config file, never stored; `admin`: stored and shared. */
  source: 'config' | 'admin';
}

/** The admin-created deployments, shared by every instance on the database (see deployment-ownership.ts). */
export interface DeploymentRepository {
  list(): Promise<StoredDeployment[]>;
  findById(id: string): Promise<StoredDeployment | null>;
  /** Inserts or updates (by id, else by name + provider + upstream model) an admin deployment. */
  upsertAdmin(deployment: Omit<StoredDeployment, 'id' | 'source'> & { id?: string | null }): Promise<StoredDeployment>;
  delete(id: string): Promise<boolean>;
}

/** Cross-instance change notifications (Postgres LISTEN/NOTIFY); in-process only on PGlite. */
export interface ChangeFeed {
  publish(topic: string, id: string): Promise<void>;
  /**
   * `onListen` runs each time the listener is (re)connected, the first time included: a
   * notification sent while it was disconnected is lost, so a subscriber's caches must resync then.
   */
  subscribe(handler: (topic: string, id: string) => void, onListen?: () => void): Promise<() => Promise<void>>;
}

export interface StoredCredential {
  providerId: string;
  kind: string;
  baseUrl: string | null;
  /** Sealed by the SecretBox; never leaves the server. */
  encryptedSecrets: string | null;
  settings: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

export interface ProviderCredentialRepository {
  list(): Promise<StoredCredential[]>;
  find(providerId: string): Promise<StoredCredential | null>;
  upsert(credential: Omit<StoredCredential, 'createdAt' | 'updatedAt'>): Promise<StoredCredential>;
  delete(providerId: string): Promise<boolean>;
}
