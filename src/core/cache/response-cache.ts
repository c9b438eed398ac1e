// The response cache as the services use it: decides whether a request takes part (cache-policy),
// looks its key up in the store, and hands back a ticket through which the request's answer is
// stored and shared. The store is guarded: one that fails or takes longer than `storeTimeoutMs`
// is a miss, never an error for the client, and is logged once per burst of failures.
//
// Recent answers (recent-answers.ts) are kept parsed in memory once stored or read, so a
// repeated request costs no store round trip; they follow the store's TTL and purges.
//
// Coalescing (in this process): while a request whose answer will be stored is in flight, an
// identical request waits for it (at most `coalesceWaitMs`, or until its own signal ends) instead
// of calling the upstream; it is served the leader's answer as a hit. A leader that fails wakes its
// waiters with nothing and each makes its own call. Across instances, each instance makes one call.
import type { Caller } from '../auth.ts';
import type { Clock, Logger } from '../ports.ts';
import { cacheKey, cacheScopeOf, type CacheKind } from './cache-key.ts';
import { parseCachedAnswer, type CachedAnswer } from './cached-answer.ts';
import { decideCaching, type CacheDirectives, type CachePolicySettings, type CacheStatus } from './cache-policy.ts';
import { RecentAnswers } from './recent-answers.ts';
import type { ResponseCacheStore } from './response-cache-store.ts';

export interface ResponseCacheSettings extends CachePolicySettings {
  sharedAcrossTeams: boolean;
  /** Answers larger than this (as stored) are not stored. */
  maxEntryBytes: number;
  /** What a hit costs: this fraction of the original answer's cost (0: nothing). */
  hitCostFraction: number;
  /** A store that takes longer than this is a miss. */
  storeTimeoutMs: number;
  /** How long an identical request waits for one in flight before making its own call. */
  coalesceWaitMs: number;
  /** Answers kept in this instance's memory (recent-answers.ts); 0: every lookup goes to the store. */
  memoryEntries: number;
  /** How long an answer stays in memory: the most a purge on another instance takes to reach this one. */
  memoryMaxAgeMs: number;
}

/** Each lookup's result, for metrics: `error` is a store that failed or was too slow (served as a miss). */
export type CacheLookupResult = 'hit' | 'miss' | 'bypass' | 'error';

export interface ResponseCacheOptions {
  store: ResponseCacheStore;
  settings: ResponseCacheSettings;
  clock: Clock;
  logger: Logger;
  onLookup?: (result: CacheLookupResult) => void;
}

/** What a service asks of the cache for one request. */
export interface CacheQuery {
  kind: CacheKind;
  caller: Caller | undefined;
  model: string;
  directives: CacheDirectives | undefined;
  deterministic: boolean;
  /** What of the request decides its answer (cache-key.ts). */
  material: unknown;
}

/** One request's use of the cache: its status, a hit's answer, and where its own answer goes. */
export interface CacheTicket {
  readonly status: CacheStatus;
  /** The answer to serve (status HIT), from the store or from an identical request in flight. */
  readonly answer: CachedAnswer | null;
  /** The request was answered upstream: store the answer (unless no-store) and share it with waiters. */
  complete(answer: CachedAnswer): void;
  /** The request ended without an answer: waiters make their own calls. */
  abandon(): void;
}

interface InFlight {
  answer: Promise<CachedAnswer | null>;
  /** Wakes the waiters; the entry stays until `release`, so that a request arriving while the answer is written still finds it. */
  settle(answer: CachedAnswer | null): void;
  release(): void;
}

class StoreTimeout extends Error {}

export class ResponseCache {
  private readonly inFlight = new Map<string, InFlight>();
  private failing = false;
  private readonly recent: RecentAnswers;

  constructor(private readonly options: ResponseCacheOptions) {
    this.recent = new RecentAnswers({ maxEntries: options.settings.memoryEntries, maxAgeMs: options.settings.memoryMaxAgeMs });
  }

  get settings(): ResponseCacheSettings {
    return this.options.settings;
  }

