// "Spend by model" groups usage by the model that served a request, or by the requested name when
// none did, so a typo or a name that never existed would get a bar of its own. A name is real when
// a provider served it in the period (a deployment or catalog model then, even if removed since),
// or when the catalog knows it now (`model(id:)`: config and admin deployments, and `provider/model`
// entries, which covers real models whose requests were all refused before routing). Every other
// name is grouped as "unknown".
import { request } from './api.ts';
import { fromMicro, micro } from './format.ts';
import { MODEL_KNOWN } from './operations.ts';

export interface ModelProviderGroup {
  model: string | null;
  provider: string | null;
  requests: number;
  cost: string;
}

export interface ModelSpend {
  model: string;
  requests: number;
  cost: string;
  /** The names grouped here (for "unknown": what was requested). */
  names: string[];
}

export const UNKNOWN_MODEL = 'unknown';

/** Catalog look-ups per report at most; names beyond are counted as unknown. */
const MAX_LOOKUPS = 50;

interface Merged {
  requests: number;
  cost: bigint;
  served: boolean;
}

/** One entry per model name (a name served by several providers comes in several groups). */
function merge(series: ModelProviderGroup[]): Map<string | null, Merged> {
  const byName = new Map<string | null, Merged>();
  for (const group of series) {
    const entry = byName.get(group.model) ?? { requests: 0, cost: 0n, served: false };
    entry.requests += group.requests;
    entry.cost += micro(group.cost);
    entry.served ||= group.provider !== null;
    byName.set(group.model, entry);
  }
  return byName;
}

/** The names that no provider served, of which the catalog knows these. */
async function knownToCatalog(names: string[]): Promise<Set<string>> {
  const answers = await Promise.all(
    names.slice(0, MAX_LOOKUPS).map(async (id) => ((await request<{ model: { id: string } | null }>(MODEL_KNOWN, { id })).model ? id : null)),
  );
  return new Set(answers.filter((id): id is string => id !== null));
}

/** Spend per real model name, dearest first, with every other name folded into "unknown". */
export async function spendByModel(series: ModelProviderGroup[]): Promise<ModelSpend[]> {
  const merged = merge(series);
  const unserved = [...merged].filter(([name, entry]) => name !== null && !entry.served).map(([name]) => name as string);
  const known = await knownToCatalog(unserved);
  const rows: ModelSpend[] = [];
  const unknown = { requests: 0, cost: 0n, names: [] as string[] };
  for (const [name, entry] of merged) {
    if (name !== null && (entry.served || known.has(name))) {
      rows.push({ model: name, requests: entry.requests, cost: fromMicro(entry.cost), names: [name] });
    } else {
      unknown.requests += entry.requests;
      unknown.cost += entry.cost;
      if (name !== null) unknown.names.push(name);
    }
  }
  if (unknown.requests > 0) rows.push({ model: UNKNOWN_MODEL, requests: unknown.requests, cost: fromMicro(unknown.cost), names: unknown.names });
  return rows.sort((a, b) => Number(micro(b.cost) - micro(a.cost)) || b.requests - a.requests);
}
