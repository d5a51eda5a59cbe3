/**
 * Users list: the ListResponse envelope, its Resources, what an unfiltered list holds and the documented list
 * projections (seed 000 getScimUsers / getScimV2Users; seed 002 get_scim_users with its required filter;
 * RFC 7644 §3.4.2). On 2019 `filter` is required, so the envelope checks list a user they create.
 */
import {
  behaviour,
  ciGet,
  ENTERPRISE_URN,
  idsOf,
  LIST_RESPONSE_URN,
  needFilter,
  ownReports,
  ownUser,
  resources,
  skipIf2019Refuses,
  type BehaviourContext,
  type HttpResult,
} from '../../harness/index.ts';

const PATH = '/users';

/**
 * A users list page: the unfiltered list on 2021 (read-only, whatever the org holds); on 2019, where `filter`
 * is required, a list filtered to a user the check creates.
 */
async function samplePage(ctx: BehaviourContext, label: string): Promise<HttpResult> {
  if (ctx.target.apiVersion === '2019') {
    const own = await ownUser(ctx, label);
    return ctx.scim.get(PATH, { query: own.query });
  }
  return ctx.scim.get(PATH);
}

behaviour('USR-LIST', 'lists users in a ScimUserListResponse', async (ctx) => {
  const res = await samplePage(ctx, 'list');
  ctx.verify.status(res, 200);
  ctx.verify.contentType(res);
  ctx.verify.schema(res, 'ScimUserListResponse');
});

behaviour('USR-LIST-SCHEMAS-URN', 'names exactly the ListResponse message URN in schemas', async (ctx) => {
  const res = await samplePage(ctx, 'list-urn');
  ctx.verify.status(res, 200);
  ctx.verify.schema(res, 'ScimUserListResponse');
  ctx.verify.equal(res, res.body.schemas, [LIST_RESPONSE_URN], 'schemas of the list response (RFC 7644 §3.4.2)');
});

behaviour('USR-LIST-RESOURCES-VALID', 'lists every user as a valid ScimV2User with meta.resourceType User', async (ctx) => {
  const res = await samplePage(ctx, 'list-valid');
  ctx.verify.status(res, 200);
  ctx.verify.schema(res, 'ScimUserListResponse');
  const items = resources(res);
  ctx.verify.that(res, items.length > 0, 'the page lists at least one user to judge', 'one or more Resources', items.length);
  items.forEach((u, i) => {
    ctx.verify.schema(res, 'ScimV2User', u, `Resources[${i}] is a valid ScimV2User`);
    ctx.verify.equal(res, u.meta?.resourceType, 'User', `Resources[${i}] (${u.id}): meta.resourceType`);
  });
});

behaviour('USR-LIST-ITEMS-PER-PAGE', 'reports itemsPerPage equal to the number of Resources in the page', async (ctx) => {
  const own = await ownUser(ctx, 'list-ipp');
  // A page shorter than the requested count (one user, count 25): itemsPerPage is not the count.
  const full = await ctx.scim.get(PATH, { query: { ...own.query, count: '25' } });
  ctx.verify.status(full, 200);
  ctx.verify.schema(full, 'ScimUserListResponse');
  ctx.verify.equal(full, full.body.itemsPerPage, resources(full).length, 'itemsPerPage equals the number of Resources (count=25, one match)');
  // An empty page (count=0, documented) of one match: itemsPerPage is not totalResults.
  const empty = await ctx.scim.get(PATH, { query: { ...own.query, count: '0' } });
  ctx.verify.status(empty, 200);
  ctx.verify.schema(empty, 'ScimUserListResponse');
  ctx.verify.equal(empty, empty.body.itemsPerPage, resources(empty).length, 'itemsPerPage equals the number of Resources (count=0, one match)');
});

behaviour('USR-LIST-TOTAL-RESULTS', 'counts every matching user in totalResults, whatever count and startIndex are', async (ctx) => {
  const set = await ownReports(ctx, 2, 'list-total');
  const first = await ctx.scim.get(PATH, { query: { ...set.query, count: '1' } });
  skipIf2019Refuses(ctx, first, set.query.filter);
  ctx.verify.status(first, 200);
  ctx.verify.schema(first, 'ScimUserListResponse');
  ctx.verify.equal(first, first.body.totalResults, 2, 'totalResults with count=1 counts both matching users');
  const second = await ctx.scim.get(PATH, { query: { ...set.query, startIndex: '2', count: '1' } });
  ctx.verify.status(second, 200);
  ctx.verify.schema(second, 'ScimUserListResponse');
  ctx.verify.equal(second, second.body.totalResults, 2, 'totalResults with startIndex=2&count=1 counts both matching users');
});

behaviour('USR-LIST-DEFAULT-ACTIVE', 'lists only active users without a filter', async (ctx) => {
  const { scim, verify } = ctx;
  let inactiveId: string | undefined;
  let startIndex = 1;
  if (ctx.target.allowWrites) {
    // An inactive user of our own, so the org has one; new users are usually listed last, so read the last page.
    const created = await ctx.create('users', ctx.build.user('list-inactive', 'minimal', { active: false }));
    verify.status(created, 201, 'the inactive user is created (POST /users with active false)');
    verify.schema(created, 'ScimV2User');
    verify.equal(created, created.body.active, false, 'the created user is inactive');
    inactiveId = created.body.id;
    const total = await scim.get(PATH, { query: { count: '0' } });
    verify.status(total, 200);
    verify.schema(total, 'ScimUserListResponse');
    startIndex = Math.max(1, total.body.totalResults - 24);
  }
  const res = await scim.get(PATH, { query: { startIndex: String(startIndex), count: '25' } });
  verify.status(res, 200);
  verify.schema(res, 'ScimUserListResponse');
  // An empty page says nothing about which users a list leaves out.
  if (resources(res).length === 0) ctx.skip(`the unfiltered list from startIndex ${startIndex} holds no user to judge (totalResults ${res.body.totalResults})`, 'inconclusive');
  const inactive = resources(res).filter((u) => u.active !== true).map((u) => ({ id: u.id, active: u.active }));
  verify.equal(res, inactive, [], 'every user of an unfiltered list is active');
  if (inactiveId) verify.that(res, !idsOf(res).includes(inactiveId), 'the inactive user is not listed', `no ${inactiveId}`, idsOf(res));
});

