import type { Clock } from '../ports.ts';

/**
 * Slows brute force of keys: after `maxFailures` failed attempts from one client address within
 * `windowMs`, that address is refused until the window slides. Successful logins do not count.
 */
export class FailedAuthLimiter {
  private failures = new Map<string, number[]>();

  constructor(
    private readonly clock: Clock,
    private readonly maxFailures = 20,
    private readonly windowMs = 60_000,
  ) {}

  /** Milliseconds until the address may try again, or 0. */
  blockedFor(address: string | undefined): number {
    if (!address) return 0;
    const recent = this.prune(address);
    if (recent.length < this.maxFailures) return 0;
    return recent[0]! + this.windowMs - this.clock.now();
  }

  recordFailure(address: string | undefined): void {
    if (!address) return;
    const recent = this.prune(address);
    recent.push(this.clock.now());
    this.failures.set(address, recent);
    if (this.failures.size > 100_000) this.failures.clear(); // bounded memory under a spray
  }

  private prune(address: string): number[] {
    const since = this.clock.now() - this.windowMs;
    const recent = (this.failures.get(address) ?? []).filter((at) => at > since);
    if (recent.length === 0) this.failures.delete(address);
    return recent;
  }
}
