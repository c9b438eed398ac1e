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

export function createDeploymentRepository(db: Db): DeploymentRepository {
  return {
    async list() {
      const rows = await db.select().from(deployments).orderBy(deployments.modelName, deployments.priority);
      return rows.map((row) => ({
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
        source: row.source,
      }));
    },
    async syncFromConfig(list) {
      await db.transaction(async (tx) => {
        const kept: string[] = [];
        for (const deployment of list) {
          const values = { ...deployment, pricing: pricingToJson(deployment.pricing), source: 'config' as const };
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
