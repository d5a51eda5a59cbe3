import { behaviour, incompleteScanReason, patchOp, replacementBody, roleNames, scanUserList, type BehaviourContext } from '../../harness/index.ts';

/** PUT the user's own values back with active set (the PUT way to deactivate and reactivate). */
async function putActive(ctx: BehaviourContext, user: { id: string; userName: string; displayName: string }, active: boolean) {
  const body = replacementBody(ctx, user.userName, 'lifecycle', { displayName: user.displayName, active });
  const res = await ctx.scim.put(`/users/${user.id}`, body);
  ctx.verify.status(res, 200, `PUT with active ${active}`);
  ctx.verify.schema(res, 'ScimV2User');
  return res;
}

/** Creates an active user (201) and deactivates it with a PUT carrying active false (200). */
async function createDeactivated(ctx: BehaviourContext, label: string) {
  const created = await ctx.create('users', ctx.build.user(label));
  ctx.verify.status(created, 201);
  ctx.verify.schema(created, 'ScimV2User');
  const deactivated = await putActive(ctx, created.body, false);
  return { created, deactivated };
}

/** PATCH replace active is the deactivation an IdP sends (reference §8, S8); skip where the server has no PATCH. */
function requirePatch(ctx: BehaviourContext): void {
  if (ctx.target.capabilities.patch === false) ctx.skip("the server's ServiceProviderConfig says patch.supported is false; this check deactivates with PATCH", 'capability');
}

behaviour('USR-DEACTIVATE-PATCH', 'makes a user inactive with PATCH replace active false', async ({ create, build, verify, scim }) => {
  const created = await create('users', build.user('deactivate-patch'));
  verify.status(created, 201);
  const res = await scim.patch(`/users/${created.body.id}`, patchOp('replace', 'active', false));
  verify.status(res, 200);
  verify.schema(res, 'ScimV2User');
  verify.equal(res, res.body.active, false, 'PATCH response: active');
  const fetched = await scim.get(`/users/${created.body.id}`);
  verify.status(fetched, 200);
  verify.schema(fetched, 'ScimV2User');
  verify.equal(fetched, fetched.body.active, false, 'GET: active');
});

behaviour('USR-DEACTIVATE-PUT', 'makes a user inactive with a PUT carrying active false', async (ctx) => {
  const { deactivated, created } = await createDeactivated(ctx, 'deactivate-put');
  ctx.verify.equal(deactivated, deactivated.body.active, false, 'PUT response: active');
  const fetched = await ctx.scim.get(`/users/${created.body.id}`);
  ctx.verify.status(fetched, 200);
  ctx.verify.schema(fetched, 'ScimV2User');
  ctx.verify.equal(fetched, fetched.body.active, false, 'GET: active');
});

behaviour('USR-DEACTIVATE-DROPS-FROM-DEFAULT-LIST', 'drops a deactivated user from the list without a filter', async (ctx) => {
  const { create, build, verify, skip } = ctx;
  const created = await create('users', build.user('deactivate-list'));
  verify.status(created, 201);
  const id = created.body.id;
  // Before: the active user is listed, so the list is able to show it.
  const before = await scanUserList(ctx, {}, id);
  if (!before.found && !before.complete) skip(incompleteScanReason(before, 'the default list'), 'inconclusive');
  verify.that(before.last, before.found !== undefined, 'precondition: the active user is in the default list', id, '(not listed)');
  await putActive(ctx, created.body, false);
  const after = await scanUserList(ctx, {}, id);
  verify.that(after.last, after.found === undefined, 'the deactivated user is not in the default list (seed 000: "To return all active users, do not use the filter parameter")', 'no entry', after.found);
  if (!after.complete) skip(incompleteScanReason(after, 'the default list'), 'inconclusive');
});

behaviour('USR-DEACTIVATE-LISTED-INACTIVE', 'lists a deactivated user under active eq false', async (ctx) => {
  const { created } = await createDeactivated(ctx, 'deactivate-inactive-list');
  const scan = await scanUserList(ctx, { filter: 'active eq false' }, created.body.id);
  if (!scan.found && !scan.complete) ctx.skip(incompleteScanReason(scan, 'the active eq false list'), 'inconclusive');
  ctx.verify.that(scan.last, scan.found !== undefined, 'the deactivated user is in the active eq false list', created.body.id, '(not listed)');
  ctx.verify.equal(scan.last, scan.found!.active, false, 'its entry says active false');
});

