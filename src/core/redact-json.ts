// A JSON value (a request body, GraphQL variables) with credentials taken out, for the opt-in
// `log.bodies` debug setting: fields named like a credential lose their value, strings lose
// anything the scrubber recognises as a key or token, and long strings (images as data URLs,
// documents) are cut so that one line stays readable.
import { REDACTED, type SecretScrubber } from './secret-scrubber.ts';

const CREDENTIAL_FIELD =
  /^(authorization|x-api-key|api[-_]?keys?|secrets?|password|passwd|token|access[-_]?token|refresh[-_]?token|session[-_]?token|secret[-_]?access[-_]?key|access[-_]?key[-_]?id|private[-_]?key|service[-_]?account[-_]?json|credentials?)$/i;
const MAX_STRING = 2000;
/** Bodies are depth-limited on arrival (json-depth.ts); this only keeps the walk bounded. */
const MAX_DEPTH = 64;

export function redactJson(value: unknown, scrubber: SecretScrubber, depth = 0): unknown {
  if (typeof value === 'string') {
    const cut = value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}… (${value.length} characters)` : value;
    return scrubber.scrub(cut);
  }
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[nested too deep]';
  if (Array.isArray(value)) return value.map((item) => redactJson(item, scrubber, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = CREDENTIAL_FIELD.test(key) && item !== null && item !== undefined ? REDACTED : redactJson(item, scrubber, depth + 1);
  }
  return out;
}
