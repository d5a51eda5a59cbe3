/**
 * Lists (RFC 7644 §3.4.2-§3.4.3) over the population of users the run created: the ListResponse envelope,
 * sorting (where the ServiceProviderConfig declares sort), pagination as properties (pages of any size together
 * give every match once, totalResults stable, startIndex below 1 read as 1, count 0 and negative, itemsPerPage, a
 * startIndex past the end, count above maxResults) and POST .search.
 *
 * Every list is scoped to the population when the server has a filter that selects exactly it (userName sw, or an
 * or of userName eq: harness/checks/rfc7644-population.ts), and otherwise unfiltered, the population picked out of
 * it: then totals are "at least the population" (other checks add and remove users meanwhile), and the page walk,
 * which needs a set that holds still, skips with the reason.
 */
import fc from 'fast-check';
import {
  askFilter,
  behaviour,
  ciGet,
  compareForSort,
  CORE_USER_URN,
  discovery,
  findAttribute,
  LIST_RESPONSE_URN,
  membersIn,
  population,
  readPages,
  requireAttributes,
  resources,
  scopeQuery,
  SEARCH_REQUEST_URN,
  shortNames,
  sortValue,
  type BehaviourContext,
  type HttpResult,
  type Listing,
  type Population,
} from '../../harness/index.ts';

function names(pop: Population, items: Record<string, any>[]): string[] {
  return items.map((u) => String(ciGet(u, 'userName') ?? u.id).replace(pop.prefix, '…'));
}

const scoped = (pop: Population) => pop.scope.kind === 'filter';

/** GET /Users inside the population's scope (when it has one), with paging parameters. */
function page(ctx: BehaviourContext, pop: Population, paging: Record<string, string>): Promise<HttpResult> {
  return ctx.scim.get('/Users', { query: { ...scopeQuery(pop), ...paging } });
}

/** totalResults: exactly the population when scoped; at least it when the list is the whole collection. */
function verifyTotal(ctx: BehaviourContext, pop: Population, res: HttpResult, what: string): void {
  const total = res.body?.totalResults;
  if (scoped(pop)) ctx.verify.equal(res, total, pop.members.length, `${what}: totalResults counts every match`);
  else ctx.verify.that(res, typeof total === 'number' && total >= pop.members.length, `${what}: totalResults counts every user, the run's ${pop.members.length} at least`, `≥ ${pop.members.length}`, total);
}

behaviour('RFC-LIST-RESPONSE', 'answers a list with a ListResponse and its paging fields', async (ctx) => {
  const pop = await population(ctx);
  const res = await page(ctx, pop, { count: '2' });
  ctx.verify.status(res, 200);
  ctx.verify.contentType(res);
  ctx.verify.schema(res, 'ScimListResponse');
  ctx.verify.equal(res, res.body.schemas, [LIST_RESPONSE_URN], 'schemas is the ListResponse message URN');
  verifyTotal(ctx, pop, res, 'count=2');
  ctx.verify.equal(res, resources(res).length, 2, 'count=2 returns two resources');
  ctx.verify.equal(res, res.body.startIndex, 1, 'startIndex is given (REQUIRED when partial results are returned) and is 1');
  ctx.verify.equal(res, res.body.itemsPerPage, 2, 'itemsPerPage is given (REQUIRED when partial results are returned) and is 2');
  resources(res).forEach((u, i) => ctx.verify.schema(res, 'Rfc7643User', u, `Resources[${i}] is a User`));
});

async function sorted(ctx: BehaviourContext, order?: 'descending', sortBy = 'userName'): Promise<void> {
  const pop = await population(ctx);
  requireAttributes(ctx, pop.schema, ['userName']);
  const info = pop.lookup({ attr: 'userName' }) ?? {};
  const expected = [...pop.members].sort((a, b) => compareForSort(sortValue(a, { attr: 'userName' }), sortValue(b, { attr: 'userName' }), info));
  if (order === 'descending') expected.reverse();
  const query = { ...scopeQuery(pop), sortBy, ...(order ? { sortOrder: order } : {}) };
  const listing = await readPages(ctx, await ctx.scim.get('/Users', { query }), query, `GET /Users?sortBy=${sortBy}${order ? `&sortOrder=${order}` : ''}`);
  const got = membersIn(pop, listing.items);
  // Unscoped, the run's users are in the whole (sorted) collection: their order among themselves is what is judged.
  if (!scoped(pop) && got.length < pop.members.length) {
    ctx.skip(`the sorted list holds ${listing.total} users, more than this check pages through, and no filter scopes it to the run's users (${(pop.scope as { why: string }).why})`, 'inconclusive');
  }
  const which = scoped(pop) ? listing.items : got;
  ctx.verify.equal(
    listing.first,
    names(pop, which),
    names(pop, expected),
    `users ordered by ${sortBy} ${order ?? 'ascending (the default)'}, ${info.caseExact ? 'case-sensitively (caseExact true)' : 'case-insensitively (caseExact false)'}`,
  );
}

