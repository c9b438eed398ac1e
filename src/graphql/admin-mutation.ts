// What every admin mutation shares: the ADMIN scope, a GatewayError answered as a typed error
// result, and the calling key (recorded in the audit log).
import { GraphQLError } from 'graphql';
import type { Caller } from '../core/auth.ts';
import { GatewayError } from '../core/errors.ts';
import type { GraphQLContext } from './context.ts';

/** The scope of admin fields (queries too). */
export const adminScope = { admin: true } as const;

/** Spread into an admin mutation's options. */
export const adminMutation = { authScopes: adminScope, errors: { types: [GatewayError] as [typeof GatewayError] } };

/** The key calling the mutation (the admin scope already required one). */
export function callerOf(context: GraphQLContext): Caller {
  if (!context.caller) throw new GraphQLError('An API key is required', { extensions: { code: 'UNAUTHENTICATED' } });
  return context.caller;
}
