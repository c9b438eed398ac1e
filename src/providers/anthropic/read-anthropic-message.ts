import type { ChatResult } from '../../core/types.ts';
import type { HttpResponse } from '../../core/ports.ts';
import { readJsonObject } from '../shared/read-json-object.ts';
import { anthropicTransportError } from './anthropic-error.ts';
import type { AnthropicWireMessage } from './anthropic-wire.ts';
import { mapAnthropicResponse } from './map-anthropic-response.ts';

export interface AnthropicMessageReading {
  providerId: string;
  signal: AbortSignal;
  /** Who answered, for the error messages: "Anthropic", or "Vertex AI" for Claude on Vertex. */
  upstreamName: string;
}

/** Reads a 2xx Messages API body (Anthropic's, or Claude's on Vertex AI) into a ChatResult. */
export async function readAnthropicMessage(response: HttpResponse, reading: AnthropicMessageReading): Promise<ChatResult> {
  const { providerId, signal, upstreamName } = reading;
  const message = await readJsonObject(response, {
    provider: providerId,
    toTransportError: (error) => anthropicTransportError(error, signal, providerId),
    notJsonMessage: `${upstreamName} returned a response body that is not JSON`,
    notObjectMessage: `${upstreamName} returned a response body that is not a message`,
  });
  return mapAnthropicResponse(message as AnthropicWireMessage);
}
