// Part of the composition root: the lines printed at start-up, so that an operator sees at once
// what was loaded (config file, database, migrations, providers and models) and what to do when
// nothing is configured. Never prints a password or a key.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from '../config.ts';
import type { ProviderDescriptor } from '../core/catalog.ts';
import type { MigrationReport } from '../db/client.ts';

/** True when PGlite will create its database now (the slow first start). */
export function isFirstEmbeddedStart(config: Pick<AppConfig, 'database'>): boolean {
  const { url, dataDir } = config.database;
  return !url && !dataDir.startsWith('memory://') && !existsSync(join(dataDir, 'PG_VERSION'));
}

/** Where the data lives, without credentials: the PGlite folder or Postgres host, port and database. */
export function describeDatabase(config: Pick<AppConfig, 'database'>): string {
  if (!config.database.url) return `embedded Postgres (PGlite) in ${config.database.dataDir}`;
  try {
    const url = new URL(config.database.url);
    const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || '(default database)';
    const user = url.username ? `${decodeURIComponent(url.username)}@` : '';
    return `Postgres ${user}${url.hostname}:${url.port || '5432'}/${database}`;
  } catch {
    return 'Postgres (DATABASE_URL is not a URL modelgraph can show)';
  }
}

export interface StartupFacts {
  config: Pick<AppConfig, 'configPath' | 'fromEnvironment' | 'database' | 'version'>;
  migrations: MigrationReport;
  providers: ProviderDescriptor[];
  /** Model names clients can call, from the config and admin-created deployments. */
  models: string[];
}

const MAX_LISTED_MODELS = 12;

export function startupSummary(facts: StartupFacts): string[] {
  const { config, migrations, providers, models } = facts;
  const lines: string[] = [];
  const source = config.configPath ?? 'none (no modelgraph.yaml here and MODELGRAPH_CONFIG unset)';
  lines.push(`  config:     ${source}${config.fromEnvironment && providers.some((provider) => provider.configured) ? '; providers from environment variables' : ''}`);
  lines.push(`  database:   ${describeDatabase(config)}`);
  lines.push(
    migrations.applied > 0
      ? `  migrations: applied ${migrations.applied} (${migrations.total} in all)`
      : `  migrations: up to date (${migrations.total})`,
  );
  // The catalog knows every provider kind; only those with what they need to be called are enabled.
  const enabled = providers.filter((provider) => provider.configured);
  lines.push(
    enabled.length === 0
      ? '  providers:  none configured'
      : `  providers:  ${enabled.map((provider) => `${provider.id} (${provider.kind})`).join(', ')}`,
  );
  const shown = models.slice(0, MAX_LISTED_MODELS);
  const more = models.length > shown.length ? ` and ${models.length - shown.length} more` : '';
  lines.push(`  models:     ${shown.length > 0 ? `${shown.join(', ')}${more}` : 'none configured (catalog models of configured providers can still be called by id)'}`);
  if (enabled.length === 0) {
    lines.push(
      '  hint: no provider is configured, so no request can be served. Set OPENAI_API_KEY, ANTHROPIC_API_KEY or GEMINI_API_KEY,',
      '        or create modelgraph.yaml with the built-in mock provider (README, "Trying it without provider keys"):',
      '          providers: [{ id: mock, kind: mock }]',
      '          models: [{ name: chat, provider: mock, model: mock-small }]',
    );
  }
  return lines;
}
