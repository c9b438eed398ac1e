// The Pothos builder and its plugins. No types are defined here: each lives in graphql/types/.
import SchemaBuilder from '@pothos/core';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { GraphQLError } from 'graphql';
import type { GraphQLContext } from './context.ts';

export interface AuthScopes {
  /** Any valid key. */
  authenticated: boolean;
  admin: boolean;
  inference: boolean;
  readUsage: boolean;
}

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  AuthScopes: AuthScopes;
  Scalars: {
    Money: { Input: string; Output: bigint };
    DateTime: { Input: Date; Output: Date };
    JSON: { Input: unknown; Output: unknown };
  };
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
}>({
  plugins: [ScopeAuthPlugin, ErrorsPlugin, RelayPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    // Subscriptions are authorized when they start, not per event.
    authorizeOnSubscribe: true,
    authScopes: (context) => {
      const scopes = context.caller?.scopes ?? [];
      return {
        authenticated: context.caller !== null,
        admin: scopes.includes('ADMIN'),
        inference: scopes.includes('INFERENCE'),
        readUsage: scopes.includes('READ_USAGE') || scopes.includes('ADMIN'),
      };
    },
    unauthorizedError: (_parent, context, info) => {
      if (context.caller === null) {
        const cause = context.authError;
        return new GraphQLError(cause?.message ?? 'An API key is required', {
          extensions: { code: cause?.code === 'RATE_LIMITED' ? 'RATE_LIMITED' : 'UNAUTHENTICATED', ...(cause?.retryAfterMs ? { retryAfterMs: cause.retryAfterMs } : {}) },
        });
      }
      return new GraphQLError(`This API key may not use ${info.parentType.name}.${info.fieldName}: it lacks the required scope`, {
        extensions: { code: 'FORBIDDEN' },
      });
    },
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    edgesFieldOptions: { nullable: false },
    nodeFieldOptions: { nullable: false },
  },
  errors: {
    directResult: true,
  },
});

// Every root field needs a key unless it opts out (only `health` does).
builder.queryType({ authScopes: { authenticated: true } });
builder.mutationType({ authScopes: { authenticated: true } });
builder.subscriptionType({ authScopes: { authenticated: true } });
