/*
 * Group DELETE. On 2021 the checks of a prefix share one group to delete (harness/checks/group-subject.ts): the
 * stale If-Match DELETE is refused on it, the current one deletes it, and that deletion (a DELETE of a group created
 * through SCIM, then a GET answered 404) is judged by the checks about it; a check that finds the group already gone
 * when it needs one alive makes a new one. The list part of GRP-DELETE-THEN-404 runs last: a live org keeps listing a
 * deleted group for a few seconds, so the list is read again until the group is gone (ctx.eventually).
 */
import {
  aliveDeletionSubject,
  behaviour,
  CLIENT_ERRORS,
  idsOf,
  lastDeletionSubject,
  observeDeletionSubject,
  putBody,
  readGroup,
  reuse,
  unknownId,
  type BehaviourContext,
  type DeletionSubject,
  type HttpResult,
} from '../../harness/index.ts';

/** A DELETE answer: 204, or 200 without a group representation (seed 000: deleteScimGroup returns void). */
function verifyDeleted(ctx: BehaviourContext, res: HttpResult): void {
  ctx.verify.status(res, [200, 204]);
  if (res.status === 204 || res.text.trim() === '') {
    ctx.verify.noBody(res);
    return;
  }
  const body = res.body as Record<string, unknown> | undefined;
  ctx.verify.that(
    res,
    body !== undefined && typeof body === 'object' && !Array.isArray(body) && body.id === undefined && body.displayName === undefined,
    'a 200 carries no group representation (at most an empty object)',
    '(empty) or {}',
    res.text.slice(0, 300),
  );
}

/** GET the deletion subject, learning its state. */
async function readSubject(ctx: BehaviourContext, s: DeletionSubject): Promise<HttpResult> {
  const res = await ctx.scim.get(s.path);
  observeDeletionSubject(ctx, s, res);
  return res;
}

/** DELETE the deletion subject (with `headers`), learning its state. */
async function deleteSubject(ctx: BehaviourContext, s: DeletionSubject, headers?: Record<string, string>): Promise<HttpResult> {
  const res = await ctx.scim.delete(s.path, { headers });
  observeDeletionSubject(ctx, s, res);
  return res;
}

behaviour('GRP-DELETE-IF-MATCH-STALE-400', 'refuses a DELETE with a stale If-Match with 400 invalidVers and keeps the group', async (ctx) => {
  const { verify, names } = ctx;
  const s = await aliveDeletionSubject(ctx);
  const stale = s.versions[0]; // meta.version "matches the ETag HTTP response header"
  verify.that(undefined, typeof stale === 'string' && stale !== '', 'prerequisite: the created group has a version (ETag or meta.version)', 'a version', stale);
  // A real earlier version: change the group, then present the version it had before.
  if (s.versions.length < 2) {
    const changed = await ctx.scim.put(s.path, putBody({ displayName: s.displayName }, { displayName: names.displayName('delete-stale-renamed'), members: [] }));
    observeDeletionSubject(ctx, s, changed);
    verify.status(changed, 200, 'prerequisite: PUT changes the group');
    verify.that(changed, s.versions.length > 1, 'prerequisite: the change gives the group a new version', `not ${stale}`, s.versions.at(-1));
  }
  const res = await deleteSubject(ctx, s, { 'if-match': stale });
  verify.scimError(res, 400, 'invalidVers');
  const after = await readSubject(ctx, s);
  verify.status(after, 200, 'the group still exists after the refused DELETE');
  verify.schema(after, 'ScimV2Group');
});

behaviour('GRP-DELETE-IF-MATCH-CURRENT', 'deletes a group when If-Match holds its current ETag', async (ctx) => {
  const { verify } = ctx;
  const s = await aliveDeletionSubject(ctx);
  let etag = s.versions.at(-1);
  if (etag === undefined) {
    etag = verify.header(await readSubject(ctx, s), 'etag');
  }
  let res = await deleteSubject(ctx, s, { 'if-match': etag });
  if (res.status === 400 || res.status === 412) {
    // The version an earlier answer gave may not be the stored one: read the current one, and send it if it differs.
    const current = await readGroup(ctx, s.id, 'GET the group for its current ETag (the conditional DELETE was refused)');
    const now = verify.header(current, 'etag');
    if (now !== etag) {
      ctx.test.annotate(`the version ${etag} of an earlier answer was not the current one (${now}): sent again with ${now}`);
      res = await deleteSubject(ctx, s, { 'if-match': now });
    }
  }
  verifyDeleted(ctx, res);
  const gone = await readSubject(ctx, s);
  verify.scimError(gone, 404);
});

