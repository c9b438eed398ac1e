// The database suite runs on PGlite always and on real Postgres when TEST_DATABASE_URL is set.
// Each Postgres case gets its own fresh database so test files can run in parallel.
import { appendFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { openDatabase, type Database } from '../../src/db/client.ts';

export interface DatabaseCase {
  name: 'pglite' | 'postgres';
  open(): Promise<Database>;
}

/** A fresh Postgres database (when TEST_DATABASE_URL is set) that several app instances can share. */
export async function createSharedPostgres(): Promise<{ url: string; drop(): Promise<void> } | null> {
  if (!serverUrl) return null;
  const name = `mg_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const marker = process.env.MODELGRAPH_POSTGRES_SUITE_MARKER;
  if (marker) appendFileSync(marker, 'ran\n');
  return {
    url: url.toString(),
    async drop() {
      const cleanup = postgres(serverUrl!, { max: 1, onnotice: () => undefined });
      await cleanup.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await cleanup.end();
    },
  };
}

const serverUrl = process.env.TEST_DATABASE_URL;

async function openFreshPostgres(): Promise<Database> {
  const name = `mg_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(serverUrl!, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl!);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString(), dataDir: '' });
  const marker = process.env.MODELGRAPH_POSTGRES_SUITE_MARKER;
  if (marker) appendFileSync(marker, 'ran\n');
  return {
    ...database,
    async close() {
      await database.close();
      const cleanup = postgres(serverUrl!, { max: 1, onnotice: () => undefined });
      await cleanup.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await cleanup.end();
    },
  };
}

export const databaseCases: DatabaseCase[] = [
  { name: 'pglite', open: () => openDatabase({ dataDir: 'memory://' }) },
  ...(serverUrl ? [{ name: 'postgres' as const, open: openFreshPostgres }] : []),
];
