// `node --import tsx bench/usage-write.ts [--records=200000] [--database-url=postgres://...] [--concurrency=N] [--json=FILE]`
// (`npm run bench` runs it after the gateway workloads and reads --json.)
// Sustained write throughput of the usage writer: records handed to UsageWriter.record() as fast as
// the writer takes them, with at most 8,000 waiting (the request path's cost per record is measured
// too), written in batches of 2000 by one INSERT ... SELECT FROM unnest(...) statement that also
// adds to the daily rollups, two statements at a time; stop() returns when the last batch
// committed. Postgres in a fresh database on the local server, and PGlite.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { uuidv7 } from 'uuidv7';
import type { UsageRecord } from '../src/core/metering/metering-ports.ts';
import { openDatabase, type Database } from '../src/db/client.ts';
import { createUsageEventStore, rowsOf } from '../src/db/usage-event-store.ts';
import { UsageWriter } from '../src/db/usage-writer.ts';
import { usageRecord } from '../test/helpers/usage-records.ts';

const argument = (name: string) => process.argv.find((arg) => arg.startsWith(`--${name}=`))?.split('=').slice(1).join('=');
const records = Number(argument('records') ?? 200_000);
const serverUrl = argument('database-url') ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const jsonFile = argument('json');
/** Statements the writer runs at once (its default when not given). */
const concurrency = argument('concurrency') === undefined ? undefined : Number(argument('concurrency'));

/** One database's figures (the JSON `npm run bench` reads). */
export interface UsageWriteFigures {
  database: string;
  records: number;
  statements: number;
  seconds: number;
  recordsPerSecond: number;
  /** Time record() takes on the request path, per record. */
  recordCostMicroseconds: number;
}

/** A record varied over 200 keys, 4,000 end users, 20 models and 3 providers; one in 50 is an error. */
function record(i: number): UsageRecord {
  return usageRecord({
    keyId: `key-${i % 200}`,
    endUser: i % 2 ? `user-${i % 4000}` : null,
    requestedModel: `model-${i % 20}`,
    model: `model-${i % 20}`,
    deploymentId: `deployment-${i % 20}`,
    providerId: `provider-${i % 3}`,
    upstreamModel: `upstream-${i % 20}`,
    usage: { inputTokens: 500 + (i % 1000), outputTokens: 100 + (i % 300), cachedInputTokens: i % 200, cacheWriteTokens: 0, reasoningTokens: i % 50 },
    cost: BigInt(1000 + (i % 5000)),
    latencyMs: 200 + (i % 800),
    timeToFirstTokenMs: 100 + (i % 300),
    status: i % 50 === 0 ? 'ERROR' : 'SUCCESS',
    errorCode: i % 50 === 0 ? 'UPSTREAM_ERROR' : null,
    attempts: [{ deploymentId: `deployment-${i % 20}`, modelName: `model-${i % 20}`, providerId: `provider-${i % 3}`, upstreamModel: `upstream-${i % 20}`, errorCode: null, errorMessage: null, upstreamStatus: null, latencyMs: 200, retry: 0, backoffMs: 0 }],
    streamed: i % 3 === 0,
    requestId: `req-${i}`,
  });
}

/** Records waiting in the writer at most: a gateway under sustained load, not a burst of 200k held in memory. */
const BACKLOG = 8000;

async function measure(label: string, database: Database, count: number): Promise<UsageWriteFigures> {
  await database.migrate();
  let statements = 0;
  const store = createUsageEventStore(database.db);
  const writer = new UsageWriter({
    store: { write: (batch) => (statements++, store.write(batch)) },
    flushIntervalMs: 250,
    bufferLimit: count,
    ...(concurrency === undefined ? {} : { concurrency }),
  });
  // 4,000 distinct records, handed over again with new ids and times: the spread of keys, models
  // and end users is the same as 200,000 distinct ones, without holding them all in memory.
  const templates = Array.from({ length: 4000 }, (_, i) => record(i));
  let produced = 0;
  let handOverMs = 0;
  const started = performance.now();
  while (produced < count) {
    if (writer.status().buffered >= BACKLOG) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      continue;
    }
    const next = Array.from({ length: Math.min(1000, count - produced) }, (_, k) => ({ ...templates[(produced + k) % templates.length]!, id: uuidv7(), createdAt: new Date() }));
    const handing = performance.now();
    for (const item of next) writer.record(item);
    handOverMs += performance.now() - handing;
    produced += next.length;
  }
  await writer.stop(600_000);
  const seconds = (performance.now() - started) / 1000;
  const [row] = rowsOf<{ events: number; requests: number }>(
    await database.db.execute(sql`select (select count(*) from usage_events)::int as events, (select sum(requests) from usage_daily)::int as requests`),
  );
  if (row!.events !== count || row!.requests !== count) throw new Error(`expected ${count} rows, got ${JSON.stringify(row)}`);
  return { database: label, records: count, statements, seconds, recordsPerSecond: count / seconds, recordCostMicroseconds: (handOverMs * 1000) / count };
}

const row = (f: UsageWriteFigures) =>
  `| ${f.database} | ${f.records.toLocaleString('en')} | ${f.statements} | ${f.seconds.toFixed(2)} s | ${Math.round(f.recordsPerSecond).toLocaleString('en')} | ${f.recordCostMicroseconds.toFixed(2)} µs |`;

async function main(): Promise<void> {
  const figures: UsageWriteFigures[] = [];
  const name = `mg_bench_write_${randomBytes(4).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const pg = await openDatabase({ url: url.toString(), dataDir: '' });
  const [version] = rowsOf<{ v: string }>(await pg.db.execute(sql`select current_setting('server_version') as v`));
  try {
    figures.push(await measure(`Postgres ${version!.v}`, pg, records));
  } finally {
    await pg.close();
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
  const lite = await openDatabase({ dataDir: 'memory://' });
  figures.push(await measure('PGlite (in memory)', lite, Math.min(records, 50_000)));
  await lite.close();
  console.log(['| database | records | statements | time to last commit | records/s | record() cost |', '|---|---:|---:|---:|---:|---:|', ...figures.map(row)].join('\n'));
  if (jsonFile) writeFileSync(jsonFile, JSON.stringify(figures));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
