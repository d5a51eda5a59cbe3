import {
  behaviour,
  CLIENT_ERRORS,
  putBody,
  readGroup,
  subjectGroup,
  unknownId,
  versionOf,
  type BehaviourContext,
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

behaviour('GRP-DELETE-SCIM-CREATED', 'deletes a group created through SCIM with 204 or an empty 200', async (ctx) => {
  const g = await subjectGroup(ctx, 'delete-scim-created');
  const res = await ctx.scim.delete(g.path);
  verifyDeleted(ctx, res);
});

behaviour('GRP-DELETE-THEN-404', 'answers 404 for a deleted group and leaves it out of lists', async (ctx) => {
  const { scim, verify, target } = ctx;
  const g = await subjectGroup(ctx, 'delete-then-404');
  const del = await scim.delete(g.path);
  verify.status(del, [200, 204], 'prerequisite: DELETE succeeds');
  const res = await scim.get(g.path);
  verify.scimError(res, 404);
  if (target.capabilities.filter === false) {
    ctx.test.annotate('the list part was not checked: the ServiceProviderConfig says filter.supported is false');
    return;
  }
  const list = await scim.get('/groups', { query: { filter: `displayName eq "${g.body.displayName}"` } });
  verify.status(list, 200);
  verify.schema(list, 'ScimGroupListResponse');
  const ids = (list.body.Resources ?? []).map((r: { id: string }) => r.id);
  verify.that(list, !ids.includes(g.id) && list.body.totalResults === 0, 'the deleted group is not listed', 'totalResults 0', {
    totalResults: list.body.totalResults,
    ids,
  });
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

behaviour('GRP-DELETE-UNKNOWN-404', 'answers a DELETE of an unknown group with 404', async ({ scim, verify }) => {
  const res = await scim.delete(`/groups/${unknownId()}`);
  verify.scimError(res, 404);
});

behaviour('GRP-DELETE-IF-MATCH-CURRENT', 'deletes a group when If-Match holds its current ETag', async (ctx) => {
  const { scim, verify } = ctx;
  const g = await subjectGroup(ctx, 'delete-if-match');
  const current = await readGroup(ctx, g.id, 'prerequisite: GET the group for its ETag');
  const etag = verify.header(current, 'etag');
  const res = await scim.delete(g.path, { headers: { 'if-match': etag } });
  verifyDeleted(ctx, res);
  const gone = await scim.get(g.path);
  verify.scimError(gone, 404);
});

behaviour('GRP-DELETE-IF-MATCH-STALE-400', 'refuses a DELETE with a stale If-Match with 400 invalidVers and keeps the group', async (ctx) => {
  const { scim, verify, names } = ctx;
  const g = await subjectGroup(ctx, 'delete-if-match-stale');
  const stale: unknown = g.body.meta?.version; // meta.version "matches the ETag HTTP response header"
  verify.that(undefined, typeof stale === 'string' && stale !== '', 'prerequisite: the created group has a meta.version', 'a version', stale);
  // A real earlier version: change the group, then present the version it had before.
  const changed = await scim.put(g.path, putBody(g.body, { displayName: names.displayName('delete-stale-renamed') }));
  verify.status(changed, 200, 'prerequisite: PUT changes the group');
  verify.that(changed, versionOf(changed) !== stale, 'prerequisite: the change gives the group a new version', `not ${String(stale)}`, versionOf(changed));
  const res = await scim.delete(g.path, { headers: { 'if-match': stale as string } });
  verify.scimError(res, 400, 'invalidVers');
  const after = await scim.get(g.path);
  verify.status(after, 200, 'the group still exists after the refused DELETE');
  verify.schema(after, 'ScimV2Group');
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
