import { behaviour, CORE_GROUP_URN, idSet, memberIds, memberUsers, readGroup } from '../../harness/index.ts';

behaviour('GRP-POST-201', 'answers a POST with 201 and the created group', async ({ post, build, verify }) => {
  const body = build.group('post-201');
  const res = await post('groups', body);
  verify.status(res, 201);
  verify.contentType(res);
  verify.schema(res, 'ScimV2Group');
  verify.equal(res, res.body.displayName, body.displayName, 'displayName is the one sent');
  verify.equal(res, res.body.meta?.resourceType, 'Group', 'meta.resourceType');
});

behaviour('GRP-POST-LOCATION', 'sends a Location header equal to meta.location', async ({ post, build, verify }) => {
  const res = await post('groups', build.group('post-location'));
  verify.status(res, 201);
  verify.schema(res, 'ScimV2Group');
  const location = verify.header(res, 'location');
  verify.equal(res, location, res.body.meta?.location, 'Location header equals meta.location (RFC 7644 §3.3)');
  verify.that(
    res,
    location.toLowerCase().endsWith(`/groups/${String(res.body.id).toLowerCase()}`),
    'Location names the created group',
    `a URI ending in /Groups/${res.body.id}`,
    location,
  );
});

behaviour('GRP-POST-ETAG', 'sends an ETag header equal to meta.version', async ({ post, build, verify }) => {
  const res = await post('groups', build.group('post-etag'));
  verify.status(res, 201);
  verify.schema(res, 'ScimV2Group');
  const etag = verify.header(res, 'etag', /^(W\/)?"[^"]*"$/);
  verify.equal(res, res.body.meta?.version, etag, 'meta.version equals the ETag header (seed 000: "Returned as header and meta.version")');
});

behaviour('GRP-POST-EXTERNAL-ID', 'gives a group created without externalId an auto-generated externalId', async ({ post, build, verify }) => {
  const body = build.group('post-external-id');
  verify.that(undefined, body.externalId === undefined, 'the request sends no externalId', '(absent)', body.externalId);
  const res = await post('groups', body);
  verify.status(res, 201);
  verify.schema(res, 'ScimV2Group');
  verify.that(
    res,
    typeof res.body.externalId === 'string' && res.body.externalId.trim() !== '',
    'externalId is set by the server (seed 000 postScimGroups: "Auto-creates an externalId")',
    'a non-empty externalId',
    res.body.externalId ?? '(absent)',
  );
});

behaviour('GRP-POST-LISTED', 'lists a created group under a displayName filter', async ({ post, build, scim, verify }) => {
  const created = await post('groups', build.group('post-listed'));
  verify.status(created, [200, 201], 'prerequisite: POST /groups creates the group');
  verify.schema(created, 'ScimV2Group');
  const res = await scim.get('/groups', { query: { filter: `displayName eq "${created.body.displayName}"` } });
  verify.status(res, 200);
  verify.schema(res, 'ScimGroupListResponse');
  const ids = (res.body.Resources ?? []).map((g: { id: string }) => g.id);
  verify.equal(res, ids, [created.body.id], 'the filtered list holds exactly the created group (a public group is listed)');
});

behaviour('GRP-POST-MEMBERS', 'stores and returns the members given in a POST', async (ctx) => {
  const { post, build, verify } = ctx;
  const [userId] = await memberUsers(ctx, 'post-members', 1);
  const res = await post('groups', build.group('post-members', 'minimal', { members: [{ value: userId }] }));
  verify.status(res, 201);
  verify.schema(res, 'ScimV2Group');
  verify.equal(res, memberIds(res.body), idSet([userId]), 'members of the 201 response');
  const stored = await readGroup(ctx, res.body.id);
  verify.equal(stored, memberIds(stored.body), idSet([userId]), 'members of the group read back');
});

behaviour('GRP-POST-DISPLAYNAME-REQUIRED-400', 'refuses a POST without displayName with 400', async ({ post, verify, names }) => {
  // post() registers (and removes) the group should a non-conformant server make one.
  const res = await post('groups', { schemas: [CORE_GROUP_URN], externalId: names.externalId('post-no-displayname') });
  verify.scimError(res, 400);
});

behaviour('GRP-POST-ABSENT', 'has no group POST: answers 404 or 405 and creates nothing', async ({ post, build, scim, verify }) => {
  const body = build.group('post-absent');
  // post() registers the group for removal should the server make one after all.
  const res = await post('groups', body);
  verify.status(res, [404, 405]);
  const list = await scim.get('/groups', { query: { filter: `displayName eq "${body.displayName}"` } });
  verify.status(list, 200);
  verify.schema(list, 'ScimGroupListResponse');
  verify.equal(list, list.body.totalResults, 0, 'no group of that displayName exists afterwards');
});
