import { GraphQLError } from 'graphql';
import { GatewayError } from '../../core/errors.ts';
import type { Team, TeamMember, User } from '../../core/keys/types.ts';
import { adminMutation, adminScope, callerOf } from '../admin-mutation.ts';
import { builder } from '../builder.ts';
import { countedConnectionOf, pageSize, totalCountFields } from '../paging.ts';
import { LimitsInput, LimitsRef, sharedSettingsOf } from './limits.ts';

export const TeamRoleEnum = builder.enumType('TeamRole', { values: ['OWNER', 'ADMIN', 'MEMBER'] as const });

export const UserRef = builder.objectRef<User>('User').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    email: t.exposeString('email'),
    name: t.exposeString('name', { nullable: true }),
    createdAt: t.field({ type: 'DateTime', resolve: (user) => user.createdAt }),
  }),
});

const TeamMemberRef = builder.objectRef<TeamMember>('TeamMember').implement({
  fields: (t) => ({
    role: t.field({ type: TeamRoleEnum, resolve: (member) => member.role }),
    user: t.field({
      type: UserRef,
      resolve: async (member, _args, context) => {
        const user = await context.loaders.user.load(member.userId);
        if (!user) throw new GraphQLError(`user ${member.userId} not found`);
        return user;
      },
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (member) => member.createdAt }),
  }),
});

export const TeamRef = builder.objectRef<Team>('Team').implement({
  description: "A team owns keys; its allowed models and limits cap every key's.",
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    allowedModels: t.stringList({ nullable: true, resolve: (team) => team.allowedModels }),
    limits: t.field({ type: LimitsRef, resolve: (team) => team }),
    metadata: t.field({ type: 'JSON', resolve: (team) => team.metadata }),
    cacheTtlSeconds: t.int({
      nullable: true,
      description: "The response cache's default TTL for the deterministic requests of the team's keys that set none, when the cache is enabled; null: the gateway's.",
      resolve: (team) => team.cacheTtlSeconds,
    }),
    members: t.field({ type: [TeamMemberRef], resolve: (team, _args, context) => context.loaders.teamMembers.load(team.id) }),
    createdAt: t.field({ type: 'DateTime', resolve: (team) => team.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (team) => team.updatedAt }),
  }),
});

const TeamInput = builder.inputType('TeamInput', {
  description: 'For updates, omitted fields stay as they are.',
  fields: (t) => ({
    name: t.string({ required: false }),
    allowedModels: t.stringList({ required: false }),
    metadata: t.field({ type: 'JSON', required: false }),
    cacheTtlSeconds: t.int({ required: false, description: "The response cache's default TTL for the team's deterministic requests; null clears it." }),
    limits: t.field({ type: LimitsInput, required: false }),
  }),
});


builder.mutationFields((t) => ({
  createTeam: t.field({
    type: TeamRef,
    ...adminMutation,
    args: { input: t.arg({ type: TeamInput, required: true }) },
    resolve: (_root, { input }, context) => {
      if (!input.name) throw new GatewayError('INVALID_REQUEST', 'name: required');
      return context.services.admin.createTeam(callerOf(context), { name: input.name, ...sharedSettingsOf(input) });
    },
  }),
  updateTeam: t.field({
    type: TeamRef,
    ...adminMutation,
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: TeamInput, required: true }) },
    resolve: (_root, { id, input }, context) =>
      context.services.admin.updateTeam(callerOf(context), String(id), { ...(input.name != null ? { name: input.name } : {}), ...sharedSettingsOf(input) }),
  }),
  deleteTeam: t.field({
    type: TeamRef,
    ...adminMutation,
    description: 'Deletes a team without keys; returns it as it was.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, context) => context.services.admin.deleteTeam(callerOf(context), String(id)),
  }),
  addTeamMember: t.field({
    type: TeamMemberRef,
    ...adminMutation,
    description: 'Adds a user (created by email when new) to a team, or changes their role.',
    args: {
      teamId: t.arg.id({ required: true }),
      email: t.arg.string({ required: true }),
      name: t.arg.string({ required: false }),
      role: t.arg({ type: TeamRoleEnum, defaultValue: 'MEMBER' }),
    },
    resolve: async (_root, args, context) =>
      (await context.services.admin.addTeamMember(callerOf(context), String(args.teamId), args.email, args.name ?? null, args.role ?? 'MEMBER')).member,
  }),
  removeTeamMember: t.field({
    type: TeamRef,
    description: 'Removes a user from a team; returns the team.',
    ...adminMutation,
    args: { teamId: t.arg.id({ required: true }), userId: t.arg.id({ required: true }) },
    resolve: async (_root, args, context) => {
      await context.services.admin.removeTeamMember(callerOf(context), String(args.teamId), String(args.userId));
      return (await context.loaders.team.load(String(args.teamId)))!;
    },
  }),
}));

builder.queryFields((t) => ({
  teams: t.connection(
    {
      type: TeamRef,
      authScopes: adminScope,
      args: { search: t.arg.string({ required: false }) },
      resolve: async (_root, args, context) => {
        const first = pageSize(args.first, 200);
        const search = args.search ?? null;
        const page = await context.services.teams.list(first, args.after ?? null, search);
        return countedConnectionOf(page, args.after, () => context.services.teams.count(search));
      },
    },
    { fields: (connection) => totalCountFields(connection, 'How many teams the search matches, over every page (one COUNT query, run only when this field is selected).') },
  ),
  team: t.field({
    type: TeamRef,
    nullable: true,
    authScopes: adminScope,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, context) => context.loaders.team.load(String(id)),
  }),
}));
