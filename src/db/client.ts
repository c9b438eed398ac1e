// Opens the database: postgres.js when a URL is given, PGlite in a directory otherwise. Both run
// the same drizzle schema and the same migrations, and both are exposed as one `Db` type.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { Sql } from 'postgres';
import type { ChangeFeed } from '../core/ports.ts';
import * as schema from './schema.ts';

const CHANNEL = 'modelgraph_changes';

function parseNotification(payload: string, handler: (topic: string, id: string) => void): void {
  const separator = payload.indexOf(':');
  if (separator > 0) handler(payload.slice(0, separator), payload.slice(separator + 1));
}

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
export type DatabaseDriver = 'pglite' | 'postgres';

export interface Database {
  db: Db;
  driver: DatabaseDriver;
  /** Runs pending migrations from drizzle/; says how many it applied. */
  migrate(): Promise<MigrationReport>;
  /** Resolves when the server answers a trivial query. */
  ping(): Promise<void>;
  /** LISTEN/NOTIFY on one channel: cache invalidation across instances sharing the database. */
  changes: ChangeFeed;
  close(): Promise<void>;
}

/**
 * drizzle/ of the installation: the nearest folder above this module that holds
 * `drizzle/meta/_journal.json` (src/db/ when run from source, dist/ when built).
 */
function findMigrationsFolder(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(directory, 'drizzle');
    if (existsSync(join(candidate, 'meta', '_journal.json'))) return candidate;
    const parent = dirname(directory);
    if (parent === directory) throw new Error(`no drizzle/meta/_journal.json above ${fileURLToPath(import.meta.url)}`);
    directory = parent;
  }
}

export const MIGRATIONS_FOLDER = findMigrationsFolder();

export interface MigrationReport {
  /** Migrations this call applied. */
  applied: number;
  /** Migrations the installed version has. */
  total: number;
}

function migrationCount(): number {
  const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] };
  return journal.entries.length;
}

/** Rows in drizzle's migrations table (0 before the first migration created it). */
const APPLIED_MIGRATIONS_SQL = `select count(*)::int as n from drizzle.__drizzle_migrations`;

async function reportMigrations(countApplied: () => Promise<number>, run: () => Promise<void>): Promise<MigrationReport> {
  const before = await countApplied().catch(() => 0);
  await run();
  const after = await countApplied().catch(() => before);
  return { applied: Math.max(0, after - before), total: migrationCount() };
}

export interface OpenDatabaseOptions {
  url?: string | undefined;
  /** PGlite data directory; `memory://` for an in-memory database (tests). */
  dataDir: string;
  /** Pool size for postgres.js. */
  maxConnections?: number;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.url) return openPostgres(options.url, options.maxConnections ?? 10);
  return openPglite(options.dataDir);
}

async function openPostgres(url: string, max: number): Promise<Database> {
  const { default: postgres } = await import('postgres');
  const { drizzle } = await import('drizzle-orm/postgres-js');
  const { migrate } = await import('drizzle-orm/postgres-js/migrator');
  const client = postgres(url, { max, onnotice: () => undefined });
  const db = drizzle(client, { schema }) as unknown as Db;
  return {
    db,
    driver: 'postgres',
    async migrate() {
      // A dedicated single connection, as drizzle recommends for migrations.
      const migrationClient = postgres(url, { max: 1, onnotice: () => undefined });
      try {
        return await reportMigrations(
          async () => ((await migrationClient.unsafe(APPLIED_MIGRATIONS_SQL)) as unknown as Array<{ n: number }>)[0]!.n,
          () => migrate(drizzle(migrationClient), { migrationsFolder: MIGRATIONS_FOLDER }),
        );
      } finally {
        await migrationClient.end();
      }
    },
    async ping() {
      await client`select 1`;
    },
    changes: createPostgresChangeFeed(client),
    close: () => client.end({ timeout: 5 }),
  };
}

/**
 * LISTEN/NOTIFY over a postgres.js client. Its listener reconnects by itself after the connection
 * is lost (a Postgres restart), with backoff; postgres.js calls `onlisten` after every LISTEN.
 */
export function createPostgresChangeFeed(client: Sql): ChangeFeed {
  return {
    async publish(topic, id) {
      await client.notify(CHANNEL, `${topic}:${id}`);
    },
    async subscribe(handler, onListen) {
      const { unlisten } = await client.listen(CHANNEL, (payload) => parseNotification(payload, handler), onListen);
      return unlisten;
    },
  };
}

/**
 * The embedded database serves one process: 16 MB of shared buffers (Postgres' default is 128 MB,
 * all of it resident inside the gateway's process with PGlite) keep the whole gateway small.
 */
const PGLITE_SETTINGS = ['shared_buffers = 16MB'];

async function initPgliteInChild(dataDir: string, options: { postgresqlconf: string[] }): Promise<void> {
  const { execFile } = await import('node:child_process');
  const script = `const [pglite, dataDir, options] = process.argv.slice(1);
    Promise.resolve().then(async () => (await require(pglite).PGlite.create(dataDir, JSON.parse(options))).close())
      .catch((error) => { console.error(String((error && error.stack) || error)); process.exit(1); });`;
  // The package's CommonJS entry, resolved from here (the child evaluates a script, not a module).
  const pglite = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  await new Promise<void>((resolveDone, reject) => {
    execFile(process.execPath, ['-e', script, pglite, dataDir, JSON.stringify(options)], (error, _stdout, stderr) => {
      if (error) reject(new Error(`Could not create the embedded database in ${dataDir}: ${stderr.trim() || error.message}`));
      else resolveDone();
    });
  });
}

async function openPglite(dataDir: string): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const { migrate } = await import('drizzle-orm/pglite/migrator');
  const onDisk = !dataDir.startsWith('memory://');
  if (onDisk) mkdirSync(dataDir, { recursive: true });
  const options = { postgresqlconf: PGLITE_SETTINGS };
  // Creating the cluster (initdb) leaves about 600 MB behind that a process does not get back;
  // done by a short-lived child process, the gateway then opens the new directory at the
  // footprint of every later start (about 120 MB for the database).
  if (onDisk && !existsSync(join(dataDir, 'PG_VERSION'))) await initPgliteInChild(dataDir, options);
  const client = await PGlite.create(dataDir, options);
  const db = drizzle(client, { schema }) as unknown as Db;
  return {
    db,
    driver: 'pglite',
    async migrate() {
      return reportMigrations(
        async () => (await client.query<{ n: number }>(APPLIED_MIGRATIONS_SQL)).rows[0]!.n,
        () => migrate(drizzle(client), { migrationsFolder: MIGRATIONS_FOLDER }),
      );
    },
    async ping() {
      await client.query('select 1');
    },
    changes: {
      async publish(topic, id) {
        await client.query('select pg_notify($1, $2)', [CHANNEL, `${topic}:${id}`]);
      },
      async subscribe(handler, onListen) {
        // In-process: the listener is never disconnected, so it "connects" once.
        const unlisten = await client.listen(CHANNEL, (payload) => parseNotification(payload, handler));
        onListen?.();
        return unlisten;
      },
    },
    close: () => client.close(),
  };
}
