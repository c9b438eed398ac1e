// One call to one deployment, as the request's result, its usage record and the database keep it:
// one type from the router to the database and back. Why an attempt failed is decided here, in one
// place, for every operation and mode.
import type { Deployment } from '../deployments.ts';
import { abortError, toGatewayError, type ErrorCode, type GatewayError } from '../errors.ts';

export interface Attempt {
  deploymentId: string;
  modelName: string;
  providerId: string;
  upstreamModel: string;
  errorCode: ErrorCode | null;
  errorMessage: string | null;
  /** The upstream's HTTP status when it refused the request. */
  upstreamStatus: number | null;
  latencyMs: number;
  /** latencyMs at high resolution (fractional milliseconds), on live records: what metrics subtract to find the gateway's overhead. */
  upstreamMs?: number;
  /** 0 for the first round over the candidates, then the retry number. */
  retry: number;
  /** The wait before this attempt (backoff or Retry-After). */
  backoffMs: number;
}

/** What an attempt is listed from: the router's PlannedAttempt. */
export interface AttemptMade {
  candidate: { modelName: string; deployment: Pick<Deployment, 'id' | 'providerId' | 'upstreamModel'> };
  startedAt: number;
  retry: number;
  backoffMs: number;
  /** The attempt's own clock (high resolution), when it has one. */
  timer?: { elapsedMs(): number };
}

/** The attempt as it ended at `now`: `error` null when it answered. */
export function attemptOf(attempt: AttemptMade, error: GatewayError | null, now: number): Attempt {
  const { deployment, modelName } = attempt.candidate;
  return {
    deploymentId: deployment.id,
    modelName,
    providerId: deployment.providerId,
    upstreamModel: deployment.upstreamModel,
    errorCode: error?.code ?? null,
    errorMessage: error?.message ?? null,
    upstreamStatus: error?.upstreamStatus ?? null,
    latencyMs: now - attempt.startedAt,
    upstreamMs: attempt.timer?.elapsedMs() ?? now - attempt.startedAt,
    retry: attempt.retry,
    backoffMs: attempt.backoffMs,
  };
}

/**
 * What ended an attempt that failed (`failure`: what its call threw or its stream reported), or
 * ended while the request's signal was aborted. The request's signal wins: a cancel by the client
 * (CANCELLED) or the gateway's own end of the request (shutdown, a revoked key) is not the
 * deployment's failure, whatever the aborted call threw. Then the attempt's own timeout: the call
 * fails with an abort when its timer fires, and the timer knows which limit it was.
 */
export function attemptFailure(failure: unknown, timer: { readonly timeout: GatewayError | null }, signal: AbortSignal): GatewayError {
  if (signal.aborted) return abortError(signal);
  return timer.timeout ?? toGatewayError(failure);
}
