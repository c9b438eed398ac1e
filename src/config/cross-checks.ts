// Checks across config entries (duplicate provider ids, model -> provider references,
// duplicate deployments). They read entries leniently, so they also run on a file that failed its
// schema and every problem is reported in one start.

type Entry = Record<string, unknown>;

export function recordOf(value: unknown): Entry {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Entry) : {};
}

/** The entries of a list as records (others become empty records, keeping indexes). */
export function recordsOf(value: unknown): Entry[] {
  return Array.isArray(value) ? value.map(recordOf) : [];
}

export function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function checkProvidersAndModels(providers: readonly object[], models: readonly object[], problems: string[]): void {
  const ids = new Set<string>();
  providers.forEach((entry, index) => {
    const provider = entry as Entry;
    const id = stringOf(provider.id);
    if (id === undefined) return;
    if (ids.has(id)) problems.push(`providers[${index}].id: duplicate provider id "${id}"`);
    ids.add(id);
  });
  // A deployment is identified by name, provider and upstream model (its id derives from them).
  const deployments = new Map<string, number>();
  models.forEach((entry, index) => {
    const model = entry as Entry;
    const provider = stringOf(model.provider);
    if (provider && !ids.has(provider)) problems.push(`models[${index}].provider: no provider with id "${provider}"`);
    const identity = JSON.stringify([model.name, model.provider, model.model]);
    const first = deployments.get(identity);
    if (first !== undefined) problems.push(`models[${index}]: the same name, provider and model as models[${first}]; merge them (use weight for a larger share)`);
    else deployments.set(identity, index);
  });
}
