import { displayPrefixOf, generateKeySecret, hashKeySecret } from './api-key-secret.ts';
import { type KeyRepository, noLimits } from './types.ts';

/**
 * Without MODELGRAPH_ADMIN_KEY, a master key is generated on the first start, stored hashed, and
 * its secret returned once for printing. Later starts find the stored key and return null.
 */
export async function bootstrapMasterKey(keys: KeyRepository, adminKeyFromEnvironment: string | undefined): Promise<string | null> {
  if (adminKeyFromEnvironment) return null;
  if (await keys.findMaster()) return null;
  const secret = generateKeySecret();
  await keys.insert({
    name: 'master key',
    secretHash: hashKeySecret(secret),
    displayPrefix: displayPrefixOf(secret),
    isMaster: true,
    teamId: null,
    userId: null,
    scopes: ['ADMIN', 'INFERENCE', 'READ_USAGE'],
    allowedModels: null,
    modelAliases: {},
    cacheTtlSeconds: null,
    metadata: {},
    expiresAt: null,
    disabled: false,
    ...noLimits(),
  });
  return secret;
}
