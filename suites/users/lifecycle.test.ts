/**
 * Deactivation and reactivation (seed 000/002 PUT and PATCH with active; reference §8). Every check works on the write
 * subject of its prefix (harness/checks/user-subject.ts), in an order in which each starts where the one before left
 * it: it is dropped from the default list when deactivated with a PUT (whose answers are the evidence of
 * USR-DEACTIVATE-PUT and USR-GET-INACTIVE-READABLE too), listed under active eq false, reactivated with a PUT (with the
 * org's role), deactivated with a PATCH (its role dropped), and reactivated with a PATCH (the role not restored).
 * Lists lag writes on a live org: the list checks read until the user shows (or is gone), up to the index wait.
 */
import {
  behaviour,
  incompleteScanReason,
  patchOp,
  readSubject,
  replacementBody,
  roleNames,
  scanUserList,
  setupFailed,
  sharedEvidence,
  subjectIn,
  writeTo,
  type Assertion,
  type BehaviourContext,
  type HttpResult,
  type ListScan,
  type WriteSubject,
} from '../../harness/index.ts';

/** The org's role, where the checks give the user one (2021, the fixture configured). */
const roleOf = (ctx: BehaviourContext): string | undefined => (ctx.target.apiVersion === '2021' ? ctx.target.org.role : undefined);

/** A PUT body with the subject's names, `active`, and (when given) the role. */
const activeBody = (ctx: BehaviourContext, names: { userName: string; displayName: string }, active: boolean, role?: string) =>
  replacementBody(ctx, names.userName, 'lifecycle', { displayName: names.displayName, active, ...(role ? { roles: [{ value: role }] } : {}) });

/** The subject, active (and holding `role` when given): as it is, or after a PUT that makes it so (set-up). */
function activeSubject(ctx: BehaviourContext, role?: string): Promise<WriteSubject> {
  const needs: Assertion[] = [{ path: 'active', equals: true }, ...(role ? [{ path: `roles/value=${role}`, present: true }] : [])];
  return subjectIn(ctx, needs, (n) => activeBody(ctx, n, true, role));
}

/** A PUT of the subject's own values with `active` set, observed. */
const putActive = (ctx: BehaviourContext, s: WriteSubject, active: boolean, role?: string) =>
  writeTo(s, (p) => ctx.scim.put(p, activeBody(ctx, s.state as { userName: string; displayName: string }, active, role)));

/** PATCH replace active is the deactivation an IdP sends (reference §8, S8); skip where the server has no PATCH. */
function requirePatch(ctx: BehaviourContext): void {
  if (ctx.target.capabilities.patch === false) ctx.skip("the server's ServiceProviderConfig says patch.supported is false; this check deactivates with PATCH", 'capability');
}

/** The deactivation with a PUT (and a GET of the user after it), sent once per prefix; the subject is active before. */
function putDeactivation(ctx: BehaviourContext): Promise<{ put: HttpResult; get: HttpResult }> {
  return sharedEvidence(ctx, 'lifecycle-put-off', async () => {
    const s = await activeSubject(ctx);
    const put = await putActive(ctx, s, false);
    return { put, get: await readSubject(ctx, s) };
  });
}

/**
 * Waits (up to the index wait) until the lists show the subject's last write: its entry under `userName eq` (one
 * request a try, where the server filters) says active as the subject now is. The list checks then read their list.
 */
async function untilListsShow(ctx: BehaviourContext, s: WriteSubject): Promise<void> {
  if (ctx.target.capabilities.filter === false || !s.state) return;
  const { userName, active } = s.state;
  const entry = (res: HttpResult) => (Array.isArray(res.body?.Resources) ? res.body.Resources : []).find((u: { id?: string }) => u.id === s.id);
  await ctx.eventually(
    () => ctx.scim.get('/users', { query: { filter: `userName eq "${userName}"` } }),
    (res) => res.status !== 200 || entry(res)?.active === active,
  );
}

