// The port of the response cache's storage (db/response-cache-store.ts on Postgres or PGlite,
// redis/response-cache-store.ts on Redis). Entries are opaque text; the cache parses them.
import type { CacheKind } from './cache-key.ts';

export interface ResponseCacheEntry {
  key: string;
  teamId: string | null;
  keyId: string | null;
  /** The model as requested (what purges select). */
  model: string;
  kind: CacheKind;
  body: string;
  /** Epoch ms. */
  createdAt: number;
  expiresAt: number;
}

export interface ResponseCachePurge {
  teamId?: string | undefined;
  keyId?: string | undefined;
  model?: string | undefined;
}

export interface ResponseCacheStore {
  /** The entry under `key` (its body and expiry, epoch ms) unless it expired by `now` (epoch ms). */
  get(key: string, now: number): Promise<{ body: string; expiresAt: number } | null>;
  /** Stores (or replaces) an entry; the store keeps its total size within its limit, oldest first. */
  set(entry: ResponseCacheEntry): Promise<void>;
  /** Deletes the entries that match every given field (none given: all); resolves with how many. */
  purge(filter: ResponseCachePurge): Promise<number>;
  close?(): Promise<void>;
}
