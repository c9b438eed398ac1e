// OpenRouter's `provider` routing preferences (OpenRouter docs, "Provider Routing"), parsed into
// the router's RoutingPreferences. Prices are USD per 1M tokens on the wire and micro-USD per 1M
// tokens here, the unit of ModelPricing. Fields OpenRouter has and the gateway does not use yet
// (data_collection, zdr, quantizations, ...) are accepted and dropped, so OpenRouter clients keep
// working.
import { z } from 'zod';
import { usdToMicro } from '../../core/money.ts';
import type { RoutingPreferences } from '../../core/router/routing-preferences.ts';

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

/**
 * The router's preferences, in one step from the wire. Prices per request and per image have no
 * counterpart in the catalog's per-token prices and are not applied.
 */
export function toRoutingPreferences(wire: ProviderPreferencesWire): RoutingPreferences | undefined {
  if (wire == null) return undefined;
  const routing: RoutingPreferences = {};
  if (wire.order != null) routing.order = wire.order;
  if (wire.only != null) routing.only = wire.only;
  if (wire.ignore != null) routing.ignore = wire.ignore;
  if (wire.allow_fallbacks != null) routing.allowFallbacks = wire.allow_fallbacks;
  if (wire.sort != null) routing.sort = wire.sort;
  if (wire.require_parameters != null) routing.requireParameters = wire.require_parameters;
  const { prompt, completion } = wire.max_price ?? {};
  if (prompt != null || completion != null) {
    routing.maxPrice = {
      ...(prompt != null ? { input: usdToMicro(prompt) } : {}),
      ...(completion != null ? { output: usdToMicro(completion) } : {}),
    };
  }
  return routing;
}
