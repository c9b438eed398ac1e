// A Google OAuth 2.0 token endpoint for service accounts (the key file's token_uri): it takes
// grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer with an RS256 assertion, verifies the
// signature against the key pair it made, checks the claims Google checks (iss, aud = token_uri,
// scope, an exp at most an hour after iat) and answers {access_token, expires_in, token_type}, or
// {error, error_description} as Google does. Times are not checked against the wall clock, so tests
// may drive the client with an injected clock.
import { generateKeyPairSync, verify } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServiceAccountKey } from '../../src/providers/vertex/service-account-key.ts';
import { sleep } from '../helpers/simulator-server.ts';

export interface VerifiedAssertion {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
}

export interface GoogleTokenServer {
  /** A service-account key whose token_uri points at this server. */
  readonly key: ServiceAccountKey;
  /** Successful and failed exchanges, in order. */
  readonly assertions: VerifiedAssertion[];
  readonly exchanges: () => number;
  issued(token: string): boolean;
  /** Delays answers, so concurrent callers overlap. */
  setDelay(ms: number): void;
  /** Refuses the next exchanges with this OAuth error until cleared. */
  refuseWith(refusal: { status: number; error: string; description: string } | undefined): void;
  close(): Promise<void>;
}

export async function startGoogleTokenServer(): Promise<GoogleTokenServer> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const assertions: VerifiedAssertion[] = [];
  const tokens = new Set<string>();
  let exchanges = 0;
  let delayMs = 0;
  let refusal: { status: number; error: string; description: string } | undefined;
  let key: ServiceAccountKey;

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method !== 'POST' || req.url !== '/token' || !String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) {
      return answer(res, 400, { error: 'invalid_request', error_description: 'Bad Request' });
    }
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      return answer(res, 400, { error: 'unsupported_grant_type', error_description: 'Invalid grant_type: ' + form.get('grant_type') });
    }
    const assertion = verifyAssertion(form.get('assertion') ?? '', publicKey, key);
    if (typeof assertion === 'string') return answer(res, 400, { error: 'invalid_grant', error_description: assertion });
    assertions.push(assertion);
    exchanges++;
    if (delayMs > 0) await sleep(delayMs);
    if (refusal !== undefined) return answer(res, refusal.status, { error: refusal.error, error_description: refusal.description });
    const token = `ya29.simulated-${exchanges}`;
    tokens.add(token);
    return answer(res, 200, { access_token: token, expires_in: 3599, token_type: 'Bearer' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  key = {
    client_email: 'modelgraph@test-project.iam.gserviceaccount.com',
    private_key: privateKey,
    private_key_id: 'simulated-key-1',
    project_id: 'test-project',
    token_uri: `http://127.0.0.1:${port}/token`,
  };

  return {
    key,
    assertions,
    exchanges: () => exchanges,
    issued: (token) => tokens.has(token),
    setDelay(ms) {
      delayMs = ms;
    },
    refuseWith(next) {
      refusal = next;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Returns the verified parts, or Google's error_description for a bad assertion. */
function verifyAssertion(jwt: string, publicKey: string, key: ServiceAccountKey): VerifiedAssertion | string {
  const parts = jwt.split('.');
  if (parts.length !== 3) return 'Invalid JWT: Token must be a short-lived token and in a reasonable timeframe.';
  const [header64, claims64, signature64] = parts as [string, string, string];
  if (!verify('RSA-SHA256', Buffer.from(`${header64}.${claims64}`), publicKey, Buffer.from(signature64, 'base64url'))) return 'Invalid JWT Signature.';
  const header = JSON.parse(Buffer.from(header64, 'base64url').toString('utf8')) as Record<string, unknown>;
  const claims = JSON.parse(Buffer.from(claims64, 'base64url').toString('utf8')) as Record<string, unknown>;
  if (header.alg !== 'RS256') return 'Invalid JWT: unsupported algorithm.';
  if (claims.iss !== key.client_email) return 'Invalid JWT: iss is not a known service account.';
  if (claims.aud !== key.token_uri) return 'Invalid JWT: aud must be the token endpoint.';
  if (typeof claims.scope !== 'string' || claims.scope.split(' ').length === 0) return 'Invalid JWT: no scope.';
  const lifetime = Number(claims.exp) - Number(claims.iat);
  if (!(lifetime > 0 && lifetime <= 3600)) return 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.';
  return { header, claims };
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}
