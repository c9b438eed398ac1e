import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { configProblems, folderWithConfig } from '../helpers/config-files.ts';

describe('configuration', () => {
  it('reads ./modelgraph.yaml with ${ENV} interpolation for secrets', () => {
    const cwd = folderWithConfig(`
server: { host: 0.0.0.0, port: 4100 }
providers:
  - id: openai
    kind: openai
    apiKey: \${OPENAI_KEY_FOR_TEST}
models:
  - name: fast
    provider: openai
    model: gpt-4o-mini
    pricing: { input: 0.15, output: 0.6 }
`);
    const config = loadConfig({ cwd, env: { OPENAI_KEY_FOR_TEST: 'sk-abc' } });
    expect(config.server).toMatchObject({ host: '0.0.0.0', port: 4100 });
    expect(config.providers[0]).toMatchObject({ id: 'openai', kind: 'openai', apiKey: 'sk-abc' });
    expect(config.models[0]).toMatchObject({ name: 'fast', provider: 'openai', model: 'gpt-4o-mini' });
    expect(config.database.url).toBeUndefined();
    expect(config.database.dataDir).toBe(join(cwd, '.modelgraph'));
  });

  it('uses MODELGRAPH_CONFIG over ./modelgraph.yaml and DATABASE_URL over the file', () => {
    const cwd = folderWithConfig('providers: []\n');
    writeFileSync(join(cwd, 'other.yaml'), 'database: { url: postgres://file/db }\n');
    const config = loadConfig({ cwd, env: { MODELGRAPH_CONFIG: 'other.yaml' } });
    expect(config.database.url).toBe('postgres://file/db');
    const overridden = loadConfig({ cwd, env: { MODELGRAPH_CONFIG: 'other.yaml', DATABASE_URL: 'postgres://env/db' } });
    expect(overridden.database.url).toBe('postgres://env/db');
  });

  it('enables providers from the standard environment variables without a config file', () => {
    const config = loadConfig({
      cwd: '/nonexistent',
      env: { OPENAI_API_KEY: 'sk-1', GOOGLE_API_KEY: 'g-1', GROQ_API_KEY: 'gq' },
    });
    expect(config.fromEnvironment).toBe(true);
    expect(config.providers.map((p) => [p.id, p.apiKey])).toEqual([
      ['openai', 'sk-1'],
      ['gemini', 'g-1'],
      ['groq', 'gq'],
    ]);
  });

  it('enables Bedrock and Vertex AI from the standard AWS and Google Cloud variables', () => {
    const config = loadConfig({
      cwd: '/nonexistent',
      env: { AWS_ACCESS_KEY_ID: 'AKIA', AWS_SECRET_ACCESS_KEY: 's', AWS_DEFAULT_REGION: 'eu-west-1', GOOGLE_APPLICATION_CREDENTIALS: '/keys/sa.json', GOOGLE_CLOUD_PROJECT: 'proj', COHERE_API_KEY: 'co' },
    });
    expect(config.providers).toEqual([
      { id: 'cohere', kind: 'cohere', apiKey: 'co' },
      { id: 'bedrock', kind: 'bedrock', region: 'eu-west-1', accessKeyId: 'AKIA', secretAccessKey: 's' },
      { id: 'vertex', kind: 'vertex', serviceAccountFile: '/keys/sa.json', project: 'proj' },
    ]);
  });

  it('names every invalid field, one problem per line, all in one run', () => {
    const cwd = folderWithConfig(`
server: { port: "eighty" }
database: { url: mysql://file/db }
providers:
  - id: ok
    kind: openai
    baseUrl: not a url
  - id: bad
    kind: telepathy
  - id: ok
    kind: anthropic
    apiKey: \${MISSING_KEY_Y}
models:
  - name: x
    provider: nowhere
    model: y
  - { name: z, provider: ok, model: m, weight: -1 }
  - { name: z, provider: ok, model: m }
graphql: { persistedOperations: { mode: allowlist, allowConsole: false } }
`);
    // Schema problems, unknown kinds, references and environment problems together: a user fixes
    // them all at once instead of meeting the next group after each fix.
    const problems = configProblems(() => loadConfig({ cwd, env: { PORT: 'abc' } }));
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^server\.port: /),
        expect.stringMatching(/^providers\[0\]\.baseUrl: /),
        expect.stringMatching(/^models\[1\]\.weight: /),
        expect.stringMatching(/^providers\[1\]\.kind: expected one of .*openai.*; got "telepathy"$/),
        'providers[2].id: duplicate provider id "ok"',
        'providers[2].apiKey: environment variable MISSING_KEY_Y is not set',
        'models[0].provider: no provider with id "nowhere"',
        expect.stringMatching(/^models\[2\]: the same name, provider and model as models\[1\]/),
        'database.url: expected a postgres:// URL',
        'PORT: expected an integer port, got "abc"',
        'graphql.persistedOperations.file: required in allowlist mode (or set allowConsole)',
      ]),
    );
    expect(problems).toHaveLength(11);
  });

  it("refuses a field that belongs to another provider kind (each kind's settings are its own)", () => {
    const problems = configProblems(() =>
      loadConfig({ cwd: folderWithConfig('providers:\n  - { id: a, kind: anthropic, region: eu-west-1 }\n  - { id: b, kind: bedrock, region: eu-west-1, apiVersion: "2024" }\n'), env: {} }),
    );
    expect(problems).toEqual(['providers[0]: Unrecognized key: "region"', 'providers[1]: Unrecognized key: "apiVersion"']);
    const accepted = loadConfig({ cwd: folderWithConfig('providers:\n  - { id: b, kind: bedrock, region: eu-west-1, apiKey: k }\n  - { id: z, kind: azure-openai, baseUrl: "https://r.openai.azure.com/openai", apiVersion: "2024-10-21", apiKey: k }\n'), env: {} });
    expect(accepted.providers.map((provider) => provider.kind)).toEqual(['bedrock', 'azure-openai']);
  });

  it('reports a missing environment variable by the field that references it', () => {
    const problems = configProblems(() =>
      loadConfig({ cwd: folderWithConfig('providers:\n  - id: a\n    kind: anthropic\n    apiKey: ${MISSING_KEY_X}\n'), env: {} }),
    );
    expect(problems).toContain('providers[0].apiKey: environment variable MISSING_KEY_X is not set');
  });

  it('rejects a non-postgres DATABASE_URL and a bad PORT', () => {
    const problems = configProblems(() => loadConfig({ cwd: '/nonexistent', env: { DATABASE_URL: 'mysql://x', PORT: 'abc' } }));
    expect(problems).toContain('DATABASE_URL: expected a postgres:// URL');
    expect(problems).toContain('PORT: expected an integer port, got "abc"');
  });

  it('has documented server timeouts by default, and refuses a headers timeout above the request timeout', () => {
    const defaults = loadConfig({ cwd: '/nonexistent', env: {} }).server;
    expect(defaults).toMatchObject({
      bodyLimitBytes: 4 * 1024 * 1024,
      headersTimeoutMs: 20_000,
      requestTimeoutMs: 60_000,
      keepAliveTimeoutMs: 5_000,
      idleTimeoutMs: 120_000,
      webSocketInitTimeoutMs: 3_000,
      shutdownGraceMs: 10_000,
      healthTimeoutMs: 2_000,
    });
    const cwd = folderWithConfig('server: { headersTimeoutMs: 90000, requestTimeoutMs: 30000 }\n');
    expect(configProblems(() => loadConfig({ cwd, env: {} }))).toEqual([
      'server.headersTimeoutMs: must not exceed server.requestTimeoutMs (30000)',
    ]);
  });

  it('reads log.level, log.format and log.bodies, LOG_LEVEL overriding the level, and names a bad level', () => {
    expect(loadConfig({ cwd: '/nonexistent', env: {} }).log).toEqual({ level: 'info', format: 'auto', bodies: false });
    const cwd = folderWithConfig('log: { level: warn, format: json, bodies: true }\n');
    expect(loadConfig({ cwd, env: {} }).log).toEqual({ level: 'warn', format: 'json', bodies: true });
    expect(loadConfig({ cwd, env: { LOG_LEVEL: 'DEBUG' } }).log.level).toBe('debug');
    expect(configProblems(() => loadConfig({ cwd, env: { LOG_LEVEL: 'loud' } }))).toEqual([
      'LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent, got "loud"',
    ]);
  });
});