behaviour('RFC-SORT-ASCENDING', 'sorts by userName in ascending order by default, following caseExact', (ctx) => sorted(ctx));
behaviour('RFC-SORT-DESCENDING', 'sorts by userName in descending order with sortOrder=descending', (ctx) => sorted(ctx, 'descending'));

behaviour('RFC-PAGE-WALK', 'lists every match exactly once across pages of any size, with a stable totalResults', async (ctx) => {
  const pop = await population(ctx);
  if (pop.scope.kind === 'none') {
    return ctx.skip(`pages are walked over a filter that selects exactly the run's users, a set that holds still; the whole collection changes while other checks run (${pop.scope.why})`, 'capability');
  }
  const filter = pop.scope.text;
  const all = new Set(pop.members.map((m) => m.id));
  const property = fc.asyncProperty(fc.integer({ min: 1, max: pop.members.length + 1 }), async (count) => {
    const seen: string[] = [];
    for (let start = 1, n = 0; n < pop.members.length + 1; n++) {
      const res = await ctx.scim.get('/Users', { query: { filter, startIndex: String(start), count: String(count) } });
      ctx.verify.status(res, 200, `page startIndex=${start}&count=${count}`);
      ctx.verify.schema(res, 'ScimListResponse');
      ctx.verify.equal(res, res.body.totalResults, pop.members.length, `totalResults on page startIndex=${start}&count=${count}`);
      const items = resources(res);
      ctx.verify.that(res, items.length <= count, `at most count=${count} resources`, `≤ ${count}`, items.length);
      seen.push(...items.map((u) => u.id));
      if (items.length === 0 || start + items.length > pop.members.length) break;
      start += items.length;
    }
    const dupes = seen.filter((id, i) => seen.indexOf(id) !== i);
    const fail = (check: string, expected: unknown, actual: unknown) => ctx.verify.fail(`${check} (pages of count=${count})`, expected, actual);
    if (dupes.length) fail('no user is listed twice across the pages', [], names(pop, pop.members.filter((m) => dupes.includes(m.id))));
    const missing = [...all].filter((id) => !seen.includes(id));
    if (missing.length) fail('the pages together list every match', [], names(pop, pop.members.filter((m) => missing.includes(m.id))));
  });
  const out = await fc.check(property, { numRuns: 4 });
  if (out.failed) throw out.errorInstance;
});

behaviour('RFC-PAGE-START-INDEX-BELOW-1', 'reads a startIndex below 1 as 1', async (ctx) => {
  const pop = await population(ctx);
  const first = await page(ctx, pop, { startIndex: '1', count: '2' });
  ctx.verify.status(first, 200);
  ctx.verify.schema(first, 'ScimListResponse');
  for (const start of ['0', '-3']) {
    const res = await page(ctx, pop, { startIndex: start, count: '2' });
    ctx.verify.status(res, 200, `startIndex=${start}`);
    ctx.verify.schema(res, 'ScimListResponse');
    let same = names(pop, resources(first));
    if (!scoped(pop) && names(pop, resources(res)).join() !== same.join()) {
      // The whole collection may have changed in between: startIndex=1 again, right after.
      const again = await page(ctx, pop, { startIndex: '1', count: '2' });
      ctx.verify.status(again, 200, 'startIndex=1 (again)');
      same = names(pop, resources(again));
    }
    ctx.verify.equal(res, names(pop, resources(res)), same, `startIndex=${start} lists what startIndex=1 lists`);
    if (res.body.startIndex !== undefined) ctx.verify.equal(res, res.body.startIndex, 1, `startIndex=${start} is reported as 1`);
  }
});