/** Reads a users list until `settled` holds for the scan for `id` (or the index wait runs out); usually one scan, after untilListsShow. */
async function scanUntil(ctx: BehaviourContext, query: Record<string, string>, id: string, settled: (scan: ListScan) => boolean): Promise<ListScan> {
  let scan: ListScan | undefined;
  await ctx.eventually(
    async () => {
      scan = await scanUserList(ctx, query, id);
      return scan.last;
    },
    () => settled(scan!),
  );
  return scan!;
}

behaviour('USR-DEACTIVATE-DROPS-FROM-DEFAULT-LIST', 'drops a deactivated user from the list without a filter', async (ctx) => {
  const { verify, skip } = ctx;
  const s = await activeSubject(ctx);
  // Before: the active user is listed, so the list is able to show it.
  await untilListsShow(ctx, s);
  const before = await scanUntil(ctx, {}, s.id, (scan) => scan.found !== undefined);
  if (!before.found && !before.complete) skip(incompleteScanReason(before, 'the default list'), 'inconclusive');
  verify.that(before.last, before.found !== undefined, 'precondition: the active user is in the default list', s.id, '(not listed)');
  const { put } = await putDeactivation(ctx);
  if (put.status !== 200) setupFailed(ctx, put, 'PUT with active false deactivates the user', 'a 200 answer');
  await untilListsShow(ctx, s);
  const after = await scanUntil(ctx, {}, s.id, (scan) => scan.found === undefined);
  verify.that(after.last, after.found === undefined, 'the deactivated user is not in the default list (seed 000: "To return all active users, do not use the filter parameter")', 'no entry', after.found);
  if (!after.complete) skip(incompleteScanReason(after, 'the default list'), 'inconclusive');
});

behaviour('USR-DEACTIVATE-PUT', 'makes a user inactive with a PUT carrying active false', async (ctx) => {
  const { put, get } = await putDeactivation(ctx);
  ctx.verify.status(put, 200, 'PUT with active false');
  ctx.verify.schema(put, 'ScimV2User');
  ctx.verify.equal(put, put.body.active, false, 'PUT response: active');
  ctx.verify.status(get, 200);
  ctx.verify.schema(get, 'ScimV2User');
  ctx.verify.equal(get, get.body.active, false, 'GET: active');
});

behaviour('USR-GET-INACTIVE-READABLE', 'still returns an inactive user by id, with active false', async (ctx) => {
  const { put, get } = await putDeactivation(ctx);
  if (put.status !== 200 || put.body?.active !== false) setupFailed(ctx, put, 'PUT with active false deactivates the user', 'a 200 answer with active false');
  ctx.verify.status(get, 200);
  ctx.verify.schema(get, 'ScimV2User');
  ctx.verify.equal(get, get.body.id, put.body.id, 'id');
  ctx.verify.equal(get, get.body.active, false, 'active');
});

behaviour('USR-DEACTIVATE-LISTED-INACTIVE', 'lists a deactivated user under active eq false', async (ctx) => {
  const s = await subjectIn(ctx, [{ path: 'active', equals: false }], (n) => activeBody(ctx, n, false));
  // Few users are inactive: the list is read (one page, mostly) until the user shows.
  const scan = await scanUntil(ctx, { filter: 'active eq false' }, s.id, (x) => x.found !== undefined);
  if (!scan.found && !scan.complete) ctx.skip(incompleteScanReason(scan, 'the active eq false list'), 'inconclusive');
  ctx.verify.that(scan.last, scan.found !== undefined, 'the deactivated user is in the active eq false list', s.id, '(not listed)');
  ctx.verify.equal(scan.last, scan.found!.active, false, 'its entry says active false');
});

