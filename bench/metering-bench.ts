// The metering workloads of `npm run bench`: usage write throughput (bench/usage-write.ts) and
// grouped usage reports over millions of events (bench/usage-query.ts), each run as its own
// process (on every core) against the local Postgres server after the gateway workloads, read
// back through --json.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeScript, pinProcess } from './services.ts';
import type { UsageQueryFigures } from './usage-query.ts';
import type { UsageWriteFigures } from './usage-write.ts';

export type { UsageQueryFigures, UsageWriteFigures };

export interface MeteringResults {
  /** One entry per run: Postgres first, then PGlite. */
  write: Array<UsageWriteFigures[] | null>;
  writeRecords: number;
  query: UsageQueryFigures | null;
}

async function runScript<T>(script: string, args: string[], log: (line: string) => void): Promise<T> {
  const directory = mkdtempSync(join(tmpdir(), 'modelgraph-bench-metering-'));
  const jsonFile = join(directory, 'figures.json');
  const [command, ...rest] = nodeScript(script, ...args, `--json=${jsonFile}`);
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(command!, rest, { stdio: ['ignore', 'pipe', 'pipe'] });
      // The orchestrator is pinned to the load core and children inherit that; the gateways are
      // idle now, so the writer may use every core, as the Postgres server does.
      if (child.pid !== undefined) pinProcess(child.pid, 'all');
      let errors = '';
      child.stdout.on('data', (chunk: Buffer) => {
        for (const line of chunk.toString('utf8').split('\n')) if (line.startsWith('seeded') || line.startsWith('usage_events')) log(line);
      });
      child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString('utf8')));
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${script} exited with ${code}: ${errors.trim().split('\n').slice(-3).join(' ')}`))));
    });
    return JSON.parse(readFileSync(jsonFile, 'utf8')) as T;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

export function usageWrite(serverUrl: string, records: number, log: (line: string) => void): Promise<UsageWriteFigures[]> {
  return runScript<UsageWriteFigures[]>('bench/usage-write.ts', [`--records=${records}`, `--database-url=${serverUrl}`], log);
}

export function usageQuery(serverUrl: string, rows: number, log: (line: string) => void): Promise<UsageQueryFigures> {
  return runScript<UsageQueryFigures>('bench/usage-query.ts', [`--rows=${rows}`, `--database-url=${serverUrl}`], log);
}
