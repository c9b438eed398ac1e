// OpenAI's rate-limit headers (x-ratelimit-{limit,remaining,reset}-{requests,tokens}), from the
// tightest of the limits the request was counted against (the key's or its team's).
import type { ServerResponse } from 'node:http';
import type { CompletionRequest } from '../../core/completion-service.ts';
import type { RateLimitStatus } from '../../core/metering/rate-limit-status.ts';
import type { Clock } from '../../core/ports.ts';
import type { RestExchange } from './rest-exchange.ts';

function tightest(statuses: RateLimitStatus[], remaining: (status: RateLimitStatus) => number | null): RateLimitStatus | null {
  let best: RateLimitStatus | null = null;
  for (const status of statuses) {
    const left = remaining(status);
    if (left !== null && (best === null || left < remaining(best)!)) best = status;
  }
  return best;
}

export function rateLimitHeaders(statuses: RateLimitStatus[], now: number): Record<string, string> {
  const headers: Record<string, string> = {};
  const reset = (status: RateLimitStatus) => `${Math.max(0, Math.ceil((status.resetAt - now) / 1000))}s`;
  const requests = tightest(statuses, (status) => status.remainingRequests);
  if (requests) {
    headers['x-ratelimit-limit-requests'] = String(requests.rule.rpm);
    headers['x-ratelimit-remaining-requests'] = String(requests.remainingRequests);
    headers['x-ratelimit-reset-requests'] = reset(requests);
  }
  const tokens = tightest(statuses, (status) => status.remainingTokens);
  if (tokens) {
    headers['x-ratelimit-limit-tokens'] = String(tokens.rule.tpm);
    headers['x-ratelimit-remaining-tokens'] = String(tokens.remainingTokens);
    headers['x-ratelimit-reset-tokens'] = reset(tokens);
  }
  return headers;
}

function setHeaders(response: ServerResponse, headers: Record<string, string>): void {
  if (response.headersSent) return;
  for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
}

/** The CompletionRequest fields an endpoint adds for metering: its request id, the rate-limit headers and the access log. */
export function meteringFields(exchange: RestExchange, clock: Clock): Pick<CompletionRequest, 'requestId' | 'onRateLimits' | 'onUsageRecord' | 'onAttemptStarted'> {
  return {
    requestId: exchange.requestId,
    ...(exchange.requestLog ? { onUsageRecord: exchange.requestLog.usage, onAttemptStarted: exchange.requestLog.attemptStarted } : {}),
    onRateLimits: (statuses) => setHeaders(exchange.response, rateLimitHeaders(statuses, clock.now())),
  };
}
