// Part of the composition root (used only by app.ts): the live set of providers, adapters,
// catalog and deployments, built from the config file plus what admins stored in the database,
// and rebuilt in place when an admin changes deployments or provider credentials.
import type { AppConfig } from '../config.ts';
import { CatalogService } from '../core/catalog.ts';
import { ConfigDeclaredDeployments, configDeploymentId } from '../core/deployment-ownership.ts';
import { DeploymentTable } from '../core/deployments.ts';
import type { EmbeddingAdapter } from '../core/embeddings.ts';
import { usdToMicro } from '../core/money.ts';
import type { DeploymentRepository, Logger, ProviderAdapter, ProviderCredentialRepository, StoredDeployment, HttpClient } from '../core/ports.ts';
import type { SecretBox } from '../core/secret-box.ts';
import { credentialsOf, SecretScrubber } from '../core/secret-scrubber.ts';
import { guardEmbeddingAdapter, guardProviderAdapter } from '../core/upstream-error-gate.ts';
import { scopeReasoningToFamily } from '../core/reasoning-family.ts';
import { buildCatalog } from '../providers/catalog/build-catalog.ts';
import { createEmbeddingAdapter, createProviderAdapter, isConfigured } from '../providers/registry.ts';
import { providerSettingsSchema, type ProviderSettings } from '../providers/provider-settings.ts';

export interface ProviderRuntimeOptions {
  config: AppConfig;
  deployments: DeploymentRepository;
  credentials: ProviderCredentialRepository;
  secretBox: SecretBox;
  http: HttpClient;
  logger: Logger;
}

/** Stored credential secrets: the API key and any extra headers, sealed together. */
export interface CredentialSecrets {
  apiKey?: string;
  headers?: Record<string, string>;
}

/** The config file's deployments, with ids derived from name, provider and upstream model (see deployment-ownership.ts). */
export function configDeployments(config: AppConfig): StoredDeployment[] {
  return config.models.map((model) => ({
    id: configDeploymentId({ modelName: model.name, providerId: model.provider, upstreamModel: model.model }),
    modelName: model.name,
    providerId: model.provider,
    upstreamModel: model.model,
    weight: model.weight ?? 1,
    priority: model.priority ?? 0,
    timeoutMs: model.timeoutMs ?? null,
    contextLength: model.contextLength ?? null,
    maxOutputTokens: model.maxOutputTokens ?? null,
    pricing: model.pricing
      ? {
          ...(model.pricing.input !== undefined ? { input: usdToMicro(model.pricing.input) } : {}),
          ...(model.pricing.output !== undefined ? { output: usdToMicro(model.pricing.output) } : {}),
          ...(model.pricing.cacheRead !== undefined ? { cacheRead: usdToMicro(model.pricing.cacheRead) } : {}),
          ...(model.pricing.cacheWrite !== undefined ? { cacheWrite: usdToMicro(model.pricing.cacheWrite) } : {}),
          ...(model.pricing.cacheWrite1h !== undefined ? { cacheWrite1h: usdToMicro(model.pricing.cacheWrite1h) } : {}),
        }
      : null,
    rpm: model.rpm ?? null,
    tpm: model.tpm ?? null,
    tags: model.tags ?? null,
    region: model.region ?? null,
    source: 'config',
  }));
}

export class ProviderRuntime {
  readonly catalog: CatalogService;
  readonly deployments: DeploymentTable;
  /** This instance's own deployments: routed from the config file, whatever the database holds. */
  readonly declared: ConfigDeclaredDeployments;
  readonly adapters = new Map<string, ProviderAdapter>();
  /** The embeddings adapters of the configured providers whose kind serves embeddings. */
  readonly embeddingAdapters = new Map<string, EmbeddingAdapter>();

  private constructor(private readonly options: ProviderRuntimeOptions) {
    this.catalog = new CatalogService({ models: [], providers: [] });
    this.deployments = new DeploymentTable(this.catalog, []);
    this.declared = new ConfigDeclaredDeployments(configDeployments(options.config));
  }

  static async create(options: ProviderRuntimeOptions): Promise<ProviderRuntime> {
    const runtime = new ProviderRuntime(options);
    await runtime.reload();
    return runtime;
  }

  /** Provider settings: config file providers, overridden or extended by stored credentials. */
  private async providerSettings(): Promise<ProviderSettings[]> {
    const byId = new Map<string, ProviderSettings>(this.options.config.providers.map((settings) => [settings.id, settings]));
    for (const stored of await this.options.credentials.list()) {
      let secrets: CredentialSecrets = {};
      if (stored.encryptedSecrets) {
        try {
          secrets = JSON.parse(this.options.secretBox.decrypt(stored.encryptedSecrets)) as CredentialSecrets;
        } catch {
          // Never log the value; the id is enough to act on.
          this.options.logger.warn(`provider ${stored.providerId}: stored credentials cannot be decrypted with the current MODELGRAPH_SECRET_KEY; skipped`);
          continue;
        }
      }
      const settings = providerSettingsSchema.safeParse({
        ...stored.settings,
        id: stored.providerId,
        kind: stored.kind,
        ...(stored.baseUrl ? { baseUrl: stored.baseUrl } : {}),
        ...(secrets.apiKey !== undefined ? { apiKey: secrets.apiKey } : {}),
        ...(secrets.headers !== undefined ? { headers: secrets.headers } : {}),
      });
      if (!settings.success) {
        this.options.logger.warn(`provider ${stored.providerId}: stored settings do not fit kind "${stored.kind}"; skipped`);
        continue;
      }
      byId.set(stored.providerId, settings.data);
    }
    return [...byId.values()];
  }

  /**
   * Rebuilds catalog, deployment table and adapters from config + database, swapping them in place.
   * The config's deployments always stay: only the shared admin rows are read again.
   */
  async reload(): Promise<void> {
    const settings = await this.providerSettings();
    const { deployments, shadowed } = this.declared.merge(await this.options.deployments.list());
    for (const row of shadowed) {
      this.options.logger.warn(`deployment ${row.modelName} (${row.providerId}/${row.upstreamModel}): the admin-created row ${row.id} is shadowed here by this instance's config file`);
    }
    const built = buildCatalog({ providers: settings, deployments });
    this.catalog.replace(built.snapshot);
    this.deployments.replace(built.deployments);
    const next = new Map<string, ProviderAdapter>();
    const nextEmbedding = new Map<string, EmbeddingAdapter>();
    // Every provider's credentials are scrubbed from every provider's errors: an upstream may
    // quote a key it was never sent (a misrouted request, a proxy in front of several providers).
    const { config } = this.options;
    const scrubber = new SecretScrubber([...settings.flatMap((provider) => credentialsOf(provider)), config.adminKey, config.secretKey]);
    for (const provider of settings) {
      if (!isConfigured(provider)) continue;
      try {
        const gate = { providerId: provider.id, scrubber };
        next.set(provider.id, scopeReasoningToFamily(guardProviderAdapter(createProviderAdapter(provider, this.options.http), gate), provider.kind));
        const embedding = createEmbeddingAdapter(provider, this.options.http);
        if (embedding) nextEmbedding.set(provider.id, guardEmbeddingAdapter(embedding, gate));
      } catch (error) {
        this.options.logger.warn(`provider ${provider.id}: ${scrubber.scrub((error as Error).message)}; not routable`);
      }
    }
    this.adapters.clear();
    for (const [id, adapter] of next) this.adapters.set(id, adapter);
    this.embeddingAdapters.clear();
    for (const [id, adapter] of nextEmbedding) this.embeddingAdapters.set(id, adapter);
  }
}
