// The shapes the Providers page reads (ConsoleProviders / ConsoleDeployments) and how a
// deployment's live state reads to an admin.

export interface DeploymentState {
  inFlight: number;
  averageLatencyMs: number | null;
  averageTimeToFirstTokenMs: number | null;
  tokensPerSecond: number | null;
  failuresInWindow: number;
  cooledUntil: string | null;
  requestsThisMinute: number;
  tokensThisMinute: number;
}

export interface Deployment {
  id: string;
  model: string;
  provider: string;
  upstreamModel: string;
  source: 'CONFIG' | 'ADMIN' | 'CATALOG';
  weight: number;
  priority: number;
  timeoutMs: number | null;
  contextLength: number | null;
  maxOutputTokens: number | null;
  rpm: number | null;
  tpm: number | null;
  tags: string[];
  region: string | null;
  inputPrice: string | null;
  outputPrice: string | null;
  cacheReadPrice: string | null;
  cacheWritePrice: string | null;
  state: DeploymentState | null;
}

export interface Provider {
  id: string;
  name: string;
  kind: string;
  protocol: string;
  baseUrl: string | null;
  configured: boolean;
}

/** Stored through the API; the secret is never returned, only whether there is one. */
export interface ProviderCredential {
  providerId: string;
  kind: string;
  baseUrl: string | null;
  hasSecret: boolean;
  settings: Record<string, unknown>;
  updatedAt: string;
}

export interface ProvidersPage {
  providers: { edges: Array<{ node: Provider }> };
  providerCredentials: ProviderCredential[];
  deployments: Deployment[];
}

export type Health = { level: 'good' | 'warn' | 'bad'; text: string };

const clock = (iso: string) => new Date(iso).toLocaleTimeString('en-GB', { hour12: false });

/** Out of rotation, waiting for a probe, failing, or healthy; an unconfigured provider serves nothing. */
export function healthOf(deployment: Deployment, providerConfigured: boolean, now: number): Health {
  const state = deployment.state;
  if (!providerConfigured) return { level: 'bad', text: `provider ${deployment.provider} not configured` };
  if (!state) return { level: 'warn', text: 'not in the routing table' };
  if (state.cooledUntil !== null) {
    const until = Date.parse(state.cooledUntil);
    // The failure count restarts when a cooldown begins, so it says nothing here.
    if (until > now) return { level: 'bad', text: `cooling down until ${clock(state.cooledUntil)}` };
    return { level: 'warn', text: 'cooldown over: the next request is a probe' };
  }
  if (state.failuresInWindow > 0) return { level: 'warn', text: `healthy, ${state.failuresInWindow} recent failure${state.failuresInWindow > 1 ? 's' : ''}` };
  return { level: 'good', text: 'healthy' };
}

/** "2 in flight · 14 req/min · 3,200 tok/min · 840 ms · first token 120 ms · 55 tok/s" (what is known). */
export function statsOf(state: DeploymentState | null): string {
  if (!state) return '—';
  const round = (value: number) => Math.round(value).toLocaleString('en-US');
  return [
    `${state.inFlight} in flight`,
    `${state.requestsThisMinute} req/min`,
    `${round(state.tokensThisMinute)} tok/min`,
    state.averageLatencyMs !== null ? `${round(state.averageLatencyMs)} ms` : null,
    state.averageTimeToFirstTokenMs !== null ? `first token ${round(state.averageTimeToFirstTokenMs)} ms` : null,
    state.tokensPerSecond !== null ? `${round(state.tokensPerSecond)} tok/s` : null,
  ]
    .filter(Boolean)
    .join(' · ');
}

/** Why a row has no Edit or Delete. */
export const READ_ONLY_REASON: Record<Exclude<Deployment['source'], 'ADMIN'>, string> = {
  CONFIG: "Declared in this instance's config file: change it there and restart (the API refuses with DECLARED_IN_CONFIG).",
  CATALOG: 'A catalog model of a configured provider, requested as provider/model: add a deployment to give it a name of its own.',
};
