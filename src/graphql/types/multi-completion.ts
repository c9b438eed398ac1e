// Several completions in one request, for side-by-side comparison in frontends: a mutation that
// runs inputs concurrently and a subscription that interleaves several models' streams. Each model
// is one CompletionService call with the caller, so budgets, rate limits and metering count each.
import { GraphQLError } from 'graphql';
import type { CompletionEvent } from '../../core/completion-service.ts';
import { GatewayError, toGatewayError } from '../../core/errors.ts';
import { INPUT_LIMITS, checkBoundedText } from '../../core/input-limits.ts';
import type { Usage } from '../../core/types.ts';
import { abortOnReturn } from '../abort-on-return.ts';
import { builder } from '../builder.ts';
import { serviceScope, type GraphQLContext } from '../context.ts';
import { ChatCompletionRef, ChatStreamEventUnion } from './chat-completion.ts';
import { ChatCompletionInput, toCompletionRequest } from './chat-input.ts';

/** The most completions one request may run; each also counts against the key's parallel limit. */
export const MAX_COMPLETIONS_PER_REQUEST = 8;

type Failed = Extract<CompletionEvent, { type: 'error' }>;

function checkCount(count: number, what: string): void {
  if (count === 0 || count > MAX_COMPLETIONS_PER_REQUEST) {
    throw new GraphQLError(`${what}: give between 1 and ${MAX_COMPLETIONS_PER_REQUEST}`, { extensions: { code: 'INVALID_REQUEST' } });
  }
}

const withCaller = serviceScope;

builder.mutationField('createChatCompletions', (t) =>
  t.field({
    type: [ChatCompletionRef],
    description: `Runs the completions concurrently (at most ${MAX_COMPLETIONS_PER_REQUEST}); one result or typed error per input, in input order.`,
    // Each item is ChatCompletion | GatewayError, the members of createChatCompletion's union.
    itemErrors: { types: [GatewayError], union: { name: 'ChatCompletionResult' } },
    args: { inputs: t.arg({ type: [ChatCompletionInput], required: true }) },
    authScopes: { inference: true },
    resolve: (_root, args, context) => {
      checkCount(args.inputs.length, 'inputs');
      // Started together; a rejected item becomes that item's GatewayError.
      return args.inputs.map(async (input) =>
        context.services.completions.create({ ...toCompletionRequest(input), ...withCaller(context) }, context.signal),
      );
    },
  }),
);

interface ModelStreamEvent {
  model: string;
  index: number;
  event: CompletionEvent;
}

const ModelStreamEventRef = builder.objectRef<ModelStreamEvent>('ModelStreamEvent').implement({
  description: "One model's stream event, tagged with the model it belongs to.",
  fields: (t) => ({
    model: t.exposeString('model', { description: 'The model as requested in `models`.' }),
    index: t.exposeInt('index', { description: 'Its position in `models` (tells apart a model requested twice).' }),
    event: t.field({ type: ChatStreamEventUnion, resolve: (e) => e.event }),
  }),
});

builder.subscriptionField('chatCompletionStreams', (t) =>
  t.field({
    type: ModelStreamEventRef,
    description:
      "Streams every model's events interleaved; each entry of `models` replaces `input.model`. Every model ends with its own " +
      `ChatCompletionCompleted or ChatCompletionFailed, and the subscription completes after the last. At most ${MAX_COMPLETIONS_PER_REQUEST} models.`,
    args: {
      input: t.arg({ type: ChatCompletionInput, required: true }),
      models: t.arg.stringList({ required: true }),
    },
    authScopes: { inference: true },
    subscribe: (_root, args, context) => {
      checkCount(args.models.length, 'models');
      return abortOnReturn(context.signal, (signal) => modelStreams(args.input, args.models, context, signal));
    },
    resolve: (event) => event as ModelStreamEvent,
  }),
);

async function* modelStreams(
  input: typeof ChatCompletionInput.$inferInput,
  models: string[],
  context: GraphQLContext,
  signal: AbortSignal,
): AsyncGenerator<ModelStreamEvent> {
  let request: ReturnType<typeof toCompletionRequest>;
  try {
    request = toCompletionRequest({ ...input, model: models[0]! });
    for (const [index, model] of models.entries()) checkBoundedText(`models[${index}]`, model, INPUT_LIMITS.modelNameLength);
  } catch (error) {
    for (const [index, model] of models.entries()) yield { model, index, event: failedEvent(toGatewayError(error)) };
    return;
  }
  const streams = models.map((model) => context.services.completions.stream({ ...request, model, ...withCaller(context) }, signal));
  for await (const { index, value } of interleave(streams, (error) => failedEvent(toGatewayError(error)))) {
    yield { model: models[index]!, index, event: value };
  }
}

function failedEvent(error: GatewayError): Failed {
  const usage: Usage = { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
  return { type: 'error', error, generationId: '', attempts: [], usage, cost: 0n };
}

/**
 * Merges async iterators in arrival order, each value tagged with its source's index. A source
 * that throws ends with `onError(error)` as its last value. Leaving early returns every source.
 */
async function* interleave<T>(sources: AsyncIterable<T>[], onError: (error: unknown) => T): AsyncGenerator<{ index: number; value: T }> {
  const iterators = sources.map((source) => source[Symbol.asyncIterator]());
  // `last` marks the error value of a source that threw: nothing follows it.
  type Step = { index: number; result: IteratorResult<T>; last: boolean };
  const pending = new Map<number, Promise<Step>>();
  const pull = (index: number) =>
    pending.set(
      index,
      iterators[index]!.next().then(
        (result): Step => ({ index, result, last: false }),
        (error: unknown): Step => ({ index, result: { done: false, value: onError(error) }, last: true }),
      ),
    );
  iterators.forEach((_, index) => pull(index));
  try {
    while (pending.size > 0) {
      const { index, result, last } = await Promise.race(pending.values());
      pending.delete(index);
      if (result.done) continue;
      yield { index, value: result.value };
      if (!last) pull(index);
    }
  } finally {
    await Promise.allSettled(iterators.map((iterator) => iterator.return?.()));
  }
}
