// GET /v1/models and GET /v1/models/{model_id} in Anthropic's format, for clients that send
// `anthropic-version` (the Anthropic SDKs always do): ModelInfo objects, newest release first, paged
// with `limit` (1-1000, default 20), `after_id` and `before_id`. The same models as the OpenAI
// format lists: those that are routable and that the key (and its team) may use.
import type { CatalogModel } from '../../core/catalog.ts';
import { listedModel, listedModels } from '../shared/listed-models.ts';
import { invalidField } from '../shared/rest-request-error.ts';
import type { RestEndpoint, RestServices } from '../shared/rest-exchange.ts';
import { writeJson } from '../shared/write-json.ts';

const EPOCH = '1970-01-01T00:00:00Z';

/** A catalog model as Anthropic's ModelInfo; the release date is the epoch when unknown, as Anthropic documents. */
export function convertCatalogModelToAnthropic(model: CatalogModel) {
  const released = model.releaseDate === null ? Number.NaN : Date.parse(model.releaseDate);
  return {
    type: 'model' as const,
    id: model.id,
    display_name: model.name,
    created_at: Number.isNaN(released) ? EPOCH : new Date(released).toISOString().replace('.000Z', 'Z'),
    ...(model.contextLength !== null ? { max_input_tokens: model.contextLength } : {}),
    ...(model.maxOutputTokens !== null ? { max_tokens: model.maxOutputTokens } : {}),
  };
}

type AnthropicModel = ReturnType<typeof convertCatalogModelToAnthropic>;

export function createAnthropicListModelsEndpoint(services: RestServices): RestEndpoint {
  return async (exchange) => {
    const query = new URL(exchange.request.url ?? '/', 'http://gateway').searchParams;
    const limit = pageSize(query.get('limit'));
    const all = listedModels(services, exchange.caller)
      .map(convertCatalogModelToAnthropic)
      // Most recently released first; ids break ties so pages are stable.
      .sort((a, b) => b.created_at.localeCompare(a.created_at) || a.id.localeCompare(b.id));
    writeJson(exchange.response, 200, page(all, limit, query.get('after_id'), query.get('before_id')));
  };
}

export function createAnthropicRetrieveModelEndpoint(services: RestServices): RestEndpoint {
  return async (exchange) => {
    writeJson(exchange.response, 200, convertCatalogModelToAnthropic(listedModel(services, exchange.caller, exchange.params['id'] ?? '')));
  };
}

function pageSize(raw: string | null): number {
  if (raw === null) return 20;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw invalidField('limit', 'must be an integer from 1 to 1000');
  return limit;
}

/** The page after `afterId`, or before `beforeId`, or the first; an unknown cursor gives an empty page. */
function page(all: AnthropicModel[], limit: number, afterId: string | null, beforeId: string | null) {
  let items: AnthropicModel[];
  let hasMore: boolean;
  if (beforeId !== null) {
    const end = all.findIndex((model) => model.id === beforeId);
    const start = Math.max(0, end - limit);
    items = end < 0 ? [] : all.slice(start, end);
    hasMore = end > 0 && start > 0;
  } else {
    const start = afterId === null ? 0 : all.findIndex((model) => model.id === afterId) + 1;
    items = afterId !== null && start === 0 ? [] : all.slice(start, start + limit);
    hasMore = items.length > 0 && start + limit < all.length;
  }
  return { data: items, has_more: hasMore, first_id: items[0]?.id ?? null, last_id: items.at(-1)?.id ?? null };
}
