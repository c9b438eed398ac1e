// Admin operations on keys, teams and members. Every change is written to the audit log (secrets
// never included) and invalidates the authenticator's cache, here and on other instances.
import { auditEntry } from './audit-entry.ts';
import type { Caller } from '../auth.ts';
import { type Scope, noLimits, type ApiKey, type ApiKeyChanges, type AuditLogRepository, type KeyRepository, type Limits, type Team, type TeamChanges, type TeamMember, type TeamRepository, type TeamRole, type User } from './types.ts';
import { InvalidRequestError, NotFoundError } from '../errors.ts';
import { INPUT_LIMITS, checkBoundedText } from '../input-limits.ts';
import type { ChangeFeed, Clock } from '../ports.ts';
import { displayPrefixOf, generateKeySecret, hashKeySecret } from './api-key-secret.ts';
import type { KeyAuthenticator } from './key-authenticator.ts';

export interface KeyLimitsInput {
  maxBudgetMicro?: bigint | null;
  budgetPeriod?: Limits['budgetPeriod'];
  rpmLimit?: number | null;
  tpmLimit?: number | null;
  maxParallelRequests?: number | null;
}

export interface CreateApiKeyInput extends KeyLimitsInput {
  name: string;
  teamId?: string | null;
  userId?: string | null;
  scopes?: Scope[];
  allowedModels?: string[] | null;
  modelAliases?: Record<string, string>;
  metadata?: Record<string, unknown>;
  cacheTtlSeconds?: number | null;
  expiresAt?: Date | null;
}

export type UpdateApiKeyInput = Partial<Omit<CreateApiKeyInput, 'teamId'>> & { teamId?: string | null; disabled?: boolean };

export interface CreateTeamInput extends KeyLimitsInput {
  name: string;
  allowedModels?: string[] | null;
  metadata?: Record<string, unknown>;
  cacheTtlSeconds?: number | null;
}

export interface AdminServiceOptions {
  keys: KeyRepository;
  teams: TeamRepository;
  audit: AuditLogRepository;
  authenticator: KeyAuthenticator;
  changes: ChangeFeed;
  clock: Clock;
  newId(): string;
}

export const DEFAULT_TEAM_NAME = 'default';
export const KEY_CHANGES_TOPIC = 'api_key';
export const TEAM_CHANGES_TOPIC = 'team';

function checkLimits(input: KeyLimitsInput): Partial<Limits> {
  const limits: Partial<Limits> = {};
  if (input.maxBudgetMicro !== undefined) {
    if (input.maxBudgetMicro !== null && input.maxBudgetMicro < 0n) throw new InvalidRequestError('maxBudget: must not be negative');
    limits.maxBudgetMicro = input.maxBudgetMicro;
    if (input.maxBudgetMicro !== null && input.budgetPeriod === undefined) limits.budgetPeriod = 'LIFETIME';
  }
  if (input.budgetPeriod !== undefined) limits.budgetPeriod = input.budgetPeriod;
  for (const field of ['rpmLimit', 'tpmLimit', 'maxParallelRequests'] as const) {
    const value = input[field];
    if (value === undefined) continue;
    if (value !== null && (!Number.isInteger(value) || value < 1)) throw new InvalidRequestError(`${field}: must be a positive integer`);
    limits[field] = value;
  }
  return limits;
}

function checkName(name: string, field = 'name'): string {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > INPUT_LIMITS.nameLength) throw new InvalidRequestError(`${field}: must be 1 to ${INPUT_LIMITS.nameLength} characters`);
  return checkBoundedText(field, trimmed, INPUT_LIMITS.nameLength);
}

function checkModels(patterns: string[] | null | undefined): string[] | null | undefined {
  if (patterns == null) return patterns;
  for (const pattern of patterns) {
    if (pattern.trim() === '' || (pattern.includes('*') && pattern !== '*' && !pattern.endsWith('/*'))) {
      throw new InvalidRequestError(`allowedModels: "${pattern}" is not a model name, a group name, "*" or "provider/*"`);
    }
  }
  return patterns;
}

export class AdminService {
  constructor(private readonly options: AdminServiceOptions) {}

  private async audit(actor: Caller, action: string, targetType: string, targetId: string | null, before: unknown, after: unknown): Promise<void> {
    await this.options.audit.append(auditEntry(this.options, actor, { action, targetType, targetId, before, after }));
  }

  private async keyChanged(id: string): Promise<void> {
    this.options.authenticator.invalidate(id);
    await this.options.changes.publish(KEY_CHANGES_TOPIC, id);
  }

  private async teamChanged(id: string): Promise<void> {
    this.options.authenticator.invalidate();
    await this.options.changes.publish(TEAM_CHANGES_TOPIC, id);
  }

