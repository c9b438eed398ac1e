// The rules and the per-request state of rate limits: plain data, shared by errors (429 details),
// the limiter and the edges' x-ratelimit-* headers.
export interface RateLimitRule {
  /** What is limited, stable across instances: `key:<id>` or `team:<id>`. */
  id: string;
  /** For messages: `key "prod"`, `team "platform"`. */
  label: string;
  rpm: number | null;
  tpm: number | null;
  maxParallel: number | null;
}

/** A rule's state after this request was counted, for x-ratelimit-* headers. */
export interface RateLimitStatus {
  rule: RateLimitRule;
  remainingRequests: number | null;
  remainingTokens: number | null;
  /** When the current window ends (ms since the epoch). */
  resetAt: number;
}
