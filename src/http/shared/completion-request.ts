// The start every REST chat endpoint shares: the body checked by the endpoint's schema (a typed
// 400 otherwise), converted to a completion request, with the caller and the metering hooks of
// the exchange (request id, rate-limit headers, the access log's usage record) and what it asks of
// the response cache (headers; LiteLLM's `cache` body field where the endpoint takes it).
import type { z } from 'zod';
import type { CompletionRequest } from '../../core/completion-service.ts';
import { cacheFields } from './cache-directives.ts';
import { describeZodError } from './describe-zod-error.ts';
import { meteringFields } from './rate-limit-headers.ts';
import type { RestExchange, RestServices } from './rest-exchange.ts';

export function completionRequestOf<Body, Completion extends Omit<CompletionRequest, 'requestId' | 'onRateLimits' | 'onUsageRecord' | 'caller'>>(
  exchange: RestExchange,
  services: RestServices,
  schema: z.ZodType<Body>,
  convert: (body: Body) => { completion: Completion; stream: boolean },
  cache: { bodyField: boolean },
) {
  const parsed = schema.safeParse(exchange.body);
  if (!parsed.success) throw describeZodError(parsed.error);
  const { completion, stream } = convert(parsed.data);
  const request = {
    ...completion,
    ...(exchange.caller ? { caller: exchange.caller } : {}),
    ...meteringFields(exchange, services.clock),
    ...cacheFields(exchange.request, exchange.response, exchange.body, cache),
  };
  return { request, stream };
}
