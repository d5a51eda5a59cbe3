import { randomUUID } from 'node:crypto';
import {
  behaviour,
  etagFrom,
  incompleteScanReason,
  patchOp,
  replacementBody,
  scanUserList,
  type BehaviourContext,
  type HttpResult,
} from '../../harness/index.ts';

/** DELETE answers 204 without a body, or 200 with an empty body or {} (seed: returns Empty; RFC 7644 §3.6). */
function verifyDeleted(ctx: BehaviourContext, res: HttpResult): void {
  ctx.verify.status(res, [200, 204]);
  if (res.status === 204) {
    ctx.verify.noBody(res);
    return;
  }
  const empty = res.text.trim() === '' || (res.body !== null && typeof res.body === 'object' && !Array.isArray(res.body) && Object.keys(res.body).length === 0);
  ctx.verify.that(res, empty, 'a 200 to DELETE carries an empty body or {}, never the user', '(empty) or {}', res.text.slice(0, 300));
}

behaviour('USR-DELETE', 'deletes a user with 204, or 200 and an empty body', async (ctx) => {
  const created = await ctx.create('users', ctx.build.user('delete'));
  ctx.verify.status(created, 201);
  const res = await ctx.scim.delete(`/users/${created.body.id}`);
  verifyDeleted(ctx, res);
});

behaviour('USR-DELETE-THEN-404', 'answers GET, PUT, PATCH and DELETE on a deleted user with 404', async (ctx) => {
  const { create, build, verify, scim, target } = ctx;
  const created = await create('users', build.user('delete-404'));
  verify.status(created, 201);
  const path = `/users/${created.body.id}`;
  verifyDeleted(ctx, await scim.delete(path));
  verify.scimError(await scim.get(path), 404);
  verify.scimError(await scim.put(path, replacementBody(ctx, created.body.userName, 'delete-404')), 404);
  // PATCH is documented for users in both API versions; only a server that says it has no PATCH is spared.
  if (target.capabilities.patch !== false) verify.scimError(await scim.patch(path, patchOp('replace', 'title', 'After Delete')), 404);
  verify.scimError(await scim.delete(path), 404);
});

behaviour('USR-DELETE-OMITTED-FROM-LISTS', 'leaves a deleted user out of the users lists', async (ctx) => {
  const { create, build, verify, scim, target, skip } = ctx;
  const created = await create('users', build.user('delete-lists'));
  verify.status(created, 201);
  const { id, userName } = created.body;
  verifyDeleted(ctx, await scim.delete(`/users/${id}`));

  const byName = await scim.get('/users', { query: { filter: `userName eq "${userName}"` } });
  verify.status(byName, 200);
  verify.schema(byName, 'ScimUserListResponse');
  const named = (byName.body.Resources ?? []).filter((u: { id?: string }) => u.id === id);
  verify.that(byName, named.length === 0, 'userName eq <deleted userName> does not list the deleted user', 'no entry', named);

  // 2019: the list needs a filter and only userName is certain to be filterable; the default and
  // "active eq false" lists are documented from 2021 (seed 000, getScimUsers).
  if (target.apiVersion === '2019') return;
  const inconclusive: string[] = [];
  for (const [what, query] of [
    ['the default list', {}],
    ['the active eq false list', { filter: 'active eq false' }],
  ] as const) {
    const scan = await scanUserList(ctx, query, id);
    verify.that(scan.last, scan.found === undefined, `${what} does not hold the deleted user`, 'no entry', scan.found);
    if (!scan.complete) inconclusive.push(incompleteScanReason(scan, what));
  }
  if (inconclusive.length) skip(inconclusive.join('; '), 'inconclusive');
});

behaviour('USR-DELETE-UNKNOWN-404', 'answers DELETE of an unknown id with 404', async ({ scim, verify }) => {
  verify.scimError(await scim.delete(`/users/${randomUUID()}`), 404);
});

behaviour('USR-DELETE-IF-MATCH-CURRENT', 'deletes a user when If-Match is the current ETag', async (ctx) => {
  const { create, build, verify, scim } = ctx;
  const created = await create('users', build.user('delete-if-match'));
  verify.status(created, 201);
  const res = await scim.delete(`/users/${created.body.id}`, { headers: { 'if-match': etagFrom(ctx, created) } });
  verifyDeleted(ctx, res);
  verify.scimError(await scim.get(`/users/${created.body.id}`), 404);
});

behaviour('USR-DELETE-IF-MATCH-STALE-400', 'refuses a DELETE with a stale If-Match with 400 invalidVers and keeps the user', async (ctx) => {
  const { create, build, verify, scim } = ctx;
  const created = await create('users', build.user('delete-stale'));
  verify.status(created, 201);
  const stale = etagFrom(ctx, created);
  const moved = await scim.put(`/users/${created.body.id}`, replacementBody(ctx, created.body.userName, 'delete-stale-new'));
  verify.status(moved, 200, 'an unconditional PUT moves the user to a new version');
  const res = await scim.delete(`/users/${created.body.id}`, { headers: { 'if-match': stale } });
  verify.scimError(res, 400, 'invalidVers');
  const fetched = await scim.get(`/users/${created.body.id}`);
  verify.status(fetched, 200, 'the user is still there');
  verify.schema(fetched, 'ScimV2User');
});

behaviour('USR-DELETE-RECREATE', 'creates an active user again with the userName of a deleted one', async (ctx) => {
  const { create, post, build, verify, scim } = ctx;
  const body = build.user('delete-recreate');
  const created = await create('users', body);
  verify.status(created, 201);
  verifyDeleted(ctx, await scim.delete(`/users/${created.body.id}`));
  const again = await post('users', body);
  verify.status(again, 201);
  verify.schema(again, 'ScimV2User');
  verify.equal(again, again.body.userName, body.userName, 'userName');
  verify.equal(again, again.body.active, true, 'active');
  const fetched = await scim.get(`/users/${again.body.id}`);
  verify.status(fetched, 200);
  verify.schema(fetched, 'ScimV2User');
  verify.equal(fetched, fetched.body.active, true, 'GET: active');
});
