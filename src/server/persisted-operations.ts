// The operations a deployment allows in allowlist mode, keyed by the sha256 (hex) of their text.
// Sources are JSON files in one of two shapes: GraphQL Code Generator's persisted documents
// (`{ "<sha256>": "<document>" }`) or a plain list of hashes (`["<sha256>", ...]`, whose
// documents then come with the request: their full text or an APQ registration). A hash may carry
// the `sha256:` prefix of GraphQL over HTTP's document identifiers, as Code Generator writes it.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

export type PersistedOperationsMode = 'off' | 'allowlist';

export interface PersistedOperations {
  mode: PersistedOperationsMode;
  /** Whether a document may run in allowlist mode (always true when the mode is off). */
  allows(hash: string): boolean;
  /** The document text of a hash, when a source shipped it. */
  document(hash: string): string | undefined;
  /** How many hashes are allowed (for the startup log). */
  readonly size: number;
}

export const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

const HASH = /^[0-9a-f]{64}$/;

/** A sha256 hex hash without its optional `sha256:` prefix. */
export const normalizeHash = (id: string) => (id.startsWith('sha256:') ? id.slice('sha256:'.length) : id);

/** Parses one source file's JSON into hash -> document (null when only the hash is known). */
export function parsePersistedOperations(json: unknown, where: string): Map<string, string | null> {
  const entries = new Map<string, string | null>();
  if (Array.isArray(json)) {
    for (const [index, id] of json.entries()) {
      const hash = typeof id === 'string' ? normalizeHash(id) : '';
      if (!HASH.test(hash)) throw new Error(`${where}[${index}]: expected a sha256 hash (64 lowercase hex characters)`);
      entries.set(hash, null);
    }
    return entries;
  }
  if (json === null || typeof json !== 'object') throw new Error(`${where}: expected an object of hash -> document or an array of hashes`);
  for (const [id, document] of Object.entries(json)) {
    const hash = normalizeHash(id);
    if (!HASH.test(hash)) throw new Error(`${where}.${id}: keys must be sha256 hashes (64 lowercase hex characters)`);
    if (typeof document !== 'string') throw new Error(`${where}.${id}: expected the document text`);
    entries.set(hash, document);
    // A generator may hash a normalised print of the document; its text's own hash is allowed too.
    entries.set(sha256Hex(document), document);
  }
  return entries;
}

export interface PersistedOperationSources {
  mode: PersistedOperationsMode;
  /** The operator's allow-list file (required in allowlist mode unless only the console is allowed). */
  file?: string | undefined;
  /** Further manifests that may be absent, such as the web console's. */
  optionalFiles?: string[];
}

export async function loadPersistedOperations(sources: PersistedOperationSources): Promise<PersistedOperations> {
  const entries = new Map<string, string | null>();
  const read = async (path: string, required: boolean) => {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if (!required && (error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new Error(`graphql.persistedOperations.file: cannot read ${path}: ${(error as Error).message}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new Error(`graphql.persistedOperations.file: ${path} is not valid JSON: ${(error as Error).message}`);
    }
    for (const [hash, document] of parsePersistedOperations(json, path)) entries.set(hash, document ?? entries.get(hash) ?? null);
  };
  if (sources.file) await read(sources.file, true);
  for (const path of sources.optionalFiles ?? []) await read(path, false);
  return persistedOperationsOf(sources.mode, entries);
}

export function persistedOperationsOf(mode: PersistedOperationsMode, entries: Map<string, string | null>): PersistedOperations {
  return {
    mode,
    allows: (hash) => mode === 'off' || entries.has(normalizeHash(hash)),
    document: (hash) => entries.get(normalizeHash(hash)) ?? undefined,
    size: entries.size,
  };
}
