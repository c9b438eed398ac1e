// The Redis-backed suites run when TEST_REDIS_URL is set (.ci/run sets it when Redis answers) and
// skip otherwise. Each records that it ran, so CI fails when Redis answered and a suite skipped,
// as it does for the Postgres suite (MODELGRAPH_POSTGRES_SUITE_MARKER in databases.ts).
import { appendFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll } from 'vitest';

export const testRedisUrl = process.env.TEST_REDIS_URL;

/**
 * Call inside each Redis-backed describe block with the test file's `import.meta.url`: before the
 * block's tests, writes the file's path to MODELGRAPH_REDIS_SUITE_MARKER. .ci/run expects every
 * test file that calls this to be listed there.
 */
export function markRedisSuiteRan(testFileUrl: string): void {
  beforeAll(() => {
    const marker = process.env.MODELGRAPH_REDIS_SUITE_MARKER;
    if (marker) appendFileSync(marker, `${relative(process.cwd(), fileURLToPath(testFileUrl))}\n`);
  });
}
