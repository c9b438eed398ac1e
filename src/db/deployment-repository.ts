import { and, eq, notInArray, sql } from 'drizzle-orm';
import type { DeploymentRepository, StoredDeployment } from '../core/ports.ts';
import type { Db } from './client.ts';
import { deployments, type DeploymentPricingJson } from './schema.ts';

type Pricing = StoredDeployment['pricing'];

function pricingToJson(pricing: Pricing): DeploymentPricingJson | null {
  if (!pricing) return null;
  const json: DeploymentPricingJson = {};
  for (const key of ['input', 'output', 'cacheRead', 'cacheWrite'] as const) {
    const value = pricing[key];
    if (value !== undefined) json[key] = value.toString();
  }
  return json;
}

function pricingFromJson(json: DeploymentPricingJson | null): Pricing {
  if (!json) return null;
  const pricing: NonNullable<Pricing> = {};
  for (const key of ['input', 'output', 'cacheRead', 'cacheWrite'] as const) {
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
    source: row.source,
  };
}

export function createDeploymentRepository(db: Db): DeploymentRepository {
  return {
    async list() {
      const rows = await db.select().from(deployments).orderBy(deployments.modelName, deployments.priority);
      return rows.map(toStored);
    },
    async findById(id) {
      if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
      const [row] = await db.select().from(deployments).where(eq(deployments.id, id));
      return row ? toStored(row) : null;
    },
    async upsertAdmin(deployment) {
      const { id, rpm, tpm, ...rest } = deployment;
      const values = { ...rest, rpmLimit: rpm ?? null, tpmLimit: tpm ?? null, tags: rest.tags ?? null, region: rest.region ?? null, pricing: pricingToJson(rest.pricing), source: 'admin' as const };
      if (id) {
        const [row] = await db.update(deployments).set({ ...values, updatedAt: sql`now()` }).where(eq(deployments.id, id)).returning();
        if (row) return toStored(row);
      }
      const [row] = await db
        .insert(deployments)
        .values(id ? { ...values, id } : values)
        .onConflictDoUpdate({
          target: [deployments.modelName, deployments.providerId, deployments.upstreamModel],
          set: { ...values, updatedAt: sql`now()` },
        })
        .returning();
      return toStored(row!);
    },
    async delete(id) {
      const rows = await db.delete(deployments).where(eq(deployments.id, id)).returning({ id: deployments.id });
      return rows.length > 0;
    },
    async syncFromConfig(list) {
      await db.transaction(async (tx) => {
        const kept: string[] = [];
        for (const deployment of list) {
          const { rpm, tpm, ...rest } = deployment;
          const values = { ...rest, rpmLimit: rpm ?? null, tpmLimit: tpm ?? null, tags: rest.tags ?? null, region: rest.region ?? null, pricing: pricingToJson(deployment.pricing), source: 'config' as const };
          const [row] = await tx
            .insert(deployments)
            .values(values)
            .onConflictDoUpdate({
              target: [deployments.modelName, deployments.providerId, deployments.upstreamModel],
              set: { ...values, updatedAt: sql`now()` },
            })
            .returning({ id: deployments.id });
          kept.push(row!.id);
        }
        const fromConfig = eq(deployments.source, 'config');
        await tx.delete(deployments).where(kept.length ? and(fromConfig, notInArray(deployments.id, kept)) : fromConfig);
      });
    },
  };
}
