// POST /v1/responses: the Responses API over the same CompletionService as chat completions (auth,
// routing, fallbacks, budgets, metering), answering the response object as JSON or as the typed
// event stream; GET / DELETE /v1/responses/{id} and GET .../input_items over stored responses.
import { describeZodError } from '../../shared/describe-zod-error.ts';
import { generationIdHeader } from '../../shared/header-names.ts';
import { meteringFields } from '../../shared/rate-limit-headers.ts';
import { cacheFields } from '../../shared/cache-directives.ts';
import type { RestEndpoint, RestServices } from '../../shared/rest-exchange.ts';
import { writeJson } from '../../shared/write-json.ts';
import { buildResponseOutput } from './build-response-output.ts';
import { convertResponsesRequest } from './convert-responses-request.ts';
import { pageInputItems, readInputItemsQuery } from './list-input-items.ts';
import { checkInclude, includeFromQuery } from './response-include.ts';
import { buildResponseObject, responseIdFor, statusFor, type ResponseHeader } from './response-object.ts';
import type { ResponseStorage } from './response-storage.ts';
import { responsesRequestSchema } from './responses-request-schema.ts';
import { streamResponse } from './stream-response.ts';

export function createResponsesEndpoint(services: RestServices, storage: ResponseStorage): RestEndpoint {
  return async (exchange) => {
    const parsed = responsesRequestSchema.safeParse(exchange.body);
    if (!parsed.success) throw describeZodError(parsed.error);
    const body = parsed.data;
    checkInclude(body.include);
    const store = storage.willStore(body);
    const priorItems = body.previous_response_id != null ? await storage.conversationItems(body.previous_response_id, exchange.caller) : [];
    const { completion, inputItems } = convertResponsesRequest(body, priorItems);
    const request = {
      ...completion,
      ...(exchange.caller ? { caller: exchange.caller } : {}),
      ...meteringFields(exchange, services.clock),
      ...cacheFields(exchange.request, exchange.response, exchange.body, { bodyField: false }),
    };
    const header = (generationId: string): ResponseHeader => ({
      id: responseIdFor(generationId),
      createdAt: Math.floor(services.clock.now() / 1000),
      model: body.model,
      store,
      request: body,
    });
    const save = store ? (response: Parameters<ResponseStorage['save']>[0]) => storage.save(response, inputItems, exchange.caller) : undefined;

    if (body.stream === true) {
      await streamResponse(exchange, services.completions.stream(request, exchange.streamSignal()), { header, save });
      return;
    }
    const outcome = await services.completions.create(request, exchange.signal);
    const responseHeader = header(outcome.generationId);
    const status = statusFor(outcome.result.finishReason);
    const response = buildResponseObject(responseHeader, { status, outcome, output: buildResponseOutput(outcome.result, responseHeader.id, status) });
    await save?.(response);
    writeJson(exchange.response, 200, response, { [generationIdHeader]: outcome.generationId });
  };
}

const queryOf = (url: string | undefined) => new URL(url ?? '/', 'http://localhost').searchParams;

/** GET /v1/responses/{id}: the stored response object. */
export function createRetrieveResponseEndpoint(storage: ResponseStorage): RestEndpoint {
  return async (exchange) => {
    checkInclude(includeFromQuery(queryOf(exchange.request.url)));
    const stored = await storage.retrieve(exchange.params['id']!, exchange.caller);
    writeJson(exchange.response, 200, stored.response);
  };
}

/** DELETE /v1/responses/{id}. */
export function createDeleteResponseEndpoint(storage: ResponseStorage): RestEndpoint {
  return async (exchange) => {
    const id = exchange.params['id']!;
    await storage.delete(id, exchange.caller);
    writeJson(exchange.response, 200, { id, object: 'response.deleted', deleted: true });
  };
}

/** GET /v1/responses/{id}/input_items: the turn's input items, paged as OpenAI's lists are (newest first by default). */
export function createListInputItemsEndpoint(storage: ResponseStorage): RestEndpoint {
  return async (exchange) => {
    const id = exchange.params['id']!;
    const query = queryOf(exchange.request.url);
    checkInclude(includeFromQuery(query));
    const page = readInputItemsQuery(query);
    const stored = await storage.retrieve(id, exchange.caller);
    const items = stored.input.map((item, index) => {
      const fields = item as Record<string, unknown>;
      // An item the client sent with an id (a reasoning or function_call item) keeps it; the others get one of ours.
      return { id: `item_${id.slice('resp_'.length)}_${index}`, ...('role' in fields ? { type: 'message' } : {}), ...fields } as { id: string } & Record<string, unknown>;
    });
    writeJson(exchange.response, 200, pageInputItems(items, page));
  };
}
