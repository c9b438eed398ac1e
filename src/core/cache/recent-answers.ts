// The answers this instance served or stored most recently, parsed, in memory: a repeated request
// is answered without a store round trip or a JSON parse. An answer is kept for at most
// `maxAgeMs` (and never past its own expiry), so a purge made on another instance reaches this
// one within that time; a purge made here removes the matching answers at once. At most
// `maxEntries`, the least recently used going first.
import type { CachedAnswer } from './cached-answer.ts';
import type { ResponseCachePurge } from './response-cache-store.ts';

interface Recent {
  answer: CachedAnswer;
  /** Epoch ms: the earlier of the entry's expiry and `maxAgeMs` after it was kept. */
  until: number;
  teamId: string | null;
  keyId: string | null;
  model: string;
}

export class RecentAnswers {
  private readonly entries = new Map<string, Recent>();

  constructor(private readonly limits: { maxEntries: number; maxAgeMs: number }) {}

  get(key: string, now: number): CachedAnswer | null {
    const entry = this.entries.get(key);
    if (!entry) return null;
    this.entries.delete(key);
    if (entry.until <= now) return null;
    // Re-inserted: a Map iterates in insertion order, so the first key is the least recently used.
    this.entries.set(key, entry);
    return entry.answer;
  }

  keep(key: string, answer: CachedAnswer, owner: { teamId: string | null; keyId: string | null; model: string }, expiresAt: number, now: number): void {
    if (this.limits.maxEntries <= 0 || this.limits.maxAgeMs <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, { answer, until: Math.min(expiresAt, now + this.limits.maxAgeMs), ...owner });
    if (this.entries.size > this.limits.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  /** Forgets the answers a purge with `filter` deletes from the store. */
  purge(filter: ResponseCachePurge): void {
    for (const [key, entry] of this.entries) {
      if (filter.teamId !== undefined && entry.teamId !== filter.teamId) continue;
      if (filter.keyId !== undefined && entry.keyId !== filter.keyId) continue;
      if (filter.model !== undefined && entry.model !== filter.model) continue;
      this.entries.delete(key);
    }
  }
}
