// Removes credentials from text that came from an upstream (error messages). An upstream that
// rejects a key often quotes it back ("Incorrect API key provided: sk-..."), and those messages
// reach clients, logs and stored usage records. Two nets: the exact credentials this gateway is
// configured with, and the shapes that provider keys, bearer tokens and `key: value` pairs have,
// so that a credential the gateway does not know of (a client's, another provider's) goes too.

export const REDACTED = '[REDACTED]';

/** Known credentials shorter than this are not replaced: they would match ordinary words. */
const MIN_KNOWN_SECRET_LENGTH = 8;

/** Recognisable key shapes; the prefix is kept so the message still says which kind of key it was. */
const KEY_SHAPES: ReadonlyArray<{ pattern: RegExp; keep: number }> = [
  // OpenAI (sk-, sk-proj-), Anthropic (sk-ant-), OpenRouter (sk-or-), DeepSeek and most compatible vendors.
  { pattern: /\b(sk-(?:ant-|proj-|or-|svcacct-)?)[A-Za-z0-9_-]{8,}/g, keep: 1 },
  // Google API keys and OAuth access tokens (Vertex).
  { pattern: /\b(AIza)[A-Za-z0-9_-]{20,}/g, keep: 1 },
  { pattern: /\b(ya29\.)[A-Za-z0-9_.-]{10,}/g, keep: 1 },
  // xAI, Groq, Hugging Face, Replicate, GitHub tokens; this gateway's own keys (mg-).
  { pattern: /\b(xai-|gsk_|hf_|r8_|gh[pousr]_|github_pat_|mg-)[A-Za-z0-9_-]{16,}/g, keep: 1 },
  // AWS access key ids (AKIA long-term, ASIA temporary).
  { pattern: /\b((?:AKIA|ASIA))[A-Z0-9]{16}\b/g, keep: 1 },
  // PEM private keys (service-account JSON).
  { pattern: /(-----BEGIN [A-Z ]*PRIVATE KEY-----)[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g, keep: 1 },
  // JSON Web Tokens.
  { pattern: /\b(eyJ)[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*/g, keep: 1 },
];

/** `Bearer <token>` / `Basic <token>`, wherever it appears. */
const AUTHORIZATION_VALUE = /\b(Bearer|Basic)(\s+)[A-Za-z0-9._~+/=-]{6,}/gi;

/**
 * A value after a word that names a credential: `x-api-key: ...`, `api_key=...`, `"token": "..."`,
 * `secret access key ABC...`, `key provided: ...`. Only values that look random (long, with a
 * digit and a letter) are replaced, so "token limit exceeded" stays as it is.
 */
const NAMED_VALUE =
  /(?<![A-Za-z0-9])((?:[A-Za-z]+[-_ ])?(?:api[-_ ]?key|key|token|secret|password|passwd|credentials?|signature|authorization|session[-_ ]?token)s?(?![A-Za-z0-9])(?:\s+provided)?["']?\s*(?:[:=]|\bis\b)?\s*["'`]?)([A-Za-z0-9][A-Za-z0-9_+/=.~-]{14,}[A-Za-z0-9_+/=~-])/gi;

/**
 * A long run of base64/base62 characters mixing upper case, lower case and digits, wherever it
 * stands (AWS secret keys and session tokens, most opaque tokens). Hex ids, model names and host
 * names lack one of the three and are kept.
 */
const OPAQUE_TOKEN = /(?<![A-Za-z0-9_+/=-])[A-Za-z0-9_+/=-]{32,}/g;
const isOpaque = (value: string) => /[A-Z]/.test(value) && /[a-z]/.test(value) && /\d/.test(value);

function looksRandom(value: string): boolean {
  return /\d/.test(value) && /[A-Za-z]/.test(value);
}

export class SecretScrubber {
  /** Longest first, so a secret that contains another is replaced whole. */
  private readonly known: string[];

  constructor(knownSecrets: Iterable<string | undefined | null> = []) {
    const unique = new Set<string>();
    for (const secret of knownSecrets) {
      const trimmed = secret?.trim();
      if (trimmed && trimmed.length >= MIN_KNOWN_SECRET_LENGTH) unique.add(trimmed);
    }
    this.known = [...unique].sort((a, b) => b.length - a.length);
  }

  scrub(text: string): string {
    let out = text;
    for (const secret of this.known) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
    for (const { pattern } of KEY_SHAPES) out = out.replace(pattern, (_match, prefix: string) => `${prefix}${REDACTED}`);
    out = out.replace(AUTHORIZATION_VALUE, (_match, scheme: string, space: string) => `${scheme}${space}${REDACTED}`);
    out = out.replace(NAMED_VALUE, (match, name: string, value: string) => (looksRandom(value) ? `${name}${REDACTED}` : match));
    out = out.replace(OPAQUE_TOKEN, (match) => (isOpaque(match) ? REDACTED : match));
    return out;
  }
}

/** The credentials found in a provider's settings: keys, tokens, secrets, header values, key files' private keys. */
export function credentialsOf(providerSettings: object): string[] {
  const settings = providerSettings as Readonly<Record<string, unknown>>;
  const found: string[] = [];
  for (const field of ['apiKey', 'secretAccessKey', 'sessionToken', 'accessToken', 'accessKeyId']) {
    const value = settings[field];
    if (typeof value === 'string') found.push(value);
  }
  const headers = settings.headers;
  if (headers !== null && typeof headers === 'object') {
    for (const value of Object.values(headers)) if (typeof value === 'string') found.push(value.replace(/^(Bearer|Basic)\s+/i, ''), value);
  }
  const serviceAccount = settings.serviceAccountJson;
  if (typeof serviceAccount === 'string') {
    found.push(serviceAccount);
    try {
      const parsed = JSON.parse(serviceAccount) as { private_key?: unknown; private_key_id?: unknown };
      if (typeof parsed.private_key === 'string') found.push(parsed.private_key);
      if (typeof parsed.private_key_id === 'string') found.push(parsed.private_key_id);
    } catch {
      // Not JSON: the whole text is already listed.
    }
  }
  return found;
}
