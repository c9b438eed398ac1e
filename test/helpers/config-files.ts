// The gateway's config as it reads it from a modelgraph.yaml: a folder holding the file, the config
// loaded from it, and the problems a ConfigError lists.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { ConfigError, loadConfig, type AppConfig } from '../../src/config.ts';

/** A fresh folder with `yaml` as its modelgraph.yaml (none when null). */
export function folderWithConfig(yaml: string | null): string {
  const cwd = mkdtempSync(join(tmpdir(), 'mg-config-'));
  if (yaml !== null) writeFileSync(join(cwd, 'modelgraph.yaml'), yaml);
  return cwd;
}

/** The config loaded from `yaml` (no file when null) and `env`. */
export function loadConfigFile(yaml: string | null, env: Record<string, string> = {}): AppConfig {
  return loadConfig({ env, cwd: folderWithConfig(yaml) });
}

/** Runs a load that must fail with a ConfigError, and returns the problems it lists. */
export function configProblems(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}
