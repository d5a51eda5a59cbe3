/**
 * Lists (RFC 7644 §3.4.2-§3.4.3) over the population of users the run created: the ListResponse envelope,
 * sorting (where the ServiceProviderConfig declares sort), pagination as properties (pages of any size together
 * give every match once, totalResults stable, startIndex below 1 read as 1, count 0 and negative) and POST .search.
 */
import fc from 'fast-check';
import {
  behaviour,
  ciGet,
  compareForSort,
  LIST_RESPONSE_URN,
  listUsers,
  parseFilter,
  population,
  requireAttributes,
  resources,
  SEARCH_REQUEST_URN,
  select,
  shortNames,
  sortValue,
  type BehaviourContext,
  type Population,
} from '../../harness/index.ts';

function names(pop: Population, items: Record<string, any>[]): string[] {
  return items.map((u) => String(ciGet(u, 'userName') ?? u.id).replace(pop.prefix, '…'));
}

behaviour('RFC-LIST-RESPONSE', 'answers a filtered list with a ListResponse and its paging fields', async (ctx) => {
  const pop = await population(ctx);
  const res = await ctx.scim.get('/Users', { query: { filter: pop.scope, count: '2' } });
  ctx.verify.status(res, 200);
  ctx.verify.contentType(res);
  ctx.verify.schema(res, 'ScimListResponse');
  ctx.verify.equal(res, res.body.schemas, [LIST_RESPONSE_URN], 'schemas is the ListResponse message URN');
  ctx.verify.equal(res, res.body.totalResults, pop.members.length, 'totalResults counts every match');
  ctx.verify.equal(res, resources(res).length, 2, 'count=2 returns two resources');
  ctx.verify.equal(res, res.body.startIndex, 1, 'startIndex is given (REQUIRED when partial results are returned) and is 1');
  ctx.verify.equal(res, res.body.itemsPerPage, 2, 'itemsPerPage is given (REQUIRED when partial results are returned) and is 2');
  resources(res).forEach((u, i) => ctx.verify.schema(res, 'Rfc7643User', u, `Resources[${i}] is a User`));
});

async function sorted(ctx: BehaviourContext, order?: 'descending'): Promise<void> {
  const pop = await population(ctx);
  requireAttributes(ctx, pop.schema, ['userName']);
  const info = pop.lookup({ attr: 'userName' }) ?? {};
  const expected = [...pop.members].sort((a, b) => compareForSort(sortValue(a, { attr: 'userName' }), sortValue(b, { attr: 'userName' }), info));
  if (order === 'descending') expected.reverse();
  const res = await listUsers(ctx, { filter: pop.scope, sortBy: 'userName', ...(order ? { sortOrder: order } : {}) });
  ctx.verify.status(res, 200);
  ctx.verify.schema(res, 'ScimListResponse');
  ctx.verify.equal(
    res,
    names(pop, resources(res)),
    names(pop, expected),
    `users ordered by userName ${order ?? 'ascending (the default)'}, ${info.caseExact ? 'case-sensitively (caseExact true)' : 'case-insensitively (caseExact false)'}`,
  );
}

behaviour('RFC-SORT-ASCENDING', 'sorts by userName in ascending order by default, following caseExact', (ctx) => sorted(ctx));
behaviour('RFC-SORT-DESCENDING', 'sorts by userName in descending order with sortOrder=descending', (ctx) => sorted(ctx, 'descending'));

behaviour('RFC-PAGE-WALK', 'lists every match exactly once across pages of any size, with a stable totalResults', async (ctx) => {
  const pop = await population(ctx);
  const all = new Set(pop.members.map((m) => m.id));
  const property = fc.asyncProperty(fc.integer({ min: 1, max: pop.members.length + 1 }), async (count) => {
    const seen: string[] = [];
    for (let start = 1, page = 0; page < pop.members.length + 1; page++) {
      const res = await ctx.scim.get('/Users', { query: { filter: pop.scope, startIndex: String(start), count: String(count) } });
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
  const first = await ctx.scim.get('/Users', { query: { filter: pop.scope, startIndex: '1', count: '2' } });
  ctx.verify.status(first, 200);
  ctx.verify.schema(first, 'ScimListResponse');
  for (const start of ['0', '-3']) {
    const res = await ctx.scim.get('/Users', { query: { filter: pop.scope, startIndex: start, count: '2' } });
    ctx.verify.status(res, 200, `startIndex=${start}`);
    ctx.verify.schema(res, 'ScimListResponse');
    ctx.verify.equal(res, names(pop, resources(res)), names(pop, resources(first)), `startIndex=${start} lists what startIndex=1 lists`);
    if (res.body.startIndex !== undefined) ctx.verify.equal(res, res.body.startIndex, 1, `startIndex=${start} is reported as 1`);
  }
});

behaviour('RFC-PAGE-COUNT-ZERO', 'returns only totalResults for count=0 and reads a negative count as 0', async (ctx) => {
  const pop = await population(ctx);
  for (const count of ['0', '-1']) {
    const res = await ctx.scim.get('/Users', { query: { filter: pop.scope, count } });
    ctx.verify.status(res, 200, `count=${count}`);
    ctx.verify.schema(res, 'ScimListResponse');
    ctx.verify.equal(res, resources(res).length, 0, `count=${count} returns no resources`);
    ctx.verify.equal(res, res.body.totalResults, pop.members.length, `count=${count} still counts every match in totalResults`);
  }
});

behaviour('RFC-SEARCH-POST', 'returns for POST /Users/.search the users the same GET query returns', async (ctx) => {
  const pop = await population(ctx);
  requireAttributes(ctx, pop.schema, ['displayName']);
  const clause = 'displayName co "Engineer"';
  const filter = `${pop.scope} and ${clause}`;
  const expected = select(parseFilter(clause), pop.members, pop.lookup);
  const res = await ctx.scim.post('/Users/.search', { schemas: [SEARCH_REQUEST_URN], filter, startIndex: 1, count: 100 });
  if (res.status === 501) ctx.skip('the server answers POST /Users/.search with 501 Not Implemented', 'capability');
  ctx.verify.status(res, 200);
  ctx.verify.schema(res, 'ScimListResponse');
  ctx.verify.equal(res, shortNames(pop, resources(res)), shortNames(pop, expected), `the users selected by ${clause}`);
});
