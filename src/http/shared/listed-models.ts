// The models GET /v1/models shows a key, in either API's format: routable models that the key (and
// its team) may use. A model outside that set is "not found", whether it exists or not.
import type { Caller } from '../../core/auth.ts';
import type { CatalogModel } from '../../core/catalog.ts';
import { ModelNotFoundError } from '../../core/errors.ts';
import { isModelAllowed } from '../../core/model-access.ts';
import type { RestServices } from './rest-exchange.ts';

export function listedModels(services: RestServices, caller: Caller | undefined): CatalogModel[] {
  return services.catalog.listModels({ configuredOnly: true }).filter((model) => isModelAllowed(caller, model.id, [model.providerId]));
}

export function listedModel(services: RestServices, caller: Caller | undefined, id: string): CatalogModel {
  const model = services.catalog.model(id);
  if (!model || !services.catalog.isRoutable(model) || !isModelAllowed(caller, model.id, [model.providerId])) {
    throw new ModelNotFoundError(`The model "${id}" does not exist or is not served by this gateway; GET /v1/models lists those that are`);
  }
  return model;
}
