/**
 * Users list: the ListResponse envelope, its Resources, what an unfiltered list holds and the documented list
 * projections (seed 000 getScimUsers / getScimV2Users; seed 002 get_scim_users with its required filter;
 * RFC 7644 §3.4.2). On 2019 `filter` is required, so the envelope checks list the run's read population's subject
 * (harness/checks/user-population.ts). Every list is read once per prefix for all the checks that judge it; lists of
 * the population are polled until it shows (a live org's index lags writes).
 */
import {
  behaviour,
  ciGet,
  ENTERPRISE_URN,
  idsOf,
  INACTIVE_QUERY,
  LIST_RESPONSE_URN,
  needFilter,
  populationPart,
  readUsers,
  REPORTS_PAGE,
  reportsPage,
  resources,
  skipIf2019Refuses,
  reportsQuery,
  subjectQuery,
  userPopulation,
  type BehaviourContext,
  type HttpResult,
} from '../../harness/index.ts';

const PATH = '/users';

/**
 * A users list page: the unfiltered list on 2021 (read-only, whatever the org holds); on 2019, where `filter`
 * is required, the list of the population's subject.
 */
async function samplePage(ctx: BehaviourContext): Promise<HttpResult> {
  if (ctx.target.apiVersion === '2019') {
    needFilter(ctx);
    const pop = await userPopulation(ctx);
    return readUsers(ctx, subjectQuery(pop), { ids: [pop.subject.id] });
  }
  return readUsers(ctx, {});
}

behaviour('USR-LIST', 'lists users in a ScimUserListResponse', async (ctx) => {
  const res = await samplePage(ctx);
  ctx.verify.status(res, 200);
  ctx.verify.contentType(res);
  ctx.verify.schema(res, 'ScimUserListResponse');
});

behaviour('USR-LIST-SCHEMAS-URN', 'names exactly the ListResponse message URN in schemas', async (ctx) => {
  const res = await samplePage(ctx);
  ctx.verify.status(res, 200);
  ctx.verify.schema(res, 'ScimUserListResponse');
  ctx.verify.equal(res, res.body.schemas, [LIST_RESPONSE_URN], 'schemas of the list response (RFC 7644 §3.4.2)');
});

behaviour('USR-LIST-RESOURCES-VALID', 'lists every user as a valid ScimV2User with meta.resourceType User', async (ctx) => {
  const res = await samplePage(ctx);
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
  needFilter(ctx);
  const pop = await userPopulation(ctx);
  // A page shorter than the count (one match, default count 25): itemsPerPage is not the count.
  const full = await readUsers(ctx, subjectQuery(pop), { ids: [pop.subject.id] });
  ctx.verify.status(full, 200);
  ctx.verify.schema(full, 'ScimUserListResponse');
  ctx.verify.equal(full, full.body.itemsPerPage, resources(full).length, 'itemsPerPage equals the number of Resources (default count 25, one match)');
  // An empty page (count=0, documented) of one match: itemsPerPage is not totalResults.
  const empty = await readUsers(ctx, { ...subjectQuery(pop), count: '0' }, { total: 1 });
  ctx.verify.status(empty, 200);
  ctx.verify.schema(empty, 'ScimUserListResponse');
  ctx.verify.equal(empty, empty.body.itemsPerPage, resources(empty).length, 'itemsPerPage equals the number of Resources (count=0, one match)');
});

behaviour('USR-LIST-TOTAL-RESULTS', 'counts every matching user in totalResults, whatever count and startIndex are', async (ctx) => {
  const pop = await userPopulation(ctx);
  const n = pop.reports.length;
  const first = await reportsPage(ctx, pop, 1);
  skipIf2019Refuses(ctx, first, reportsQuery(pop).filter);
  ctx.verify.status(first, 200);
  ctx.verify.schema(first, 'ScimUserListResponse');
  ctx.verify.equal(first, first.body.totalResults, n, `totalResults with count=${REPORTS_PAGE} counts all ${n} matching users`);
  const later = await reportsPage(ctx, pop, n);
  ctx.verify.status(later, 200);
  ctx.verify.schema(later, 'ScimUserListResponse');
  ctx.verify.equal(later, later.body.totalResults, n, `totalResults with startIndex=${n}&count=${REPORTS_PAGE} counts all ${n} matching users`);
});

/** Reads at most this many pages to reach the end of the unfiltered list (it may grow while the run creates users). */
const LAST_PAGE_TRIES = 2;

