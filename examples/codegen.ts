// Typed GraphQL for a frontend app, generated from modelgraph's committed schema.graphql with
// GraphQL Code Generator's client preset. Not part of modelgraph's build or tests. Here:
//
//   cd examples && npm install && npm run codegen
//
// (in your own app: npm install -D @graphql-codegen/cli @graphql-codegen/client-preset).
// It writes typed documents to src/gql/ and src/gql/persisted-documents.json (sha256 -> document),
// the file modelgraph's `graphql.persistedOperations.file` takes in allowlist mode.
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  // In your app, a copy of modelgraph's schema.graphql (or the running server's URL, with introspection on).
  schema: '../schema.graphql',
  documents: ['src/**/*.ts', '!src/gql/**/*'],
  ignoreNoDocuments: true,
  generates: {
    './src/gql/': {
      preset: 'client',
      presetConfig: {
        fragmentMasking: false,
        // Each document carries its hash (document.__meta__.hash) for hash-only requests.
        persistedDocuments: { mode: 'embedHashInDocument', hashAlgorithm: 'sha256' },
      },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        // Money is a decimal string (never a float); DateTime an ISO 8601 string.
        scalars: { Money: 'string', DateTime: 'string', JSON: 'unknown' },
      },
    },
  },
};

export default config;
