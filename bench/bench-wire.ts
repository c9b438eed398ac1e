// What every target is sent and what the mock upstream answers: one small chat request in the
// OpenAI wire format and its GraphQL equivalents, so all targets carry the same workload.

/** The token every streamed content chunk carries. */
export const mockToken = ' bench';
/** The content of every non-streaming answer; the load generator checks each response for it. */
export const mockAnswer = 'The quick brown fox jumps over the lazy dog while the benchmark keeps counting requests.';

/** The model name every target is asked for (modelgraph maps it to the mock upstream). */
export const benchModel = 'bench-model';

/** The one prompt every target gets, written below in each wire format. */
const prompt = [
  { role: 'system', content: 'You are a terse assistant.' },
  { role: 'user', content: 'Say something short about benchmarks.' },
] as const;
const maxTokens = 64;
const temperature = 0.2;

export function openAIRequestBody(stream: boolean): string {
  return JSON.stringify({
    model: benchModel,
    messages: prompt,
    max_tokens: maxTokens,
    temperature,
    ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
  });
}

const graphQLInput = {
  model: benchModel,
  messages: prompt.map(({ role, content }) => ({ role: role.toUpperCase(), content })),
  maxOutputTokens: maxTokens,
  temperature,
};

/** What a client typically selects from a completion: the text, finish, usage and cost. */
export const createChatCompletionDocument = `mutation BenchCompletion($input: ChatCompletionInput!) {
  createChatCompletion(input: $input) {
    __typename
    ... on ChatCompletion { id model output { content } finishReason { unified } usage { inputTokens outputTokens totalTokens } cost latencyMs }
    ... on GatewayError { code errorMessage: message }
  }
}`;

export const chatCompletionStreamDocument = `subscription BenchStream($input: ChatCompletionInput!) {
  chatCompletionStream(input: $input) {
    __typename
    ... on ChatTextDelta { text }
    ... on ChatCompletionCompleted { finishReason { unified } usage { inputTokens outputTokens } cost }
    ... on ChatCompletionFailed { code message }
  }
}`;

export function graphQLMutationBody(): string {
  return JSON.stringify({ query: createChatCompletionDocument, operationName: 'BenchCompletion', variables: { input: graphQLInput } });
}

export function graphQLSubscriptionPayload(): { query: string; operationName: string; variables: Record<string, unknown> } {
  return { query: chatCompletionStreamDocument, operationName: 'BenchStream', variables: { input: graphQLInput } };
}