behaviour('USR-LIST-FILTER-REQUIRED', 'refuses a users list without a filter with 400', async ({ scim, verify }) => {
  const res = await scim.get(PATH);
  verify.scimError(res, 400);
});

behaviour('USR-LIST-DEFAULT-ATTRIBUTES', 'returns externalId, the enterprise manager and roles of listed users by default', async (ctx) => {
  const { scim, verify, build, target } = ctx;
  needFilter(ctx);
  const manager = await ctx.create('users', build.user('list-defattr-mgr'));
  verify.status(manager, 201, 'the manager is created (POST /users)');
  verify.schema(manager, 'ScimV2User');
  const body = build.user('list-defattr', 'full');
  body[ENTERPRISE_URN] = { ...(body[ENTERPRISE_URN] ?? {}), manager: { value: manager.body.id } };
  const created = await ctx.create('users', body);
  verify.status(created, 201, 'the user with externalId, manager and a role is created (POST /users)');
  verify.schema(created, 'ScimV2User');
  const res = await scim.get(PATH, { query: { filter: `id eq ${created.body.id}` } });
  verify.status(res, 200);
  verify.schema(res, 'ScimUserListResponse');
  const listed = resources(res).find((u) => u.id === created.body.id);
  verify.that(res, listed !== undefined, 'the user is listed (filter id eq <id>)', created.body.id, idsOf(res));
  verify.equal(res, ciGet(listed, 'externalId'), body.externalId, 'externalId is returned by default');
  const mgr = ciGet(ciGet(listed, ENTERPRISE_URN), 'manager');
  verify.equal(res, ciGet(mgr, 'value'), manager.body.id, `${ENTERPRISE_URN}:manager.value is returned by default`);
  const roles = ciGet(listed, 'roles');
  const names = Array.isArray(roles) ? roles.map((r) => String(ciGet(r, 'value') ?? '').toLowerCase()) : [];
  verify.that(res, names.includes(String(target.org.role).toLowerCase()), 'roles are returned by default', `roles holding "${target.org.role}"`, roles ?? '(absent)');
});

/** The attributes a list request for `attributes=id,active` may return: those two and the always-returned ones. */
const ID_ACTIVE_ALLOWED = new Set(['schemas', 'id', 'active', 'username', 'meta']);

behaviour('USR-LIST-ATTRIBUTES-ID-ACTIVE', 'returns only id and active (and the always-returned attributes) with attributes=id,active', async ({ scim, verify }) => {
  const res = await scim.get(PATH, { query: { attributes: 'id,active' } });
  verify.status(res, 200);
  verify.schema(res, 'ScimUserListResponse');
  const items = resources(res);
  verify.that(res, items.length > 0, 'the page lists at least one user to judge', 'one or more Resources', items.length);
  const leaks = items
    .map((u) => ({ id: u.id, extra: Object.keys(u).filter((k) => !ID_ACTIVE_ALLOWED.has(k.toLowerCase())) }))
    .filter((x) => x.extra.length > 0);
  verify.equal(res, leaks, [], 'no listed user carries externalId, manager, roles or any attribute beyond id, active, userName, meta');
  items.forEach((u, i) => {
    verify.that(res, typeof u.id === 'string' && typeof u.active === 'boolean', `Resources[${i}] carries the requested id and active`, 'id and active', { id: u.id, active: u.active });
    verify.that(
      res,
      typeof ciGet(u, 'userName') === 'string' && ciGet(u, 'meta') !== undefined,
      `Resources[${i}] still carries the always-returned userName and meta ("Returns these attributes and the id, userName, active, and meta attributes")`,
      'userName and meta',
      { userName: ciGet(u, 'userName') ?? '(absent)', meta: ciGet(u, 'meta') ?? '(absent)' },
    );
  });
});

behaviour('USR-LIST-EXCLUDED-SECONDARY', 'omits externalId, roles and the enterprise division with the documented excludedAttributes', async ({ scim, verify }) => {
  const res = await scim.get(PATH, { query: { excludedAttributes: `externalId,roles,${ENTERPRISE_URN}:division` } });
  verify.status(res, 200);
  verify.schema(res, 'ScimUserListResponse');
  const items = resources(res);
  verify.that(res, items.length > 0, 'the page lists at least one user to judge', 'one or more Resources', items.length);
  const leaks = items
    .map((u) => ({
      id: u.id,
      leaked: [
        ciGet(u, 'externalId') !== undefined ? 'externalId' : undefined,
        ciGet(u, 'roles') !== undefined ? 'roles' : undefined,
        ciGet(ciGet(u, ENTERPRISE_URN), 'division') !== undefined ? `${ENTERPRISE_URN}:division` : undefined,
      ].filter((x) => x !== undefined),
    }))
    .filter((x) => x.leaked.length > 0);
  verify.equal(res, leaks, [], 'no listed user carries an excluded attribute');
});
