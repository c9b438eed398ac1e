// OpenRouter's `provider` routing preferences (OpenRouter docs, "Provider Routing"), parsed into
// a typed object for the router. Prices are USD per 1M tokens on the wire and micro-USD per 1M
// tokens here, the unit of ModelPricing. Fields OpenRouter has and the gateway does not use yet
// (data_collection, zdr, quantizations, ...) are accepted and dropped, so OpenRouter clients keep
// working.
import { z } from 'zod';
import { usdToMicro } from '../../core/money.ts';
import type { RoutingPreferences } from '../../core/router/routing-preferences.ts';

export type ProviderSort = 'price' | 'throughput' | 'latency';

export interface ProviderPreferences {
  /** Providers to try first, in this order. */
  order?: string[];
  /** Only these providers may serve the request. */
  only?: string[];
  /** These providers may not serve the request. */
  ignore?: string[];
  /** Whether providers beyond `order` may be tried when those fail (OpenRouter's default: true). */
  allowFallbacks?: boolean;
  sort?: ProviderSort;
  /** Micro-USD per 1M tokens (prompt, completion) and per request / image. */
  maxPrice?: { prompt?: bigint; completion?: bigint; request?: bigint; image?: bigint };
  /** Only providers that support every parameter of the request. */
  requireParameters?: boolean;
}

const providerList = z.array(z.string().min(1)).nullish();
const usdAmount = z
  .union([z.number(), z.string().regex(/^\d+(\.\d+)?$/, 'expected a decimal USD amount')])
  .transform((value) => Number(value))
  .pipe(z.number().nonnegative().finite());

export const providerPreferencesSchema = z
  .object({
    order: providerList,
    only: providerList,
    ignore: providerList,
    allow_fallbacks: z.boolean().nullish(),
    sort: z.enum(['price', 'throughput', 'latency']).nullish(),
    max_price: z
      .object({ prompt: usdAmount.nullish(), completion: usdAmount.nullish(), request: usdAmount.nullish(), image: usdAmount.nullish() })
      .nullish(),
    require_parameters: z.boolean().nullish(),
  })
  .nullish();

export type ProviderPreferencesWire = z.infer<typeof providerPreferencesSchema>;

export function toProviderPreferences(wire: ProviderPreferencesWire): ProviderPreferences | undefined {
  if (wire == null) return undefined;
  const preferences: ProviderPreferences = {};
  if (wire.order != null) preferences.order = wire.order;
  if (wire.only != null) preferences.only = wire.only;
  if (wire.ignore != null) preferences.ignore = wire.ignore;
  if (wire.allow_fallbacks != null) preferences.allowFallbacks = wire.allow_fallbacks;
  if (wire.sort != null) preferences.sort = wire.sort;
  if (wire.require_parameters != null) preferences.requireParameters = wire.require_parameters;
  if (wire.max_price != null) {
    const maxPrice: NonNullable<ProviderPreferences['maxPrice']> = {};
    for (const key of ['prompt', 'completion', 'request', 'image'] as const) {
      const usd = wire.max_price[key];
      if (usd != null) maxPrice[key] = usdToMicro(usd);
    }
    preferences.maxPrice = maxPrice;
  }
  return preferences;
}

/**
 * The router's preferences. Prices per request and per image have no counterpart in the catalog's
 * per-token prices and are not applied.
 */
export function toRoutingPreferences(preferences: ProviderPreferences | undefined): RoutingPreferences | undefined {
  if (!preferences) return undefined;
  const { maxPrice, ...rest } = preferences;
  const routing: RoutingPreferences = rest;
  if (maxPrice && (maxPrice.prompt !== undefined || maxPrice.completion !== undefined)) {
    routing.maxPrice = {
      ...(maxPrice.prompt !== undefined ? { input: maxPrice.prompt } : {}),
      ...(maxPrice.completion !== undefined ? { output: maxPrice.completion } : {}),
    };
  }
  return routing;
}
