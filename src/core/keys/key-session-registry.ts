// The open streams and subscriptions of each API key. Revoking or disabling a key (on any
// instance), or its expiry, ends them with an UnauthenticatedError instead of letting them run
// on: the edges pass `watch(caller).signal` to the stream, which ends with a terminal event.
import type { Caller, KeyWatch } from '../auth.ts';
import { UnauthenticatedError, type GatewayError } from '../errors.ts';
import type { Clock, Logger } from '../ports.ts';
import { expiredError, keyRefusal } from './key-validity.ts';
import type { ApiKey, KeyRepository } from './types.ts';

export interface KeySessionRegistryOptions {
  keys: Pick<KeyRepository, 'findByIds'>;
  clock: Clock;
  /** Open sessions' keys are re-read this often, so that a lost change notification cannot keep one open. */
  recheckIntervalMs: number;
  logger?: Logger;
}

interface Session {
  controller: AbortController;
  expiry: NodeJS.Timeout | undefined;
}

/** The configured admin key has no row that could be revoked: its streams are never ended here. */
const UNWATCHED: KeyWatch = { signal: null, release: () => undefined };
/** setTimeout's limit (about 24.8 days); a later expiry is found by the periodic re-check. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class KeySessionRegistry {
  private readonly sessions = new Map<string, Set<Session>>();
  private recheck: NodeJS.Timeout | undefined;

  constructor(private readonly options: KeySessionRegistryOptions) {}

  get openCount(): number {
    let count = 0;
    for (const set of this.sessions.values()) count += set.size;
    return count;
  }

  watch(caller: Caller): KeyWatch {
    if (caller.keyId === 'master') return UNWATCHED;
    const { keyId } = caller;
    const session: Session = { controller: new AbortController(), expiry: undefined };
    const validUntil = caller.validUntil ?? null;
    if (validUntil !== null) {
      const delay = validUntil - this.options.clock.now();
      if (delay <= 0) session.controller.abort(expiredError(validUntil));
      else if (delay <= MAX_TIMER_MS) session.expiry = setTimeout(() => this.endSession(keyId, session, expiredError(validUntil)), delay).unref();
    }
    let set = this.sessions.get(keyId);
    if (!set) this.sessions.set(keyId, (set = new Set()));
    set.add(session);
    this.scheduleRecheck();
    return { signal: session.controller.signal, release: () => this.remove(keyId, session) };
  }

  /**
   * Re-reads the keys of open sessions (one key, or all) and ends the sessions of keys that are no
   * longer valid. Called on every key change and periodically; a failed read is retried next time.
   */
  async check(keyId?: string): Promise<void> {
    const ids = keyId === undefined ? [...this.sessions.keys()] : this.sessions.has(keyId) ? [keyId] : [];
    if (ids.length === 0) return;
    let rows: ApiKey[];
    try {
      rows = await this.options.keys.findByIds(ids);
    } catch (error) {
      this.options.logger?.warn(`open streams' keys could not be re-checked: ${(error as Error).message}`);
      return;
    }
    const found = new Map(rows.map((row) => [row.id, row]));
    const now = this.options.clock.now();
    for (const id of ids) {
      const row = found.get(id);
      const refusal = row ? keyRefusal(row, now) : new UnauthenticatedError('Unknown API key');
      if (refusal) this.endKey(id, refusal);
    }
  }

  /** Ends the key's sessions when this (freshly read) row no longer allows it. */
  apply(key: ApiKey): void {
    if (!this.sessions.has(key.id)) return;
    const refusal = keyRefusal(key, this.options.clock.now());
    if (refusal) this.endKey(key.id, refusal);
  }

  /** Stops the periodic re-check (sessions still open end with their transports). */
  close(): void {
    clearInterval(this.recheck);
    this.recheck = undefined;
  }

  private endKey(keyId: string, reason: GatewayError): void {
    for (const session of this.sessions.get(keyId) ?? []) this.endSession(keyId, session, reason);
  }

  private endSession(keyId: string, session: Session, reason: GatewayError): void {
    this.remove(keyId, session);
    session.controller.abort(reason);
  }

  private remove(keyId: string, session: Session): void {
    clearTimeout(session.expiry);
    const set = this.sessions.get(keyId);
    if (!set?.delete(session) || set.size > 0) return;
    this.sessions.delete(keyId);
    if (this.sessions.size === 0) this.close();
  }

  private scheduleRecheck(): void {
    if (this.recheck) return;
    this.recheck = setInterval(() => void this.check(), this.options.recheckIntervalMs).unref();
  }
}