behaviour('RFC-PAGE-COUNT-ZERO', 'returns only totalResults for count=0 and reads a negative count as 0', async (ctx) => {
  const pop = await population(ctx);
  for (const count of ['0', '-1']) {
    const res = await page(ctx, pop, { count });
    ctx.verify.status(res, 200, `count=${count}`);
    ctx.verify.schema(res, 'ScimListResponse');
    ctx.verify.equal(res, resources(res).length, 0, `count=${count} returns no resources`);
    verifyTotal(ctx, pop, res, `count=${count}`);
  }
});

behaviour('RFC-PAGE-ITEMS-PER-PAGE', 'reports in itemsPerPage the number of resources the page holds, on a full and on a last, partial page', async (ctx) => {
  const pop = await population(ctx);
  const count = 3;
  const full = await page(ctx, pop, { startIndex: '1', count: String(count) });
  ctx.verify.status(full, 200, `startIndex=1&count=${count}`);
  ctx.verify.schema(full, 'ScimListResponse');
  const total = full.body.totalResults as number;
  // The last page: it starts two before the end, so it holds fewer than count resources.
  const lastStart = Math.max(1, total - 1);
  const last = await page(ctx, pop, { startIndex: String(lastStart), count: String(count) });
  ctx.verify.status(last, 200, `startIndex=${lastStart}&count=${count}`);
  ctx.verify.schema(last, 'ScimListResponse');
  for (const [what, res] of [[`startIndex=1&count=${count}`, full], [`startIndex=${lastStart}&count=${count} (the last page)`, last]] as const) {
    const held = resources(res).length;
    ctx.verify.that(res, held <= count, `${what}: at most count resources`, `≤ ${count}`, held);
    ctx.verify.equal(
      res,
      res.body.itemsPerPage,
      held,
      `${what}: itemsPerPage is the number of resources returned in this page (RFC 7644 §3.4.2: REQUIRED when partial results are returned due to pagination)`,
    );
  }
});

behaviour('RFC-PAGE-START-INDEX-PAST-END', 'answers a startIndex past the last result with no resources and the totalResults', async (ctx) => {
  const pop = await population(ctx);
  const probe = await page(ctx, pop, { count: '1' });
  ctx.verify.status(probe, 200, 'count=1 (for totalResults)');
  ctx.verify.schema(probe, 'ScimListResponse');
  // Well past the end: other checks may add users to an unscoped collection meanwhile.
  const start = (probe.body.totalResults as number) + (scoped(pop) ? 5 : 100);
  const res = await page(ctx, pop, { startIndex: String(start), count: '2' });
  ctx.verify.status(res, 200, `startIndex=${start}`);
  ctx.verify.schema(res, 'ScimListResponse');
  ctx.verify.equal(res, names(pop, resources(res)), [], `startIndex=${start} is past the last result: no resources`);
  verifyTotal(ctx, pop, res, `startIndex=${start}`);
  if (res.body.itemsPerPage !== undefined) ctx.verify.equal(res, res.body.itemsPerPage, 0, 'itemsPerPage counts the resources of this page');
});

/** Above this maxResults a page of maxResults + 1 users costs more than a check should fetch. */
const MAX_RESULTS_BUDGET = 200;

behaviour('RFC-PAGE-MAX-RESULTS', 'returns at most filter.maxResults resources for a count above it', async (ctx) => {
  const d = await discovery(ctx);
  ctx.verify.status(d.spc, 200, 'GET /ServiceProviderConfig (filter.maxResults is read from it)');
  ctx.verify.schema(d.spc, 'ScimServiceProviderConfig');
  const max = ciGet(ciGet(d.spc.body, 'filter'), 'maxResults');
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1) {
    ctx.skip(`the ServiceProviderConfig declares no positive filter.maxResults (${JSON.stringify(max) ?? 'absent'}): nothing to cap by`, 'capability');
  }
  const maxResults = max as number;
  if (maxResults > MAX_RESULTS_BUDGET) ctx.skip(`filter.maxResults is ${maxResults}: a page of ${maxResults + 1} users costs more than this check fetches (${MAX_RESULTS_BUDGET})`, 'inconclusive');
  const probe = await ctx.scim.get('/Users', { query: { count: '1' } });
  ctx.verify.status(probe, 200, 'GET /Users?count=1 (for totalResults)');
  ctx.verify.schema(probe, 'ScimListResponse');
  const total = probe.body.totalResults as number;
  if (total <= maxResults) ctx.skip(`the server holds ${total} users, no more than filter.maxResults (${maxResults}): no page could exceed it`, 'inconclusive');
  const res = await ctx.scim.get('/Users', { query: { count: String(maxResults + 1) } });
  if (res.status === 400) {
    // "too many results" is the other answer RFC 7644 §3.4.2.2 and Table 9 (tooMany) give.
    ctx.verify.rfcError(res, 400, 'tooMany');
    return;
  }
  ctx.verify.status(res, 200, `GET /Users?count=${maxResults + 1}: 200 with at most maxResults users (or 400 tooMany)`);
  ctx.verify.schema(res, 'ScimListResponse');
  const held = resources(res).length;
  ctx.verify.that(res, held <= maxResults, `count=${maxResults + 1} returns at most filter.maxResults (${maxResults}) resources`, `≤ ${maxResults}`, held);
  if (res.body.itemsPerPage !== undefined) ctx.verify.that(res, res.body.itemsPerPage <= maxResults, `itemsPerPage is at most filter.maxResults (${maxResults})`, `≤ ${maxResults}`, res.body.itemsPerPage);
});

