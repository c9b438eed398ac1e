import { UpstreamProtocolError } from '../../core/errors.ts';
import type { HttpResponse } from '../../core/ports.ts';
import { readJsonObject } from '../shared/read-json-object.ts';
import { anthropicTransportError } from './anthropic-error.ts';
import type { AnthropicWireTokenCount } from './anthropic-wire.ts';

/** Reads a 2xx count_tokens body, `{"input_tokens": N}`, into N. */
export async function readAnthropicTokenCount(response: HttpResponse, reading: { providerId: string; signal: AbortSignal }): Promise<number> {
  const { providerId, signal } = reading;
  const body = (await readJsonObject(response, {
    provider: providerId,
    toTransportError: (error) => anthropicTransportError(error, signal, providerId),
    notJsonMessage: 'Anthropic returned a token count that is not JSON',
    notObjectMessage: 'Anthropic returned a token count that is not an object',
  })) as AnthropicWireTokenCount;
  const count = body.input_tokens;
  if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0) {
    throw new UpstreamProtocolError('Anthropic returned a token count without a valid input_tokens', { provider: providerId });
  }
  return count;
}
