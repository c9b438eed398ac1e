import { builder } from '../builder.ts';
import type { MeteringStatus } from '../../core/metering/usage-feed.ts';
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

const HealthRef = builder.objectRef<HealthInfo & { databaseUp: boolean }>('Health').implement({
  fields: (t) => ({
    status: t.field({ type: HealthStatusEnum, resolve: (h) => (h.databaseUp ? 'OK' : 'DEGRADED') }),
    version: t.exposeString('version'),
    databaseDriver: t.field({ type: DatabaseDriverEnum, resolve: (h) => h.databaseDriver }),
    databaseReachable: t.exposeBoolean('databaseUp'),
    uptimeSeconds: t.float({ resolve: (h) => (Date.now() - h.startedAt) / 1000 }),
    metering: t.field({ type: MeteringHealthRef, resolve: (h) => h.metering() }),
  }),
});

builder.queryField('health', (t) =>
  t.field({
    type: HealthRef,
    description: 'Answers without an API key.',
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
    subscribe: async function* (_root, args, context) {
      const interval = Math.max(10, args.intervalMs ?? 1000);
      for (let sent = 0; args.count == null || sent < args.count; sent++) {
        if (sent > 0) await new Promise((resolve) => setTimeout(resolve, interval));
        if (context.signal.aborted) return;
        yield new Date();
      }
    },
    resolve: (value) => value as Date,
  }),
);
