// The admin purge of the response cache, written to the audit log like every admin change.
import type { Caller } from '../auth.ts';
import type { AuditLogRepository } from '../keys/types.ts';
import type { Clock } from '../ports.ts';
import type { ResponseCachePurge } from './response-cache-store.ts';
import type { ResponseCache } from './response-cache.ts';

export class ResponseCacheAdmin {
  constructor(
    private readonly options: { cache: ResponseCache | undefined; audit: AuditLogRepository; clock: Clock; newId(): string },
  ) {}

  /** Deletes the entries stored by the team, the key and of the model given (none given: all); resolves with how many. */
  async purge(actor: Caller, filter: ResponseCachePurge): Promise<number> {
    const purged = this.options.cache ? await this.options.cache.purge(filter) : 0;
    await this.options.audit.append({
      id: this.options.newId(),
      at: new Date(this.options.clock.now()),
      actorKeyId: actor.isMasterKey && actor.keyId === 'master' ? null : actor.keyId,
      actorName: actor.keyName,
      action: 'purgeResponseCache',
      targetType: 'ResponseCache',
      targetId: null,
      before: null,
      after: { ...filter, purged },
    });
    return purged;
  }
}
