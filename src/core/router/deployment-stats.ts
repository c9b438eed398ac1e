// This instance's live view of each deployment: requests in flight and moving averages of latency,
// time to first token and output throughput. Kept by deployment id, apart from the deployment
// table, so replacing the table at runtime keeps it.

export interface DeploymentStatsView {
  inFlight: number;
  /** Whole non-streamed attempts (and timed-out attempts), moving average. */
  latencyMs: number | null;
  /** Streamed attempts, moving average. */
  timeToFirstTokenMs: number | null;
  /** Output tokens per second after the first token, moving average. */
  tokensPerSecond: number | null;
}

/** Weight of the newest sample in the exponentially weighted moving averages. */
const SMOOTHING = 0.3;

const average = (previous: number | null, sample: number): number =>
  previous === null ? sample : previous + SMOOTHING * (sample - previous);

export class DeploymentStats {
  private readonly stats = new Map<string, DeploymentStatsView>();

  get(id: string): DeploymentStatsView {
    return this.stats.get(id) ?? { inFlight: 0, latencyMs: null, timeToFirstTokenMs: null, tokensPerSecond: null };
  }

  private entry(id: string): DeploymentStatsView {
    let entry = this.stats.get(id);
    if (!entry) {
      entry = this.get(id);
      this.stats.set(id, entry);
    }
    return entry;
  }

  started(id: string): void {
    this.entry(id).inFlight++;
  }

  finished(id: string): void {
    const entry = this.entry(id);
    entry.inFlight = Math.max(0, entry.inFlight - 1);
  }

  observeLatency(id: string, latencyMs: number): void {
    const entry = this.entry(id);
    entry.latencyMs = average(entry.latencyMs, latencyMs);
  }

  observeTimeToFirstToken(id: string, timeToFirstTokenMs: number): void {
    const entry = this.entry(id);
    entry.timeToFirstTokenMs = average(entry.timeToFirstTokenMs, timeToFirstTokenMs);
  }

  observeThroughput(id: string, tokensPerSecond: number): void {
    const entry = this.entry(id);
    entry.tokensPerSecond = average(entry.tokensPerSecond, tokensPerSecond);
  }
}
