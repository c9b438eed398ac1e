// Admin changes to the routing table and provider credentials, applied live (no restart) on this
// instance and, through the change feed, on every other instance sharing the database.
import type { Caller } from './auth.ts';
import type { ConfigDeclaredDeployments } from './deployment-ownership.ts';
import { InvalidRequestError, NotFoundError } from './errors.ts';
import { INPUT_LIMITS, checkBoundedText } from './input-limits.ts';
import { auditEntry } from './keys/audit-entry.ts';
import type { AuditLogRepository } from './keys/types.ts';
import type { ChangeFeed, Clock, DeploymentRepository, ProviderCredentialRepository, StoredCredential, StoredDeployment } from './ports.ts';
import type { SecretBox } from './secret-box.ts';

export const CATALOG_CHANGES_TOPIC = 'catalog';

export interface DeploymentInput {
  id?: string | null;
  modelName: string;
  providerId: string;
  upstreamModel: string;
  weight?: number | null;
  priority?: number | null;
  timeoutMs?: number | null;
  contextLength?: number | null;
  maxOutputTokens?: number | null;
  pricing?: StoredDeployment['pricing'];
  rpm?: number | null;
  tpm?: number | null;
  tags?: string[] | null;
  region?: string | null;
}

export interface ProviderCredentialInput {
  providerId: string;
  kind: string;
  baseUrl?: string | null;
  apiKey?: string | null;
  headers?: Record<string, string> | null;
  /** Kind-specific, non-secret settings (apiVersion, region, project, location). */
  settings?: Record<string, unknown> | null;
}

/** What queries and mutations may show of a stored credential: never the secret. */
export interface ProviderCredentialView {
  providerId: string;
  kind: string;
  baseUrl: string | null;
  hasSecret: boolean;
  settings: Record<string, unknown>;
  updatedAt: Date;
}

export interface ProviderAdminServiceOptions {
  /** The shared, admin-created deployments. */
  deployments: DeploymentRepository;
  /** This instance's config-file deployments, which admin changes may not touch. */
  declared: ConfigDeclaredDeployments;
  credentials: ProviderCredentialRepository;
  secretBox: SecretBox;
  audit: AuditLogRepository;
  changes: ChangeFeed;
  clock: Clock;
  newId(): string;
  /** Rebuilds the catalog, deployment table and adapters from config + database. */
  reload(): Promise<void>;
  isKnownKind(kind: string): boolean;
  /** Provider ids that can serve deployments (configured in the file or stored). */
  providerExists(id: string): boolean;
}

export function credentialView(stored: StoredCredential): ProviderCredentialView {
  return {
    providerId: stored.providerId,
    kind: stored.kind,
    baseUrl: stored.baseUrl,
    hasSecret: stored.encryptedSecrets !== null,
    settings: stored.settings,
    updatedAt: stored.updatedAt,
  };
}

const positiveOrNull = (value: number | null | undefined, field: string) => {
  if (value != null && (!Number.isFinite(value) || value <= 0)) throw new InvalidRequestError(`${field}: must be positive`);
  return value ?? null;
};

export class ProviderAdminService {
  constructor(private readonly options: ProviderAdminServiceOptions) {}

  private async applied(actor: Caller, action: string, targetType: string, targetId: string, before: unknown, after: unknown): Promise<void> {
    await this.options.reload();
    await this.options.changes.publish(CATALOG_CHANGES_TOPIC, targetId);
    await this.options.audit.append(auditEntry(this.options, actor, { action, targetType, targetId, before, after }));
  }

