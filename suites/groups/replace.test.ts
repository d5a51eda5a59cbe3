/*
 * Group PUT. Every check works on the subject group (harness/checks/group-subject.ts): on 2021 one group of the run
 * shared by the write checks (a prerequisite request only when the group is not as the check needs it); on 2019 the
 * configured scratch group, locked for the test and restored afterwards. One PUT of displayName is the evidence of
 * GRP-PUT-200, GRP-PUT-REPLACES-DISPLAYNAME and GRP-PUT-ETAG-CHANGES.
 */
import {
  behaviour,
  CORE_GROUP_URN,
  groupMembers,
  idSet,
  memberIds,
  onSubjectGroup,
  putBody,
  renamedSubject,
  unknownId,
  verifyCurrentIfMatchApplied,
  verifyNewEtag,
  verifyStaleIfMatchRefused,
  versionOf,
} from '../../harness/index.ts';

behaviour('GRP-PUT-200', 'answers a PUT with 200 and the full group', async (ctx) => {
  const { verify } = ctx;
  const { res, before, displayName } = await renamedSubject(ctx, 'PUT');
  verify.status(res, 200);
  verify.contentType(res);
  verify.schema(res, 'ScimV2Group');
  verify.equal(res, res.body.id, before.id, 'id is the id of the replaced group');
  verify.equal(res, res.body.displayName, displayName, 'displayName is returned with its new value (the full resource)');
  verify.equal(res, res.body.meta?.resourceType, 'Group', 'meta.resourceType');
});

behaviour('GRP-PUT-REPLACES-DISPLAYNAME', 'stores the displayName of a PUT', async (ctx) => {
  const { verify } = ctx;
  const { res, displayName } = await renamedSubject(ctx, 'PUT');
  verify.status(res, 200);
  verify.schema(res, 'ScimV2Group');
  verify.equal(res, res.body.displayName, displayName, 'displayName in the PUT response');
  // What is stored: read back, unless a later write changed the group meanwhile (then the check renames it itself).
  await onSubjectGroup(ctx, 'put-displayname', {}, async (g) => {
    let want = displayName;
    if (g.version !== versionOf(res) || g.body.displayName !== displayName) {
      want = ctx.names.displayName('put-displayname-replaced');
      const again = await g.put(putBody(g.body, { displayName: want }));
      verify.status(again, 200);
      verify.schema(again, 'ScimV2Group');
      verify.equal(again, again.body.displayName, want, 'displayName in the PUT response');
    }
    const stored = await g.read();
    verify.equal(stored, stored.body.displayName, want, 'displayName of the group read back');
  });
});

behaviour('GRP-PUT-ETAG-CHANGES', 'answers a PUT with a new ETag equal to meta.version', (ctx) => verifyNewEtag(ctx, 'PUT'));

behaviour('GRP-PUT-IF-MATCH-CURRENT', 'applies a PUT whose If-Match holds the current ETag', (ctx) => verifyCurrentIfMatchApplied(ctx, 'PUT'));

behaviour('GRP-PUT-IF-MATCH-STALE-400', 'refuses a PUT with a stale If-Match with 400 invalidVers and leaves the group unchanged', (ctx) =>
  verifyStaleIfMatchRefused(ctx, 'PUT'),
);

behaviour('GRP-PUT-MEMBERS-REPLACED', 'makes the members of a PUT exactly the members of the group', async (ctx) => {
  const { verify } = ctx;
  const [first, second] = await groupMembers(ctx);
  await onSubjectGroup(ctx, 'put-members', {}, async (g) => {
    // The group holds [first]: set by a PUT unless it does already (that PUT is judged too: it is one of this behaviour).
    if (memberIds(g.body).join() !== idSet([first]).join()) {
      const set = await g.put(putBody(g.body, { members: [first] }));
      verify.status(set, 200, 'a PUT sets the members the check starts from: HTTP status');
      verify.schema(set, 'ScimV2Group');
      verify.equal(set, memberIds(set.body), idSet([first]), 'members in the answer to a PUT of one member: exactly that member');
    }
    const res = await g.put(putBody(g.body, { members: [second] }));
    verify.status(res, 200);
    verify.schema(res, 'ScimV2Group');
    verify.equal(res, memberIds(res.body), idSet([second]), 'members in the PUT response: the earlier member is gone, the new one is there');
    const stored = await g.read();
    verify.equal(stored, memberIds(stored.body), idSet([second]), 'members of the group read back');
  });
});

behaviour('GRP-PUT-READONLY-IGNORED', 'ignores id and meta in a PUT body', async (ctx) => {
  const { verify, names } = ctx;
  await onSubjectGroup(ctx, 'put-readonly', {}, async (g) => {
    const displayName = names.displayName('put-readonly-replaced');
    const bogus = {
      resourceType: 'Group',
      location: `https://scimct.invalid/groups/${unknownId()}`,
      version: '"scimct-bogus-version"',
      lastModified: '2000-01-01T00:00:00.000Z',
    };
    const res = await g.put({ ...putBody(g.body, { displayName }), id: unknownId(), meta: bogus });
    verify.status(res, 200, 'the PUT succeeds (readOnly attributes are ignored, not refused)');
    verify.schema(res, 'ScimV2Group');
    verify.equal(res, res.body.id, g.id, 'id is unchanged');
    verify.equal(res, res.body.displayName, displayName, 'the writable attributes of the PUT are applied');
    const meta = res.body.meta ?? {};
    verify.that(
      res,
      meta.location !== bogus.location && meta.version !== bogus.version && meta.lastModified !== bogus.lastModified,
      'meta is the server\'s, not the one sent',
      'meta.location, meta.version and meta.lastModified not taken from the request',
      meta,
    );
  });
});

behaviour('GRP-PUT-DISPLAYNAME-REQUIRED-400', 'refuses a PUT without displayName with 400', async (ctx) => {
  const { verify } = ctx;
  await onSubjectGroup(ctx, 'put-no-displayname', {}, async (g) => {
    const body = putBody(g.body);
    delete body.displayName;
    const res = await g.put(body);
    verify.scimError(res, 400);
  });
});

behaviour('GRP-PUT-UNKNOWN-404', 'answers a PUT of an unknown group with 404', async ({ scim, verify, names, track }) => {
  const id = unknownId();
  const res = await scim.put(`/groups/${id}`, { schemas: [CORE_GROUP_URN], displayName: names.displayName('put-unknown') });
  // Should a non-conformant server create the group, it is removed at the end.
  if (res.status >= 200 && res.status < 300 && typeof res.body?.id === 'string') track('groups', res.body.id, res.body.displayName ?? '');
  verify.scimError(res, 404);
});
