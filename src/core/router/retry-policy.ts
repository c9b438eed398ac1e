// What a failed attempt means for the rest of the request: move on to the next candidate or stop,
// retry after a backoff, and whether the failure counts against the deployment's health.
import { TimeoutError, type ErrorCode, type GatewayError } from '../errors.ts';
import { DEPLOYMENT_FAULT_CODES, type BackoffPolicy, type GroupPolicy } from './router-settings.ts';

export function fallsBack(policy: GroupPolicy, code: ErrorCode): boolean {
  return policy.fallbackOn[code] === true;
}

export function retriesFor(policy: GroupPolicy, code: ErrorCode): number {
  return policy.retries[code] ?? 0;
}

/** Exponential backoff with full jitter: uniform in [0, min(max, initial * 2^retry)). */
export function backoffDelay(backoff: BackoffPolicy, retry: number, random: () => number): number {
  const cap = Math.min(backoff.maxMs, backoff.initialMs * 2 ** retry);
  return Math.floor(random() * cap);
}

/** The wait before a retry: the upstream's Retry-After when it gave one, else the backoff. */
export function retryDelay(error: GatewayError, backoff: BackoffPolicy, retry: number, random: () => number): number {
  return error.retryAfterMs ?? backoffDelay(backoff, retry, random);
}

const DEPLOYMENT_FAULTS: ReadonlySet<ErrorCode> = new Set(DEPLOYMENT_FAULT_CODES);

export function countsAgainstDeployment(error: GatewayError): boolean {
  // The request's own deadline says nothing about the deployment.
  return DEPLOYMENT_FAULTS.has(error.code) && !(error instanceof TimeoutError && error.requestDeadline);
}

