import DataLoader from 'dataloader';
import type { CatalogService, ProviderDescriptor } from '../core/catalog.ts';
import type { ProviderRepository, StoredProvider } from '../core/ports.ts';
import type { CompletionService } from '../core/completion-service.ts';

export interface HealthInfo {
  status: 'OK' | 'DEGRADED';
  version: string;
  databaseDriver: 'pglite' | 'postgres';
  startedAt: number;
  databaseReachable(): Promise<boolean>;
}

/** The services the GraphQL edge calls; built once in app.ts. */
export interface GraphQLServices {
  catalog: CatalogService;
  providers: ProviderRepository;
  completions: CompletionService;
  health: HealthInfo;
}

export interface ProviderView extends ProviderDescriptor {
  stored: StoredProvider | null;
}

export interface GraphQLContext {
  services: GraphQLServices;
  loaders: ReturnType<typeof createLoaders>;
  /** Aborted when the client goes away (HTTP request closed, subscription completed). */
  signal: AbortSignal;
}

/** Request-scoped DataLoaders: batch functions return values in key order. */
export function createLoaders(services: GraphQLServices) {
  return {
    provider: new DataLoader<string, ProviderView | null>(async (ids) => {
      const rows = await services.providers.findByIds(ids);
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => {
        const descriptor = services.catalog.provider(id);
        if (!descriptor) return null;
        return { ...descriptor, stored: byId.get(id) ?? null };
      });
    }),
  };
}
