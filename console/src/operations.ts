// Every GraphQL document the console sends. Each export is one operation: the build hashes them
// into persisted-operations.json, so a server in allowlist mode admits exactly these.

export const ME = `query ConsoleMe {
  me { keyId name isMasterKey scopes team { id name } }
}`;

export const MODELS = `query ConsoleModels {
  models(first: 100, filter: { configuredOnly: true }) {
    edges { node { id name simulated provider { id name } pricing { input output } } }
  }
}`;

export const COMPARE_STREAMS = `subscription ConsoleCompare($input: ChatCompletionInput!, $models: [String!]!) {
  chatCompletionStreams(input: $input, models: $models) {
    model
    index
    event {
      __typename
      ... on ChatCompletionStarted { id }
      ... on ChatTextDelta { text }
      ... on ChatReasoningDelta { text }
      ... on ChatCompletionCompleted {
        cost
        usage { inputTokens outputTokens }
        finishReason { unified }
        completion { model provider latencyMs timeToFirstTokenMs }
      }
      ... on ChatCompletionFailed { code message cost usage { inputTokens outputTokens } }
    }
  }
}`;

const LIMITS = 'limits { rpm tpm maxBudget budgetPeriod maxParallelRequests }';

export const API_KEYS = `query ConsoleApiKeys {
  apiKeys(first: 100) {
    edges { node { id name displayPrefix status scopes isMaster allowedModels createdAt team { id name } ${LIMITS} budget { limit spent reserved resetsAt } } }
  }
  spendByKey: usage(groupBy: [KEY]) { series { keyId cost requests } }
}`;

/** A mutation of one field whose result is the type in `onResult` (with its selection) or an Error. */
const mutation = (signature: string, field: string, onResult: string) => `mutation ${signature} {
  ${field} {
    __typename
    ... on ${onResult}
    ... on Error { code message }
  }
}`;

export const CREATE_API_KEY = mutation('ConsoleCreateApiKey($input: CreateApiKeyInput!)', 'createApiKey(input: $input)', 'ApiKeyWithSecret { secret apiKey { id name } }');

export const UPDATE_API_KEY = mutation('ConsoleUpdateApiKey($id: ID!, $input: UpdateApiKeyInput!)', 'updateApiKey(id: $id, input: $input)', `ApiKey { id ${LIMITS} }`);

export const REVOKE_API_KEY = mutation('ConsoleRevokeApiKey($id: ID!)', 'revokeApiKey(id: $id)', 'ApiKey { id status }');

export const TEAMS = `query ConsoleTeams {
  teams(first: 100) {
    edges { node { id name allowedModels createdAt members { role user { email } } ${LIMITS} } }
  }
}`;

export const CREATE_TEAM = mutation('ConsoleCreateTeam($input: TeamInput!)', 'createTeam(input: $input)', 'Team { id name }');

export const UPDATE_TEAM = mutation('ConsoleUpdateTeam($id: ID!, $input: TeamInput!)', 'updateTeam(id: $id, input: $input)', `Team { id ${LIMITS} }`);

export const DELETE_TEAM = mutation('ConsoleDeleteTeam($id: ID!)', 'deleteTeam(id: $id)', 'Team { id }');

export const USAGE = `query ConsoleUsage($filter: UsageFilterInput) {
  overall: usage(filter: $filter) { totals { requests failedRequests inputTokens outputTokens cost } }
  byDay: usage(filter: $filter, groupBy: [DAY]) { series { day requests cost } }
  byKey: usage(filter: $filter, groupBy: [KEY]) { series { keyId key { name } requests cost } }
  byModel: usage(filter: $filter, groupBy: [MODEL, PROVIDER]) { series { model provider requests inputTokens outputTokens cost } }
}`;

export const USAGE_EVENTS = `subscription ConsoleUsageEvents {
  usageEvents {
    id createdAt requestedModel model provider status errorCode streamed cost latencyMs
    usage { inputTokens outputTokens }
    key { name }
  }
}`;

/** Whether the catalog knows a model name (a configured or admin deployment, or `provider/model`). */
export const MODEL_KNOWN = `query ConsoleModelKnown($id: String!) {
  model(id: $id) { id }
}`;

const DEPLOYMENT = `id model provider upstreamModel source weight priority timeoutMs contextLength maxOutputTokens rpm tpm tags region
  inputPrice outputPrice cacheReadPrice cacheWritePrice
  state { inFlight averageLatencyMs averageTimeToFirstTokenMs tokensPerSecond failuresInWindow cooledUntil requestsThisMinute tokensThisMinute }`;

export const PROVIDERS_PAGE = `query ConsoleProviders {
  providers(first: 100) { edges { node { id name kind protocol baseUrl configured } } }
  providerCredentials { providerId kind baseUrl hasSecret settings updatedAt }
  deployments { ${DEPLOYMENT} }
}`;

export const DEPLOYMENTS = `query ConsoleDeployments {
  deployments { ${DEPLOYMENT} }
}`;

export const UPSERT_DEPLOYMENT = mutation('ConsoleUpsertDeployment($input: DeploymentInput!)', 'upsertDeployment(input: $input)', 'Deployment { id model }');

export const DELETE_DEPLOYMENT = mutation('ConsoleDeleteDeployment($id: ID!)', 'deleteDeployment(id: $id)', 'Deployment { id }');

export const UPSERT_PROVIDER_CREDENTIAL = mutation('ConsoleUpsertProviderCredential($input: ProviderCredentialInput!)', 'upsertProviderCredential(input: $input)', 'ProviderCredential { providerId hasSecret }');

export const DELETE_PROVIDER_CREDENTIAL = mutation('ConsoleDeleteProviderCredential($providerId: String!)', 'deleteProviderCredential(providerId: $providerId)', 'ProviderCredential { providerId }');
