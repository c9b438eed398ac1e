import { and, eq, sql } from 'drizzle-orm';
import { isUuid } from '../core/ids.ts';
import type { DeploymentRepository, StoredDeployment } from '../core/ports.ts';
import type { Db } from './client.ts';
import { deployments, type DeploymentPricingJson } from './schema.ts';

type Pricing = StoredDeployment['pricing'];

function pricingToJson(pricing: Pricing): DeploymentPricingJson | null {
  if (!pricing) return null;
  const json: DeploymentPricingJson = {};
  for (const key of ['input', 'output', 'cacheRead', 'cacheWrite', 'cacheWrite1h'] as const) {
    const value = pricing[key];
    if (value !== undefined) json[key] = value.toString();
  }
  return json;
}

function pricingFromJson(json: DeploymentPricingJson | null): Pricing {
  if (!json) return null;
  const pricing: NonNullable<Pricing> = {};
  for (const key of ['input', 'output', 'cacheRead', 'cacheWrite', 'cacheWrite1h'] as const) {
    const value = json[key];
    if (value !== undefined) pricing[key] = BigInt(value);
  }
  return pricing;
}

function toStored(row: typeof deployments.$inferSelect): StoredDeployment {
  return {
    id: row.id,
    modelName: row.modelName,
    providerId: row.providerId,
    upstreamModel: row.upstreamModel,
    weight: row.weight,
    priority: row.priority,
    timeoutMs: row.timeoutMs,
    contextLength: row.contextLength,
    maxOutputTokens: row.maxOutputTokens,
    pricing: pricingFromJson(row.pricing),
    rpm: row.rpmLimit,
    tpm: row.tpmLimit,
    tags: row.tags,
    region: row.region,
    // Only admin rows are read (see adminOnly).
    source: 'admin',
  };
}

/**
 * The table holds admin-created deployments, shared by every instance. Rows an older version
 * synced from its config file (`source = 'config'`) are ignored: each instance routes its own
 * config's deployments from the file, so another instance's file never reaches it here.
 */
const adminOnly = eq(deployments.source, 'admin');

export function createDeploymentRepository(db: Db): DeploymentRepository {
  return {
    async list() {
      const rows = await db.select().from(deployments).where(adminOnly).orderBy(deployments.modelName, deployments.priority);
      return rows.map(toStored);
    },
    async findById(id) {
      if (!isUuid(id)) return null;
      const [row] = await db.select().from(deployments).where(and(eq(deployments.id, id), adminOnly));
      return row ? toStored(row) : null;
    },
    async upsertAdmin(deployment) {
      const { id, rpm, tpm, ...rest } = deployment;
      const values = { ...rest, rpmLimit: rpm ?? null, tpmLimit: tpm ?? null, tags: rest.tags ?? null, region: rest.region ?? null, pricing: pricingToJson(rest.pricing), source: 'admin' as const };
      if (id && isUuid(id)) {
        const [row] = await db.update(deployments).set({ ...values, updatedAt: sql`now()` }).where(and(eq(deployments.id, id), adminOnly)).returning();
        if (row) return toStored(row);
      }
      // A leftover config row of an older version with the same name, provider and model becomes this admin row.
      const [row] = await db
        .insert(deployments)
        .values(id && isUuid(id) ? { ...values, id } : values)
        .onConflictDoUpdate({
          target: [deployments.modelName, deployments.providerId, deployments.upstreamModel],
          set: { ...values, updatedAt: sql`now()` },
        })
        .returning();
      return toStored(row!);
    },
    async delete(id) {
      if (!isUuid(id)) return false;
      const rows = await db.delete(deployments).where(and(eq(deployments.id, id), adminOnly)).returning({ id: deployments.id });
      return rows.length > 0;
    },
  };
}
