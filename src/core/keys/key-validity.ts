// Why a stored key may not be used now (revoked, disabled, expired), as the error a caller gets.
// One function for both the request path and the open-stream checks, so they give the same reason.
import { UnauthenticatedError } from '../errors.ts';
import { keyStatus, type ApiKey } from './types.ts';

export function keyRefusal(key: Pick<ApiKey, 'revokedAt' | 'disabled' | 'expiresAt'>, now: number): UnauthenticatedError | null {
  switch (keyStatus(key, now)) {
    case 'REVOKED':
      return new UnauthenticatedError('This API key has been revoked');
    case 'DISABLED':
      return new UnauthenticatedError('This API key is disabled');
    case 'EXPIRED':
      return expiredError(key.expiresAt!.getTime());
    case 'ACTIVE':
      return null;
  }
}

export function expiredError(at: number): UnauthenticatedError {
  return new UnauthenticatedError(`This API key expired at ${new Date(at).toISOString()}`);
}
