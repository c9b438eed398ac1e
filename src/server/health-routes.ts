// GET /health (and /healthz), /health/live and /health/ready. Every answer comes within about
// server.healthTimeoutMs whatever the database does. Without an admin key the body is the status
// only: database errors name hosts, ports and indexes, which are the operator's business.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { secretFromHeaders } from '../core/auth.ts';
import { withinTimeout } from '../core/health.ts';
import type { GraphQLServices } from '../graphql/context.ts';

const HEALTH_PATHS = new Set(['/health', '/healthz', '/health/live', '/health/ready']);

export function isHealthPath(path: string): boolean {
  return HEALTH_PATHS.has(path);
}

export async function handleHealth(request: IncomingMessage, response: ServerResponse, path: string, services: GraphQLServices, timeoutMs: number): Promise<void> {
  const { health } = services;
  if (path === '/health/live') {
    writeJson(response, 200, { status: 'ok' });
    return;
  }
  // Both checks and the admin key's lookup run at once, each bounded.
  const [admin, readiness, databaseReachable] = await Promise.all([
    isAdmin(request, services, timeoutMs),
    path === '/health/ready' ? health.readiness() : null,
    path === '/health/ready' ? null : health.databaseReachable(),
  ]);
  if (readiness) {
    writeJson(response, readiness.ready ? 200 : 503, { status: readiness.ready ? 'ready' : 'not_ready', ...(admin ? { checks: readiness.checks } : {}) });
    return;
  }
  const status = databaseReachable ? 'ok' : 'degraded';
  writeJson(
    response,
    databaseReachable ? 200 : 503,
    admin
      ? {
          status,
          version: health.version,
          databaseDriver: health.databaseDriver,
          databaseReachable,
          uptimeSeconds: (Date.now() - health.startedAt) / 1000,
          metering: health.metering(),
        }
      : { status },
  );
}

/** True for an admin key; a key that cannot be checked in time (database down) counts as none. */
async function isAdmin(request: IncomingMessage, services: GraphQLServices, timeoutMs: number): Promise<boolean> {
  const secret = secretFromHeaders(request.headers);
  if (!secret) return false;
  const caller = services.authenticator.authenticate({ secret, clientAddress: request.socket.remoteAddress }).catch(() => null);
  return (await withinTimeout(caller, timeoutMs, null))?.scopes.includes('ADMIN') ?? false;
}

function writeJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}
