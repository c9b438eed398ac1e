// Bounds on client-supplied text that reaches the database or one of its indexes (usage records,
// their daily rollups, budgets, admin rows). Postgres refuses text with a NUL character (22021) and
// index rows past about 2.7 KB (54000); such a value must be refused at the edge with a 400 naming
// the field, never reach a statement whose failure would hold up other tenants' records. Every edge
// (REST, Anthropic, GraphQL, admin services) checks against these same numbers.
import { InvalidRequestError } from './errors.ts';

export const INPUT_LIMITS = {
  /** The end-user id (`user`, Anthropic `metadata.user_id`): kept on usage records and budgets. */
  endUserLength: 256,
  /** A requested model name (also each fallback in `models`): kept on usage records. */
  modelNameLength: 256,
  /** Request metadata: at most 16 pairs, as OpenAI allows. */
  metadataPairs: 16,
  metadataKeyLength: 64,
  metadataValueLength: 512,
  /** A provider id an admin adds (lowercase letters, digits, ".", "_", "-"). */
  providerIdLength: 64,
  /** Names of keys, teams, team members and budget scope ids given by admins. */
  nameLength: 200,
  /** An email address (RFC 5321's longest path). */
  emailLength: 254,
} as const;

// A surrogate half not paired with its other half: not a Unicode character, not storable as UTF-8.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

/** Why a text cannot be stored as it is, or null when it can: a NUL character or invalid Unicode. */
export function invalidTextReason(value: string): string | null {
  if (value.includes('\u0000')) return 'must not contain NUL characters';
  if (LONE_SURROGATE.test(value)) return 'must be valid Unicode text (it contains a lone surrogate)';
  return null;
}

/** The text with NUL characters and lone surrogates replaced by U+FFFD, so that Postgres takes it. */
export function storableText(value: string): string {
  // Almost every text is storable as it is: one scan, no copies.
  if (!MAYBE_UNSTORABLE.test(value)) return value;
  return value.replace(/\u0000/g, '\uFFFD').replace(LONE_SURROGATES, '\uFFFD');
}

/** A NUL or any surrogate half (paired or not): the text may need storableText's replacements. */
const MAYBE_UNSTORABLE = /[\u0000\uD800-\uDFFF]/;

/** Why a bounded text is refused (too long or invalid), or null when it is fine. */
export function boundedTextReason(value: string, maxLength: number): string | null {
  if (value.length > maxLength) return `must be at most ${maxLength} characters (got ${value.length})`;
  return invalidTextReason(value);
}

/** Throws INVALID_REQUEST naming `field` when the text is too long or not storable. */
export function checkBoundedText(field: string, value: string, maxLength: number): string {
  const reason = boundedTextReason(value, maxLength);
  if (reason !== null) throw new InvalidRequestError(`${field}: ${reason}`);
  return value;
}

/** Problems with request metadata, each with the path below `metadata` it concerns ([] when fine). */
export function metadataProblems(metadata: Record<string, unknown>): Array<{ path: string[]; message: string }> {
  const entries = Object.entries(metadata);
  if (entries.length > INPUT_LIMITS.metadataPairs) {
    return [{ path: [], message: `must have at most ${INPUT_LIMITS.metadataPairs} key/value pairs (got ${entries.length})` }];
  }
  const problems: Array<{ path: string[]; message: string }> = [];
  for (const [key, value] of entries) {
    const keyReason = boundedTextReason(key, INPUT_LIMITS.metadataKeyLength);
    // A key too long or invalid to print is named by its position.
    if (keyReason !== null) problems.push({ path: [], message: `key "${printable(key)}": ${keyReason}` });
    else if (typeof value !== 'string') problems.push({ path: [key], message: 'must be a string' });
    else {
      const valueReason = boundedTextReason(value, INPUT_LIMITS.metadataValueLength);
      if (valueReason !== null) problems.push({ path: [key], message: valueReason });
    }
  }
  return problems;
}

/** Throws INVALID_REQUEST naming the first metadata problem under `field`. */
export function checkMetadata(field: string, metadata: Record<string, unknown>): Record<string, string> {
  const [problem] = metadataProblems(metadata);
  if (problem) throw new InvalidRequestError(`${[field, ...problem.path].join('.')}: ${problem.message}`);
  return metadata as Record<string, string>;
}

/** A short, storable rendering of a client text for an error message. */
function printable(value: string): string {
  const clean = storableText(value);
  return clean.length > 40 ? `${clean.slice(0, 40)}...` : clean;
}
