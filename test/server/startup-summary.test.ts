// What an operator reads at start-up: where the config and data are, what was migrated, which
// providers and models are enabled, and a hint when nothing is configured; never a password.
import { describe, expect, it } from 'vitest';
import { describeDatabase, startupSummary } from '../../src/app/startup-summary.ts';
import type { ProviderDescriptor } from '../../src/core/catalog.ts';

const config = {
  configPath: undefined,
  fromEnvironment: true,
  version: '0.0.0',
  database: { url: undefined, dataDir: '/srv/data/.modelgraph' },
};

const openai = { id: 'openai', name: 'OpenAI', kind: 'openai', configured: true } as ProviderDescriptor;
const unconfigured = { id: 'groq', name: 'Groq', kind: 'groq', configured: false } as ProviderDescriptor;

describe('start-up summary', () => {
  it('names the Postgres host, port, user and database but never the password', () => {
    const line = describeDatabase({ database: { url: 'postgres://app:s3cret-pass@db.internal:6543/gateway?sslmode=require', dataDir: '' } });
    expect(line).toBe('Postgres app@db.internal:6543/gateway');
    expect(line).not.toContain('s3cret');
    expect(describeDatabase(config)).toBe('embedded Postgres (PGlite) in /srv/data/.modelgraph');
  });

  it('says how to add a provider when none is configured', () => {
    const lines = startupSummary({ config, migrations: { applied: 5, total: 5 }, providers: [unconfigured], models: [] }).join('\n');
    expect(lines).toContain('config:     none (no modelgraph.yaml here and MODELGRAPH_CONFIG unset)');
    expect(lines).toContain('migrations: applied 5 (5 in all)');
    expect(lines).toContain('providers:  none configured');
    expect(lines).toContain('hint: no provider is configured');
    expect(lines).toContain('kind: mock');
  });

  it('lists providers from the environment and the callable models, without a hint', () => {
    const models = Array.from({ length: 14 }, (_, i) => `model-${String(i).padStart(2, '0')}`);
    const lines = startupSummary({ config, migrations: { applied: 0, total: 5 }, providers: [openai, unconfigured], models }).join('\n');
    expect(lines).toContain('; providers from environment variables');
    expect(lines).toContain('migrations: up to date (5)');
    expect(lines).toContain('providers:  openai (openai)\n');
    expect(lines).toContain('model-11 and 2 more');
    expect(lines).not.toContain('hint');
  });
});
