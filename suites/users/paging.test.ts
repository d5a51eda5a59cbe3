/**
 * Users list paging: startIndex and count (seed 000 getScimUsers / getScimV2Users: startIndex default 1, count
 * default 25, "A value of 0 returns totalResults", "A page size over 25 may exceed internal resource limits and
 * return a 429 error"; seed 002 get_scim_users; RFC 7644 §3.4.2.4). Checks that need to know exactly which users
 * match create them (one user selected by userName, or reports of a manager the check creates); checks about the
 * size of a page read the broad list (unfiltered on 2021, `active eq true` on 2019 where a filter is required).
 */
import {
  assertEveryRowUsed,
  behaviour,
  caseTable,
  fieldOf,
  idsOf,
  ownReports,
  ownUser,
  resources,
  rowsOf,
  skipIf2019Refuses,
  type BehaviourContext,
  type HttpResult,
  type Query,
} from '../../harness/index.ts';

interface PagingRow {
  behaviour: string;
  name: string;
  startIndex?: string;
  count?: string;
  query?: Query;
}

const TABLE = caseTable<PagingRow>('user-paging');

const PATH = '/users';
const DOC_PAGE_LIMIT = 25;

/**
 * GET of the broad users list (as many users as the org has): unfiltered on 2021; `active eq true` on 2019,
 * whose doc requires a filter but names none, so a 2019 server refusing it skips the check with the reason.
 */
async function broadList(ctx: BehaviourContext, query: Query, opts: { retryOn429?: boolean } = {}): Promise<HttpResult> {
  if (ctx.target.apiVersion !== '2019') return ctx.scim.get(PATH, { query, ...opts });
  const filter = 'active eq true';
  const res = await ctx.scim.get(PATH, { query: { filter, ...query }, ...opts });
  if (res.status === 400) ctx.skip(`this 2019 server refuses "${filter}" (400); the 2019 doc requires a filter but documents none that selects many users`, 'version');
  return res;
}


function listOk(ctx: BehaviourContext, res: HttpResult): void {
  ctx.verify.status(res, 200);
  ctx.verify.schema(res, 'ScimUserListResponse');
}

behaviour('USR-LIST-START-INDEX-DEFAULT', 'starts the page at the first result and reports startIndex 1 without startIndex', async (ctx) => {
  const own = await ownUser(ctx, 'page-start-default');
  const res = await ctx.scim.get(PATH, { query: own.query });
  listOk(ctx, res);
  ctx.verify.equal(res, res.body.startIndex, 1, 'startIndex of a request without startIndex');
  ctx.verify.equal(res, idsOf(res), [own.id], 'the page starts at the first (only) matching user');
});

behaviour('USR-LIST-COUNT-DEFAULT', 'returns at most 25 users without count', async (ctx) => {
  const res = await broadList(ctx, {});
  listOk(ctx, res);
  const n = resources(res).length;
  ctx.verify.that(res, n <= DOC_PAGE_LIMIT, 'at most 25 users without count (count default 25)', `<= ${DOC_PAGE_LIMIT}`, n);
});

behaviour('USR-LIST-COUNT-LIMIT', 'returns at most count users', async (ctx) => {
  const count = 2;
  const res = await broadList(ctx, { count: String(count) });
  listOk(ctx, res);
  if (res.body.totalResults <= count) ctx.skip(`the list holds ${res.body.totalResults} users; more than ${count} are needed to see a page limited by count`, 'inconclusive');
  const n = resources(res).length;
  ctx.verify.that(res, n <= count, `count=${count} returns at most ${count} users`, `<= ${count}`, n);
});

behaviour('USR-LIST-COUNT-ZERO', 'returns totalResults and no Resources with count=0', async (ctx) => {
  const own = await ownUser(ctx, 'page-count-zero');
  const res = await ctx.scim.get(PATH, { query: { ...own.query, count: '0' } });
  listOk(ctx, res);
  ctx.verify.equal(res, idsOf(res), [], 'no Resources with count=0');
  ctx.verify.equal(res, res.body.totalResults, 1, 'totalResults still counts the matching user with count=0');
});

behaviour('USR-LIST-START-INDEX-ECHO', 'echoes the requested startIndex', async (ctx) => {
  const startIndex = 2;
  const res = await broadList(ctx, { startIndex: String(startIndex), count: '1' });
  listOk(ctx, res);
  if (res.body.totalResults < startIndex) ctx.skip(`the list holds ${res.body.totalResults} users; at least ${startIndex} are needed`, 'inconclusive');
  ctx.verify.equal(res, res.body.startIndex, startIndex, 'startIndex of the response equals the requested startIndex');
});

