/** The gateway's id of a generation, for usage lookups; the body's `id` carries it too. */
export const generationIdHeader = 'x-modelgraph-generation-id';
export const requestIdHeader = 'x-request-id';
/** The header Anthropic's SDK reads the request id from. */
export const anthropicRequestIdHeader = 'request-id';
/** Whether POST /v1/messages/count_tokens answered with the upstream's count or an estimate. */
export const tokenCountMethodHeader = 'x-modelgraph-token-count';
/** The response cache's part in an answer: hit, miss or bypass (absent when it took none). */
export const cacheStatusHeader = 'x-modelgraph-cache';
/** A request's TTL for its answer in the response cache, in seconds. */
export const cacheTtlHeader = 'x-modelgraph-cache-ttl';
