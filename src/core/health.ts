// Health and readiness, answered within a bounded time whatever the database does: a frozen
// Postgres must not hang a load balancer's probe. One ping at a time goes to the database; while
// it hangs, later checks share it (and give up after the timeout) instead of piling up queries.
import type { MeteringStatus } from './metering/metering-ports.ts';
import type { Clock } from './ports.ts';

export interface HealthProbeOptions {
  /** Resolves when the database answered a trivial query. */
  pingDatabase(): Promise<void>;
  /** How long a check waits for the ping before it calls the database unreachable. */
  timeoutMs: number;
  /** The usage writer's buffer: full means usage is being dropped. */
  metering(): MeteringStatus;
  meteringBufferLimit: number;
  /** Providers that have what they need to be called. */
  configuredProviders(): number;
  clock: Clock;
}

export interface Readiness {
  ready: boolean;
  /** Each condition of readiness; migrations are applied before the server listens. */
  checks: { database: boolean; meteringBuffer: boolean; providers: boolean };
}

export class HealthProbe {
  private pending: { promise: Promise<boolean>; startedAt: number } | null = null;

  constructor(private readonly options: HealthProbeOptions) {}

  /** True when the database answered within the timeout. */
  async databaseReachable(): Promise<boolean> {
    const { clock, timeoutMs } = this.options;
    const now = clock.now();
    // A ping that hangs for good (a dead connection) is not waited on forever: after ten timeouts
    // a new one may go out.
    if (this.pending === null || now - this.pending.startedAt > timeoutMs * 10) {
      const pending = {
        startedAt: now,
        promise: this.options.pingDatabase().then(
          () => true,
          () => false,
        ),
      };
      this.pending = pending;
      void pending.promise.then(() => {
        if (this.pending === pending) this.pending = null;
      });
    }
    return withinTimeout(this.pending.promise, timeoutMs, false);
  }

  async readiness(): Promise<Readiness> {
    const checks = {
      database: await this.databaseReachable(),
      meteringBuffer: this.options.metering().buffered < this.options.meteringBufferLimit,
      providers: this.options.configuredProviders() > 0,
    };
    return { ready: checks.database && checks.meteringBuffer && checks.providers, checks };
  }
}

/** The promise's value, or `fallback` when it takes longer than `timeoutMs`. */
export function withinTimeout<T>(promise: Promise<T>, timeoutMs: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), timeoutMs);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
