// Access tokens for Vertex AI: either one supplied as is, or minted from a service-account key by
// exchanging a signed assertion at the key's token_uri (grant_type
// urn:ietf:params:oauth:grant-type:jwt-bearer). A minted token is cached until shortly before it
// expires, and concurrent requests share one exchange.
import { GatewayError, UpstreamAuthenticationError, UpstreamError, UpstreamProtocolError } from '../../core/errors.ts';
import type { Clock, HttpClient } from '../../core/ports.ts';
import { cloudPlatformScope, defaultGoogleTokenUri, signServiceAccountAssertion, type ServiceAccountKey } from './service-account-key.ts';

export interface AccessTokenSource {
  token(): Promise<string>;
}

export function staticAccessToken(token: string): AccessTokenSource {
  return { token: () => Promise.resolve(token) };
}

export interface ServiceAccountTokenOptions {
  key: ServiceAccountKey;
  http: HttpClient;
  clock: Clock;
  providerId: string;
  scope?: string;
}

/** Refresh this long before expiry, as Google's client libraries do, so no request carries a token about to lapse. */
const refreshMarginMs = 5 * 60_000;

interface TokenResponse {
  access_token?: string;
  expires_in?: number;
  error?: string;
  error_description?: string;
}

export function serviceAccountTokenSource(options: ServiceAccountTokenOptions): AccessTokenSource {
  let cached: { token: string; refreshAt: number } | undefined;
  let pending: Promise<string> | undefined;

  async function exchange(): Promise<string> {
    const now = options.clock.now();
    const assertion = signServiceAccountAssertion(options.key, options.scope ?? cloudPlatformScope, Math.floor(now / 1000));
    const body = new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString();
    const details = { provider: options.providerId };
    let status: number;
    let text: string;
    try {
      const response = await options.http.request({
        url: options.key.token_uri ?? defaultGoogleTokenUri,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body,
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      throw error instanceof GatewayError ? error : new UpstreamError('The Google token endpoint could not be reached', { ...details, cause: error });
    }
    let parsed: TokenResponse;
    try {
      parsed = JSON.parse(text) as TokenResponse;
    } catch (error) {
      throw new UpstreamProtocolError('The Google token endpoint answered with a body that is not JSON', { ...details, upstreamStatus: status, cause: error });
    }
    if (status < 200 || status >= 300 || typeof parsed.access_token !== 'string') {
      const message = `Google refused a token for the service account: ${parsed.error_description ?? parsed.error ?? `HTTP ${status}`}`;
      const refusal = { ...details, upstreamStatus: status, ...(parsed.error === undefined ? {} : { upstreamCode: parsed.error }) };
      // invalid_grant / invalid_client (400, 401): the key itself is wrong, disabled or deleted.
      throw status >= 500 ? new UpstreamError(message, refusal) : new UpstreamAuthenticationError(message, refusal);
    }
    const lifetimeMs = (parsed.expires_in ?? 3600) * 1000;
    cached = { token: parsed.access_token, refreshAt: now + lifetimeMs - Math.min(refreshMarginMs, lifetimeMs / 2) };
    return parsed.access_token;
  }

  return {
    token() {
      if (cached !== undefined && options.clock.now() < cached.refreshAt) return Promise.resolve(cached.token);
      // One exchange at a time; a failed one is not remembered, so the next request tries again.
      pending ??= exchange().finally(() => {
        pending = undefined;
      });
      return pending;
    },
  };
}
