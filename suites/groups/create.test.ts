/*
 * Group POST. The checks about a successful POST judge one POST per prefix: the posted group of
 * harness/checks/group-subject.ts (a group with one member user, sent early in the run through each prefix, and read by
 * the read checks afterwards). Its displayName filter is the one GRP-FILTER-DISPLAYNAME-QUOTED sends (one answer, both
 * judge it); lists lag writes on a live org, so it is sent until the group shows (ctx.eventually).
 */
import { behaviour, CORE_GROUP_URN, filteredUntilListed, getReadable, idsOf, idSet, memberIds, postedGroup, readableGroup } from '../../harness/index.ts';

behaviour('GRP-POST-201', 'answers a POST with 201 and the created group', async (ctx) => {
  const { verify } = ctx;
  const { res, body } = await postedGroup(ctx);
  verify.status(res, 201);
  verify.contentType(res);
  verify.schema(res, 'ScimV2Group');
  verify.equal(res, res.body.displayName, body.displayName, 'displayName is the one sent');
  verify.equal(res, res.body.meta?.resourceType, 'Group', 'meta.resourceType');
});

behaviour('GRP-POST-LOCATION', 'sends a Location header equal to meta.location', async (ctx) => {
  const { verify } = ctx;
  const { res } = await postedGroup(ctx);
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

behaviour('GRP-POST-ETAG', 'sends an ETag header equal to meta.version', async (ctx) => {
  const { verify } = ctx;
  const { res } = await postedGroup(ctx);
  verify.status(res, 201);
  verify.schema(res, 'ScimV2Group');
  const etag = verify.header(res, 'etag', /^(W\/)?"[^"]*"$/);
  verify.equal(res, res.body.meta?.version, etag, 'meta.version equals the ETag header (seed 000: "Returned as header and meta.version")');
});

behaviour('GRP-POST-EXTERNAL-ID', 'gives a group created without externalId an auto-generated externalId', async (ctx) => {
  const { verify } = ctx;
  const { res, body } = await postedGroup(ctx);
  verify.that(undefined, body.externalId === undefined, 'the request sends no externalId', '(absent)', body.externalId);
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

behaviour('GRP-POST-LISTED', 'lists a created group under a displayName filter', async (ctx) => {
  const { verify } = ctx;
  const { res: created } = await postedGroup(ctx);
  verify.status(created, [200, 201], 'prerequisite: POST /groups creates the group');
  verify.schema(created, 'ScimV2Group');
  const g = await readableGroup(ctx);
  const res = await filteredUntilListed(ctx, g, `displayName eq ${JSON.stringify(created.body.displayName)}`);
  verify.status(res, 200);
  verify.schema(res, 'ScimGroupListResponse');
  verify.equal(res, idsOf(res), [created.body.id], 'the filtered list holds exactly the created group (a public group is listed)');
});

behaviour('GRP-POST-MEMBERS', 'stores and returns the members given in a POST', async (ctx) => {
  const { verify } = ctx;
  const { res, memberId } = await postedGroup(ctx);
  verify.status(res, 201);
  verify.schema(res, 'ScimV2Group');
  verify.equal(res, memberIds(res.body), idSet([memberId]), 'members of the 201 response');
  const stored = await getReadable(ctx, await readableGroup(ctx));
  verify.status(stored, 200, 'GET the group: HTTP status');
  verify.schema(stored, 'ScimV2Group', stored.body, 'GET the group: body is a valid ScimV2Group');
  verify.equal(stored, memberIds(stored.body), idSet([memberId]), 'members of the group read back');
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