behaviour('USR-LIST-DEFAULT-ACTIVE', 'lists only active users without a filter', async (ctx) => {
  const { scim, verify } = ctx;
  let inactiveId: string | undefined;
  if (ctx.target.allowWrites) {
    // The population's inactive user: listed by `active eq false` (so the index has it) before the lists are read.
    const pop = await userPopulation(ctx);
    inactiveId = populationPart(ctx, pop, 'inactive', pop.inactive).id;
    if (ctx.target.capabilities.filter !== false) await readUsers(ctx, INACTIVE_QUERY, { ids: [inactiveId], unlessPaged: true });
  }
  // Users are listed in creation order (inactive ones, listed wrongly, would come last): the page that ends the list.
  // Read afresh when the inactive user is to be judged: a shared answer may predate it (and prove nothing about it).
  let res = inactiveId ? await scim.get(PATH) : await readUsers(ctx, {});
  verify.status(res, 200);
  verify.schema(res, 'ScimUserListResponse');
  for (let i = 0; i < LAST_PAGE_TRIES && res.body.totalResults > (res.body.startIndex ?? 1) - 1 + resources(res).length; i++) {
    const startIndex = Math.max(1, res.body.totalResults - 24);
    res = await scim.get(PATH, { query: { startIndex: String(startIndex), count: '25' } });
    verify.status(res, 200);
    verify.schema(res, 'ScimUserListResponse');
  }
  // An empty page says nothing about which users a list leaves out.
  if (resources(res).length === 0) ctx.skip(`the unfiltered list from startIndex ${res.body.startIndex} holds no user to judge (totalResults ${res.body.totalResults})`, 'inconclusive');
  const inactive = resources(res).filter((u) => u.active !== true).map((u) => ({ id: u.id, active: u.active }));
  verify.equal(res, inactive, [], 'every user of an unfiltered list is active');
  if (inactiveId) verify.that(res, !idsOf(res).includes(inactiveId), 'the inactive user is not listed', `no ${inactiveId}`, idsOf(res));
});

behaviour('USR-LIST-FILTER-REQUIRED', 'refuses a users list without a filter with 400', async ({ scim, verify }) => {
  const res = await scim.get(PATH);
  verify.scimError(res, 400);
});

behaviour('USR-LIST-DEFAULT-ATTRIBUTES', 'returns externalId, the enterprise manager and roles of listed users by default', async (ctx) => {
  const { verify, target } = ctx;
  const pop = await userPopulation(ctx);
  const s = pop.subject;
  // The population's subject has an externalId, a manager and the org's role; `id eq` is the filter USR-FILTER-ID judges.
  const res = await readUsers(ctx, { filter: `id eq ${s.id}` }, { ids: [s.id] });
  verify.status(res, 200);
  verify.schema(res, 'ScimUserListResponse');
  const listed = resources(res).find((u) => u.id === s.id);
  verify.that(res, listed !== undefined, 'the user is listed (filter id eq <id>)', s.id, idsOf(res));
  verify.equal(res, ciGet(listed, 'externalId'), s.sent.externalId, 'externalId is returned by default');
  const mgr = ciGet(ciGet(listed, ENTERPRISE_URN), 'manager');
  verify.equal(res, ciGet(mgr, 'value'), pop.manager.id, `${ENTERPRISE_URN}:manager.value is returned by default`);
  const roles = ciGet(listed, 'roles');
  const names = Array.isArray(roles) ? roles.map((r) => String(ciGet(r, 'value') ?? '').toLowerCase()) : [];
  verify.that(res, names.includes(String(target.org.role).toLowerCase()), 'roles are returned by default', `roles holding "${target.org.role}"`, roles ?? '(absent)');
});

/** The attributes a list request for `attributes=id,active` may return: those two and the always-returned ones. */
const ID_ACTIVE_ALLOWED = new Set(['schemas', 'id', 'active', 'username', 'meta']);

behaviour('USR-LIST-ATTRIBUTES-ID-ACTIVE', 'returns only id and active (and the always-returned attributes) with attributes=id,active', async (ctx) => {
  const { verify } = ctx;
  const res = await readUsers(ctx, { attributes: 'id,active' });
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

behaviour('USR-LIST-EXCLUDED-SECONDARY', 'omits externalId, roles and the enterprise division with the documented excludedAttributes', async (ctx) => {
  const { verify } = ctx;
  const res = await readUsers(ctx, { excludedAttributes: `externalId,roles,${ENTERPRISE_URN}:division` });
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
