// The `server` section of the config: listen address, body limit, timeouts, environment, CORS, proxies.
import { isIP } from 'node:net';
import { z } from 'zod';

function isAddressOrRange(value: string): boolean {
  const [address, prefix, ...rest] = value.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || rest.length > 0) return false;
  return prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}

/**
 * Slow or silent clients, WebSocket handshakes, health checks and shutdown (see README,
 * "Operations"). Node's own defaults would let a slow upload hold a connection for 300 s.
 */
export const SERVER_TIMEOUTS_SCHEMA = {
  /** The whole request head must arrive within this. */
  headersTimeoutMs: z.number().int().positive().default(20_000),
  /** The whole request, body included, must arrive within this; the response is not limited by it. */
  requestTimeoutMs: z.number().int().positive().default(60_000),
  /** A keep-alive connection waits this long for its next request. */
  keepAliveTimeoutMs: z.number().int().positive().default(5_000),
  /** A connection with no traffic for this long is closed, unless a response is being produced. */
  idleTimeoutMs: z.number().int().positive().default(120_000),
  /** A WebSocket must send connection_init within this (graphql-ws connectionInitWaitTimeout). */
  webSocketInitTimeoutMs: z.number().int().positive().default(3_000),
  /** On SIGTERM, how long in-flight requests and streams (SSE and WebSocket) may take to finish. */
  shutdownGraceMs: z.number().int().nonnegative().default(10_000),
  /** /health, /health/ready and the health query answer within about this, whatever the database does. */
  healthTimeoutMs: z.number().int().positive().default(2_000),
};

export type ServerTimeouts = { [K in keyof typeof SERVER_TIMEOUTS_SCHEMA]: number };

export const serverSchema = z
  .object({
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(4000),
    /** Larger REST/GraphQL bodies get 413; also the largest WebSocket message (larger: close 1009). */
    bodyLimitBytes: z.number().int().positive().default(4 * 1024 * 1024),
    ...SERVER_TIMEOUTS_SCHEMA,
    /** Absent: NODE_ENV=production means production, anything else development. */
    environment: z.enum(['production', 'development']).optional(),
    /** Absent: same-origin only in production, any origin in development. */
    cors: z.object({ origins: z.array(z.string()) }).strict().optional(),
    /** Reverse proxies (addresses or CIDR ranges) whose X-Forwarded-For is believed; false: none. */
    trustProxy: z.union([z.literal(false), z.array(z.string().refine(isAddressOrRange, 'an IP address or a CIDR range such as 10.0.0.0/8'))]).default(false),
  })
  .strict();
