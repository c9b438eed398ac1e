// One call to one deployment, as the request's result, its usage record and the database keep it:
// one type from the router to the database and back. Why an attempt failed is decided here, in one
// place, for every operation and mode.
import type { Deployment } from '../deployments.ts';
import { abortError, toGatewayError, type ErrorCode, type GatewayError } from '../errors.ts';
import type { FinishReason } from '../types.ts';

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
  /** The upstream's response id, when it answered with one. */
  responseId?: string | null;
  /** Why the upstream stopped (its own value, else the unified one), when it said. */
  finishReason?: string | null;
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

/** What an upstream said of its response, kept on the attempt. */
export interface ResponseIdentity {
  responseId: string | null;
  finishReason: FinishReason | null;
}

/** The finish reason as the attempt list and `gen_ai.response.finish_reasons` keep it: the provider's own value, else the unified one. */
export function finishReasonName(reason: FinishReason | null): string | null {
  if (!reason) return null;
  return reason.raw ?? reason.unified.toLowerCase();
}

/** The attempt as it ended at `now`: `error` null when it answered; `answer` what the upstream said of its response. */
export function attemptOf(attempt: AttemptMade, error: GatewayError | null, now: number, answer?: ResponseIdentity | null): Attempt {
  const { deployment, modelName } = attempt.candidate;
  const listed: Attempt = {
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
  if (answer?.responseId) listed.responseId = answer.responseId;
  const finishReason = finishReasonName(answer?.finishReason ?? null);
  if (finishReason) listed.finishReason = finishReason;
  return listed;
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
