// Assembles a GenerateContentRequest body from a canonical ChatRequest. The model goes in the URL,
// not the body; `user` and `metadata` have no Gemini API counterpart and are not sent.
import type { ChatRequest } from '../../core/types.ts';
import { buildGeminiGenerationConfig } from './build-gemini-generation-config.ts';
import { convertToGeminiContents } from './convert-to-gemini-contents.ts';
import { convertToGeminiTools } from './convert-to-gemini-tools.ts';
import type { GeminiGenerateContentRequest } from './gemini-wire-types.ts';

export function buildGeminiRequest(request: ChatRequest): GeminiGenerateContentRequest {
  const generationConfig = buildGeminiGenerationConfig(request);
  return {
    ...convertToGeminiContents(request.messages),
    ...convertToGeminiTools(request),
    ...(generationConfig === undefined ? {} : { generationConfig }),
  };
}
