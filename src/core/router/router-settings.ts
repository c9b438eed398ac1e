// How the router treats each model group: selection strategy, fallback chains, which error codes
// fall back or are retried, backoff, cooldown and timeouts. Config gives `defaults` and per-group
// overrides (partial); `RouterSettings.policy(group)` merges them once per group.
import type { ErrorCode } from '../errors.ts';

export const ROUTING_STRATEGIES = ['weighted-random', 'least-in-flight', 'lowest-latency', 'lowest-cost', 'usage-based'] as const;
export type RoutingStrategy = (typeof ROUTING_STRATEGIES)[number];

/** Failures that say something about the deployment rather than the request (they count against its health). */
export const DEPLOYMENT_FAULT_CODES = [
  'RATE_LIMITED',
  'OVERLOADED',
  'TIMEOUT',
  'UPSTREAM_ERROR',
  'UPSTREAM_PROTOCOL_ERROR',
  'UPSTREAM_AUTHENTICATION',
  'UPSTREAM_PERMISSION',
  'MODEL_NOT_FOUND',
] as const satisfies readonly ErrorCode[];

/** The error codes whose fallback and retry behaviour config may set. */
export const ROUTER_ERROR_CODES = [
  ...DEPLOYMENT_FAULT_CODES,
  'CONTEXT_LENGTH_EXCEEDED',
  'CONTENT_FILTERED',
  'INVALID_REQUEST',
  'INTERNAL',
] as const satisfies readonly ErrorCode[];

export interface BackoffPolicy {
  /** The first retry waits up to this long (full jitter); each further retry doubles the cap. */
  initialMs: number;
  /** The longest wait; a Retry-After beyond it is not waited for (the error carries it to the client). */
  maxMs: number;
}

/** Groups of one deployment are not cooled: there is nothing to route to instead. */
export interface CooldownPolicy {
  /** This many failures within `windowMs` take a deployment out of rotation... */
  failures: number;
  windowMs: number;
  /** ...for this long; then one probe request decides whether it comes back. */
  cooldownMs: number;
}

export interface TimeoutPolicy {
  /** Until the upstream answers at all (streams: its first event). */
  connectMs: number;
  /** Streams: until the first content token. */
  firstTokenMs: number;
  /** Streams: the longest gap between two events. */
  idleMs: number;
  /** One attempt, start to end; a deployment's own `timeoutMs` replaces it. */
  totalMs: number;
  /** The whole request: every retry, backoff and fallback (a request's `routing.timeoutMs` replaces it). */
  requestMs: number;
}

export interface GroupPolicy {
  strategy: RoutingStrategy;
  /** Model names tried, in order, after the group and the request's own fallback models. */
  fallbacks: string[];
  /** Tried when the prompt does not fit a deployment's context window or the upstream says so. */
  contextWindowFallbacks: string[];
  /** Tried when the upstream refuses the content (CONTENT_FILTERED). */
  contentPolicyFallbacks: string[];
  /** Retries (full rounds over the candidates, after a backoff) per error code of the last failure. */
  retries: Partial<Record<ErrorCode, number>>;
  /** Whether an error code moves on to the next candidate (true) or ends the request (false). */
  fallbackOn: Partial<Record<ErrorCode, boolean>>;
  backoff: BackoffPolicy;
  cooldown: CooldownPolicy;
  timeouts: TimeoutPolicy;
}

/** A group's settings as config gives them: every field optional, merged over the defaults. */
export interface GroupPolicyInput {
  strategy?: RoutingStrategy | undefined;
  fallbacks?: string[] | undefined;
  contextWindowFallbacks?: string[] | undefined;
  contentPolicyFallbacks?: string[] | undefined;
  retries?: Partial<Record<ErrorCode, number>> | undefined;
  fallbackOn?: Partial<Record<ErrorCode, boolean>> | undefined;
  backoff?: Partial<BackoffPolicy> | undefined;
  cooldown?: Partial<CooldownPolicy> | undefined;
  timeouts?: Partial<TimeoutPolicy> | undefined;
}

export interface RouterSettingsInput {
  defaults?: GroupPolicyInput | undefined;
  /** By public model name. */
  groups?: Record<string, GroupPolicyInput> | undefined;
}

export const DEFAULT_GROUP_POLICY: GroupPolicy = {
  strategy: 'weighted-random',
  fallbacks: [],
  contextWindowFallbacks: [],
  contentPolicyFallbacks: [],
  // Other candidates are tried first, without waiting; a retry round waits, so keep them few.
  retries: { RATE_LIMITED: 1, OVERLOADED: 1, UPSTREAM_ERROR: 1, UPSTREAM_PROTOCOL_ERROR: 1 },
  // Errors another deployment may not have. The request's own faults (INVALID_REQUEST, content
  // refusals) and credentials problems end the request unless configured otherwise.
  fallbackOn: {
    RATE_LIMITED: true,
    OVERLOADED: true,
    TIMEOUT: true,
    UPSTREAM_ERROR: true,
    UPSTREAM_PROTOCOL_ERROR: true,
    MODEL_NOT_FOUND: true,
    CONTEXT_LENGTH_EXCEEDED: true,
  },
  backoff: { initialMs: 200, maxMs: 5_000 },
  cooldown: { failures: 3, windowMs: 60_000, cooldownMs: 30_000 },
  timeouts: { connectMs: 30_000, firstTokenMs: 120_000, idleMs: 60_000, totalMs: 600_000, requestMs: 900_000 },
};

function merge(base: GroupPolicy, input: GroupPolicyInput | undefined): GroupPolicy {
  if (!input) return base;
  return {
    strategy: input.strategy ?? base.strategy,
    fallbacks: input.fallbacks ?? base.fallbacks,
    contextWindowFallbacks: input.contextWindowFallbacks ?? base.contextWindowFallbacks,
    contentPolicyFallbacks: input.contentPolicyFallbacks ?? base.contentPolicyFallbacks,
    retries: { ...base.retries, ...input.retries },
    fallbackOn: { ...base.fallbackOn, ...input.fallbackOn },
    backoff: { ...base.backoff, ...input.backoff },
    cooldown: { ...base.cooldown, ...input.cooldown },
    timeouts: { ...base.timeouts, ...input.timeouts },
  };
}

export class RouterSettings {
  private readonly defaults: GroupPolicy;
  private readonly policies = new Map<string, GroupPolicy>();

  constructor(private readonly input: RouterSettingsInput = {}) {
    this.defaults = merge(DEFAULT_GROUP_POLICY, input.defaults);
  }

  policy(group: string): GroupPolicy {
    let policy = this.policies.get(group);
    if (!policy) {
      policy = merge(this.defaults, this.input.groups?.[group]);
      this.policies.set(group, policy);
    }
    return policy;
  }
}
