// Builds the executable schema: importing each type file registers its types and fields.
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { builder } from './builder.ts';
import './types/scalars.ts';
import './types/gateway-error.ts';
import './types/health.ts';
import './types/provider.ts';
import './types/model.ts';
import './types/chat-completion.ts';
import './types/multi-completion.ts';
import './types/embeddings.ts';
import './types/deployment.ts';
import './types/limits.ts';
import './types/team.ts';
import './types/api-key.ts';
import './types/api-key-budget.ts';
import './types/audit-log.ts';
import './types/me.ts';
import './types/provider-admin.ts';
import './types/usage.ts';
import './types/budget.ts';
import './types/response-cache.ts';

let schema: GraphQLSchema | undefined;

export function buildSchema(): GraphQLSchema {
  schema ??= builder.toSchema({ sortSchema: true });
  return schema;
}

/** The committed schema.graphql text. */
export function printSortedSchema(): string {
  return `${printSchema(lexicographicSortSchema(buildSchema()))}\n`;
}
