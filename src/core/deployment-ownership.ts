// Who owns which deployment. Instances sharing one database may run different config files, so:
// - a deployment declared in an instance's config file is owned by that file: the instance routes
//   it from its config, it is never stored, and no other instance's config or admin change can
//   remove or alter it there;
// - an admin-created deployment is stored in the database and shared: every instance routes it
//   and reloads it on a change notification;
// - where both name the same model, provider and upstream model, the instance's config wins (the
//   admin row is shadowed on that instance only), and an admin change aimed at a deployment this
//   instance declares is refused with DECLARED_IN_CONFIG rather than stored as an override that
//   other instances, with other files, would then apply too.
import { createHash } from 'node:crypto';
import { DeclaredInConfigError } from './errors.ts';
import type { StoredDeployment } from './ports.ts';

export interface DeploymentIdentity {
  modelName: string;
  providerId: string;
  upstreamModel: string;
}

/** RFC 4122 name-based (SHA-1, version 5) namespace for config-declared deployment ids. */
const CONFIG_NAMESPACE = Buffer.from('3f0c7c1e9b5a4d2f8e61a0c4b7d2e915', 'hex');

/**
 * The id of a config-declared deployment: the same on every instance and across restarts (so
 * router state shared through Redis and usage records agree), without storing anything.
 */
export function configDeploymentId(identity: DeploymentIdentity): string {
  const hash = createHash('sha1').update(CONFIG_NAMESPACE).update(identityKey(identity)).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function identityKey(identity: DeploymentIdentity): string {
  // JSON keeps names containing any separator apart.
  return JSON.stringify([identity.modelName, identity.providerId, identity.upstreamModel]);
}

/** This instance's config-declared deployments, and the rules for merging the shared admin rows. */
export class ConfigDeclaredDeployments {
  private readonly byId = new Map<string, StoredDeployment>();
  private readonly byIdentity = new Map<string, StoredDeployment>();

  constructor(readonly list: readonly StoredDeployment[]) {
    for (const deployment of list) {
      this.byId.set(deployment.id, deployment);
      this.byIdentity.set(identityKey(deployment), deployment);
    }
  }

  find(target: { id: string } | DeploymentIdentity): StoredDeployment | undefined {
    return 'id' in target ? this.byId.get(target.id) : this.byIdentity.get(identityKey(target));
  }

  /** Refuses an admin change aimed at a deployment this instance's config declares. */
  refuseAdminChange(target: { id: string } | DeploymentIdentity, change: 'change' | 'remove'): void {
    const declared = this.find(target);
    if (!declared) return;
    throw new DeclaredInConfigError(
      `Deployment ${declared.modelName} (${declared.providerId}/${declared.upstreamModel}) is declared in this instance's config file; ${change} it there`,
    );
  }

  /** What this instance routes: its config's deployments plus the admin rows they do not shadow. */
  merge(adminRows: readonly StoredDeployment[]): { deployments: StoredDeployment[]; shadowed: StoredDeployment[] } {
    const shadowed = adminRows.filter((row) => this.byIdentity.has(identityKey(row)));
    const shared = adminRows.filter((row) => !this.byIdentity.has(identityKey(row)));
    return { deployments: [...this.list, ...shared], shadowed };
  }
}