  /** The request's ticket, or null when the cache plays no part in it. */
  async open(query: CacheQuery, signal: AbortSignal): Promise<CacheTicket | null> {
    const decision = decideCaching(this.options.settings, query.directives, query.deterministic, query.caller?.cacheTtlSeconds);
    if (!decision) return null;
    const scope = cacheScopeOf(query.caller, this.options.settings.sharedAcrossTeams);
    const key = cacheKey(query.kind, scope, query.material);
    let status: CacheStatus = 'BYPASS';
    if (decision.lookup) {
      const shared = await this.waitForInFlight(key, signal);
      if (shared) return this.hit(shared);
      const now = this.options.clock.now();
      const remembered = this.recent.get(key, now);
      if (remembered && remembered.kind === query.kind) return this.hit(remembered);
      const stored = await this.read(key, query.kind);
      if (stored.answer) {
        this.recent.keep(key, stored.answer, ownerOf(query), stored.expiresAt ?? now, now);
        return this.hit(stored.answer);
      }
      // Another identical request may have become the leader while this one read the store.
      const late = await this.waitForInFlight(key, signal);
      if (late) return this.hit(late);
      this.options.onLookup?.(stored.failed ? 'error' : 'miss');
      status = 'MISS';
    } else {
      this.options.onLookup?.('bypass');
    }
    if (!decision.store) return { status, answer: null, complete: () => undefined, abandon: () => undefined };
    // Identical requests that arrive from now until the answer is written wait for it.
    const leader = this.lead(key);
    let ended = false;
    return {
      status,
      answer: null,
      complete: (answer) => {
        if (ended) return;
        ended = true;
        const written = this.write(key, query, answer, decision.ttlSeconds);
        leader.settle(answer);
        void written.then(() => leader.release());
      },
      // Services call it in their `finally`: after `complete` it does nothing.
      abandon: () => {
        if (ended) return;
        ended = true;
        leader.settle(null);
        leader.release();
      },
    };
  }

  /** Deletes stored entries (admin purge); in-flight requests are not affected. */
  purge(filter: { teamId?: string | undefined; keyId?: string | undefined; model?: string | undefined }): Promise<number> {
    this.recent.purge(filter);
    return this.options.store.purge(filter);
  }

  private hit(answer: CachedAnswer): CacheTicket {
    this.options.onLookup?.('hit');
    return { status: 'HIT', answer, complete: () => undefined, abandon: () => undefined };
  }

  private lead(key: string): InFlight {
    let settle!: (answer: CachedAnswer | null) => void;
    const answer = new Promise<CachedAnswer | null>((resolve) => (settle = resolve));
    const entry: InFlight = {
      answer,
      settle,
      release: () => {
        if (this.inFlight.get(key) === entry) this.inFlight.delete(key);
      },
    };
    this.inFlight.set(key, entry);
    return entry;
  }

  private async waitForInFlight(key: string, signal: AbortSignal): Promise<CachedAnswer | null> {
    const leader = this.inFlight.get(key);
    if (!leader || signal.aborted) return null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onAbort: (() => void) | undefined;
    const giveUp = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), this.options.settings.coalesceWaitMs);
      onAbort = () => resolve(null);
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([leader.answer, giveUp]);
    } finally {
      clearTimeout(timer);
      if (onAbort) signal.removeEventListener('abort', onAbort);
    }
  }

  /** The stored answer; `failed`: the store failed or was too slow (a miss all the same). */
  private async read(key: string, kind: CacheKind): Promise<{ answer: CachedAnswer | null; failed: boolean; expiresAt?: number }> {
    try {
      const entry = await this.guarded(this.options.store.get(key, this.options.clock.now()));
      this.recovered();
      const answer = entry === null ? null : parseCachedAnswer(entry.body);
      return answer !== null && answer.kind === kind ? { answer, failed: false, expiresAt: entry!.expiresAt } : { answer: null, failed: false };
    } catch (error) {
      this.failed(error);
      return { answer: null, failed: true };
    }
  }

  /** Off the request path: a slow or failing store delays nobody. */
  private write(key: string, query: CacheQuery, answer: CachedAnswer, ttlSeconds: number): Promise<void> {
    const body = JSON.stringify(answer);
    if (Buffer.byteLength(body) > this.options.settings.maxEntryBytes) return Promise.resolve();
    const now = this.options.clock.now();
    const expiresAt = now + ttlSeconds * 1000;
    return this.guarded(
      this.options.store.set({
        key,
        teamId: query.caller?.teamId ?? null,
        keyId: query.caller?.keyId ?? null,
        model: query.model,
        kind: query.kind,
        body,
        createdAt: now,
        expiresAt,
      }),
    ).then(
      () => {
        this.recovered();
        // In memory only once stored: memory mirrors the store, it never answers for a store that failed.
        this.recent.keep(key, answer, ownerOf(query), expiresAt, now);
      },
      (error: unknown) => this.failed(error),
    );
  }

  private guarded<T>(operation: Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new StoreTimeout(`the response cache store took longer than ${this.options.settings.storeTimeoutMs} ms`)), this.options.settings.storeTimeoutMs);
    });
    // A late failure of the abandoned operation must not become an unhandled rejection.
    operation.catch(() => undefined);
    return Promise.race([operation, timeout]).finally(() => clearTimeout(timer));
  }

  /** Logged once per burst: the first failure after a success. */
  private failed(error: unknown): void {
    if (this.failing) return;
    this.failing = true;
    this.options.logger.warn({ err: error }, 'response cache store unavailable: requests are served as misses until it answers again');
  }

  private recovered(): void {
    if (!this.failing) return;
    this.failing = false;
    this.options.logger.info('response cache store answers again');
  }
}

function ownerOf(query: CacheQuery): { teamId: string | null; keyId: string | null; model: string } {
  return { teamId: query.caller?.teamId ?? null, keyId: query.caller?.keyId ?? null, model: query.model };
}
