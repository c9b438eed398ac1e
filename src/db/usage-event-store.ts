// Writes a batch of usage records in one statement: each column goes in as one text-array
// parameter (26 parameters whatever the batch size; the same on postgres.js and PGlite), unnested
// into rows; Postgres parses arrays of scalars about 3x faster than json_to_recordset. The daily
// rollups are added to from the rows actually inserted, in the same statement and so the same
// transaction. A retried batch inserts nothing twice: ON CONFLICT (id) DO NOTHING skips rows that
// are already there, and only inserted rows reach the rollups.
import { sql } from 'drizzle-orm';
import { storableText } from '../core/input-limits.ts';
import type { UsageRecord } from '../core/metering/metering-ports.ts';
import { arrayLiteral, type ArrayCell } from './array-literal.ts';
import type { Db } from './client.ts';

export interface UsageBatchStore {
  /** Inserts the records; resolves with the ids that were new. */
  write(records: readonly UsageRecord[]): Promise<Set<string>>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const uuidOrNull = (value: string | null): string | null => (value !== null && UUID.test(value) ? value : null);
/** Attempts carry upstream error messages: jsonb takes no NUL (\u0000) nor lone surrogates. */
const storableStrings = (_key: string, value: unknown): unknown => (typeof value === 'string' ? storableText(value) : value);
/**
 * JSON that jsonb takes. JSON.stringify writes a NUL as the escape `\u0000` and a lone surrogate as
 * `\udXXX` (a paired one as the character itself), so the plain output is checked for those escapes
 * and only then built again with the replacer (which is several times slower).
 */
function storableJson(value: unknown): string {
  const json = JSON.stringify(value);
  return UNSTORABLE_ESCAPE.test(json) ? JSON.stringify(value, storableStrings) : json;
}
const UNSTORABLE_ESCAPE = /\\u(?:0000|d[89a-f])/i;
const int = (value: number): number => Math.max(0, Math.min(2_147_483_647, Math.round(value)));

/** The columns in insert order, with their types and how to read each from a record. */
const COLUMNS: Array<[name: string, type: string, value: (record: UsageRecord) => ArrayCell]> = [
  ['id', 'uuid', (r) => r.id],
  ['created_at', 'timestamptz', (r) => r.createdAt.toISOString()],
  ['key_id', 'text', (r) => r.keyId],
  ['team_id', 'uuid', (r) => uuidOrNull(r.teamId)],
  ['user_id', 'uuid', (r) => uuidOrNull(r.userId)],
  ['end_user', 'text', (r) => r.endUser],
  ['requested_model', 'text', (r) => r.requestedModel],
  ['model', 'text', (r) => r.model],
  ['deployment_id', 'text', (r) => r.deploymentId],
  ['provider_id', 'text', (r) => r.providerId],
  ['upstream_model', 'text', (r) => r.upstreamModel],
  ['input_tokens', 'integer', (r) => int(r.usage.inputTokens)],
  ['output_tokens', 'integer', (r) => int(r.usage.outputTokens)],
  ['cached_input_tokens', 'integer', (r) => int(r.usage.cachedInputTokens)],
  ['cache_write_tokens', 'integer', (r) => int(r.usage.cacheWriteTokens)],
  ['reasoning_tokens', 'integer', (r) => int(r.usage.reasoningTokens)],
  ['cost_micro', 'bigint', (r) => r.cost.toString()],
  ['latency_ms', 'integer', (r) => int(r.latencyMs)],
  ['time_to_first_token_ms', 'integer', (r) => (r.timeToFirstTokenMs === null ? null : int(r.timeToFirstTokenMs))],
  ['status', 'text', (r) => r.status],
  ['error_code', 'text', (r) => r.errorCode],
  ['attempts', 'jsonb', (r) => storableJson(r.attempts ?? [])],
  ['streamed', 'boolean', (r) => r.streamed],
  ['cancelled_by_client', 'boolean', (r) => r.cancelledByClient],
  ['request_id', 'text', (r) => r.requestId],
  ['cache_hit', 'boolean', (r) => r.cacheHit],
];

/** Rows of db.execute on either driver (postgres.js returns an array, PGlite `{ rows }`). */
export function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : ((result as { rows?: T[] }).rows ?? [])) as T[];
}

export function createUsageEventStore(db: Db): UsageBatchStore {
  return {
    async write(records) {
      if (records.length === 0) return new Set();
      const parameters = COLUMNS.map(([, , value]) => sql`${arrayLiteral(records, value)}::text::text[]`);
      const result = await db.execute(sql`
        WITH input AS (
          SELECT ${sql.raw(COLUMNS.map(([name, type]) => `${name}::${type} AS ${name}`).join(', '))}
          FROM unnest(${sql.join(parameters, sql`, `)}) AS r(${sql.raw(COLUMNS.map(([name]) => name).join(', '))})
        ), inserted AS (
          INSERT INTO usage_events (id, created_at, key_id, team_id, user_id, end_user, requested_model, model,
            deployment_id, provider_id, upstream_model, input_tokens, output_tokens, cached_input_tokens,
            cache_write_tokens, reasoning_tokens, cost_micro, latency_ms, time_to_first_token_ms, status, error_code,
            attempts, streamed, cancelled_by_client, request_id, cache_hit)
          SELECT id, created_at, key_id, team_id, user_id, end_user, requested_model, model,
            deployment_id, provider_id, upstream_model, input_tokens, output_tokens, cached_input_tokens,
            cache_write_tokens, reasoning_tokens, cost_micro, latency_ms, time_to_first_token_ms, status, error_code,
            attempts, streamed, cancelled_by_client, request_id, cache_hit
          FROM input
          ON CONFLICT (id) DO NOTHING
          RETURNING id, created_at, key_id, team_id, user_id, end_user, coalesce(model, requested_model) AS model, provider_id,
            status, cache_hit, input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, reasoning_tokens, cost_micro
        ), rolled AS (
          -- Sorted so that concurrent writers (other instances) lock rollup rows in the same order.
          INSERT INTO usage_daily AS d (day, key_id, team_id, user_id, end_user, model, provider_id, cache_hit, requests, failed_requests, cache_hits,
            input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, reasoning_tokens, cost_micro)
          SELECT (created_at AT TIME ZONE 'UTC')::date, key_id, team_id, user_id, end_user, model, provider_id, cache_hit,
            count(*), count(*) FILTER (WHERE status = 'ERROR'), count(*) FILTER (WHERE cache_hit), sum(input_tokens), sum(output_tokens),
            sum(cached_input_tokens), sum(cache_write_tokens), sum(reasoning_tokens), sum(cost_micro)
          FROM inserted
          GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
          ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
          ON CONFLICT (day, key_id, team_id, user_id, end_user, model, provider_id, cache_hit) DO UPDATE SET
            requests = d.requests + excluded.requests,
            failed_requests = d.failed_requests + excluded.failed_requests,
            cache_hits = d.cache_hits + excluded.cache_hits,
            input_tokens = d.input_tokens + excluded.input_tokens,
            output_tokens = d.output_tokens + excluded.output_tokens,
            cached_input_tokens = d.cached_input_tokens + excluded.cached_input_tokens,
            cache_write_tokens = d.cache_write_tokens + excluded.cache_write_tokens,
            reasoning_tokens = d.reasoning_tokens + excluded.reasoning_tokens,
            cost_micro = d.cost_micro + excluded.cost_micro
        )
        SELECT id::text AS id FROM inserted`);
      return new Set(rowsOf<{ id: string }>(result).map((row) => row.id));
    },
  };
}
