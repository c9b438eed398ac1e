import { and, inArray, notInArray, or, eq, sql } from 'drizzle-orm';
import type { ProviderRepository, StoredProvider } from '../core/ports.ts';
import type { Db } from './client.ts';
import { providers } from './schema.ts';

export function createProviderRepository(db: Db): ProviderRepository {
  return {
    async findByIds(ids) {
      if (ids.length === 0) return [];
      const rows = await db.select().from(providers).where(inArray(providers.id, [...ids]));
      return rows.map(toStored);
    },
    async syncFromConfig(list) {
      await db.transaction(async (tx) => {
        const fromConfig = or(eq(providers.source, 'config'), eq(providers.source, 'environment'));
        if (list.length === 0) await tx.delete(providers).where(fromConfig);
        else await tx.delete(providers).where(and(fromConfig, notInArray(providers.id, list.map((p) => p.id))));
        for (const provider of list) {
          await tx
            .insert(providers)
            .values(provider)
            .onConflictDoUpdate({
              target: providers.id,
              set: { name: provider.name, kind: provider.kind, baseUrl: provider.baseUrl, source: provider.source, updatedAt: sql`now()` },
            });
        }
      });
    },
  };
}

function toStored(row: typeof providers.$inferSelect): StoredProvider {
  return { id: row.id, name: row.name, kind: row.kind, baseUrl: row.baseUrl, source: row.source };
}
