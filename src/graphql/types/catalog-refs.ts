// The refs of the two catalog types that point at each other (Model.provider, Provider.models),
// declared apart from their fields so that model.ts and provider.ts need not import each other.
import type { CatalogModel } from '../../core/catalog.ts';
import { builder } from '../builder.ts';
import type { ProviderView } from '../context.ts';

export const ModelRef = builder.objectRef<CatalogModel>('Model');
export const ProviderRef = builder.objectRef<ProviderView>('Provider');
