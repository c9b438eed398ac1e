// Which model features a request uses, and the request adapted to a deployment that lacks some:
// those parameters are dropped (and reported as warnings), or, with `requireParameters`, the
// deployment is not used at all.
import type { Capability } from '../catalog.ts';
import type { ChatRequest, Message } from '../types.ts';

export type RequestFeature = Extract<Capability, 'TOOLS' | 'JSON_SCHEMA' | 'VISION' | 'REASONING'>;

type Parameters = Omit<ChatRequest, 'model'>;

const hasImage = (message: Message): boolean => message.role === 'user' && message.content.some((part) => part.type === 'image');

export function requestedFeatures(parameters: Parameters): RequestFeature[] {
  const features: RequestFeature[] = [];
  if (parameters.tools?.length) features.push('TOOLS');
  if (parameters.responseFormat?.type === 'json_schema') features.push('JSON_SCHEMA');
  if (parameters.messages.some(hasImage)) features.push('VISION');
  if (parameters.reasoning) features.push('REASONING');
  return features;
}

/** The requested features a model lacks; none when its capabilities are unknown. */
export function unsupportedFeatures(features: readonly RequestFeature[], capabilities: readonly Capability[] | null): RequestFeature[] {
  if (capabilities === null) return [];
  return features.filter((feature) => !capabilities.includes(feature));
}

const DESCRIPTIONS: Record<RequestFeature, string> = {
  TOOLS: 'tools (tools, toolChoice, parallelToolCalls)',
  JSON_SCHEMA: 'JSON schema output (responseFormat)',
  VISION: 'image input (image parts)',
  REASONING: 'reasoning (reasoning options)',
};

export function droppedWarning(feature: RequestFeature, model: string): string {
  return `${model} does not support ${DESCRIPTIONS[feature]}; the parameter was not sent`;
}

/** The parameters without the given features. */
export function dropFeatures(parameters: Parameters, features: readonly RequestFeature[]): Parameters {
  if (features.length === 0) return parameters;
  const adapted: Parameters = { ...parameters };
  for (const feature of features) {
    switch (feature) {
      case 'TOOLS':
        delete adapted.tools;
        delete adapted.toolChoice;
        delete adapted.parallelToolCalls;
        break;
      case 'JSON_SCHEMA':
        delete adapted.responseFormat;
        break;
      case 'VISION':
        adapted.messages = adapted.messages.map((message) => {
          if (!hasImage(message) || message.role !== 'user') return message;
          const content = message.content.filter((part) => part.type !== 'image');
          return { ...message, content: content.length > 0 ? content : [{ type: 'text', text: '(image omitted)' }] };
        });
        break;
      case 'REASONING':
        delete adapted.reasoning;
        break;
    }
  }
  return adapted;
}
