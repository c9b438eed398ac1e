import type { Capability, CatalogService } from './catalog.ts';
import type { StoredDeployment } from './ports.ts';
import type { ModelPricing } from './pricing.ts';

/** One upstream model behind a public name. Several deployments with one name form a group. */
export interface Deployment extends Pick<StoredDeployment, 'id' | 'modelName' | 'providerId' | 'upstreamModel' | 'weight' | 'priority' | 'timeoutMs' | 'contextLength' | 'maxOutputTokens'> {
  pricing: ModelPricing | null;
  /** Requests per minute this deployment may receive (across instances when Redis is configured). */
  rpm?: number | null;
  /** Tokens (prompt + output) per minute. */
  tpm?: number | null;
  /** Free-form labels (e.g. "eu", "batch"), shown with the deployment. */
  tags?: string[];
  region?: string | null;
  /** Who owns it: this instance's config file, an admin (shared through the database), or the catalog (`provider/model`). */
  source?: DeploymentSource;
}

export type DeploymentSource = 'config' | 'admin' | 'catalog';

/**
 * Resolves a public model name to its deployments: configured groups first, then any catalog
 * entry `provider/model` of a configured provider (as OpenRouter serves every catalog model).
 */
export class DeploymentTable {
  private groups = new Map<string, Deployment[]>();

  constructor(private readonly catalog: CatalogService, deployments: Deployment[] = []) {
    this.replace(deployments);
  }

  /**
   * Swaps the whole table (config reload, admin changes). The router keeps its live state (in
   * flight, latency, cooldown) by deployment id, so a deployment that keeps its id keeps its state.
   */
  replace(deployments: Deployment[]): void {
    const groups = new Map<string, Deployment[]>();
    for (const deployment of deployments) {
      const group = groups.get(deployment.modelName) ?? [];
      group.push(deployment);
      groups.set(deployment.modelName, group);
    }
    for (const group of groups.values()) group.sort((a, b) => a.priority - b.priority);
    this.groups = groups;
  }

  all(): Deployment[] {
    return [...this.groups.values()].flat();
  }

  resolve(name: string): Deployment[] {
    const group = this.groups.get(name);
    if (group) return group;
    const model = this.catalog.model(name);
    if (!model || !this.catalog.isRoutable(model)) return [];
    return [
      {
        id: `catalog:${model.id}`,
        modelName: model.id,
        providerId: model.providerId,
        upstreamModel: model.upstreamModel,
        weight: 1,
        priority: 0,
        timeoutMs: null,
        pricing: model.pricing,
        contextLength: model.contextLength,
        maxOutputTokens: model.maxOutputTokens,
        source: 'catalog',
      },
    ];
  }

  /**
   * What the deployment's model can do, from the catalog entry of `provider/upstreamModel`; null
   * when the catalog does not know the model (its parameters are then sent as they are).
   */
  capabilitiesOf(deployment: Deployment): Capability[] | null {
    return this.catalog.model(`${deployment.providerId}/${deployment.upstreamModel}`)?.capabilities ?? null;
  }
}
