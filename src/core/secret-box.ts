// AES-256-GCM for secrets stored in the database (provider credentials). The key comes from
// MODELGRAPH_SECRET_KEY (or, on PGlite, a key file created once in the data directory).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { InvalidRequestError } from './errors.ts';

export interface SecretBox {
  readonly available: boolean;
  encrypt(plaintext: string): string;
  decrypt(sealed: string): string;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

export function createSecretBox(key: Buffer | null): SecretBox {
  if (key !== null && key.length !== 32) throw new RangeError('the secret key must be 32 bytes');
  const need = (): Buffer => {
    if (!key) throw new InvalidRequestError('Storing provider credentials needs MODELGRAPH_SECRET_KEY (32 bytes, hex or base64)');
    return key;
  };
  return {
    available: key !== null,
    encrypt(plaintext) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', need(), iv);
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
    },
    decrypt(sealed) {
      const bytes = Buffer.from(sealed, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', need(), bytes.subarray(0, IV_BYTES));
      decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    },
  };
}

/** Parses MODELGRAPH_SECRET_KEY: 64 hex characters or base64 of 32 bytes. */
export function parseSecretKey(value: string): Buffer {
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length !== 32) throw new RangeError('MODELGRAPH_SECRET_KEY must be 32 bytes as hex or base64');
  return bytes;
}
