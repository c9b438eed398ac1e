// What differs between the operations the router routes (chat completions, embeddings): the
// adapters that serve one, the features and tokens a request counts, and what each deployment is
// sent. One constant object per router and operation, so a route run allocates nothing for it and
// chat keeps its direct path.
import type { Deployment } from '../deployments.ts';
import type { ProviderAdapter } from '../ports.ts';
import type { ChatRequest } from '../types.ts';
import { dropFeatures, requestedFeatures, type RequestFeature } from './parameter-support.ts';
import type { AdapterLookup } from './router-context.ts';

export type ChatParameters = Omit<ChatRequest, 'model'>;

/** One kind of upstream call: P the request's parameters, A the adapter serving it, U what one deployment is sent. */
export interface RouteOperation<P, A, U> {
  /** Named in the error for a model none of whose providers serves the operation. */
  readonly name: string;
  readonly adapters: AdapterLookup<A>;
  /** The model features the request uses (dropped, or required, per deployment). */
  features(parameters: P): readonly RequestFeature[];
  /** The tokens that must fit a deployment's context window. */
  contextTokens(parameters: P, promptTokens: number): number;
  /** What those tokens are, as the context-window error names them ("The prompt"). */
  readonly contextSubject: string;
  /** Output tokens assumed when ranking deployments by price. */
  outputTokens(parameters: P): number;
  /** What `deployment` is sent: the parameters without the features it lacks, its upstream model. */
  upstreamRequest(parameters: P, deployment: Deployment, dropped: readonly RequestFeature[]): U;
}

/** Output tokens assumed when ranking by price and the request sets no maximum. */
const ASSUMED_OUTPUT_TOKENS = 1000;

/** Chat completions (generate and stream) over the provider adapters. */
export function chatOperation(adapters: AdapterLookup): RouteOperation<ChatParameters, ProviderAdapter, ChatRequest> {
  return {
    name: 'chat completions',
    adapters,
    features: requestedFeatures,
    contextTokens: (_parameters, promptTokens) => promptTokens,
    contextSubject: 'The prompt',
    outputTokens: (parameters) => parameters.maxOutputTokens ?? ASSUMED_OUTPUT_TOKENS,
    upstreamRequest(parameters, deployment, dropped) {
      const adapted = dropFeatures(parameters, dropped);
      const maxOutputTokens = adapted.maxOutputTokens ?? deployment.maxOutputTokens ?? undefined;
      return { ...adapted, model: deployment.upstreamModel, ...(maxOutputTokens ? { maxOutputTokens } : {}) };
    },
  };
}
