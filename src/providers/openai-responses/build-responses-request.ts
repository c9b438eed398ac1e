// ChatRequest -> Responses API request body (OpenAI API reference, "Create a model response").
// The conversation goes as input items: messages, function_call and function_call_output items,
// and reasoning items carrying the encrypted_content an earlier turn returned. Requests are not
// stored upstream (store: false) and ask for encrypted reasoning, so each turn is stateless and
// reasoning round-trips through the gateway's own history.
import { InvalidRequestError } from '../../core/errors.ts';
import type { ChatRequest, ContentPart, Message, ResponseFormat, ToolChoice } from '../../core/types.ts';

export function buildResponsesRequest(request: ChatRequest, stream: boolean): Record<string, unknown> {
  if (request.stop !== undefined && request.stop.length > 0) throw new InvalidRequestError('The Responses API takes no stop sequences (stop)');
  const body: Record<string, unknown> = {
    model: request.model,
    input: request.messages.flatMap(inputItems),
    store: false,
    include: ['reasoning.encrypted_content'],
  };
  if (request.tools !== undefined && request.tools.length > 0) {
    body['tools'] = request.tools.map((tool) => ({
      type: 'function',
      name: tool.name,
      ...(tool.description === undefined ? {} : { description: tool.description }),
      parameters: tool.parameters,
      // The Responses API defaults strict to true; the core's undefined means "not asked for".
      strict: tool.strict ?? false,
    }));
    if (request.toolChoice !== undefined) body['tool_choice'] = toolChoice(request.toolChoice);
    if (request.parallelToolCalls !== undefined) body['parallel_tool_calls'] = request.parallelToolCalls;
  }
  if (request.responseFormat !== undefined && request.responseFormat.type !== 'text') body['text'] = { format: textFormat(request.responseFormat) };
  if (request.reasoning?.effort !== undefined) body['reasoning'] = { effort: request.reasoning.effort, summary: 'auto' };
  if (request.temperature !== undefined) body['temperature'] = request.temperature;
  if (request.topP !== undefined) body['top_p'] = request.topP;
  if (request.maxOutputTokens !== undefined) body['max_output_tokens'] = request.maxOutputTokens;
  if (request.user !== undefined) body['user'] = request.user;
  if (stream) body['stream'] = true;
  return body;
}

function inputItems(message: Message): unknown[] {
  switch (message.role) {
    case 'system':
      return [{ role: 'developer', content: message.content }];
    case 'user':
      return [{ role: 'user', content: message.content.map(inputContent) }];
    case 'tool':
      return [{ type: 'function_call_output', call_id: message.toolCallId, output: message.content }];
    case 'assistant': {
      const items: unknown[] = [];
      // Only encrypted reasoning can be sent back; summaries alone are not accepted as input.
      for (const block of message.reasoning ?? []) {
        if (block.type === 'redacted') items.push({ type: 'reasoning', summary: [], encrypted_content: block.data });
      }
      if (message.content !== null && message.content !== '') items.push({ role: 'assistant', content: message.content });
      for (const call of message.toolCalls ?? []) items.push({ type: 'function_call', call_id: call.id, name: call.name, arguments: call.arguments });
      return items;
    }
  }
}

function inputContent(part: ContentPart): unknown {
  if (part.type === 'text') return { type: 'input_text', text: part.text };
  const url = part.url ?? `data:${part.mediaType ?? 'image/png'};base64,${part.data ?? ''}`;
  return { type: 'input_image', image_url: url, detail: part.detail ?? 'auto' };
}

function toolChoice(choice: ToolChoice): unknown {
  return typeof choice === 'string' ? choice : { type: 'function', name: choice.name };
}

function textFormat(format: Exclude<ResponseFormat, { type: 'text' }>): unknown {
  if (format.type === 'json_object') return { type: 'json_object' };
  return {
    type: 'json_schema',
    name: format.name,
    schema: format.schema,
    ...(format.strict === undefined ? {} : { strict: format.strict }),
    ...(format.description === undefined ? {} : { description: format.description }),
  };
}
