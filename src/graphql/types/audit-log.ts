import type { AuditEntry } from '../../core/keys/types.ts';
import { builder } from '../builder.ts';
import { connectionOf, pageSize } from '../paging.ts';

const AuditEntryRef = builder.objectRef<AuditEntry>('AuditEntry').implement({
  description: 'One admin change: who, when, what, and the values before and after (secrets redacted).',
  fields: (t) => ({
    id: t.exposeID('id'),
    at: t.field({ type: 'DateTime', resolve: (entry) => entry.at }),
    actorKeyId: t.exposeString('actorKeyId', { nullable: true, description: 'Null for the master key from MODELGRAPH_ADMIN_KEY.' }),
    actorName: t.exposeString('actorName', { nullable: true }),
    action: t.exposeString('action'),
    targetType: t.exposeString('targetType'),
    targetId: t.exposeString('targetId', { nullable: true }),
    before: t.field({ type: 'JSON', nullable: true, resolve: (entry) => entry.before }),
    after: t.field({ type: 'JSON', nullable: true, resolve: (entry) => entry.after }),
  }),
});

builder.queryField('auditLog', (t) =>
  t.connection({
    type: AuditEntryRef,
    authScopes: { admin: true },
    description: 'Newest first.',
    args: { targetType: t.arg.string({ required: false }), targetId: t.arg.string({ required: false }) },
    resolve: async (_root, args, context) => {
      const first = pageSize(args.first, 200);
      const page = await context.services.audit.list(first, args.after ?? null, { targetType: args.targetType ?? null, targetId: args.targetId ?? null });
      return connectionOf(page, args.after);
    },
  }),
);
