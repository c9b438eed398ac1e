// Sample documents for examples/codegen.ts: after `npx graphql-codegen`, `graphql()` returns
// typed documents that urql, Apollo Client or graphql-ws accept.
import { graphql } from './gql';

export const CompareModels = graphql(`
  subscription CompareModels($input: ChatCompletionInput!, $models: [String!]!) {
    chatCompletionStreams(input: $input, models: $models) {
      model
      event {
        __typename
        ... on ChatTextDelta { text }
        ... on ChatCompletionCompleted { cost usage { inputTokens outputTokens } }
        ... on ChatCompletionFailed { code message }
      }
    }
  }
`);

export const SpendByModel = graphql(`
  query SpendByModel($from: DateTime) {
    usage(filter: { from: $from }, groupBy: [MODEL]) {
      totals { requests cost }
      series { model requests cost }
    }
  }
`);

export const CreateKey = graphql(`
  mutation CreateKey($input: CreateApiKeyInput!) {
    createApiKey(input: $input) {
      __typename
      ... on ApiKeyWithSecret { secret apiKey { id name } }
      ... on Error { code message }
    }
  }
`);