behaviour.for(
  'USR-LIST-START-INDEX-BELOW-ONE',
  'interprets a startIndex below 1 as 1',
  rowsOf(TABLE, 'USR-LIST-START-INDEX-BELOW-ONE'),
  async (row, ctx) => {
    const own = await ownUser(ctx, 'page-start-below-one');
    const res = await ctx.scim.get(PATH, { query: { ...own.query, startIndex: fieldOf(TABLE, row, 'startIndex') } });
    listOk(ctx, res);
    ctx.verify.equal(res, res.body.startIndex, 1, `startIndex of the response to ${row.name}`);
    ctx.verify.equal(res, idsOf(res), [own.id], `${row.name} lists from the first (only) matching user`);
  },
);

behaviour.for('USR-LIST-COUNT-NEGATIVE', 'interprets a negative count as 0', rowsOf(TABLE, 'USR-LIST-COUNT-NEGATIVE'), async (row, ctx) => {
  const own = await ownUser(ctx, 'page-count-negative');
  const res = await ctx.scim.get(PATH, { query: { ...own.query, count: fieldOf(TABLE, row, 'count') } });
  listOk(ctx, res);
  ctx.verify.equal(res, idsOf(res), [], `no Resources with ${row.name} (interpreted as count=0)`);
  ctx.verify.equal(res, res.body.totalResults, 1, `totalResults still counts the matching user with ${row.name}`);
});

behaviour('USR-LIST-START-INDEX-BEYOND', 'answers a startIndex beyond totalResults with 200, no Resources and the same totalResults', async (ctx) => {
  const own = await ownUser(ctx, 'page-start-beyond');
  const res = await ctx.scim.get(PATH, { query: { ...own.query, startIndex: '2' } });
  listOk(ctx, res);
  ctx.verify.equal(res, idsOf(res), [], 'no Resources past the last (only) matching user');
  ctx.verify.equal(res, res.body.totalResults, 1, 'totalResults still counts the matching user');
});

behaviour('USR-LIST-PAGING-WALK', 'yields every matching user exactly once when walking the pages', async (ctx) => {
  const { verify } = ctx;
  const set = await ownReports(ctx, 3, 'page-walk');
  const count = 2;
  const maxPages = 5;
  const seen: string[] = [];
  let total: number | undefined;
  let startIndex = 1;
  let last: HttpResult | undefined;
  for (let page = 0; page < maxPages; page++) {
    const res = await ctx.scim.get(PATH, { query: { ...set.query, startIndex: String(startIndex), count: String(count) } });
    if (page === 0) skipIf2019Refuses(ctx, res, set.query.filter);
    listOk(ctx, res);
    last = res;
    total ??= res.body.totalResults;
    verify.equal(res, res.body.totalResults, total, `totalResults is the same on every page (page at startIndex ${startIndex})`);
    const ids = idsOf(res);
    const repeated = ids.filter((id) => seen.includes(id));
    verify.equal(res, repeated, [], `no user listed again on the page at startIndex ${startIndex}`);
    seen.push(...ids);
    const step = typeof res.body.itemsPerPage === 'number' ? res.body.itemsPerPage : ids.length;
    if (ids.length === 0 || step <= 0) break;
    startIndex += step;
    if (startIndex > (total ?? 0)) break;
  }
  verify.equal(last, total, set.ids.length, 'totalResults counts the users reporting to the manager');
  verify.equal(last, [...seen].sort(), [...set.ids].sort(), `the pages (count=${count}, startIndex += itemsPerPage) together list every report exactly once`);
});

behaviour('USR-LIST-COUNT-OVER-25-429', 'answers count > 25 with default attributes with 200, or 429 with Retry-After', async (ctx) => {
  const res = await broadList(ctx, { count: String(DOC_PAGE_LIMIT + 1) }, { retryOn429: false });
  ctx.verify.status(res, [200, 429], 'count=26 is served (200) or refused as too expensive (429), never another status');
  if (res.status === 429) {
    ctx.verify.header(res, 'Retry-After', /^\s*(\d+|[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT)\s*$/);
  } else {
    ctx.verify.schema(res, 'ScimUserListResponse');
    const n = resources(res).length;
    ctx.verify.that(res, n <= DOC_PAGE_LIMIT + 1, 'a 200 page holds at most count users', `<= ${DOC_PAGE_LIMIT + 1}`, n);
  }
});

behaviour.for(
  'USR-LIST-COUNT-OVER-25-LIGHT',
  'serves count > 25 with 200 when the secondary lookups are left out',
  rowsOf(TABLE, 'USR-LIST-COUNT-OVER-25-LIGHT'),
  async (row, ctx) => {
    const query = fieldOf(TABLE, row, 'query');
    const count = Number(query.count);
    if (!Number.isInteger(count)) throw new Error(`${TABLE.file}: row ${JSON.stringify(row.name)} sends no count in its query`);
    const res = await broadList(ctx, query, { retryOn429: false });
    listOk(ctx, res);
    const n = resources(res).length;
    ctx.verify.that(res, n <= count, 'the page holds at most count users', `<= ${count}`, n);
  },
);

assertEveryRowUsed(TABLE);
