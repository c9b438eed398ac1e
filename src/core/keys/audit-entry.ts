// One audit log entry of an admin change: who (the calling key; null for the master key), what, and
// the target before and after, with secrets redacted. Built the same way by every admin service.
import type { Caller } from '../auth.ts';
import type { Clock } from '../ports.ts';
import type { AuditEntry } from './types.ts';

const SECRET_FIELDS = new Set(['secret', 'secretHash', 'previousSecretHash', 'apiKey', 'encryptedSecrets', 'password', 'token']);

/** Audit values never carry secrets or their hashes; bigints become strings for JSON. */
export function redact(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(redact);
  if (typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, item]) => [key, SECRET_FIELDS.has(key) ? '[redacted]' : redact(item)]),
    );
  }
  return value;
}

export interface AuditedChange {
  action: string;
  targetType: string;
  targetId: string | null;
  before: unknown;
  after: unknown;
}

export function auditEntry(source: { newId(): string; clock: Clock }, actor: Caller, change: AuditedChange): AuditEntry {
  return {
    id: source.newId(),
    at: new Date(source.clock.now()),
    actorKeyId: actor.isMasterKey && actor.keyId === 'master' ? null : actor.keyId,
    actorName: actor.keyName,
    ...change,
    before: redact(change.before),
    after: redact(change.after),
  };
}
