import type { Clock } from '../ports.ts';

/**
 * Slows the guessing of keys: after `maxFailures` failed attempts from one client address within
 * `windowMs`, that address's failed attempts are answered RATE_LIMITED until the window slides.
 * Only failures are throttled: a valid key is always checked and admitted, whatever its address
 * (behind a shared proxy, one client's bad keys must not lock out the others).
 */
export class FailedAuthLimiter {
  private failures = new Map<string, number[]>();

  constructor(
    private readonly clock: Clock,
    private readonly maxFailures = 20,
    private readonly windowMs = 60_000,
  ) {}

  /**
   * Called for a failed attempt. Returns 0 while the address is under the limit (the attempt is
   * counted), otherwise the milliseconds until it is (the attempt is throttled, and not counted:
   * at most `maxFailures` failures per window are answered, and memory stays bounded under a spray).
   */
  throttleFailure(address: string | undefined): number {
    if (!address) return 0;
    const recent = this.prune(address);
    if (recent.length >= this.maxFailures) return Math.max(1, recent[0]! + this.windowMs - this.clock.now());
    recent.push(this.clock.now());
    this.failures.set(address, recent);
    if (this.failures.size > 100_000) this.failures.clear(); // bounded memory under a spray
    return 0;
  }

  private prune(address: string): number[] {
    const since = this.clock.now() - this.windowMs;
    const recent = (this.failures.get(address) ?? []).filter((at) => at > since);
    if (recent.length === 0) this.failures.delete(address);
    return recent;
  }
}
