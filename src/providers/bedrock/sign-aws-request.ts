// AWS Signature Version 4 for Bedrock requests, done by @smithy/signature-v4 (the signer the AWS
// SDK for JavaScript itself uses) with node:crypto SHA-256 from @smithy/hash-node. Nothing of the
// algorithm is written here: this only turns our request shape into Smithy's and back. Smithy is
// loaded on the first signature, so gateways without a Bedrock provider do not keep it in memory.
import type { SignatureV4 } from '@smithy/signature-v4';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** Present for temporary credentials (STS, SSO, instance roles); sent as x-amz-security-token. */
  sessionToken?: string;
}

export interface AwsSignerOptions {
  credentials: AwsCredentials;
  region: string;
  /** The signing name: "bedrock" for bedrock-runtime. */
  service: string;
}

export interface RequestToSign {
  method: 'GET' | 'POST';
  /** The URL as it will be sent; its path keeps its percent-encoding. */
  url: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

/** Returns the headers to send: the given ones plus host, x-amz-date, authorization and, for temporary credentials, x-amz-security-token. */
export type AwsRequestSigner = (request: RequestToSign, signingDate: Date) => Promise<Record<string, string>>;

export function createAwsRequestSigner(options: AwsSignerOptions): AwsRequestSigner {
  let signer: Promise<SignatureV4> | undefined;
  return async (request, signingDate) => {
    const url = new URL(request.url);
    const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), value]));
    const signed = await (await (signer ??= createSigner(options))).sign(
      {
        method: request.method,
        protocol: url.protocol,
        hostname: url.hostname,
        ...(url.port === '' ? {} : { port: Number(url.port) }),
        path: url.pathname,
        query: queryOf(url.searchParams),
        headers: { ...headers, host: url.host },
        ...(request.body === undefined ? {} : { body: request.body }),
      },
      { signingDate },
    );
    return signed.headers;
  };
}

async function createSigner(options: AwsSignerOptions): Promise<SignatureV4> {
  const [{ Hash }, { SignatureV4 }] = await Promise.all([import('@smithy/hash-node'), import('@smithy/signature-v4')]);
  return new SignatureV4({
    credentials: options.credentials,
    region: options.region,
    service: options.service,
    sha256: Hash.bind(null, 'sha256'),
    // Non-S3 services sign the doubly-encoded path (the path as sent, encoded once more).
    uriEscapePath: true,
    // x-amz-content-sha256 is an S3 header; other services sign the payload hash without it.
    applyChecksum: false,
  });
}

function queryOf(params: URLSearchParams): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    query[key] = values.length === 1 ? values[0]! : values;
  }
  return query;
}
