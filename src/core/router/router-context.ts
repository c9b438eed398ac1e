// What every route run shares, whatever its operation: the deployment table, settings, live state
// and injected effects. The adapters belong to the operation (route-run.ts, RouteOperation).
import type { DeploymentTable } from '../deployments.ts';
import type { Clock, ProviderAdapter } from '../ports.ts';
import type { DeploymentHealthStore } from './deployment-health-store.ts';
import type { DeploymentStats } from './deployment-stats.ts';
import type { RouterSettings } from './router-settings.ts';

export interface AdapterLookup<A = ProviderAdapter> {
  get(providerId: string): A | undefined;
}

export interface RouterContext {
  deployments: DeploymentTable;
  settings: RouterSettings;
  health: DeploymentHealthStore;
  stats: DeploymentStats;
  clock: Clock;
  /** Uniform in [0, 1): weighted choices and backoff jitter. */
  random(): number;
  /** Resolves after `ms`, or early when the signal aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
