import DataLoader from 'dataloader';
import type { ResponseCacheAdmin } from '../core/cache/response-cache-admin.ts';
import type { Authenticator, Caller, Credentials } from '../core/auth.ts';
import { toGatewayError, type GatewayError } from '../core/errors.ts';
import type { AdminService } from '../core/keys/admin-service.ts';
import type { DeploymentTable } from '../core/deployments.ts';
import type { ProviderAdminService } from '../core/provider-admin-service.ts';
import type { ApiKey, AuditLogRepository, KeyRepository, Team, TeamMember, TeamRepository, User } from '../core/keys/types.ts';
import type { CatalogService, ProviderDescriptor } from '../core/catalog.ts';
import type { ProviderRepository, StoredProvider } from '../core/ports.ts';
import type { CompletionService } from '../core/completion-service.ts';
import type { EmbeddingService } from '../core/embedding-service.ts';
import type { BudgetService } from '../core/metering/budget-service.ts';
import type { MeteringStatus, UsageFeed } from '../core/metering/metering-ports.ts';
import type { UsageRepository } from '../core/metering/usage-report.ts';
import type { Readiness } from '../core/health.ts';
import type { RequestLog } from '../core/request-log.ts';

export interface HealthInfo {
  version: string;
  databaseDriver: 'pglite' | 'postgres';
  startedAt: number;
  /** Answers within `server.healthTimeoutMs` whatever the database does. */
  databaseReachable(): Promise<boolean>;
  /** Database answering, usage buffer below its limit, a provider configured (also bounded). */
  readiness(): Promise<Readiness>;
  /** The usage writer's buffer and database state. */
  metering(): MeteringStatus;
}

/** The services the GraphQL edge calls; built once in app/app.ts. */
export interface GraphQLServices {
  authenticator: Authenticator;
  admin: AdminService;
  keys: KeyRepository;
  teams: TeamRepository;
  audit: AuditLogRepository;
  providerAdmin: ProviderAdminService;
  /** The live routing table (admin views of deployments). */
  deploymentTable: DeploymentTable;
  catalog: CatalogService;
  providers: ProviderRepository;
  completions: CompletionService;
  embeddings: EmbeddingService;
  /** Usage reports, generations (including records not yet written) and the raw log. */
  usage: UsageRepository;
  usageFeed: UsageFeed;
  budgets: BudgetService;
  health: HealthInfo;
  /** The admin purge of the response cache (audited). */
  responseCacheAdmin: ResponseCacheAdmin;
}

export interface ProviderView extends ProviderDescriptor {
  stored: StoredProvider | null;
}

export interface GraphQLContext {
  services: GraphQLServices;
  /** The authenticated caller, or null (then authError says why). */
  caller: Caller | null;
  authError: GatewayError | null;
  loaders: ReturnType<typeof createLoaders>;
  /** Aborted when the client goes away (HTTP request closed, subscription completed). */
  signal: AbortSignal;
  /** The request's id and access-log line (server/graphql-request-logging.ts). */
  requestId?: string;
  requestLog?: RequestLog;
}

/** What a service call carries from the operation: the caller, the request id and the access log's usage and attempt observers. */
export function serviceScope(context: GraphQLContext): {
  caller?: Caller;
  requestId?: string;
  onUsageRecord?: RequestLog['usage'];
  onAttemptStarted?: RequestLog['attemptStarted'];
} {
  return {
    ...(context.caller ? { caller: context.caller } : {}),
    ...(context.requestId !== undefined ? { requestId: context.requestId } : {}),
    ...(context.requestLog ? { onUsageRecord: context.requestLog.usage, onAttemptStarted: context.requestLog.attemptStarted } : {}),
  };
}

/** Request-scoped DataLoaders: batch functions return values in key order. */
export function createLoaders(services: GraphQLServices) {
  const byId = <T extends { id: string }>(load: (ids: readonly string[]) => Promise<T[]>) =>
    new DataLoader<string, T | null>(async (ids) => {
      const rows = new Map((await load(ids)).map((row) => [row.id, row]));
      return ids.map((id) => rows.get(id) ?? null);
    });
  // Created on first use: most operations (a completion, a stream) never load an entity.
  let team: DataLoader<string, Team | null> | undefined;
  let user: DataLoader<string, User | null> | undefined;
  let apiKey: DataLoader<string, ApiKey | null> | undefined;
  let teamMembers: DataLoader<string, TeamMember[]> | undefined;
  let provider: DataLoader<string, ProviderView | null> | undefined;
  return {
    get team() {
      return (team ??= byId((ids) => services.teams.findByIds(ids)));
    },
    get user() {
      return (user ??= byId((ids) => services.teams.findUsersByIds(ids)));
    },
    get apiKey() {
      return (apiKey ??= byId((ids) => services.keys.findByIds(ids)));
    },
    get teamMembers() {
      return (teamMembers ??= new DataLoader<string, TeamMember[]>(async (teamIds) => {
        const members = await services.teams.membersOfTeams(teamIds);
        return teamIds.map((id) => members.filter((member) => member.teamId === id));
      }));
    },
    get provider() {
      return (provider ??= new DataLoader<string, ProviderView | null>(async (ids) => {
        const rows = await services.providers.findByIds(ids);
        const byId = new Map(rows.map((row) => [row.id, row]));
        return ids.map((id) => {
          const descriptor = services.catalog.provider(id);
          if (!descriptor) return null;
          return { ...descriptor, stored: byId.get(id) ?? null };
        });
      }));
    },
  };
}

/** Authenticates without throwing: GraphQL fields decide (via scopes) whether a caller is needed. */
export async function authenticateForContext(
  authenticator: Authenticator,
  credentials: Credentials,
): Promise<Pick<GraphQLContext, 'caller' | 'authError'>> {
  try {
    return { caller: await authenticator.authenticate(credentials), authError: null };
  } catch (error) {
    return { caller: null, authError: toGatewayError(error) };
  }
}
