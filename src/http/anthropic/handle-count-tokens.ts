// POST /v1/messages/count_tokens: a Messages body (max_tokens optional) in, the core's token
// count out as `{"input_tokens": N}`. The x-modelgraph-token-count header says whether the
// upstream counted (`exact`) or the gateway estimated (`estimated`).
import type { TokenCountService } from '../../core/token-count-service.ts';
import { describeZodError } from '../shared/describe-zod-error.ts';
import type { RestEndpoint } from '../shared/rest-exchange.ts';
import { tokenCountMethodHeader } from '../shared/header-names.ts';
import { writeJson } from '../shared/write-json.ts';
import { anthropicCountTokensRequestSchema } from './anthropic-messages-request-schema.ts';
import { convertAnthropicMessagesRequest } from './convert-anthropic-messages-request.ts';


export interface CountTokensEndpointServices {
  tokenCounts: Pick<TokenCountService, 'count'>;
}

export function createCountTokensEndpoint(services: CountTokensEndpointServices): RestEndpoint {
  return async (exchange) => {
    const parsed = anthropicCountTokensRequestSchema.safeParse(exchange.body);
    if (!parsed.success) throw describeZodError(parsed.error);
    const { completion } = convertAnthropicMessagesRequest(parsed.data);
    const count = await services.tokenCounts.count(
      { model: completion.model, parameters: completion.parameters, ...(exchange.caller ? { caller: exchange.caller } : {}) },
      exchange.signal,
    );
    writeJson(exchange.response, 200, { input_tokens: count.inputTokens }, { [tokenCountMethodHeader]: count.method });
  };
}
