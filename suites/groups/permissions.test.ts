/*
 * Group operations need directory:group:edit (both docs: "Requires ANY permissions: directory:group:edit").
 * The limited identity holds none on the emulator; elsewhere target.identities.limited.permissions says what it
 * holds, and a check is skipped when that includes a permission the docs list for the operation
 * (fixtures/operations.json). On 2019 the PUT/PATCH checks aim at the scratch group: harness/checks/group-subject.ts locks it and
 * restores it should a non-conformant server accept the request.
 */
import { behaviour, PATCH_OP_URN, putBody, readableGroupId, subjectGroup, type BehaviourContext } from '../../harness/index.ts';
import operations from '../../fixtures/operations.json' with { type: 'json' };

type OperationKey = 'getScimGroups' | 'getScimGroup' | 'postScimGroups' | 'putScimGroup' | 'patchScimGroup' | 'deleteScimGroup';

/** The permissions the docs list for an operation on this API version and prefix (any prefix when it is not a documented one). */
function documentedPermissions(ctx: BehaviourContext, op: OperationKey): string[] {
  const versions = operations.versions as Record<string, { operations: Record<string, { prefixes: Record<string, { permissions: string[] }> }> }>;
  const prefixes = versions[ctx.target.apiVersion]?.operations[op]?.prefixes ?? {};
  const own = prefixes[ctx.prefix];
  return own ? own.permissions : [...new Set(Object.values(prefixes).flatMap((p) => p.permissions))];
}

/** Skips (before anything is created) when the limited identity holds a permission that allows the operation. */
function requireLacking(ctx: BehaviourContext, op: OperationKey): void {
  const held = ctx.target.identities.limited?.permissions ?? [];
  const allowing = documentedPermissions(ctx, op).filter((p) => held.includes(p));
  if (allowing.length > 0) {
    ctx.skip(`the limited identity holds ${allowing.join(', ')}, which the docs list for ${op}: it can not show the refusal`, 'configuration');
  }
}

behaviour('GRP-LIST-PERMISSION', 'refuses the group list with 403 without directory:group:edit', async (ctx) => {
  requireLacking(ctx, 'getScimGroups');
  const res = await ctx.limited().get('/groups');
  ctx.verify.status(res, 403);
});

behaviour('GRP-GET-PERMISSION', 'refuses GET of a group with 403 without directory:group:edit', async (ctx) => {
  requireLacking(ctx, 'getScimGroup');
  const limited = ctx.limited();
  const id = await readableGroupId(ctx, 'get-permission');
  const res = await limited.get(`/groups/${encodeURIComponent(id)}`);
  ctx.verify.status(res, 403);
});

behaviour('GRP-POST-PERMISSION', 'refuses POST of a group with 403 without directory:group:edit', async (ctx) => {
  requireLacking(ctx, 'postScimGroups');
  const res = await ctx.limited().post('/groups', ctx.build.group('post-permission'));
  // Should a non-conformant server create the group, the main identity removes it at the end.
  if (res.status >= 200 && res.status < 300 && typeof res.body?.id === 'string') ctx.track('groups', res.body.id, res.body.displayName ?? '');
  ctx.verify.status(res, 403);
});

behaviour('GRP-PUT-PERMISSION', 'refuses PUT of a group with 403 without directory:group:edit', async (ctx) => {
  requireLacking(ctx, 'putScimGroup');
  const limited = ctx.limited();
  const g = await subjectGroup(ctx, 'put-permission');
  const res = await limited.put(g.path, putBody(g.body, { displayName: ctx.names.displayName('put-permission-replaced') }));
  ctx.verify.status(res, 403);
});

behaviour('GRP-PATCH-PERMISSION', 'refuses PATCH of a group with 403 without directory:group:edit', async (ctx) => {
  requireLacking(ctx, 'patchScimGroup');
  const limited = ctx.limited();
  const g = await subjectGroup(ctx, 'patch-permission');
  const res = await limited.patch(g.path, {
    schemas: [PATCH_OP_URN],
    Operations: [{ op: 'replace', path: 'displayName', value: ctx.names.displayName('patch-permission-patched') }],
  });
  ctx.verify.status(res, 403);
});

behaviour('GRP-DELETE-PERMISSION', 'refuses DELETE of a group with 403 without directory:group:edit', async (ctx) => {
  requireLacking(ctx, 'deleteScimGroup');
  const limited = ctx.limited();
  const g = await subjectGroup(ctx, 'delete-permission');
  const res = await limited.delete(g.path);
  ctx.verify.status(res, 403);
});