behaviour('USR-REACTIVATE', 'makes an inactive user active again when active is set back to true', async (ctx) => {
  const s = await subjectIn(ctx, [{ path: 'active', equals: false }], (n) => activeBody(ctx, n, false));
  // The org's role rides along (2021): the PATCH deactivation checks after this one start from a user holding it.
  const res = await putActive(ctx, s, true, roleOf(ctx));
  ctx.verify.status(res, 200, 'PUT with active true');
  ctx.verify.schema(res, 'ScimV2User');
  ctx.verify.equal(res, res.body.active, true, 'PUT response: active');
  const fetched = await readSubject(ctx, s);
  ctx.verify.status(fetched, 200);
  ctx.verify.schema(fetched, 'ScimV2User');
  ctx.verify.equal(fetched, fetched.body.active, true, 'GET: active');
});

/** The deactivation with a PATCH of an active user holding the org's role (2021), and a GET after it; once per prefix. */
function patchDeactivation(ctx: BehaviourContext): Promise<{ patch: HttpResult; get: HttpResult; role?: string }> {
  return sharedEvidence(ctx, 'lifecycle-patch-off', async () => {
    const role = roleOf(ctx);
    const s = await activeSubject(ctx, role);
    // PATCH touches only active, so any role that disappears was removed by the deactivation itself.
    const patch = await writeTo(s, (p) => ctx.scim.patch(p, patchOp('replace', 'active', false)));
    return { patch, get: await readSubject(ctx, s), role };
  });
}

behaviour('USR-DEACTIVATE-PATCH', 'makes a user inactive with PATCH replace active false', async (ctx) => {
  requirePatch(ctx);
  const { verify } = ctx;
  const { patch, get } = await patchDeactivation(ctx);
  verify.status(patch, 200);
  verify.schema(patch, 'ScimV2User');
  verify.equal(patch, patch.body.active, false, 'PATCH response: active');
  verify.status(get, 200);
  verify.schema(get, 'ScimV2User');
  verify.equal(get, get.body.active, false, 'GET: active');
});

behaviour('USR-DEACTIVATE-REMOVES-ROLES', "removes the user's directly assigned roles on deactivation", async (ctx) => {
  requirePatch(ctx);
  const { verify } = ctx;
  const role = ctx.target.org.role!;
  const { patch, get } = await patchDeactivation(ctx);
  if (patch.status !== 200) setupFailed(ctx, patch, 'PATCH replace active false deactivates the user', 'a 200 answer');
  verify.status(get, 200);
  verify.schema(get, 'ScimV2User');
  verify.equal(get, get.body.active, false, 'the user is inactive');
  verify.that(get, !roleNames(get.body).includes(role.toLowerCase()), 'the directly assigned role is gone (reference §8, S11)', `no role ${role}`, get.body.roles);
});

behaviour('USR-REACTIVATE-ROLES-NOT-RESTORED', 'does not restore the roles removed at deactivation on reactivation', async (ctx) => {
  requirePatch(ctx);
  const { verify, skip } = ctx;
  const role = ctx.target.org.role!;
  const { patch: off } = await patchDeactivation(ctx);
  if (off.status !== 200) setupFailed(ctx, off, 'PATCH replace active false deactivates the user', 'a 200 answer');
  verify.schema(off, 'ScimV2User');
  if (roleNames(off.body).includes(role.toLowerCase())) {
    skip('deactivation kept the directly assigned role (see USR-DEACTIVATE-REMOVES-ROLES), so there is nothing to restore', 'inconclusive');
  }
  // Still as the deactivation left it (inactive, without the role): reactivate it.
  const s = await subjectIn(ctx, [{ path: 'active', equals: false }, { path: `roles/value=${role}`, absent: true }], (n) => activeBody(ctx, n, false));
  const on = await writeTo(s, (p) => ctx.scim.patch(p, patchOp('replace', 'active', true)));
  verify.status(on, 200);
  verify.schema(on, 'ScimV2User');
  verify.equal(on, on.body.active, true, 'the user is active again');
  const fetched = await readSubject(ctx, s);
  verify.status(fetched, 200);
  verify.schema(fetched, 'ScimV2User');
  verify.that(fetched, !roleNames(fetched.body).includes(role.toLowerCase()), 'the role removed at deactivation is not restored (reference §8, S11)', `no role ${role}`, fetched.body.roles);
});