behaviour('USR-GET-INACTIVE-READABLE', 'still returns an inactive user by id, with active false', async (ctx) => {
  const { created } = await createDeactivated(ctx, 'inactive-readable');
  const res = await ctx.scim.get(`/users/${created.body.id}`);
  ctx.verify.status(res, 200);
  ctx.verify.schema(res, 'ScimV2User');
  ctx.verify.equal(res, res.body.id, created.body.id, 'id');
  ctx.verify.equal(res, res.body.active, false, 'active');
});

behaviour('USR-REACTIVATE', 'makes an inactive user active again when active is set back to true', async (ctx) => {
  const { created } = await createDeactivated(ctx, 'reactivate');
  const res = await putActive(ctx, created.body, true);
  ctx.verify.equal(res, res.body.active, true, 'PUT response: active');
  const fetched = await ctx.scim.get(`/users/${created.body.id}`);
  ctx.verify.status(fetched, 200);
  ctx.verify.schema(fetched, 'ScimV2User');
  ctx.verify.equal(fetched, fetched.body.active, true, 'GET: active');
});

behaviour('USR-DEACTIVATE-REMOVES-ROLES', "removes the user's directly assigned roles on deactivation", async (ctx) => {
  requirePatch(ctx);
  const { create, build, verify, scim, target } = ctx;
  const role = target.org.role!;
  const created = await create('users', build.user('deactivate-roles', 'minimal', { roles: [{ value: role }] }));
  verify.status(created, 201);
  verify.schema(created, 'ScimV2User');
  verify.that(created, roleNames(created.body).includes(role.toLowerCase()), 'precondition: the role is assigned on create', role, created.body.roles);
  // PATCH touches only active, so any role that disappears was removed by the deactivation itself.
  const res = await scim.patch(`/users/${created.body.id}`, patchOp('replace', 'active', false));
  verify.status(res, 200);
  verify.schema(res, 'ScimV2User');
  const fetched = await scim.get(`/users/${created.body.id}`);
  verify.status(fetched, 200);
  verify.schema(fetched, 'ScimV2User');
  verify.equal(fetched, fetched.body.active, false, 'the user is inactive');
  verify.that(fetched, !roleNames(fetched.body).includes(role.toLowerCase()), 'the directly assigned role is gone (reference §8, S11)', `no role ${role}`, fetched.body.roles);
});

behaviour('USR-REACTIVATE-ROLES-NOT-RESTORED', 'does not restore the roles removed at deactivation on reactivation', async (ctx) => {
  requirePatch(ctx);
  const { create, build, verify, scim, target, skip } = ctx;
  const role = target.org.role!;
  const created = await create('users', build.user('reactivate-roles', 'minimal', { roles: [{ value: role }] }));
  verify.status(created, 201);
  verify.schema(created, 'ScimV2User');
  verify.that(created, roleNames(created.body).includes(role.toLowerCase()), 'precondition: the role is assigned on create', role, created.body.roles);
  const off = await scim.patch(`/users/${created.body.id}`, patchOp('replace', 'active', false));
  verify.status(off, 200);
  verify.schema(off, 'ScimV2User');
  if (roleNames(off.body).includes(role.toLowerCase())) {
    skip('deactivation kept the directly assigned role (see USR-DEACTIVATE-REMOVES-ROLES), so there is nothing to restore', 'inconclusive');
  }
  const on = await scim.patch(`/users/${created.body.id}`, patchOp('replace', 'active', true));
  verify.status(on, 200);
  verify.schema(on, 'ScimV2User');
  verify.equal(on, on.body.active, true, 'the user is active again');
  const fetched = await scim.get(`/users/${created.body.id}`);
  verify.status(fetched, 200);
  verify.schema(fetched, 'ScimV2User');
  verify.that(fetched, !roleNames(fetched.body).includes(role.toLowerCase()), 'the role removed at deactivation is not restored (reference §8, S11)', `no role ${role}`, fetched.body.roles);
});
