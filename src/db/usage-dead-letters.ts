// The dead-letter store of the usage writer: a record the database refused for good is kept here,
// as JSON text with the error, where an operator can read it (and replay it once fixed), instead
// of being retried ahead of every later record.
import { sql } from 'drizzle-orm';
import type { UsageRecord } from '../core/metering/metering-ports.ts';
import { storableText } from '../core/input-limits.ts';
import type { Db } from './client.ts';
import { usageDeadLetters } from './schema.ts';

export interface UsageDeadLetter {
  code: string | null;
  message: string;
}

export interface UsageDeadLetterStore {
  /** Keeps the record with why it was refused; a record kept before is left as it is. */
  add(record: UsageRecord, failure: UsageDeadLetter): Promise<void>;
}

/** The record as JSON (bigints as decimal strings), made storable as text. */
export function deadLetterJson(record: UsageRecord): string {
  return storableText(JSON.stringify(record, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value)));
}

export function createUsageDeadLetterStore(db: Db): UsageDeadLetterStore {
  return {
    async add(record, failure) {
      await db
        .insert(usageDeadLetters)
        .values({
          recordId: storableText(String(record.id)),
          record: deadLetterJson(record),
          errorCode: failure.code,
          errorMessage: storableText(failure.message),
          failedAt: sql`now()`,
        })
        .onConflictDoNothing();
    },
  };
}
