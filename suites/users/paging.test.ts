/**
 * Users list paging: startIndex and count (seed 000 getScimUsers / getScimV2Users: startIndex default 1, count
 * default 25, "A value of 0 returns totalResults", "A page size over 25 may exceed internal resource limits and
 * return a 429 error"; seed 002 get_scim_users; RFC 7644 §3.4.2.4). Checks that need to know exactly which users
 * match read the run's read population (harness/checks/user-population.ts): its subject S selected by userName, or
 * the reports of its manager; checks about the size of a page read the broad list (unfiltered on 2021, `active eq
 * true` on 2019 where a filter is required). Lists of the population are polled until it shows (a live org's index
 * lags writes), and every list is read once per prefix for all the checks that judge it.
 */
import {
  assertEveryRowUsed,
  behaviour,
  caseTable,
  fieldOf,
  idsOf,
  needFilter,
  readUsers,
  REPORTS_PAGE,
  reportsPage,
  reportsQuery,
  resources,
  rowsOf,
  skipIf2019Refuses,
  subjectQuery,
  userPopulation,
  type BehaviourContext,
  type HttpResult,
  type Query,
  type UserPopulation,
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
const BROAD_2019 = 'active eq true';

/**
 * The broad users list (as many users as the org has) with `query`: unfiltered on 2021; `active eq true` on 2019,
 * whose doc requires a filter but names none, so a 2019 server refusing it skips the check with the reason. A check
 * that judges a documented 429 sends its own request (`retryOn429: false`); the others share one per prefix.
 */
async function broadList(ctx: BehaviourContext, query: Query, opts: { retryOn429?: boolean } = {}): Promise<HttpResult> {
  const v2019 = ctx.target.apiVersion === '2019';
  const q = v2019 ? { filter: BROAD_2019, ...query } : query;
  const res = opts.retryOn429 === false ? await ctx.scim.get(PATH, { query: q, retryOn429: false }) : await readUsers(ctx, q);
  if (v2019 && res.status === 400) ctx.skip(`this 2019 server refuses "${BROAD_2019}" (400); the 2019 doc requires a filter but documents none that selects many users`, 'version');
  return res;
}

function listOk(ctx: BehaviourContext, res: HttpResult): void {
  ctx.verify.status(res, 200);
  ctx.verify.schema(res, 'ScimUserListResponse');
}

/** The list of the population's subject S alone (`userName eq`), with `query`; polled until it counts S. */
async function subjectList(ctx: BehaviourContext, query: Query = {}): Promise<{ pop: UserPopulation; res: HttpResult }> {
  needFilter(ctx);
  const pop = await userPopulation(ctx);
  const listsS = !('count' in query) && !('startIndex' in query && Number(query.startIndex) > 1);
  const res = await readUsers(ctx, { ...subjectQuery(pop), ...query }, listsS ? { ids: [pop.subject.id] } : { total: 1 });
  return { pop, res };
}

// ------------------------------------------------------------------ the size of a page (the broad list)

behaviour('USR-LIST-COUNT-DEFAULT', 'returns at most 25 users without count', async (ctx) => {
  const res = await broadList(ctx, {});
  listOk(ctx, res);
  const n = resources(res).length;
  ctx.verify.that(res, n <= DOC_PAGE_LIMIT, 'at most 25 users without count (count default 25)', `<= ${DOC_PAGE_LIMIT}`, n);
});

/** One page of the broad list judged by USR-LIST-COUNT-LIMIT (count) and USR-LIST-START-INDEX-ECHO (startIndex). */
const SECOND_PAGE = { startIndex: 2, count: 2 };
const secondPage = (ctx: BehaviourContext) => broadList(ctx, { startIndex: String(SECOND_PAGE.startIndex), count: String(SECOND_PAGE.count) });

behaviour('USR-LIST-COUNT-LIMIT', 'returns at most count users', async (ctx) => {
  const { startIndex, count } = SECOND_PAGE;
  const res = await secondPage(ctx);
  listOk(ctx, res);
  const left = res.body.totalResults - (startIndex - 1);
  if (left <= count) ctx.skip(`the list holds ${res.body.totalResults} users; more than ${count} from startIndex ${startIndex} are needed to see a page limited by count`, 'inconclusive');
  const n = resources(res).length;
  ctx.verify.that(res, n <= count, `count=${count} returns at most ${count} users`, `<= ${count}`, n);
});

behaviour('USR-LIST-START-INDEX-ECHO', 'echoes the requested startIndex', async (ctx) => {
  const { startIndex } = SECOND_PAGE;
  const res = await secondPage(ctx);
  listOk(ctx, res);
  if (res.body.totalResults < startIndex) ctx.skip(`the list holds ${res.body.totalResults} users; at least ${startIndex} are needed`, 'inconclusive');
  ctx.verify.equal(res, res.body.startIndex, startIndex, 'startIndex of the response equals the requested startIndex');
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

// ------------------------------------------------------------------ which users a page holds (the population)

behaviour('USR-LIST-START-INDEX-DEFAULT', 'starts the page at the first result and reports startIndex 1 without startIndex', async (ctx) => {
  const { pop, res } = await subjectList(ctx);
  listOk(ctx, res);
  ctx.verify.equal(res, res.body.startIndex, 1, 'startIndex of a request without startIndex');
  ctx.verify.equal(res, idsOf(res), [pop.subject.id], 'the page starts at the first (only) matching user');
});

behaviour('USR-LIST-COUNT-ZERO', 'returns totalResults and no Resources with count=0', async (ctx) => {
  const { res } = await subjectList(ctx, { count: '0' });
  listOk(ctx, res);
  ctx.verify.equal(res, idsOf(res), [], 'no Resources with count=0');
  ctx.verify.equal(res, res.body.totalResults, 1, 'totalResults still counts the matching user with count=0');
});

behaviour.for(
  'USR-LIST-START-INDEX-BELOW-ONE',
  'interprets a startIndex below 1 as 1',
  rowsOf(TABLE, 'USR-LIST-START-INDEX-BELOW-ONE'),
  async (row, ctx) => {
    const { pop, res } = await subjectList(ctx, { startIndex: fieldOf(TABLE, row, 'startIndex') });
    listOk(ctx, res);
    ctx.verify.equal(res, res.body.startIndex, 1, `startIndex of the response to ${row.name}`);
    ctx.verify.equal(res, idsOf(res), [pop.subject.id], `${row.name} lists from the first (only) matching user`);
  },
);

behaviour.for('USR-LIST-COUNT-NEGATIVE', 'interprets a negative count as 0', rowsOf(TABLE, 'USR-LIST-COUNT-NEGATIVE'), async (row, ctx) => {
  const { res } = await subjectList(ctx, { count: fieldOf(TABLE, row, 'count') });
  listOk(ctx, res);
  ctx.verify.equal(res, idsOf(res), [], `no Resources with ${row.name} (interpreted as count=0)`);
  ctx.verify.equal(res, res.body.totalResults, 1, `totalResults still counts the matching user with ${row.name}`);
});

behaviour('USR-LIST-START-INDEX-BEYOND', 'answers a startIndex beyond totalResults with 200, no Resources and the same totalResults', async (ctx) => {
  const { res } = await subjectList(ctx, { startIndex: '2' });
  listOk(ctx, res);
  ctx.verify.equal(res, idsOf(res), [], 'no Resources past the last (only) matching user');
  ctx.verify.equal(res, res.body.totalResults, 1, 'totalResults still counts the matching user');
});

behaviour('USR-LIST-PAGING-WALK', 'yields every matching user exactly once when walking the pages', async (ctx) => {
  const { verify } = ctx;
  const pop = await userPopulation(ctx);
  const maxPages = 5;
  const pages: HttpResult[] = [];
  let startIndex = 1;
  for (let page = 0; page < maxPages; page++) {
    const res = await reportsPage(ctx, pop, startIndex);
    if (page === 0) skipIf2019Refuses(ctx, res, reportsQuery(pop).filter);
    listOk(ctx, res);
    pages.push(res);
    const step = typeof res.body.itemsPerPage === 'number' ? res.body.itemsPerPage : idsOf(res).length;
    if (idsOf(res).length === 0 || step <= 0) break;
    startIndex += step;
    if (startIndex > (pages[0].body.totalResults ?? 0)) break;
  }
  const total = pages[0].body.totalResults;
  const seen: string[] = [];
  for (const res of pages) {
    verify.equal(res, res.body.totalResults, total, `totalResults is the same on every page (page at startIndex ${res.body.startIndex})`);
    const ids = idsOf(res);
    verify.equal(res, ids.filter((id) => seen.includes(id)), [], `no user listed again on the page at startIndex ${res.body.startIndex}`);
    seen.push(...ids);
  }
  const last = pages[pages.length - 1];
  verify.equal(last, total, pop.reports.length, "totalResults counts the users reporting to the population's manager");
  verify.equal(last, [...seen].sort(), [...pop.reports].sort(), `the pages (count=${REPORTS_PAGE}, startIndex += itemsPerPage) together list every report exactly once`);
});

assertEveryRowUsed(TABLE);
