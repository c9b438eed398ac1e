import { CancelledError, GatewayError, UpstreamError } from '../../core/errors.ts';

/**
 * A request that got no HTTP response, or whose body could not be read: cancelled by the caller,
 * or the upstream unreachable (`message`, which names no address). The network detail stays in
 * `cause`, out of the message callers see.
 */
export function transportError(error: unknown, signal: AbortSignal, providerId: string, message: string): GatewayError {
  if (error instanceof GatewayError) return error;
  if (signal.aborted || (error instanceof Error && error.name === 'AbortError')) {
    return new CancelledError(undefined, { provider: providerId, cause: error });
  }
  return new UpstreamError(message, { provider: providerId, cause: error });
}