behaviour('GRP-DELETE-SCIM-CREATED', 'deletes a group created through SCIM with 204 or an empty 200', async (ctx) => {
  // The deletion of this prefix's group (by GRP-DELETE-IF-MATCH-CURRENT) when it succeeded; else a DELETE of its own.
  const last = lastDeletionSubject(ctx)?.deletion?.del;
  if (last && last.status < 400) return verifyDeleted(ctx, reuse(ctx, last));
  const s = await aliveDeletionSubject(ctx);
  verifyDeleted(ctx, await deleteSubject(ctx, s));
});

behaviour('GRP-DELETE-UNKNOWN-404', 'answers a DELETE of an unknown group with 404', async ({ scim, verify }) => {
  const res = await scim.delete(`/groups/${unknownId()}`);
  verify.scimError(res, 404);
});

/*
 * Risk: this sends a real DELETE to the group configured as SCIM_ORG_NON_SCIM_GROUP_ID. A conformant server refuses
 * it (the group was not created through SCIM: it has no SCIM-created externalId); a NON-conformant server deletes
 * the group, and it can not be restored. To limit the damage the check first reads the group and does not send the
 * DELETE when the group carries an externalId (which would mark it as SCIM-created and thus deletable, i.e. the
 * fixture is wrong). Point SCIM_ORG_NON_SCIM_GROUP_ID only at a group you could recreate by hand.
 */
behaviour('GRP-DELETE-NON-SCIM-REFUSED', 'refuses to delete a group not created through SCIM and keeps it', async (ctx) => {
  const { scim, verify, target, skip } = ctx;
  const id = target.org.nonScimGroupId!;
  const before = await readGroup(ctx, id, 'prerequisite: GET the group of SCIM_ORG_NON_SCIM_GROUP_ID');
  const externalId: unknown = before.body.externalId;
  if (typeof externalId === 'string' && externalId.trim() !== '') {
    skip(
      `the group of SCIM_ORG_NON_SCIM_GROUP_ID (${id}) has externalId "${externalId}", so it may have been created through SCIM ` +
        'and a DELETE could remove it: not sent. Configure a group without externalId.',
      'configuration',
    );
  }
  const res = await scim.delete(`/groups/${encodeURIComponent(id)}`);
  verify.scimError(res, CLIENT_ERRORS);
  const after = await scim.get(`/groups/${encodeURIComponent(id)}`);
  verify.status(after, 200, 'the group still exists after the refused DELETE');
  verify.schema(after, 'ScimV2Group');
  verify.equal(after, after.body.id, before.body.id, 'id of the group read back');
});

/*
 * 2019 has no group DELETE. The request goes to the configured scratch group, so on a non-conformant server that
 * does delete groups it would remove it: the DELETE carries an If-Match that names no version of the group, which a
 * server honouring the documented If-Match refuses (400 invalidVers) instead of deleting.
 */
behaviour('GRP-DELETE-ABSENT', 'has no group DELETE: answers 404 or 405 and the group remains', async (ctx) => {
  const { scim, verify, target } = ctx;
  const path = `/groups/${encodeURIComponent(target.org.groupId!)}`;
  const res = await scim.delete(path, { headers: { 'if-match': '"scimct-not-a-version"' } });
  verify.status(res, [404, 405]);
  const after = await scim.get(path);
  verify.status(after, 200, 'the group still exists');
  verify.schema(after, 'ScimV2Group');
});

// Last of the file: the longer after the deletion, the sooner a live org's index has caught up with it.
behaviour('GRP-DELETE-THEN-404', 'answers 404 for a deleted group and leaves it out of lists', async (ctx) => {
  const { scim, verify, target } = ctx;
  // The GET after this prefix's deletion (by GRP-DELETE-IF-MATCH-CURRENT), else a deletion of its own.
  let s = lastDeletionSubject(ctx);
  let gone: HttpResult;
  if (s?.deletion?.after) {
    gone = reuse(ctx, s.deletion.after);
  } else {
    s = await aliveDeletionSubject(ctx);
    const del = await deleteSubject(ctx, s);
    verify.status(del, [200, 204], 'prerequisite: DELETE succeeds');
    gone = await readSubject(ctx, s);
  }
  verify.scimError(gone, 404);
  if (target.capabilities.filter === false) {
    ctx.test.annotate('the list part was not checked: the ServiceProviderConfig says filter.supported is false');
    return;
  }
  // A live org lists a deleted group for a few seconds: read the list until it is gone, then judge it.
  const { id, displayName } = s;
  const filter = `displayName eq ${JSON.stringify(displayName)}`;
  const unlisted = (r: HttpResult) => !idsOf(r).includes(id) && r.body?.totalResults === 0;
  const list = await ctx.eventually(() => scim.get('/groups', { query: { filter } }), (r) => r.status !== 200 || unlisted(r));
  verify.status(list, 200);
  verify.schema(list, 'ScimGroupListResponse');
  verify.that(list, unlisted(list), 'the deleted group is not listed', 'totalResults 0', { totalResults: list.body.totalResults, ids: idsOf(list) });
});
