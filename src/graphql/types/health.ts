import type { GatewayError } from '../../core/errors.ts';
import { builder } from '../builder.ts';
import { throwIfEnded, untilAborted } from '../subscription-end.ts';
import type { MeteringStatus } from '../../core/metering/metering-ports.ts';
import type { HealthInfo } from '../context.ts';

const HealthStatusEnum = builder.enumType('HealthStatus', { values: ['OK', 'DEGRADED'] as const });
const DatabaseDriverEnum = builder.enumType('DatabaseDriver', { values: { PGLITE: { value: 'pglite' }, POSTGRES: { value: 'postgres' } } as const });

const MeteringHealthRef = builder.objectRef<MeteringStatus>('MeteringHealth').implement({
  description: 'The usage writer: records wait in a bounded buffer while the database cannot be written.',
  fields: (t) => ({
    buffered: t.exposeInt('buffered', { description: 'Usage records not yet written.' }),
    dropped: t.exposeInt('dropped', { description: 'Records lost since start: the buffer was full, they came after shutdown, or they could not be dead-lettered.' }),
    written: t.float({ resolve: (m) => m.written }),
    deadLettered: t.exposeInt('deadLettered', {
      description: 'Records the database refused for good since start (a data or constraint error), kept in the usage_dead_letters table instead of holding up the others.',
    }),
    lastError: t.exposeString('lastError', { nullable: true, description: 'The last transient write error; null once a write succeeds.' }),
    lastErrorAt: t.field({ type: 'DateTime', nullable: true, resolve: (m) => m.lastErrorAt }),
    databaseReachable: t.exposeBoolean('databaseReachable', { description: 'False from a failed usage write until one succeeds.' }),
  }),
});

// Without an admin key only `status` answers: the details (database and write errors, version)
// are for operators. The detail fields are nullable so that a query asking for them still gets
// its status, with an error per refused field.
const adminOnly = { authScopes: { admin: true }, nullable: true } as const;

const HealthRef = builder.objectRef<HealthInfo & { databaseUp: boolean }>('Health').implement({
  fields: (t) => ({
    status: t.field({ type: HealthStatusEnum, resolve: (h) => (h.databaseUp ? 'OK' : 'DEGRADED') }),
    version: t.exposeString('version', { ...adminOnly, description: 'Admin keys only.' }),
    databaseDriver: t.field({ type: DatabaseDriverEnum, ...adminOnly, description: 'Admin keys only.', resolve: (h) => h.databaseDriver }),
    databaseReachable: t.exposeBoolean('databaseUp', { ...adminOnly, description: 'Admin keys only. False when the database did not answer within server.healthTimeoutMs.' }),
    uptimeSeconds: t.float({ ...adminOnly, description: 'Admin keys only.', resolve: (h) => (Date.now() - h.startedAt) / 1000 }),
    metering: t.field({ type: MeteringHealthRef, ...adminOnly, description: 'Admin keys only.', resolve: (h) => h.metering() }),
  }),
});

builder.queryField('health', (t) =>
  t.field({
    type: HealthRef,
    description: 'Answers without an API key, within server.healthTimeoutMs whatever the database does; details need an admin key.',
    skipTypeScopes: true,
    resolve: async (_root, _args, context) => {
      const health = context.services.health;
      return { ...health, databaseUp: await health.databaseReachable() };
    },
  }),
);

builder.subscriptionField('time', (t) =>
  t.field({
    type: 'DateTime',
    description: 'The server time every `intervalMs` (default 1000): a liveness check for subscription transports.',
    args: { intervalMs: t.arg.int({ defaultValue: 1000 }), count: t.arg.int({ required: false }) },
    subscribe: (_root, args, context) => untilAborted(ticks(Math.max(10, args.intervalMs ?? 1000), args.count ?? null), context.signal),
    resolve: (event) => throwIfEnded(event as Date | GatewayError),
  }),
);

async function* ticks(intervalMs: number, count: number | null): AsyncGenerator<Date> {
  for (let sent = 0; count === null || sent < count; sent++) {
    if (sent > 0) await new Promise((resolve) => setTimeout(resolve, intervalMs));
    yield new Date();
  }
}
