// The drizzle schema shared by both drivers (postgres.js and PGlite). Migrations in drizzle/ are
// generated from this file with `npm run db:generate`.
import { sql } from 'drizzle-orm';
import { bigint, boolean, date, doublePrecision, index, integer, jsonb, pgTable, primaryKey, text, timestamp, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
};

/** Where a row came from: the config file, the standard environment variables, or an admin mutation. */
export type RowSource = 'config' | 'environment' | 'admin';

export const providers = pgTable('providers', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  kind: text('kind').notNull(),
  baseUrl: text('base_url'),
  source: text('source').$type<RowSource>().notNull(),
  ...timestamps,
});

/** Prices in integer micro-USD per 1M tokens, kept as strings in JSON so no precision is lost. */
export interface DeploymentPricingJson {
  input?: string;
  output?: string;
  cacheRead?: string;
  cacheWrite?: string;
  cacheWrite1h?: string;
}

/** A deployment: one public model name served by one provider's upstream model. Repeated names form a group. */
export const deployments = pgTable(
  'deployments',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    modelName: text('model_name').notNull(),
    providerId: text('provider_id').notNull(),
    upstreamModel: text('upstream_model').notNull(),
    weight: doublePrecision('weight').notNull().default(1),
    priority: integer('priority').notNull().default(0),
    timeoutMs: integer('timeout_ms'),
    contextLength: integer('context_length'),
    maxOutputTokens: integer('max_output_tokens'),
    pricing: jsonb('pricing').$type<DeploymentPricingJson>(),
    rpmLimit: integer('rpm_limit'),
    tpmLimit: integer('tpm_limit'),
    tags: jsonb('tags').$type<string[]>(),
    region: text('region'),
    source: text('source').$type<RowSource>().notNull(),
    ...timestamps,
  },
  (table) => [
    uniqueIndex('deployments_name_provider_model_unique').on(table.modelName, table.providerId, table.upstreamModel),
    index('deployments_provider_idx').on(table.providerId),
  ],
);

export type BudgetPeriod = 'DAILY' | 'WEEKLY' | 'MONTHLY' | 'LIFETIME';

/** Budget and rate-limit columns shared by keys and teams (enforced by metering). */
const limits = {
  maxBudgetMicro: bigint('max_budget_micro', { mode: 'bigint' }),
  budgetPeriod: text('budget_period').$type<BudgetPeriod>(),
  rpmLimit: integer('rpm_limit'),
  tpmLimit: integer('tpm_limit'),
  maxParallelRequests: integer('max_parallel_requests'),
};

export const teams = pgTable('teams', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  name: text('name').notNull().unique(),
  /** Null: any model. */
  allowedModels: jsonb('allowed_models').$type<string[]>(),
  metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default({}),
  /** The response cache's default TTL for the team's deterministic requests; null: the gateway's. */
  cacheTtlSeconds: integer('cache_ttl_seconds'),
  ...limits,
  ...timestamps,
});

export const users = pgTable('users', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  email: text('email').notNull().unique(),
  name: text('name'),
  ...timestamps,
});

export type TeamRole = 'OWNER' | 'ADMIN' | 'MEMBER';

export const teamMembers = pgTable(
  'team_members',
  {
    teamId: uuid('team_id').notNull().references(() => teams.id, { onDelete: 'cascade' }),
    userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    role: text('role').$type<TeamRole>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.teamId, table.userId] }), index('team_members_user_idx').on(table.userId)],
);

export type KeyScope = 'ADMIN' | 'INFERENCE' | 'READ_USAGE' | 'METRICS';

/** API keys: only a SHA-256 hash of the secret and a short display prefix are stored. */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    name: text('name').notNull(),
    secretHash: text('secret_hash').notNull(),
    displayPrefix: text('display_prefix').notNull(),
    /** After a rotation, the old secret stays valid until previousValidUntil. */
    previousSecretHash: text('previous_secret_hash'),
    previousValidUntil: timestamp('previous_valid_until', { withTimezone: true }),
    isMaster: boolean('is_master').notNull().default(false),
    teamId: uuid('team_id').references(() => teams.id, { onDelete: 'restrict' }),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
    scopes: jsonb('scopes').$type<KeyScope[]>().notNull(),
    allowedModels: jsonb('allowed_models').$type<string[]>(),
    modelAliases: jsonb('model_aliases').$type<Record<string, string>>().notNull().default({}),
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default({}),
    /** The response cache's default TTL for the key's deterministic requests; null: the team's. */
    cacheTtlSeconds: integer('cache_ttl_seconds'),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    disabled: boolean('disabled').notNull().default(false),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    ...limits,
    ...timestamps,
  },
  (table) => [
    uniqueIndex('api_keys_secret_hash_unique').on(table.secretHash),
    index('api_keys_previous_secret_hash_idx').on(table.previousSecretHash),
    index('api_keys_team_idx').on(table.teamId),
    index('api_keys_user_idx').on(table.userId),
  ],
);

