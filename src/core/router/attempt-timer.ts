// The timeouts of one attempt: total (the deployment's, capped by what is left of the request's
// deadline) and, for streams, connect (until the upstream's first event), first token and the idle
// gap between events. One timer is armed for the earliest limit and re-checked when it fires, so
// events arriving do not reset timers. A timeout aborts the attempt's signal and rejects `expired`
// with a TimeoutError, which the router treats like any other failure of the deployment. Limits
// only move later as events arrive, except the idle limit, which starts with the first token.
import { TimeoutError, type GatewayError } from '../errors.ts';

export interface AttemptLimits {
  totalMs: number;
  /** `totalMs` is what is left of the request's deadline rather than the deployment's own limit. */
  totalIsRequestDeadline: boolean;
  /** Streams only. */
  connectMs?: number;
  firstTokenMs?: number;
  idleMs?: number;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

type LimitKind = 'total' | 'connect' | 'firstToken' | 'idle';

interface Limit {
  at: number;
  kind: LimitKind;
}

const attemptDisposed = new DOMException('The attempt is over', 'AbortError');

export class AttemptTimer {
  readonly signal: AbortSignal;
  /** Rejects with the TimeoutError when a limit runs out; never resolves. */
  readonly expired: Promise<never>;
  timeout: GatewayError | null = null;
  private readonly controller = new AbortController();
  private readonly startedAt = performance.now();
  private lastEventAt: number | null = null;
  private firstContentAt: number | null = null;
  private timer: NodeJS.Timeout | undefined;
  private disposed = false;
  private reject: (error: GatewayError) => void = () => undefined;
  private readonly onParentAbort = () => this.controller.abort();

  constructor(
    private readonly parent: AbortSignal,
    private readonly limits: AttemptLimits,
    private readonly upstream: string,
  ) {
    this.signal = this.controller.signal;
    this.expired = new Promise<never>((_, reject) => (this.reject = reject));
    this.expired.catch(() => undefined);
    if (parent.aborted) this.controller.abort();
    else parent.addEventListener('abort', this.onParentAbort, { once: true });
    this.arm();
  }

  /** Called for every event the upstream sends; `content` for the first token and later ones. */
  event(content: boolean): void {
    const now = performance.now();
    this.lastEventAt = now;
    if (content && this.firstContentAt === null) {
      this.firstContentAt = now;
      // The idle limit starts now and may come before the limit the timer waits for.
      clearTimeout(this.timer);
      this.arm();
    }
  }

  /** Time since the attempt started, high resolution (for the gateway-overhead metric). */
  elapsedMs(): number {
    return performance.now() - this.startedAt;
  }

  /**
   * Ends the attempt's timers. `abort` (the default) also aborts its signal, which closes an
   * upstream request still open; an attempt whose response was read to the end has nothing left
   * to close, and skipping the abort saves dispatching an event nobody listens to.
   */
  dispose(abort = true): void {
    this.disposed = true;
    clearTimeout(this.timer);
    this.parent.removeEventListener('abort', this.onParentAbort);
    // A shared reason: abort() without one builds a DOMException (with a stack) per attempt.
    if (abort) this.controller.abort(attemptDisposed);
  }

  /** The earliest limit now in force (without building its error: that happens only when it runs out). */
  private nextLimit(): Limit {
    const { limits, startedAt } = this;
    let at = startedAt + limits.totalMs;
    let kind: LimitKind = 'total';
    if (this.lastEventAt === null && limits.connectMs !== undefined && startedAt + limits.connectMs < at) {
      at = startedAt + limits.connectMs;
      kind = 'connect';
    }
    if (this.firstContentAt === null && limits.firstTokenMs !== undefined && startedAt + limits.firstTokenMs < at) {
      at = startedAt + limits.firstTokenMs;
      kind = 'firstToken';
    }
    if (this.firstContentAt !== null && this.lastEventAt !== null && limits.idleMs !== undefined && this.lastEventAt + limits.idleMs < at) {
      at = this.lastEventAt + limits.idleMs;
      kind = 'idle';
    }
    return { at, kind };
  }

  private errorOf(kind: LimitKind): GatewayError {
    const { limits, upstream } = this;
    switch (kind) {
      case 'total':
        return limits.totalIsRequestDeadline
          ? new TimeoutError(`The request's deadline passed while waiting for ${upstream}`, { requestDeadline: true })
          : new TimeoutError(`${upstream} did not finish within ${limits.totalMs} ms`);
      case 'connect':
        return new TimeoutError(`${upstream} did not answer within ${limits.connectMs} ms`);
      case 'firstToken':
        return new TimeoutError(`${upstream} sent no token within ${limits.firstTokenMs} ms`);
      case 'idle':
        return new TimeoutError(`${upstream} sent nothing for ${limits.idleMs} ms`);
    }
  }

  private arm(): void {
    const limit = this.nextLimit();
    // setTimeout fires at once beyond 2^31-1 ms; check() re-arms for whatever is left.
    this.timer = setTimeout(() => this.check(), Math.min(MAX_TIMER_MS, Math.max(0, Math.ceil(limit.at - performance.now()))));
  }

  private check(): void {
    if (this.disposed || this.controller.signal.aborted) return;
    const limit = this.nextLimit();
    if (performance.now() < limit.at) {
      this.arm();
      return;
    }
    this.timeout = this.errorOf(limit.kind);
    this.controller.abort(this.timeout);
    this.reject(this.timeout);
  }
}
