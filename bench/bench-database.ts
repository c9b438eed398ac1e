// The database modelgraph runs on during the bench. Production deployments run on Postgres, so
// by default the bench does too: it creates a fresh database on the local server (the one CI
// uses, 127.0.0.1:5432, or BENCH_POSTGRES_URL) and drops it afterwards. Without a reachable server
// it falls back to the embedded PGlite and says so in the report.
import postgres from 'postgres';

export interface BenchDatabase {
  /** DATABASE_URL for modelgraph; undefined runs it on PGlite. */
  url: string | undefined;
  /** A database on the same server to create further databases from (the metering workloads). */
  serverUrl: string | undefined;
  note: string;
  drop(): Promise<void>;
}

const defaultServer = 'postgres://postgres@127.0.0.1:5432/postgres';

export async function benchDatabase(choice: 'auto' | 'postgres' | 'pglite', explicitUrl: string | undefined): Promise<BenchDatabase> {
  const none = async () => undefined;
  if (explicitUrl) return { url: explicitUrl, serverUrl: explicitUrl, note: 'modelgraph ran on Postgres (--database-url).', drop: none };
  const serverUrl = process.env.BENCH_POSTGRES_URL ?? defaultServer;
  const pglite: BenchDatabase = {
    url: undefined,
    serverUrl: undefined,
    note: 'modelgraph ran on the embedded PGlite (DATABASE_URL unset); PGlite runs inside the gateway process, so its CPU counts in the gateway\'s figures and it keeps about 400-650 MB resident by itself: see "RSS added" for what a workload costs.',
    drop: none,
  };
  if (choice === 'pglite') return pglite;
  const admin = postgres(serverUrl, { max: 1, connect_timeout: 3, onnotice: () => undefined });
  const name = `modelgraph_bench_${Date.now()}_${process.pid}`;
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } catch (error) {
    await admin.end({ timeout: 1 }).catch(() => undefined);
    if (choice === 'postgres') throw new Error(`--database=postgres: cannot create a database on ${redact(serverUrl)}: ${(error as Error).message}`);
    return { ...pglite, note: `${pglite.note} (No Postgres at ${redact(serverUrl)}: ${(error as Error).message}.)` };
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    serverUrl,
    note: `modelgraph ran on Postgres (a fresh database \`${name}\` on ${redact(serverUrl)}, dropped afterwards), as deployed; \`--database=pglite\` measures the embedded default.`,
    async drop() {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await admin.end({ timeout: 1 }).catch(() => undefined);
    },
  };
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return `${parsed.host}`;
}