behaviour('RFC-SEARCH-POST', 'returns for POST /Users/.search the users the same GET query returns', async (ctx) => {
  const pop = await population(ctx);
  // The population's own filter, or else eq on one run user's userName (which any filtering server supports).
  const one = pop.members[2];
  const filter = pop.scope.kind === 'filter' ? pop.scope.text : `userName eq ${JSON.stringify(one.userName)}`;
  const expected = pop.scope.kind === 'filter' ? pop.members : [one];
  const res = await ctx.scim.post('/Users/.search', { schemas: [SEARCH_REQUEST_URN], filter, startIndex: 1, count: 100 });
  if (res.status === 501) ctx.skip('the server answers POST /Users/.search with 501 Not Implemented', 'capability');
  ctx.verify.status(res, 200);
  ctx.verify.schema(res, 'ScimListResponse');
  ctx.verify.equal(res, shortNames(pop, resources(res)), shortNames(pop, expected), `the users selected by ${filter}`);
});

const QUALIFIED_USER_NAME = `${CORE_USER_URN}:userName`;

behaviour('RFC-ATTRIBUTE-URN-NAMES', `reads ${QUALIFIED_USER_NAME} like userName in attributes, a filter and sortBy`, async (ctx) => {
  const pop = await population(ctx);
  requireAttributes(ctx, pop.schema, ['userName']);
  const one = pop.members[1];
  // attributes (always judged): the user's userName, and nothing returned by default only.
  const res = await ctx.scim.get(`/Users/${encodeURIComponent(one.id)}`, { query: { attributes: QUALIFIED_USER_NAME } });
  ctx.verify.status(res, 200, `GET /Users/{id}?attributes=${QUALIFIED_USER_NAME}`);
  ctx.verify.schema(res, 'Rfc7643User');
  ctx.verify.equal(res, ciGet(res.body, 'userName'), one.userName, `userName is returned for attributes=${QUALIFIED_USER_NAME}`);
  const held = ['displayName', 'title', 'externalId'].filter((n) => ciGet(one, n) !== undefined && findAttribute(pop.schema, n)?.returned !== 'always');
  ctx.verify.equal(res, held.filter((n) => ciGet(res.body, n) !== undefined), [], `attributes=${QUALIFIED_USER_NAME} leaves out what it does not name`);
  // A filter, where the server filters by the short name (RFC 7644 §3.10; Figure 1: attrPath = [URI ":"] ATTRNAME).
  if (ctx.target.capabilities.filter !== false) {
    const short = await askFilter(ctx, `userName eq ${JSON.stringify(one.userName)}`);
    if ('listing' in short) {
      const filter = `${QUALIFIED_USER_NAME} eq ${JSON.stringify(one.userName)}`;
      const full = await askFilter(ctx, filter);
      if ('refused' in full) {
        ctx.verify.fail('the fully qualified name of an attribute the server filters by is accepted (RFC 7644 §3.10, §3.4.2.2)', `200 with ${shortNames(pop, [one])}`, `400 invalidFilter: ${full.refused.detail}`, full.refused.res);
      }
      const { listing } = full as { listing: Listing };
      ctx.verify.equal(listing.first, shortNames(pop, listing.items), shortNames(pop, [one]), `the users selected by ${filter}`);
    }
  }
  // sortBy, where the server sorts.
  if (ctx.target.capabilities.sort === true) await sorted(ctx, 'descending', QUALIFIED_USER_NAME);
});
