// A POST to an OpenAI(-compatible) endpoint and the read of its JSON answer, for the Chat
// Completions and the Responses adapters: network failures worded without the upstream's address,
// a non-2xx answer mapped by openai-error.ts, and an error body that cannot be read kept a
// transport error (so an abort during the read stays a cancellation).
import type { HttpResponse } from '../../core/ports.ts';
import { readJsonBody } from '../shared/read-json-body.ts';
import { sendJsonRequest, type JsonRequest } from '../shared/send-json-request.ts';
import { openAIErrorFromResponse, openAITransportError } from './openai-error.ts';

export function sendOpenAIRequest(request: Pick<JsonRequest, 'http' | 'url' | 'headers' | 'body' | 'signal'>, provider: string): Promise<HttpResponse> {
  const { signal } = request;
  return sendJsonRequest({
    ...request,
    toTransportError: (error) => openAITransportError(error, signal, provider),
    toStatusError: ({ status, headers, text }) => openAIErrorFromResponse(status, headers, text, provider),
    unreadableErrorBody: 'transport-error',
  });
}

/** The JSON of a 2xx answer. */
export function readOpenAIJson(response: HttpResponse, signal: AbortSignal, provider: string): Promise<unknown> {
  return readJsonBody(response, { provider, toTransportError: (error) => openAITransportError(error, signal, provider), notJsonMessage: 'The upstream response is not valid JSON' });
}
