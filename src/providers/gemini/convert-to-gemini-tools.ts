// Tools and tool choice -> Gemini `tools` + `toolConfig.functionCallingConfig`, following the
// Gemini API reference (Tool, FunctionDeclaration, ToolConfig) and the function-calling guide.
import type { ChatRequest } from '../../core/types.ts';
import type { GeminiGenerateContentRequest, GeminiToolConfig } from './gemini-wire-types.ts';
import { toGeminiJsonSchema } from './gemini-json-schema.ts';

export type GeminiTools = Pick<GeminiGenerateContentRequest, 'tools' | 'toolConfig'>;

/**
 * `parallelToolCalls` has no Gemini counterpart and is not sent; `strict` neither (Gemini always
 * validates calls against the declaration).
 */
export function convertToGeminiTools(request: Pick<ChatRequest, 'tools' | 'toolChoice'>): GeminiTools {
  const result: GeminiTools = {};
  if (request.tools !== undefined && request.tools.length > 0) {
    result.tools = [
      {
        functionDeclarations: request.tools.map((tool) => ({
          name: tool.name,
          ...(tool.description === undefined ? {} : { description: tool.description }),
          parametersJsonSchema: toGeminiJsonSchema(tool.parameters),
        })),
      },
    ];
  }
  if (request.toolChoice !== undefined) result.toolConfig = convertToolChoice(request.toolChoice);
  return result;
}

function convertToolChoice(choice: NonNullable<ChatRequest['toolChoice']>): GeminiToolConfig {
  if (choice === 'auto') return { functionCallingConfig: { mode: 'AUTO' } };
  if (choice === 'none') return { functionCallingConfig: { mode: 'NONE' } };
  if (choice === 'required') return { functionCallingConfig: { mode: 'ANY' } };
  return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [choice.name] } };
}
