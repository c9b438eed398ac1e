// A Google service-account key file (the JSON `gcloud iam service-accounts keys create` writes), with
// only the fields used to mint access tokens, and the OAuth 2.0 JWT-bearer assertion made from it
// (RFC 7523; Google's "Using OAuth 2.0 for Server to Server Applications" guide): an RS256-signed JWT
// with iss = the service account, scope, aud = token_uri, iat and exp at most an hour later.
import { createSign } from 'node:crypto';

export interface ServiceAccountKey {
  client_email: string;
  private_key: string;
  private_key_id?: string;
  project_id?: string;
  /** Where assertions are exchanged for access tokens; Google's is https://oauth2.googleapis.com/token. */
  token_uri?: string;
}

export const defaultGoogleTokenUri = 'https://oauth2.googleapis.com/token';
export const cloudPlatformScope = 'https://www.googleapis.com/auth/cloud-platform';

/** Parses key JSON (or checks an already-parsed key); the message never echoes the key. */
export function parseServiceAccountKey(key: ServiceAccountKey | string): ServiceAccountKey {
  let parsed: unknown = key;
  if (typeof key === 'string') {
    try {
      parsed = JSON.parse(key);
    } catch {
      throw new Error('The service-account key is not valid JSON');
    }
  }
  const candidate = parsed as Partial<ServiceAccountKey> | null;
  if (typeof candidate?.client_email !== 'string' || typeof candidate.private_key !== 'string') {
    throw new Error('The service-account key has no client_email or private_key');
  }
  return candidate as ServiceAccountKey;
}

/** The signed assertion for one token request; `nowSeconds` comes from the injected clock. */
export function signServiceAccountAssertion(key: ServiceAccountKey, scope: string, nowSeconds: number): string {
  const header = { alg: 'RS256', typ: 'JWT', ...(key.private_key_id === undefined ? {} : { kid: key.private_key_id }) };
  const claims = { iss: key.client_email, scope, aud: key.token_uri ?? defaultGoogleTokenUri, iat: nowSeconds, exp: nowSeconds + 3600 };
  const unsigned = `${base64Url(JSON.stringify(header))}.${base64Url(JSON.stringify(claims))}`;
  const signature = createSign('RSA-SHA256').update(unsigned).sign(key.private_key);
  return `${unsigned}.${signature.toString('base64url')}`;
}

function base64Url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}
