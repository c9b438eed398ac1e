// Canonical messages -> Gemini `systemInstruction` + `contents`, following the Gemini API
// reference (Content, Part) and the function-calling and thought-signatures guides
// (https://ai.google.dev/gemini-api/docs/function-calling, .../docs/thought-signatures).
import { InvalidRequestError } from '../../core/errors.ts';
import type { ContentPart, Message, ReasoningBlock, ToolCall } from '../../core/types.ts';
import type { GeminiContent, GeminiGenerateContentRequest, GeminiRequestPart } from './gemini-wire-types.ts';
import { parseToolArguments } from '../shared/parse-tool-arguments.ts';
import { isJsonObject } from '../shared/parse-json-object.ts';

export type GeminiConversation = Pick<GeminiGenerateContentRequest, 'contents' | 'systemInstruction'>;

/**
 * System messages (wherever they sit) become `systemInstruction`; the rest become alternating
 * user/model turns. Tool results go back as `functionResponse` parts in a user turn, and adjacent
 * turns of one role are merged so parallel calls are answered in a single turn, as the docs ask.
 * Tool-call ids are not sent: Gemini pairs calls and responses by name and order, and ids
 * minted by the gateway (or another provider) would mean nothing to it.
 */
export function convertToGeminiContents(messages: Message[]): GeminiConversation {
  const system: Array<{ text: string }> = [];
  const contents: GeminiContent[] = [];
  const toolNames = new Map<string, string>();

  const push = (role: GeminiContent['role'], parts: GeminiRequestPart[]) => {
    if (parts.length === 0) return;
    const last = contents.at(-1);
    if (last?.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  };

  for (const message of messages) {
    switch (message.role) {
      case 'system':
        if (message.content.length > 0) system.push({ text: message.content });
        break;
      case 'user':
        push('user', message.content.map(convertUserPart));
        break;
      case 'assistant':
        for (const call of message.toolCalls ?? []) toolNames.set(call.id, call.name);
        push('model', convertAssistantParts(message.content, message.toolCalls ?? [], message.reasoning ?? []));
        break;
      case 'tool': {
        const name = message.name ?? toolNames.get(message.toolCallId);
        if (name === undefined) {
          throw new InvalidRequestError(
            `The tool message for call "${message.toolCallId}" has no name and no earlier assistant tool call has that id`,
          );
        }
        push('user', [{ functionResponse: { name, response: toFunctionResponse(message.content, message.isError) } }]);
        break;
      }
    }
  }

  return system.length > 0 ? { systemInstruction: { parts: system }, contents } : { contents };
}

function convertUserPart(part: ContentPart): GeminiRequestPart {
  if (part.type === 'text') return { text: part.text };
  if (part.data !== undefined) {
    return { inlineData: { mimeType: part.mediaType ?? 'image/jpeg', data: part.data } };
  }
  const url = part.url ?? '';
  const dataUrl = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  if (dataUrl) return { inlineData: { mimeType: dataUrl[1]!, data: dataUrl[2]! } };
  const mimeType = part.mediaType ?? imageMimeTypeFromUrl(url);
  return { fileData: mimeType === undefined ? { fileUri: url } : { fileUri: url, mimeType } };
}

const imageExtensions: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  heic: 'image/heic',
  heif: 'image/heif',
};

function imageMimeTypeFromUrl(url: string): string | undefined {
  try {
    const extension = new URL(url).pathname.split('.').at(-1)?.toLowerCase();
    return extension === undefined ? undefined : imageExtensions[extension];
  } catch {
    return undefined;
  }
}

/**
 * The thought signature goes back on the first functionCall part (where Gemini puts it for
 * parallel calls), or on the last text part when the turn made no calls.
 */
function convertAssistantParts(content: string | null, toolCalls: ToolCall[], reasoning: ReasoningBlock[]): GeminiRequestPart[] {
  const signature = reasoning.find((block) => block.type === 'thinking' && block.signature !== undefined);
  const thoughtSignature = signature?.type === 'thinking' ? signature.signature : undefined;
  const parts: GeminiRequestPart[] = [];
  if (content !== null && content.length > 0) {
    parts.push(thoughtSignature !== undefined && toolCalls.length === 0 ? { text: content, thoughtSignature } : { text: content });
  }
  toolCalls.forEach((call, index) => {
    const functionCall = { name: call.name, args: parseArguments(call) };
    parts.push(index === 0 && thoughtSignature !== undefined ? { functionCall, thoughtSignature } : { functionCall });
  });
  return parts;
}

function parseArguments(call: ToolCall): Record<string, unknown> {
  const parsed = parseToolArguments(call);
  if (!isJsonObject(parsed)) throw new InvalidRequestError(`The arguments of tool call "${call.id}" are not a JSON object`);
  return parsed;
}

/**
 * FunctionResponse.response is a JSON object; the API reference says to use an "output" key for
 * the function's output and an "error" key for error details. JSON content is sent parsed.
 */
function toFunctionResponse(content: string, isError: boolean | undefined): Record<string, unknown> {
  return { [isError ? 'error' : 'output']: parseJsonValue(content) };
}

function parseJsonValue(content: string): unknown {
  const trimmed = content.trim();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return content;
  try {
    return JSON.parse(trimmed);
  } catch {
    return content;
  }
}