  private async requireKey(id: string): Promise<ApiKey> {
    const key = await this.options.keys.findById(id);
    if (!key) throw new NotFoundError(`No API key with id ${id}`);
    return key;
  }

  private async requireTeam(id: string): Promise<Team> {
    const [team] = await this.options.teams.findByIds([id]);
    if (!team) throw new NotFoundError(`No team with id ${id}`);
    return team;
  }

  /** A key's user must exist (a foreign key): an unknown one is NOT_FOUND, not a constraint violation. */
  private async userIdFor(userId: string | null | undefined): Promise<string | null> {
    if (!userId) return null;
    const [user] = await this.options.teams.findUsersByIds([userId]);
    if (!user) throw new NotFoundError(`No user with id ${userId}`);
    return user.id;
  }

  /** Keys belong to a team; without one they go to the `default` team, created on first use. */
  private async teamIdFor(teamId: string | null | undefined): Promise<string> {
    if (teamId) return (await this.requireTeam(teamId)).id;
    const existing = await this.options.teams.list(1, null, DEFAULT_TEAM_NAME);
    const found = existing.items.find((team) => team.name === DEFAULT_TEAM_NAME);
    if (found) return found.id;
    try {
      return (await this.options.teams.insert({ name: DEFAULT_TEAM_NAME, allowedModels: null, metadata: {}, cacheTtlSeconds: null, maxBudgetMicro: null, budgetPeriod: null, rpmLimit: null, tpmLimit: null, maxParallelRequests: null })).id;
    } catch {
      // Another request created it first.
      const again = await this.options.teams.list(1, null, DEFAULT_TEAM_NAME);
      return again.items.find((team) => team.name === DEFAULT_TEAM_NAME)!.id;
    }
  }

  async createApiKey(actor: Caller, input: CreateApiKeyInput): Promise<{ key: ApiKey; secret: string }> {
    const secret = generateKeySecret();
    const key = await this.options.keys.insert({
      name: checkName(input.name),
      secretHash: hashKeySecret(secret),
      displayPrefix: displayPrefixOf(secret),
      isMaster: false,
      teamId: await this.teamIdFor(input.teamId),
      userId: await this.userIdFor(input.userId),
      scopes: input.scopes?.length ? [...new Set(input.scopes)] : ['INFERENCE'],
      allowedModels: checkModels(input.allowedModels) ?? null,
      modelAliases: input.modelAliases ?? {},
      metadata: input.metadata ?? {},
      cacheTtlSeconds: checkCacheTtl(input.cacheTtlSeconds),
      expiresAt: input.expiresAt ?? null,
      disabled: false,
      ...noLimits(),
      ...checkLimits(input),
    });
    await this.audit(actor, 'createApiKey', 'ApiKey', key.id, null, key);
    return { key, secret };
  }

  async updateApiKey(actor: Caller, id: string, input: UpdateApiKeyInput): Promise<ApiKey> {
    const before = await this.requireKey(id);
    const changes: ApiKeyChanges = { ...checkLimits(input) };
    if (input.name !== undefined) changes.name = checkName(input.name);
    if (input.teamId !== undefined) changes.teamId = await this.teamIdFor(input.teamId);
    if (input.userId !== undefined) changes.userId = await this.userIdFor(input.userId);
    if (input.scopes !== undefined) {
      if (input.scopes.length === 0) throw new InvalidRequestError('scopes: at least one scope is required');
      changes.scopes = [...new Set(input.scopes)];
    }
    if (input.allowedModels !== undefined) changes.allowedModels = checkModels(input.allowedModels) ?? null;
    if (input.modelAliases !== undefined) changes.modelAliases = input.modelAliases;
    if (input.metadata !== undefined) changes.metadata = input.metadata;
    if (input.cacheTtlSeconds !== undefined) changes.cacheTtlSeconds = checkCacheTtl(input.cacheTtlSeconds);
    if (input.expiresAt !== undefined) changes.expiresAt = input.expiresAt;
    if (input.disabled !== undefined) changes.disabled = input.disabled;
    const after = (await this.options.keys.update(id, changes))!;
    await this.keyChanged(id);
    await this.audit(actor, 'updateApiKey', 'ApiKey', id, before, after);
    return after;
  }

  async revokeApiKey(actor: Caller, id: string): Promise<ApiKey> {
    const before = await this.requireKey(id);
    if (before.isMaster) throw new InvalidRequestError('The master key cannot be revoked through the API');
    const after = before.revokedAt ? before : (await this.options.keys.update(id, { revokedAt: new Date(this.options.clock.now()) }))!;
    await this.keyChanged(id);
    await this.audit(actor, 'revokeApiKey', 'ApiKey', id, before, after);
    return after;
  }