/** Provider credentials added through admin mutations; the key is AES-256-GCM encrypted. */
export const providerCredentials = pgTable('provider_credentials', {
  providerId: text('provider_id').primaryKey(),
  kind: text('kind').notNull(),
  baseUrl: text('base_url'),
  /** iv (12 bytes) | tag (16 bytes) | ciphertext, base64. */
  encryptedSecrets: text('encrypted_secrets'),
  settings: jsonb('settings').$type<Record<string, unknown>>().notNull().default({}),
  ...timestamps,
});

export const auditLog = pgTable(
  'audit_log',
  {
    id: uuid('id').primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actorKeyId: uuid('actor_key_id'),
    actorName: text('actor_name'),
    action: text('action').notNull(),
    targetType: text('target_type').notNull(),
    targetId: text('target_id'),
    before: jsonb('before'),
    after: jsonb('after'),
  },
  (table) => [index('audit_log_at_idx').on(table.at), index('audit_log_target_idx').on(table.targetType, table.targetId)],
);

// Metering: one row per request, daily rollups maintained with every batch, budgets and their spend.

export type UsageEventStatus = 'SUCCESS' | 'ERROR' | 'CANCELLED';

/** One request's usage. `id` is the generation id (UUIDv7, so time-ordered: keyset pages by id). */
export const usageEvents = pgTable(
  'usage_events',
  {
    id: uuid('id').primaryKey(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    /** Text, not uuid: the environment master key's id is `master`. */
    keyId: text('key_id'),
    teamId: uuid('team_id'),
    userId: uuid('user_id'),
    endUser: text('end_user'),
    requestedModel: text('requested_model').notNull(),
    model: text('model'),
    deploymentId: text('deployment_id'),
    providerId: text('provider_id'),
    upstreamModel: text('upstream_model'),
    inputTokens: integer('input_tokens').notNull(),
    outputTokens: integer('output_tokens').notNull(),
    cachedInputTokens: integer('cached_input_tokens').notNull(),
    cacheWriteTokens: integer('cache_write_tokens').notNull(),
    reasoningTokens: integer('reasoning_tokens').notNull(),
    costMicro: bigint('cost_micro', { mode: 'bigint' }).notNull(),
    latencyMs: integer('latency_ms').notNull(),
    timeToFirstTokenMs: integer('time_to_first_token_ms'),
    status: text('status').$type<UsageEventStatus>().notNull(),
    errorCode: text('error_code'),
    attempts: jsonb('attempts').$type<unknown[]>().notNull(),
    streamed: boolean('streamed').notNull(),
    cancelledByClient: boolean('cancelled_by_client').notNull(),
    requestId: text('request_id'),
    /** Answered from the response cache, without an upstream call. */
    cacheHit: boolean('cache_hit').notNull().default(false),
  },
  (table) => [index('usage_events_created_at_idx').on(table.createdAt), index('usage_events_key_id_idx').on(table.keyId, table.id)],
);

/**
 * Spend and tokens per UTC day and key, team, user, end user, model and provider, added to in the
 * statement that inserts the events (never recomputed by scanning them). `model` is the model that
 * served, or the requested one when none did.
 */
export const usageDaily = pgTable(
  'usage_daily',
  {
    day: date('day', { mode: 'string' }).notNull(),
    keyId: text('key_id'),
    teamId: uuid('team_id'),
    userId: uuid('user_id'),
    endUser: text('end_user'),
    model: text('model').notNull(),
    providerId: text('provider_id'),
    requests: bigint('requests', { mode: 'number' }).notNull(),
    failedRequests: bigint('failed_requests', { mode: 'number' }).notNull(),
    /** Hits of the response cache and other requests are rolled up apart (the usage filter and grouping by cacheHit). */
    cacheHit: boolean('cache_hit').notNull().default(false),
    cacheHits: bigint('cache_hits', { mode: 'number' }).notNull().default(0),
    inputTokens: bigint('input_tokens', { mode: 'number' }).notNull(),
    outputTokens: bigint('output_tokens', { mode: 'number' }).notNull(),
    cachedInputTokens: bigint('cached_input_tokens', { mode: 'number' }).notNull(),
    cacheWriteTokens: bigint('cache_write_tokens', { mode: 'number' }).notNull(),
    reasoningTokens: bigint('reasoning_tokens', { mode: 'number' }).notNull(),
    costMicro: bigint('cost_micro', { mode: 'bigint' }).notNull(),
  },
  (table) => [
    unique('usage_daily_group_unique')
      .on(table.day, table.keyId, table.teamId, table.userId, table.endUser, table.model, table.providerId, table.cacheHit)
      .nullsNotDistinct(),
    index('usage_daily_key_day_idx').on(table.keyId, table.day),
  ],
);

export type BudgetScope = 'KEY' | 'TEAM' | 'USER' | 'END_USER';

/** Budgets of users and end users (key and team budgets are columns of api_keys and teams). */
export const budgets = pgTable(
  'budgets',
  {
    scope: text('scope').$type<'USER' | 'END_USER'>().notNull(),
    scopeId: text('scope_id').notNull(),
    amountMicro: bigint('amount_micro', { mode: 'bigint' }).notNull(),
    period: text('period').$type<BudgetPeriod>().notNull(),
    ...timestamps,
  },
  (table) => [primaryKey({ columns: [table.scope, table.scopeId] })],
);

/** Spend per budget and period: reserved before each upstream call, settled to the actual cost after. */
export const budgetSpend = pgTable(
  'budget_spend',
  {
    scope: text('scope').$type<BudgetScope>().notNull(),
    scopeId: text('scope_id').notNull(),
    /** The period's first instant (UTC); 1970-01-01 for LIFETIME budgets. */
    periodStart: timestamp('period_start', { withTimezone: true }).notNull(),
    spentMicro: bigint('spent_micro', { mode: 'bigint' }).notNull().default(sql`0`),
    reservedMicro: bigint('reserved_micro', { mode: 'bigint' }).notNull().default(sql`0`),
    /** The sum of the amounts of the budget_leases rows of this period (live or not yet reclaimed). */
    leasedMicro: bigint('leased_micro', { mode: 'bigint' }).notNull().default(sql`0`),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.scope, table.scopeId, table.periodStart] })],
);

