// Writes a batch of usage records in one statement: the events go in through json_to_recordset
// (one parameter whatever the batch size, the same on postgres.js and PGlite), and the daily
// rollups are added to from the rows actually inserted, in the same statement and so the same
// transaction. A retried batch inserts nothing twice: ON CONFLICT (id) DO NOTHING skips rows that
// are already there, and only inserted rows reach the rollups.
import { sql } from 'drizzle-orm';
import type { UsageRecord } from '../core/metering.ts';
import type { Db } from './client.ts';

export interface UsageBatchStore {
  /** Inserts the records; resolves with the ids that were new. */
  write(records: readonly UsageRecord[]): Promise<Set<string>>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const uuidOrNull = (value: string | null): string | null => (value !== null && UUID.test(value) ? value : null);
const int = (value: number): number => Math.max(0, Math.min(2_147_483_647, Math.round(value)));

/** A record as json_to_recordset reads it (bigint as a string; ids that are not UUIDs dropped). */
function toJsonRow(record: UsageRecord) {
  return {
    id: record.id,
    created_at: record.createdAt.toISOString(),
    key_id: record.keyId,
    team_id: uuidOrNull(record.teamId),
    user_id: uuidOrNull(record.userId),
    end_user: record.endUser,
    requested_model: record.requestedModel,
    model: record.model,
    deployment_id: record.deploymentId,
    provider_id: record.providerId,
    upstream_model: record.upstreamModel,
    input_tokens: int(record.usage.inputTokens),
    output_tokens: int(record.usage.outputTokens),
    cached_input_tokens: int(record.usage.cachedInputTokens),
    cache_write_tokens: int(record.usage.cacheWriteTokens),
    reasoning_tokens: int(record.usage.reasoningTokens),
    cost_micro: record.cost.toString(),
    latency_ms: int(record.latencyMs),
    time_to_first_token_ms: record.timeToFirstTokenMs === null ? null : int(record.timeToFirstTokenMs),
    status: record.status,
    error_code: record.errorCode,
    attempts: record.attempts,
    streamed: record.streamed,
    cancelled_by_client: record.cancelledByClient,
    request_id: record.requestId,
  };
}

/** Rows of db.execute on either driver (postgres.js returns an array, PGlite `{ rows }`). */
export function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : ((result as { rows?: T[] }).rows ?? [])) as T[];
}

export function createUsageEventStore(db: Db): UsageBatchStore {
  return {
    async write(records) {
      if (records.length === 0) return new Set();
      const json = JSON.stringify(records.map(toJsonRow));
      const result = await db.execute(sql`
        WITH input AS (
          SELECT * FROM json_to_recordset(${json}::json) AS r(
            id uuid, created_at timestamptz, key_id text, team_id uuid, user_id uuid, end_user text,
            requested_model text, model text, deployment_id text, provider_id text, upstream_model text,
            input_tokens integer, output_tokens integer, cached_input_tokens integer, cache_write_tokens integer,
            reasoning_tokens integer, cost_micro bigint, latency_ms integer, time_to_first_token_ms integer,
            status text, error_code text, attempts jsonb, streamed boolean, cancelled_by_client boolean, request_id text)
        ), inserted AS (
          INSERT INTO usage_events (id, created_at, key_id, team_id, user_id, end_user, requested_model, model,
            deployment_id, provider_id, upstream_model, input_tokens, output_tokens, cached_input_tokens,
            cache_write_tokens, reasoning_tokens, cost_micro, latency_ms, time_to_first_token_ms, status, error_code,
            attempts, streamed, cancelled_by_client, request_id)
          SELECT id, created_at, key_id, team_id, user_id, end_user, requested_model, model,
            deployment_id, provider_id, upstream_model, input_tokens, output_tokens, cached_input_tokens,
            cache_write_tokens, reasoning_tokens, cost_micro, latency_ms, time_to_first_token_ms, status, error_code,
            coalesce(attempts, '[]'::jsonb), streamed, cancelled_by_client, request_id
          FROM input
          ON CONFLICT (id) DO NOTHING
          RETURNING id, created_at, key_id, team_id, user_id, end_user, coalesce(model, requested_model) AS model, provider_id,
            status, input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, reasoning_tokens, cost_micro
        ), rolled AS (
          -- Sorted so that concurrent writers (other instances) lock rollup rows in the same order.
          INSERT INTO usage_daily AS d (day, key_id, team_id, user_id, end_user, model, provider_id, requests, failed_requests,
            input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, reasoning_tokens, cost_micro)
          SELECT (created_at AT TIME ZONE 'UTC')::date, key_id, team_id, user_id, end_user, model, provider_id,
            count(*), count(*) FILTER (WHERE status = 'ERROR'), sum(input_tokens), sum(output_tokens),
            sum(cached_input_tokens), sum(cache_write_tokens), sum(reasoning_tokens), sum(cost_micro)
          FROM inserted
          GROUP BY 1, 2, 3, 4, 5, 6, 7
          ORDER BY 1, 2, 3, 4, 5, 6, 7
          ON CONFLICT (day, key_id, team_id, user_id, end_user, model, provider_id) DO UPDATE SET
            requests = d.requests + excluded.requests,
            failed_requests = d.failed_requests + excluded.failed_requests,
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
