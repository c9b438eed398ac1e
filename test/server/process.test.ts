// The service as a user runs it: `npm start` in a directory, PGlite in ./.modelgraph, signals.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnServer } from '../helpers/spawn-server.ts';

const ADMIN_KEY = 'mg-process-test-admin-key-0123456789abcdef';

const gql = async (base: string, query: string) => {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` },
    body: JSON.stringify({ query }),
  });
  return (await response.json()) as any;
};

describe('the service process', () => {
  it('refuses an invalid config with exit code 2 and one line per problem, without a stack trace', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'mg-bad-'));
    writeFileSync(join(cwd, 'modelgraph.yaml'), 'providers:\n  - id: ok\n    kind: openai\n  - id: bad\n    kind: telepathy\n');
    const server = spawnServer({ cwd, env: { MODELGRAPH_ADMIN_KEY: ADMIN_KEY } });
    expect(await server.exited).toBe(2);
    const lines = server.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^providers\[1\]\.kind: expected one of /);
    expect(server.stderr()).not.toMatch(/\n\s+at /);
  });

  it('keeps its data in ./.modelgraph across restarts', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'mg-data-'));
    writeFileSync(join(cwd, 'modelgraph.yaml'), 'providers:\n  - { id: sim, kind: mock }\nmodels:\n  - { name: chat, provider: sim, model: mock-small }\n');
    const first = spawnServer({ cwd, env: { MODELGRAPH_ADMIN_KEY: ADMIN_KEY } });
    const base = await first.ready;
    const before = await gql(base, '{ model(id: "chat") { id routable } health { databaseDriver } }');
    expect(before.data).toEqual({ model: { id: 'chat', routable: true }, health: { databaseDriver: 'PGLITE' } });
    // The start-up summary says what was loaded (issue 16: a first start that printed nothing).
    expect(first.stdout()).toContain(`First start: creating the embedded database in ${join(cwd, '.modelgraph')}`);
    expect(first.stdout()).toContain(`config:     ${join(cwd, 'modelgraph.yaml')}`);
    expect(first.stdout()).toMatch(/migrations: applied (\d+) \(\1 in all\)/);
    expect(first.stdout()).toContain('providers:  sim (mock)');
    expect(first.stdout()).toContain('models:     chat');
    expect(first.stdout()).not.toContain('hint: no provider');
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    // The same directory is reopened (migrations already applied), not recreated.
    const second = spawnServer({ cwd, env: { MODELGRAPH_ADMIN_KEY: ADMIN_KEY } });
    const base2 = await second.ready;
    const after = await gql(base2, '{ provider(id: "sim") { id configured } model(id: "chat") { id } }');
    expect(after.data).toEqual({ provider: { id: 'sim', configured: true }, model: { id: 'chat' } });
    expect(second.stdout()).toMatch(/migrations: up to date \(\d+\)/);
    expect(second.stdout()).not.toContain('First start');
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 60_000);

  it('finishes an in-flight request on SIGTERM, then exits 0', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'mg-term-'));
    writeFileSync(
      join(cwd, 'modelgraph.yaml'),
      'providers:\n  - { id: slow, kind: mock, mock: { firstTokenLatencyMs: 800, text: "done" } }\n',
    );
    const server = spawnServer({ cwd, env: { MODELGRAPH_ADMIN_KEY: ADMIN_KEY } });
    const base = await server.ready;
    const inFlight = gql(
      base,
      'mutation { createChatCompletion(input: { model: "slow/mock-small", messages: [{ role: USER, content: "hi" }] }) { ... on ChatCompletion { output { content } } ... on Error { code } } }',
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    server.child.kill('SIGTERM');
    const result = await inFlight;
    expect(result.data.createChatCompletion.output.content).toBe('done');
    expect(await server.exited).toBe(0);
    // Not a terminal: one JSON object per line (README, "Logs"), flushed before the exit.
    const entries = server.stdout().trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries.every((entry) => typeof entry.level === 'string' && typeof entry.time === 'string' && typeof entry.msg === 'string')).toBe(true);
    expect(entries).toContainEqual(expect.objectContaining({ level: 'info', msg: 'SIGTERM received: finishing in-flight requests' }));
    expect(entries).toContainEqual(expect.objectContaining({ kind: 'access', route: 'POST /graphql', operationType: 'mutation', status: 200, model: 'slow/mock-small', provider: 'slow' }));
    expect(server.stdout()).not.toContain(ADMIN_KEY);
  }, 60_000);
});
