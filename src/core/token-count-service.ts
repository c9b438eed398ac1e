// Counting a request's prompt tokens without running it (Anthropic's count_tokens). The model is
// resolved and authorized as for a completion; the count comes from the upstream when one of the
// model's deployments can count (exact), otherwise from the core's estimate. Counting is free, as
// it is at Anthropic: no admission (budgets, rate limits) and no usage record.
import type { Caller } from './auth.ts';
import type { Deployment, DeploymentTable } from './deployments.ts';
import { CancelledError, ModelNotFoundError, toGatewayError } from './errors.ts';
import { assertModelAllowed, resolveModelAlias } from './model-access.ts';
import type { Logger, ProviderAdapter } from './ports.ts';
import type { AdapterLookup } from './router/router-context.ts';
import { parseModelSuffix } from './router/routing-preferences.ts';
import { estimatePromptTokens } from './token-estimate.ts';
import type { ChatRequest } from './types.ts';

export interface TokenCountRequest {
  /** The public model name, as a completion request gives it. */
  model: string;
  parameters: Omit<ChatRequest, 'model'>;
  caller?: Caller;
}

export interface TokenCount {
  inputTokens: number;
  /** `exact`: the upstream's own counter; `estimated`: estimatePromptTokens. */
  method: 'exact' | 'estimated';
  /** The public model name after aliases and suffixes. */
  model: string;
  /** The provider whose counter answered; null for an estimate. */
  providerId: string | null;
}

export interface TokenCountServiceOptions {
  deployments: DeploymentTable;
  adapters: AdapterLookup;
  /** How long an upstream count may take before the estimate is used instead. */
  timeoutMs?: number;
  logger?: Logger;
}

const DEFAULT_TIMEOUT_MS = 10_000;

export class TokenCountService {
  constructor(private readonly options: TokenCountServiceOptions) {}

  /** Throws MODEL_NOT_FOUND or FORBIDDEN as a completion would; an upstream failure falls back to the estimate. */
  async count(request: TokenCountRequest, signal: AbortSignal): Promise<TokenCount> {
    const { model, deployments } = this.resolve(request);
    if (deployments.length === 0) {
      // The router's wording, so both endpoints refuse an unknown model alike.
      throw new ModelNotFoundError(`No routable model named "${request.model}"; list the models this gateway serves to see which names are available.`);
    }
    assertModelAllowed(request.caller, model, deployments.map(({ deployment }) => deployment.providerId));

    // The first deployment (by priority) whose provider can count: a mixed group still gets a real count.
    const counting = deployments.find(({ adapter }) => adapter.countTokens !== undefined);
    if (counting) {
      const { deployment, adapter } = counting;
      try {
        const inputTokens = await this.countUpstream(adapter, { ...request.parameters, model: deployment.upstreamModel }, signal);
        return { inputTokens, method: 'exact', model, providerId: deployment.providerId };
      } catch (thrown) {
        if (signal.aborted) throw new CancelledError();
        const error = toGatewayError(thrown);
        // The error's message and code only: the cause may carry request details.
        this.options.logger?.warn(
          `token count: provider ${deployment.providerId} failed (${error.code}${error.upstreamStatus ? ` ${error.upstreamStatus}` : ''}: ${error.message}); answered with an estimate`,
        );
      }
    }
    return { inputTokens: estimatePromptTokens(request.parameters), method: 'estimated', model, providerId: null };
  }

  /** The caller's alias, then the name as is, then without a `:floor` / `:nitro` suffix (as the router resolves). */
  private resolve(request: TokenCountRequest): { model: string; deployments: Array<{ deployment: Deployment; adapter: ProviderAdapter }> } {
    const table = this.options.deployments;
    let model = resolveModelAlias(request.caller, request.model);
    let found = table.resolve(model);
    if (found.length === 0) {
      const parsed = parseModelSuffix(request.model);
      if (parsed.sort) {
        model = resolveModelAlias(request.caller, parsed.name);
        found = table.resolve(model);
      }
    }
    const deployments = found.flatMap((deployment) => {
      const adapter = this.options.adapters.get(deployment.providerId);
      return adapter ? [{ deployment, adapter }] : [];
    });
    return { model, deployments };
  }

  private async countUpstream(adapter: ProviderAdapter, request: ChatRequest, signal: AbortSignal): Promise<number> {
    const controller = new AbortController();
    const abort = () => controller.abort();
    if (signal.aborted) abort();
    else signal.addEventListener('abort', abort, { once: true });
    const timer = setTimeout(abort, this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    try {
      return await adapter.countTokens!(request, controller.signal);
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', abort);
    }
  }
}
