// The `graphql` section of the config.
import { z } from 'zod';

/** Limits and persisted operations of the GraphQL endpoint (see README, "GraphQL for frontend apps"). */
export const graphqlSchema = z
  .object({
    maxDepth: z.number().int().positive().default(15),
    maxAliases: z.number().int().positive().default(30),
    maxTokens: z.number().int().positive().default(5000),
    maxCost: z.number().int().positive().default(50_000),
    /** Catalog browsing and GraphiQL rely on it; switch it off to hide the schema. */
    introspection: z.boolean().default(true),
    persistedOperations: z
      .object({
        mode: z.enum(['off', 'allowlist']).default('off'),
        /** JSON: `{ "<sha256>": "<document>" }` (GraphQL Code Generator) or `["<sha256>", ...]`. */
        file: z.string().optional(),
        /** In allowlist mode, also allow the web console's own operations. */
        allowConsole: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
  })
  .strict();
