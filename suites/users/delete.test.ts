/**
 * DELETE users/{id} (seed 000 deleteScimUser, seed 002 delete_scim_user; RFC 7644 §3.6). Request economy on a real org:
 * one user per prefix is created to be deleted, and its DELETE is the evidence of USR-DELETE; the checks of what a
 * deleted user looks like (404s, absent from lists, its userName free again) read that same user; the user created
 * again with its userName is the one USR-DELETE-IF-MATCH-CURRENT deletes. The checks run in this order (the lists
 * before the userName is taken again: a server may revive the deleted record under its old id).
 */
import { randomUUID } from 'node:crypto';
import {
  behaviour,
  incompleteScanReason,
  keptPost,
  patchOp,
  readSubject,
  replacementBody,
  scanUserList,
  setupFailed,
  sharedEvidence,
  staleVersion,
  writeSubject,
  writeTo,
  type BehaviourContext,
  type HttpResult,
  type ListScan,
  etagFrom,
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

const isCreated = (res: HttpResult) => res.status >= 200 && res.status < 300 && typeof res.body?.id === 'string';

interface Doomed {
  created: HttpResult;
  /** The unconditional DELETE of it (USR-DELETE judges it). */
  deleted: HttpResult;
}

/** The user of this prefix created to be deleted, and its DELETE. */
function doomedUser(ctx: BehaviourContext): Promise<Doomed> {
  return sharedEvidence(ctx, 'delete-doomed', async () => {
    const created = await keptPost(ctx, 'users', ctx.build.user('delete'));
    if (!isCreated(created)) setupFailed(ctx, created, 'POST /users creates the user to delete', 'a 2xx answer carrying the new user');
    const deleted = await ctx.scim.delete(`/users/${encodeURIComponent(created.body.id)}`);
    return { created, deleted };
  });
}

/** The deleted user (set-up for the checks about a deleted user: blocked when its DELETE did not succeed). */
async function deletedUser(ctx: BehaviourContext): Promise<{ id: string; userName: string; path: string }> {
  const { created, deleted } = await doomedUser(ctx);
  if (deleted.status < 200 || deleted.status >= 300) setupFailed(ctx, deleted, 'DELETE the user the check reads', 'a 2xx answer');
  const { id, userName } = created.body;
  return { id, userName, path: `/users/${encodeURIComponent(id)}` };
}

behaviour('USR-DELETE', 'deletes a user with 204, or 200 and an empty body', async (ctx) => {
  verifyDeleted(ctx, (await doomedUser(ctx)).deleted);
});

behaviour('USR-DELETE-THEN-404', 'answers GET, PUT, PATCH and DELETE on a deleted user with 404', async (ctx) => {
  const { verify, scim, target } = ctx;
  const { path, userName } = await deletedUser(ctx);
  verify.scimError(await scim.get(path), 404);
  verify.scimError(await scim.put(path, replacementBody(ctx, userName, 'delete-404')), 404);
  // PATCH is documented for users in both API versions; only a server that says it has no PATCH is spared.
  if (target.capabilities.patch !== false) verify.scimError(await scim.patch(path, patchOp('replace', 'title', 'After Delete')), 404);
  verify.scimError(await scim.delete(path), 404);
});

behaviour('USR-DELETE-OMITTED-FROM-LISTS', 'leaves a deleted user out of the users lists', async (ctx) => {
  const { verify, scim, target, skip } = ctx;
  const { id, userName } = await deletedUser(ctx);
  const listed = (res: HttpResult) => (Array.isArray(res.body?.Resources) ? res.body.Resources : []).filter((u: { id?: string }) => u.id === id);
  // A live org keeps listing a deleted user for a few seconds: read until it is gone (or the index wait runs out).
  const byName = await ctx.eventually(
    () => scim.get('/users', { query: { filter: `userName eq "${userName}"` } }),
    (res) => res.status !== 200 || listed(res).length === 0,
  );
  verify.status(byName, 200);
  verify.schema(byName, 'ScimUserListResponse');
  verify.that(byName, listed(byName).length === 0, 'userName eq <deleted userName> does not list the deleted user', 'no entry', listed(byName));

  // 2019: the list needs a filter and only userName is certain to be filterable; the default and
  // "active eq false" lists are documented from 2021 (seed 000, getScimUsers).
  if (target.apiVersion === '2019') return;
  const inconclusive: string[] = [];
  for (const [what, query] of [
    ['the default list', {}],
    ['the active eq false list', { filter: 'active eq false' }],
  ] as const) {
    let scan: ListScan | undefined;
    await ctx.eventually(
      async () => {
        scan = await scanUserList(ctx, query, id);
        return scan.last;
      },
      () => scan!.found === undefined,
    );
    verify.that(scan!.last, scan!.found === undefined, `${what} does not hold the deleted user`, 'no entry', scan!.found);
    if (!scan!.complete) inconclusive.push(incompleteScanReason(scan!, what));
  }
  if (inconclusive.length) skip(inconclusive.join('; '), 'inconclusive');
});

behaviour('USR-DELETE-UNKNOWN-404', 'answers DELETE of an unknown id with 404', async ({ scim, verify }) => {
  verify.scimError(await scim.delete(`/users/${randomUUID()}`), 404);
});

behaviour('USR-DELETE-IF-MATCH-STALE-400', 'refuses a DELETE with a stale If-Match with 400 invalidVers and keeps the user', async (ctx) => {
  const { verify, scim } = ctx;
  const subject = await writeSubject(ctx);
  const stale = await staleVersion(ctx, subject);
  const res = await writeTo(subject, (p) => scim.delete(p, { headers: { 'if-match': stale } }));
  verify.scimError(res, 400, 'invalidVers');
  const fetched = await readSubject(ctx, subject);
  verify.status(fetched, 200, 'the user is still there');
  verify.schema(fetched, 'ScimV2User');
});

/** The user created again with the deleted user's userName (2021: USR-DELETE-RECREATE; kept for USR-DELETE-IF-MATCH-CURRENT). */
function recreatedUser(ctx: BehaviourContext): Promise<{ body: Record<string, any>; created: HttpResult }> {
  return sharedEvidence(ctx, 'delete-recreated', async () => {
    const { userName } = await deletedUser(ctx);
    const body = ctx.build.user('delete-recreate', 'minimal', { userName });
    return { body, created: await keptPost(ctx, 'users', body) };
  });
}

behaviour('USR-DELETE-RECREATE', 'creates an active user again with the userName of a deleted one', async (ctx) => {
  const { verify, scim } = ctx;
  const { body, created: again } = await recreatedUser(ctx);
  verify.status(again, 201);
  verify.schema(again, 'ScimV2User');
  verify.equal(again, again.body.userName, body.userName, 'userName');
  verify.equal(again, again.body.active, true, 'active');
  const fetched = await scim.get(`/users/${encodeURIComponent(again.body.id)}`);
  verify.status(fetched, 200);
  verify.schema(fetched, 'ScimV2User');
  verify.equal(fetched, fetched.body.active, true, 'GET: active');
});

/** Users a run of USR-DELETE-IF-MATCH-CURRENT sent its DELETE to: a run of it again (after an ambiguous answer) makes its own. */
const claimedForDeletion = new Set<string>();

behaviour('USR-DELETE-IF-MATCH-CURRENT', 'deletes a user when If-Match is the current ETag', async (ctx) => {
  const { verify, scim, target } = ctx;
  // The user created again (2021), when the server created it and no earlier run of this check deleted it; else a
  // user of its own.
  let user: HttpResult | undefined;
  if (target.apiVersion === '2021') {
    const { created } = await recreatedUser(ctx);
    if (isCreated(created) && !claimedForDeletion.has(created.body.id)) user = created;
  }
  user ??= await ctx.create('users', ctx.build.user('delete-if-match'));
  const etag = etagFrom(ctx, user);
  const path = `/users/${encodeURIComponent(user.body.id)}`;
  claimedForDeletion.add(user.body.id);
  const res = await scim.delete(path, { headers: { 'if-match': etag } });
  verifyDeleted(ctx, res);
  verify.scimError(await scim.get(path), 404);
});
