// Where the key that encrypts stored provider credentials comes from: MODELGRAPH_SECRET_KEY, or on
// the embedded default (PGlite) a key file created once beside the data, readable by the owner only.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { AppConfig } from '../config.ts';
import { parseSecretKey } from '../core/secret-box.ts';

export async function loadSecretKey(config: AppConfig): Promise<Buffer | null> {
  if (config.secretKey) return parseSecretKey(config.secretKey);
  // With a shared Postgres every instance needs the same key: it must be configured explicitly.
  if (config.database.url) return null;
  if (config.database.dataDir.startsWith('memory://')) return randomBytes(32);
  const file = join(config.database.dataDir, 'secret.key');
  if (existsSync(file)) return parseSecretKey(readFileSync(file, 'utf8').trim());
  const key = randomBytes(32);
  writeFileSync(file, key.toString('hex'), { mode: 0o600 });
  return key;
}
