/*
 * Group PUT. On 2021 every check creates its own group; on 2019 the checks use the configured scratch group, which
 * harness/checks/group-subject.ts locks for the test (no other check changes it meanwhile) and restores afterwards.
 */
import {
  behaviour,
  CORE_GROUP_URN,
  idSet,
  memberIds,
  memberUsers,
  putBody,
  readGroup,
  subjectGroup,
  unknownId,
  versionOf,
} from '../../harness/index.ts';

behaviour('GRP-PUT-200', 'answers a PUT with 200 and the full group', async (ctx) => {
  const { scim, verify, names } = ctx;
  const g = await subjectGroup(ctx, 'put-200');
  const displayName = names.displayName('put-200-replaced');
  const res = await scim.put(g.path, putBody(g.body, { displayName }));
  verify.status(res, 200);
  verify.contentType(res);
  verify.schema(res, 'ScimV2Group');
  verify.equal(res, res.body.id, g.id, 'id is the id of the replaced group');
  verify.equal(res, res.body.displayName, displayName, 'displayName is returned with its new value (the full resource)');
  verify.equal(res, res.body.meta?.resourceType, 'Group', 'meta.resourceType');
});

behaviour('GRP-PUT-REPLACES-DISPLAYNAME', 'stores the displayName of a PUT', async (ctx) => {
  const { scim, verify, names } = ctx;
  const g = await subjectGroup(ctx, 'put-displayname');
  const displayName = names.displayName('put-displayname-replaced');
  const res = await scim.put(g.path, putBody(g.body, { displayName }));
  verify.status(res, 200);
  verify.schema(res, 'ScimV2Group');
  verify.equal(res, res.body.displayName, displayName, 'displayName in the PUT response');
  const stored = await readGroup(ctx, g.id);
  verify.equal(stored, stored.body.displayName, displayName, 'displayName of the group read back');
});

behaviour('GRP-PUT-MEMBERS-REPLACED', 'makes the members of a PUT exactly the members of the group', async (ctx) => {
  const { scim, verify } = ctx;
  const [first, second] = await memberUsers(ctx, 'put-members', 2);
  const g = await subjectGroup(ctx, 'put-members', [first]);
  const res = await scim.put(g.path, putBody(g.body, { members: [second] }));
  verify.status(res, 200);
  verify.schema(res, 'ScimV2Group');
  verify.equal(res, memberIds(res.body), idSet([second]), 'members in the PUT response: the earlier member is gone, the new one is there');
  const stored = await readGroup(ctx, g.id);
  verify.equal(stored, memberIds(stored.body), idSet([second]), 'members of the group read back');
});

behaviour('GRP-PUT-READONLY-IGNORED', 'ignores id and meta in a PUT body', async (ctx) => {
  const { scim, verify, names } = ctx;
  const g = await subjectGroup(ctx, 'put-readonly');
  const displayName = names.displayName('put-readonly-replaced');
  const bogus = {
    resourceType: 'Group',
    location: `https://scimct.invalid/groups/${unknownId()}`,
    version: '"scimct-bogus-version"',
    lastModified: '2000-01-01T00:00:00.000Z',
  };
  const res = await scim.put(g.path, { ...putBody(g.body, { displayName }), id: unknownId(), meta: bogus });
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

behaviour('GRP-PUT-DISPLAYNAME-REQUIRED-400', 'refuses a PUT without displayName with 400', async (ctx) => {
  const { scim, verify } = ctx;
  const g = await subjectGroup(ctx, 'put-no-displayname');
  const body = putBody(g.body);
  delete body.displayName;
  const res = await scim.put(g.path, body);
  verify.scimError(res, 400);
});

behaviour('GRP-PUT-UNKNOWN-404', 'answers a PUT of an unknown group with 404', async ({ scim, verify, names, track }) => {
  const id = unknownId();
  const res = await scim.put(`/groups/${id}`, { schemas: [CORE_GROUP_URN], displayName: names.displayName('put-unknown') });
  // Should a non-conformant server create the group, it is removed at the end.
  if (res.status >= 200 && res.status < 300 && typeof res.body?.id === 'string') track('groups', res.body.id, res.body.displayName ?? '');
  verify.scimError(res, 404);
});

behaviour('GRP-PUT-IF-MATCH-CURRENT', 'applies a PUT whose If-Match holds the current ETag', async (ctx) => {
  const { scim, verify, names } = ctx;
  const g = await subjectGroup(ctx, 'put-if-match');
  const current = await readGroup(ctx, g.id, 'prerequisite: GET the group for its ETag');
  const etag = verify.header(current, 'etag');
  const displayName = names.displayName('put-if-match-replaced');
  const res = await scim.put(g.path, putBody(current.body, { displayName }), { headers: { 'if-match': etag } });
  verify.status(res, 200);
  verify.schema(res, 'ScimV2Group');
  verify.equal(res, res.body.displayName, displayName, 'displayName after the conditional PUT');
});

behaviour('GRP-PUT-IF-MATCH-STALE-400', 'refuses a PUT with a stale If-Match with 400 invalidVers and leaves the group unchanged', async (ctx) => {
  const { scim, verify, names } = ctx;
  const g = await subjectGroup(ctx, 'put-if-match-stale');
  const first = await readGroup(ctx, g.id, 'prerequisite: GET the group for its ETag');
  const stale = verify.header(first, 'etag');
  // A real earlier version: change the group, then present the version it had before.
  const kept = names.displayName('put-stale-first');
  const changed = await scim.put(g.path, putBody(first.body, { displayName: kept }));
  verify.status(changed, 200, 'prerequisite: an unconditional PUT changes the group');
  verify.that(changed, versionOf(changed) !== stale, 'prerequisite: the change gives the group a new version', `not ${stale}`, versionOf(changed));
  const res = await scim.put(g.path, putBody(first.body, { displayName: names.displayName('put-stale-second') }), { headers: { 'if-match': stale } });
  verify.scimError(res, 400, 'invalidVers');
  const after = await readGroup(ctx, g.id);
  verify.equal(after, after.body.displayName, kept, 'displayName is the one before the refused PUT');
});

behaviour('GRP-PUT-ETAG-CHANGES', 'answers a PUT with a new ETag equal to meta.version', async (ctx) => {
  const { scim, verify, names } = ctx;
  const g = await subjectGroup(ctx, 'put-etag');
  const before = await readGroup(ctx, g.id, 'prerequisite: GET the group for its ETag');
  const previous = verify.header(before, 'etag');
  const res = await scim.put(g.path, putBody(before.body, { displayName: names.displayName('put-etag-replaced') }));
  verify.status(res, 200);
  verify.schema(res, 'ScimV2Group');
  const etag = verify.header(res, 'etag');
  verify.equal(res, res.body.meta?.version, etag, 'meta.version equals the ETag header');
  verify.that(res, etag !== previous, 'the ETag changed with the PUT', `not ${previous}`, etag);
});