/**
 * Slices of a budget's period held in escrow by one gateway instance (core/metering/budget-leases.ts):
 * the instance admits requests against its slice in memory. A lease past `expires_at` (its instance
 * stopped renewing it) is deleted and its amount returned by the next instance that syncs the budget.
 */
export const budgetLeases = pgTable(
  'budget_leases',
  {
    scope: text('scope').$type<BudgetScope>().notNull(),
    scopeId: text('scope_id').notNull(),
    periodStart: timestamp('period_start', { withTimezone: true }).notNull(),
    instanceId: text('instance_id').notNull(),
    amountMicro: bigint('amount_micro', { mode: 'bigint' }).notNull(),
    /** What requests in flight on the instance held of the amount at its last sync (for display). */
    reservedMicro: bigint('reserved_micro', { mode: 'bigint' }).notNull().default(sql`0`),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.scope, table.scopeId, table.periodStart, table.instanceId] })],
);

/**
 * Usage records the database refused for good (a data error, a constraint, a value past an index
 * limit), kept for an operator instead of holding up every later record. `record` is the record
 * as JSON text (text, not jsonb: jsonb cannot hold the NUL escapes such a record may contain).
 */
export const usageDeadLetters = pgTable(
  'usage_dead_letters',
  {
    recordId: text('record_id').primaryKey(),
    record: text('record').notNull(),
    /** The SQLSTATE, when the database answered with one. */
    errorCode: text('error_code'),
    errorMessage: text('error_message').notNull(),
    failedAt: timestamp('failed_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('usage_dead_letters_failed_at_idx').on(table.failedAt)],
);

/**
 * Responses API responses kept for `previous_response_id` and GET /v1/responses/{id}. `owner` is
 * the creating key's team (`team:<id>`), or the key (`key:<id>`) when it has none; `input` is the
 * turn's input items and `response` the response object, both as the client saw them (wire JSON,
 * parsed again when read).
 */
export const storedResponses = pgTable(
  'stored_responses',
  {
    id: text('id').primaryKey(),
    owner: text('owner').notNull(),
    previousResponseId: text('previous_response_id'),
    input: jsonb('input').$type<unknown[]>().notNull(),
    response: jsonb('response').$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
  },
  (table) => [index('stored_responses_expires_at_idx').on(table.expiresAt)],
);

/**
 * The response cache on Postgres (and PGlite): one row per answer, keyed by the cache key (scope,
 * kind and request hash). Expired rows are never served and are deleted by the store's trim, which
 * also keeps the total size within its limit, oldest first.
 */
export const responseCacheEntries = pgTable(
  'response_cache_entries',
  {
    key: text('key').primaryKey(),
    /** The caller's team and key that stored the answer (what purges select), not the key's scope. */
    teamId: text('team_id'),
    keyId: text('key_id'),
    /** The model as requested. */
    model: text('model').notNull(),
    kind: text('kind').notNull(),
    body: text('body').notNull(),
    sizeBytes: integer('size_bytes').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (table) => [
    index('response_cache_entries_expires_at_idx').on(table.expiresAt),
    index('response_cache_entries_created_at_idx').on(table.createdAt),
    index('response_cache_entries_team_model_idx').on(table.teamId, table.model),
    index('response_cache_entries_key_id_idx').on(table.keyId),
  ],
);