  async upsertDeployment(actor: Caller, input: DeploymentInput): Promise<StoredDeployment> {
    const modelName = input.modelName.trim();
    if (!modelName || modelName.length > 200) throw new InvalidRequestError('modelName: must be 1 to 200 characters');
    checkBoundedText('modelName', modelName, 200);
    if (!input.upstreamModel.trim()) throw new InvalidRequestError('upstreamModel: required');
    // The three make up a unique index: bounded so that the index row fits.
    checkBoundedText('upstreamModel', input.upstreamModel.trim(), INPUT_LIMITS.modelNameLength);
    if (input.region != null) checkBoundedText('region', input.region, INPUT_LIMITS.nameLength);
    for (const [index, tag] of (input.tags ?? []).entries()) checkBoundedText(`tags[${index}]`, tag, INPUT_LIMITS.nameLength);
    if (!this.options.providerExists(input.providerId)) {
      throw new InvalidRequestError(`providerId: no provider "${input.providerId}"; add it with upsertProviderCredential or the config file`);
    }
    const identity = { modelName, providerId: input.providerId, upstreamModel: input.upstreamModel.trim() };
    if (input.id) this.options.declared.refuseAdminChange({ id: input.id }, 'change');
    // An admin row this instance's config also declares would be shadowed here: say so instead.
    this.options.declared.refuseAdminChange(identity, 'change');
    const before = input.id ? await this.options.deployments.findById(input.id) : null;
    if (input.id && !before) throw new NotFoundError(`No deployment with id ${input.id}`);
    const saved = await this.options.deployments.upsertAdmin({
      id: input.id ?? null,
      ...identity,
      weight: positiveOrNull(input.weight, 'weight') ?? 1,
      priority: input.priority ?? 0,
      timeoutMs: positiveOrNull(input.timeoutMs, 'timeoutMs'),
      contextLength: positiveOrNull(input.contextLength, 'contextLength'),
      maxOutputTokens: positiveOrNull(input.maxOutputTokens, 'maxOutputTokens'),
      pricing: input.pricing ?? null,
      rpm: positiveOrNull(input.rpm, 'rpm'),
      tpm: positiveOrNull(input.tpm, 'tpm'),
      tags: input.tags ?? null,
      region: input.region ?? null,
    });
    await this.applied(actor, 'upsertDeployment', 'Deployment', saved.id, before, saved);
    return saved;
  }

  async deleteDeployment(actor: Caller, id: string): Promise<StoredDeployment> {
    this.options.declared.refuseAdminChange({ id }, 'remove');
    const before = await this.options.deployments.findById(id);
    if (!before) throw new NotFoundError(`No deployment with id ${id}`);
    await this.options.deployments.delete(id);
    await this.applied(actor, 'deleteDeployment', 'Deployment', id, before, null);
    return before;
  }

  async upsertProviderCredential(actor: Caller, input: ProviderCredentialInput): Promise<ProviderCredentialView> {
    if (!/^[a-z0-9][a-z0-9._-]*$/.test(input.providerId)) throw new InvalidRequestError('providerId: lowercase letters, digits, ".", "_" or "-"');
    checkBoundedText('providerId', input.providerId, INPUT_LIMITS.providerIdLength);
    if (!this.options.isKnownKind(input.kind)) throw new InvalidRequestError(`kind: unknown provider kind "${input.kind}"`);
    if (input.baseUrl != null && !/^https?:\/\//.test(input.baseUrl)) throw new InvalidRequestError('baseUrl: must be an http(s) URL');
    const existing = await this.options.credentials.find(input.providerId);
    const secrets = input.apiKey != null || input.headers != null ? { ...(input.apiKey != null ? { apiKey: input.apiKey } : {}), ...(input.headers ? { headers: input.headers } : {}) } : null;
    const saved = await this.options.credentials.upsert({
      providerId: input.providerId,
      kind: input.kind,
      baseUrl: input.baseUrl ?? null,
      // Omitting the secret keeps the stored one (rotate the key without resending the rest, and vice versa).
      encryptedSecrets: secrets ? this.options.secretBox.encrypt(JSON.stringify(secrets)) : (existing?.encryptedSecrets ?? null),
      settings: input.settings ?? {},
    });
    const view = credentialView(saved);
    await this.applied(actor, 'upsertProviderCredential', 'ProviderCredential', input.providerId, existing ? credentialView(existing) : null, view);
    return view;
  }

  async deleteProviderCredential(actor: Caller, providerId: string): Promise<ProviderCredentialView> {
    const existing = await this.options.credentials.find(providerId);
    if (!existing) throw new NotFoundError(`No stored credentials for provider ${providerId}`);
    await this.options.credentials.delete(providerId);
    const view = credentialView(existing);
    await this.applied(actor, 'deleteProviderCredential', 'ProviderCredential', providerId, view, null);
    return view;
  }

  async listCredentials(): Promise<ProviderCredentialView[]> {
    return (await this.options.credentials.list()).map(credentialView);
  }
}
