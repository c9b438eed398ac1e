// GET /v1/models and GET /v1/models/{id}: the routable models in OpenAI's list format. Ids such
// as `openai/gpt-4.1` contain a slash; SDKs send it percent-encoded or not, both are accepted.
import { ModelNotFoundError } from '../../core/errors.ts';
import { isModelAllowed } from '../../core/model-access.ts';
import type { RestEndpoint, RestServices } from '../shared/rest-exchange.ts';
import { writeJson } from '../shared/write-json.ts';
import { convertCatalogModelToOpenAI } from './convert-catalog-model-to-openai.ts';

export function createListModelsEndpoint(services: RestServices): RestEndpoint {
  return async (exchange) => {
    // Only what this key may use (its own and its team's allowed models).
    const models = services.catalog.listModels({ configuredOnly: true }).filter((model) => isModelAllowed(exchange.caller, model.id, [model.providerId]));
    writeJson(exchange.response, 200, { object: 'list', data: models.map(convertCatalogModelToOpenAI) });
  };
}

export function createRetrieveModelEndpoint(services: RestServices): RestEndpoint {
  return async (exchange) => {
    const id = exchange.params['id'] ?? '';
    const model = services.catalog.model(id);
    if (!model || !services.catalog.isRoutable(model) || !isModelAllowed(exchange.caller, model.id, [model.providerId])) {
      throw new ModelNotFoundError(`The model "${id}" does not exist or is not served by this gateway; GET /v1/models lists those that are`);
    }
    writeJson(exchange.response, 200, convertCatalogModelToOpenAI(model));
  };
}
