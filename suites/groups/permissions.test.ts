/*
 * Group operations need directory:group:edit (both docs: "Requires ANY permissions: directory:group:edit").
 * The limited identity holds none on the emulator; elsewhere target.identities.limited.permissions says what it
 * holds, and a check is skipped when that includes a permission the docs list for the operation
 * (fixtures/operations.json). The PUT/PATCH/DELETE checks aim at the subject group of the write checks
 * (harness/checks/group-subject.ts): should a non-conformant server accept the request, the next check that needs it
 * finds it changed (or deleted) and sets it up again; on 2019 it is the scratch group, locked and restored.
 */
import { behaviour, onSubjectGroup, PATCH_OP_URN, putBody, readableGroupId, type BehaviourContext } from '../../harness/index.ts';
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
  const id = await readableGroupId(ctx);
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
  await onSubjectGroup(ctx, 'put-permission', {}, async (g) => {
    const res = await limited.put(g.path, putBody(g.body, { displayName: ctx.names.displayName('put-permission-replaced') }));
    g.observe(res);
    ctx.verify.status(res, 403);
  });
});

behaviour('GRP-PATCH-PERMISSION', 'refuses PATCH of a group with 403 without directory:group:edit', async (ctx) => {
  requireLacking(ctx, 'patchScimGroup');
  const limited = ctx.limited();
  await onSubjectGroup(ctx, 'patch-permission', { known: false }, async (g) => {
    const res = await limited.patch(g.path, {
      schemas: [PATCH_OP_URN],
      Operations: [{ op: 'replace', path: 'displayName', value: ctx.names.displayName('patch-permission-patched') }],
    });
    g.observe(res);
    ctx.verify.status(res, 403);
  });
});

behaviour('GRP-DELETE-PERMISSION', 'refuses DELETE of a group with 403 without directory:group:edit', async (ctx) => {
  requireLacking(ctx, 'deleteScimGroup');
  const limited = ctx.limited();
  await onSubjectGroup(ctx, 'delete-permission', { known: false }, async (g) => {
    const res = await limited.delete(g.path);
    g.observe(res);
    ctx.verify.status(res, 403);
  });
});
