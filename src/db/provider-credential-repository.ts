import { eq, sql } from 'drizzle-orm';
import type { ProviderCredentialRepository } from '../core/ports.ts';
import type { Db } from './client.ts';
import { providerCredentials } from './schema.ts';

export function createProviderCredentialRepository(db: Db): ProviderCredentialRepository {
  return {
    list: () => db.select().from(providerCredentials).orderBy(providerCredentials.providerId),
    async find(providerId) {
      const [row] = await db.select().from(providerCredentials).where(eq(providerCredentials.providerId, providerId));
      return row ?? null;
    },
    async upsert(credential) {
      const [row] = await db
        .insert(providerCredentials)
        .values(credential)
        .onConflictDoUpdate({
          target: providerCredentials.providerId,
          set: { kind: credential.kind, baseUrl: credential.baseUrl, encryptedSecrets: credential.encryptedSecrets, settings: credential.settings, updatedAt: sql`now()` },
        })
        .returning();
      return row!;
    },
    async delete(providerId) {
      const rows = await db.delete(providerCredentials).where(eq(providerCredentials.providerId, providerId)).returning({ id: providerCredentials.providerId });
      return rows.length > 0;
    },
  };
}