  /** A new secret; the old one stays valid for `graceSeconds` (0 ends it at once). */
  async rotateApiKey(actor: Caller, id: string, graceSeconds: number): Promise<{ key: ApiKey; secret: string }> {
    if (!Number.isInteger(graceSeconds) || graceSeconds < 0 || graceSeconds > 30 * 86_400) {
      throw new InvalidRequestError('gracePeriodSeconds: must be an integer from 0 to 2592000 (30 days)');
    }
    const before = await this.requireKey(id);
    if (before.revokedAt) throw new InvalidRequestError('A revoked key cannot be rotated');
    const current = await this.options.keys.currentSecretHash(id);
    const secret = generateKeySecret();
    const after = (await this.options.keys.update(id, {
      secretHash: hashKeySecret(secret),
      displayPrefix: displayPrefixOf(secret),
      previousSecretHash: current ?? null,
      previousValidUntil: new Date(this.options.clock.now() + graceSeconds * 1000),
    }))!;
    await this.keyChanged(id);
    await this.audit(actor, 'rotateApiKey', 'ApiKey', id, before, after);
    return { key: after, secret };
  }

  async createTeam(actor: Caller, input: CreateTeamInput): Promise<Team> {
    const team = await this.options.teams
      .insert({
        name: checkName(input.name),
        allowedModels: checkModels(input.allowedModels) ?? null,
        metadata: input.metadata ?? {},
        cacheTtlSeconds: checkCacheTtl(input.cacheTtlSeconds),
        ...noLimits(),
        ...checkLimits(input),
      })
      .catch((error: unknown) => {
        throw uniqueViolation(error) ? new InvalidRequestError(`name: a team named "${input.name}" exists`) : error;
      });
    await this.audit(actor, 'createTeam', 'Team', team.id, null, team);
    return team;
  }

  async updateTeam(actor: Caller, id: string, input: Partial<CreateTeamInput>): Promise<Team> {
    const before = await this.requireTeam(id);
    const changes: TeamChanges = { ...checkLimits(input) };
    if (input.name !== undefined) changes.name = checkName(input.name);
    if (input.allowedModels !== undefined) changes.allowedModels = checkModels(input.allowedModels) ?? null;
    if (input.metadata !== undefined) changes.metadata = input.metadata;
    if (input.cacheTtlSeconds !== undefined) changes.cacheTtlSeconds = checkCacheTtl(input.cacheTtlSeconds);
    const after = (await this.options.teams.update(id, changes).catch((error: unknown) => {
      throw uniqueViolation(error) ? new InvalidRequestError(`name: a team named "${input.name}" exists`) : error;
    }))!;
    await this.teamChanged(id);
    await this.audit(actor, 'updateTeam', 'Team', id, before, after);
    return after;
  }

  async deleteTeam(actor: Caller, id: string): Promise<Team> {
    const before = await this.requireTeam(id);
    const keys = await this.options.keys.countByTeam(id);
    if (keys > 0) throw new InvalidRequestError(`The team still has ${keys} API key(s); move or delete them first`);
    await this.options.teams.delete(id);
    await this.teamChanged(id);
    await this.audit(actor, 'deleteTeam', 'Team', id, before, null);
    return before;
  }

  async addTeamMember(actor: Caller, teamId: string, email: string, name: string | null, role: TeamRole): Promise<{ member: TeamMember; user: User }> {
    await this.requireTeam(teamId);
    if (!/^[^@\s]+@[^@\s]+$/.test(email)) throw new InvalidRequestError('email: not an email address');
    checkBoundedText('email', email, INPUT_LIMITS.emailLength);
    if (name !== null) checkName(name);
    const user = await this.options.teams.upsertUser(email, name);
    const member = await this.options.teams.addMember(teamId, user.id, role);
    await this.audit(actor, 'addTeamMember', 'Team', teamId, null, { userId: user.id, email: user.email, role });
    return { member, user };
  }

  async removeTeamMember(actor: Caller, teamId: string, userId: string): Promise<boolean> {
    await this.requireTeam(teamId);
    const removed = await this.options.teams.removeMember(teamId, userId);
    if (!removed) throw new NotFoundError(`User ${userId} is not a member of team ${teamId}`);
    await this.audit(actor, 'removeTeamMember', 'Team', teamId, { userId }, null);
    return true;
  }
}

function uniqueViolation(error: unknown): boolean {
  const code = (error as { code?: string; cause?: { code?: string } })?.code ?? (error as { cause?: { code?: string } })?.cause?.code;
  return code === '23505';
}

/** A default TTL of the response cache: whole seconds, at least 1; null clears it. */
function checkCacheTtl(value: number | null | undefined): number | null {
  if (value === undefined || value === null) return null;
  if (!Number.isInteger(value) || value < 1) throw new InvalidRequestError('cacheTtlSeconds: must be a whole number of seconds, at least 1');
  return value;
}
