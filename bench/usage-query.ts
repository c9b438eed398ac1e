// `node --import tsx bench/usage-query.ts [--rows=10000000] [--database-url=postgres://...] [--keep=<db name>] [--json=FILE]`
// (`npm run bench` runs it after the gateway workloads and reads --json.)
// Seeds usage_events with --rows events over 30 days (generate_series, in a fresh database on the
// local Postgres), fills usage_daily from them once (at run time the writer maintains it batch by
// batch), then times grouped usage reports through the real repository: median of 7 runs after a
// warm-up. --keep=<name> reuses (or keeps) a seeded database between runs.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { emptyFilter, type UsageFilter, type UsageGrouping } from '../src/core/metering/usage-report.ts';
import { openDatabase } from '../src/db/client.ts';
import { rowsOf } from '../src/db/usage-event-store.ts';
import { createUsageRepository } from '../src/db/usage-repository.ts';

const argument = (name: string) => process.argv.find((arg) => arg.startsWith(`--${name}=`))?.split('=').slice(1).join('=');
const rows = Number(argument('rows') ?? 10_000_000);
const serverUrl = argument('database-url') ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const keep = argument('keep');
const jsonFile = argument('json');

/** The JSON `npm run bench` reads. */
export interface UsageQueryFigures {
  rows: number;
  /** Seconds spent seeding (null when a kept database was reused). */
  seedSeconds: number | null;
  cases: Array<{ name: string; groups: number; source: string; medianMs: number; minMs: number; maxMs: number }>;
}

const DAY_MS = 86_400_000;
const KEYS = 200;
const TEAMS = 20;
const MODELS = 20;
const END_USERS_PER_KEY = 20;
// 30 whole days ending at today's midnight (UTC), plus events today so far.
const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
const start = today - 30 * DAY_MS;

