// The drizzle schema shared by both drivers (postgres.js and PGlite). Migrations in drizzle/ are
// generated from this file with `npm run db:generate`.
import { sql } from 'drizzle-orm';
import { doublePrecision, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

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
    source: text('source').$type<RowSource>().notNull(),
    ...timestamps,
  },
  (table) => [
    uniqueIndex('deployments_name_provider_model_unique').on(table.modelName, table.providerId, table.upstreamModel),
    index('deployments_provider_idx').on(table.providerId),
  ],
);
