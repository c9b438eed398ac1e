// GET /v1/models and GET /v1/models/{id}: the routable models in OpenAI's list format. Ids such
// as `openai/gpt-4.1` contain a slash; SDKs send it percent-encoded or not, both are accepted.
import { listedModel, listedModels } from '../shared/listed-models.ts';
import type { RestEndpoint, RestServices } from '../shared/rest-exchange.ts';
import { writeJson } from '../shared/write-json.ts';
import { convertCatalogModelToOpenAI } from './convert-catalog-model-to-openai.ts';

export function createListModelsEndpoint(services: RestServices): RestEndpoint {
  return async (exchange) => {
    // Only what this key may use (its own and its team's allowed models).
    writeJson(exchange.response, 200, { object: 'list', data: listedModels(services, exchange.caller).map(convertCatalogModelToOpenAI) });
  };
}

export function createRetrieveModelEndpoint(services: RestServices): RestEndpoint {
  return async (exchange) => {
    writeJson(exchange.response, 200, convertCatalogModelToOpenAI(listedModel(services, exchange.caller, exchange.params['id'] ?? '')));
  };
}