async function seeded(url: string): Promise<boolean> {
  const client = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    const [row] = await client`select count(*)::bigint as n from usage_events`;
    return Number(row!.n) >= rows;
  } catch {
    return false;
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const name = keep ?? `mg_bench_usage_${randomBytes(4).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => undefined });
  const exists = (await admin`select 1 from pg_database where datname = ${name}`).length > 0;
  if (!exists) await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString(), dataDir: '' });
  await database.migrate();
  const [version] = rowsOf<{ version: string }>(await database.db.execute(sql`select version()`));
  console.log(`# usage query benchmark: ${rows.toLocaleString('en')} events over 30 days\n${version!.version}\n`);

  let seedSeconds: number | null = null;
  if (!(await seeded(url.toString()))) {
    await database.db.execute(sql`truncate usage_events, usage_daily`);
    const chunk = 1_000_000;
    const seedStarted = performance.now();
    for (let offset = 0; offset < rows; offset += chunk) {
      const size = Math.min(chunk, rows - offset);
      // Event g happens at an even spread over the 30 days (plus some today); key, model and end user
      // derive from g. Ids are UUIDv7-shaped (time first) so keyset pages by id stay time-ordered.
      await database.db.execute(sql.raw(`
        INSERT INTO usage_events (id, created_at, key_id, team_id, user_id, end_user, requested_model, model, deployment_id,
          provider_id, upstream_model, input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, reasoning_tokens,
          cost_micro, latency_ms, time_to_first_token_ms, status, error_code, attempts, streamed, cancelled_by_client, request_id)
        SELECT
          (lpad(to_hex((extract(epoch from ts) * 1000)::bigint), 12, '0') || '7' || substr(h, 1, 3) || '8' || substr(h, 4, 15))::uuid,
          ts, 'key-' || (g % ${KEYS}), ('00000000-0000-4000-8000-' || lpad(to_hex(g % ${KEYS} % ${TEAMS}), 12, '0'))::uuid, NULL,
          CASE WHEN g % 2 = 0 THEN NULL ELSE 'user-' || (g % ${KEYS}) || '-' || (g / ${KEYS} % ${END_USERS_PER_KEY}) END,
          'model-' || (g % ${MODELS}), 'model-' || (g % ${MODELS}), 'deployment-' || (g % ${MODELS}),
          'provider-' || (g % ${MODELS} % 3), 'upstream-' || (g % ${MODELS}), 500 + g % 1000, 100 + g % 300, g % 200, 0, g % 50,
          1000 + g % 5000, 200 + g % 800, 100 + g % 300, CASE WHEN g % 50 = 0 THEN 'ERROR' ELSE 'SUCCESS' END,
          CASE WHEN g % 50 = 0 THEN 'UPSTREAM_ERROR' END, '[]'::jsonb, g % 3 = 0, false, NULL
        FROM generate_series(${offset}, ${offset + size - 1}) AS g,
          LATERAL (SELECT to_timestamp((${start} + (g::float8 / ${rows}) * (30.5 * ${DAY_MS})) / 1000) AS ts, md5(g::text) AS h) AS x`));
      process.stdout.write(`seeded ${(offset + size).toLocaleString('en')} events\r`);
    }
    // Once, for the seed only: at run time each batch adds to usage_daily in its own statement.
    await database.db.execute(sql`
      INSERT INTO usage_daily (day, key_id, team_id, user_id, end_user, model, provider_id, cache_hit, requests, failed_requests, cache_hits,
        input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, reasoning_tokens, cost_micro)
      SELECT (created_at AT TIME ZONE 'UTC')::date, key_id, team_id, user_id, end_user, coalesce(model, requested_model), provider_id, cache_hit,
        count(*), count(*) FILTER (WHERE status = 'ERROR'), count(*) FILTER (WHERE cache_hit), sum(input_tokens), sum(output_tokens),
        sum(cached_input_tokens), sum(cache_write_tokens), sum(reasoning_tokens), sum(cost_micro)
      FROM usage_events GROUP BY 1, 2, 3, 4, 5, 6, 7, 8`);
    await database.db.execute(sql`VACUUM ANALYZE usage_events`);
    await database.db.execute(sql`VACUUM ANALYZE usage_daily`);
    seedSeconds = (performance.now() - seedStarted) / 1000;
    console.log(`seeded in ${seedSeconds.toFixed(0)} s`);
  }
  const [sizes] = rowsOf<Record<string, string>>(
    await database.db.execute(sql`select (select count(*) from usage_events)::text as events, (select count(*) from usage_daily)::text as rollups,
      pg_size_pretty(pg_total_relation_size('usage_events')) as events_size, pg_size_pretty(pg_total_relation_size('usage_daily')) as rollups_size`),
  );
  console.log(`usage_events: ${Number(sizes!.events).toLocaleString('en')} rows (${sizes!.events_size}); usage_daily: ${Number(sizes!.rollups).toLocaleString('en')} rows (${sizes!.rollups_size})`);
  console.log(`${KEYS} keys in ${TEAMS} teams, ${MODELS} models on 3 providers, half the requests with one of ${END_USERS_PER_KEY} end users per key\n`);

  const repository = createUsageRepository(database.db);
  const last30Days: UsageFilter = { ...emptyFilter(), from: new Date(start), to: new Date(today) };
  const cases: Array<{ name: string; filter: UsageFilter; groupBy: UsageGrouping[] }> = [
    { name: 'totals, 30 whole days', filter: last30Days, groupBy: [] },
    { name: 'by DAY, 30 whole days', filter: last30Days, groupBy: ['DAY'] },
    { name: 'by DAY and MODEL, 30 whole days', filter: last30Days, groupBy: ['DAY', 'MODEL'] },
    { name: 'by KEY, 30 whole days', filter: last30Days, groupBy: ['KEY'] },
    { name: 'by TEAM and PROVIDER, 30 whole days', filter: last30Days, groupBy: ['TEAM', 'PROVIDER'] },
    { name: 'by END_USER, all keys, 30 whole days', filter: last30Days, groupBy: ['END_USER'] },
    { name: 'by DAY and END_USER, one key, 30 whole days', filter: { ...last30Days, keyIds: ['key-7'] }, groupBy: ['DAY', 'END_USER'] },
    { name: 'by DAY, from now − 30 days to now (part of the first day from events)', filter: { ...emptyFilter(), from: new Date(Date.now() - 30 * DAY_MS) }, groupBy: ['DAY'] },
    // The worst case for partial days: both ends at noon, half a day of events at each end.
    { name: 'by DAY, 30 days from noon to noon (half a day of events at each end)', filter: { ...emptyFilter(), from: new Date(start + DAY_MS / 2), to: new Date(today - DAY_MS / 2) }, groupBy: ['DAY'] },
  ];
  const figures: UsageQueryFigures = { rows, seedSeconds, cases: [] };
  console.log('| report | groups | source | median | min | max |\n|---|---:|---|---:|---:|---:|');
  for (const { name: caseName, filter, groupBy } of cases) {
    const times: number[] = [];
    let report = await repository.report(filter, groupBy);
    for (let run = 0; run < 7; run++) {
      const started = performance.now();
      report = await repository.report(filter, groupBy);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    console.log(`| ${caseName} | ${report.series.length} | ${report.source} | ${times[3]!.toFixed(1)} ms | ${times[0]!.toFixed(1)} ms | ${times[6]!.toFixed(1)} ms |`);
    figures.cases.push({ name: caseName, groups: report.series.length, source: report.source, medianMs: times[3]!, minMs: times[0]!, maxMs: times[6]! });
  }
  if (jsonFile) writeFileSync(jsonFile, JSON.stringify(figures));
  await database.close();
  if (!keep) {
    const cleanup = postgres(serverUrl, { max: 1, onnotice: () => undefined });
    await cleanup.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await cleanup.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
