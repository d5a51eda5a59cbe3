/**
 * GET groups: the ListResponse and its paging (seed 000 getScimGroups / getScimV2Groups: startIndex default 1,
 * count default 25, "A value of 0 returns totalResults", "A page size over 25 may … return a 429 error", "If nothing
 * is specified, returns all groups"; seed 002 get_scim_groups / get_scim_v2_groups; RFC 7644 §3.4.2, §3.4.2.4).
 *
 * Lists are read-only here and bounded (at most 5 pages). A list answer is shared by the checks of this prefix that
 * send the same request (ctx.read). Other checks create and delete groups while these run, and a live org's lists lag
 * writes, so a comparison of list answers that disagree is made again with fresh answers, until they agree or the
 * index wait runs out (ctx.eventually; once on the embedded emulator): a fault of the server persists, a change of
 * the list does not. The last comparison is judged.
 */
import { behaviour, idsOf, readableGroupId, resources, type BehaviourContext, type HttpResult } from '../../harness/index.ts';


const PATH = '/groups';
const LIST_URN = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
/** The documented default and safe page size (seed 000: count default 25, "A page size over 25 may … 429"). */
const PAGE_SIZE = 25;
const MAX_PAGES = 5;

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * GET groups with `query`: 200 and a valid ScimGroupListResponse. The answer is shared by the checks of this prefix
 * sending the same query (ctx.read), unless `fresh`.
 */
async function list(ctx: BehaviourContext, query: Record<string, string | number> = {}, check = 'GET groups', fresh = false): Promise<HttpResult> {
  const res = fresh ? await ctx.scim.get(PATH, { query }) : await ctx.read(PATH, { query });
  ctx.verify.status(res, 200, `${check}: HTTP status`);
  ctx.verify.schema(res, 'ScimGroupListResponse', res.body, `${check}: body is a valid ScimGroupListResponse`);
  return res;
}

/**
 * List answers that must agree: `read(false)` gives them from the shared answers; when they disagree, `read(true)` is
 * sent afresh until they agree or the index wait runs out (at least once). Returns the last, for the check to judge.
 */
async function agreeing<T extends { last: HttpResult }>(ctx: BehaviourContext, read: (fresh: boolean) => Promise<T>, agree: (x: T) => boolean): Promise<T> {
  let x = await read(false);
  if (agree(x)) return x;
  await ctx.eventually(
    async () => (x = await read(true)).last,
    () => agree(x),
  );
  return x;
}

behaviour('GRP-LIST', 'lists groups in a ListResponse', async (ctx) => {
  const res = await ctx.read(PATH);
  ctx.verify.status(res, 200);
  ctx.verify.contentType(res);
  ctx.verify.schema(res, 'ScimGroupListResponse');
});

behaviour('GRP-LIST-SCHEMAS-URN', 'names exactly the ListResponse URN in schemas', async (ctx) => {
  const res = await list(ctx);
  ctx.verify.equal(res, res.body.schemas, [LIST_URN], 'schemas of the list response (RFC 7644 §3.4.2)');
});

behaviour('GRP-LIST-ITEMS-PER-PAGE', 'reports itemsPerPage equal to the number of Resources in the page', async (ctx) => {
  const { verify } = ctx;
  // count=1: a page smaller than totalResults (catches itemsPerPage = totalResults).
  const first = await list(ctx, { count: 1 }, 'GET groups?count=1');
  const total: number = first.body.totalResults;
  if (total < 2) ctx.skip(`the org has ${total} group(s): a paged list needs at least 2`, 'inconclusive');
  verify.equal(first, first.body.itemsPerPage, resources(first).length, 'itemsPerPage equals the number of Resources (count=1)');
  // The last result with count=2: fewer Resources than requested (catches itemsPerPage = count).
  const last = await list(ctx, { startIndex: total, count: 2 }, `GET groups?startIndex=${total}&count=2`);
  verify.equal(last, last.body.itemsPerPage, resources(last).length, `itemsPerPage equals the number of Resources (startIndex=${total}, count=2)`);
});

behaviour('GRP-LIST-RESOURCES-VALID', 'lists only valid groups with meta.resourceType Group', async (ctx) => {
  const { verify } = ctx;
  const res = await list(ctx);
  const groups = resources(res);
  if (groups.length === 0) ctx.skip('the org has no group to validate', 'inconclusive');
  groups.forEach((g, i) => {
    verify.schema(res, 'ScimV2Group', g, `Resources[${i}] (${g.id}) is a valid ScimV2Group`);
    verify.equal(res, (g.meta as { resourceType?: unknown } | undefined)?.resourceType, 'Group', `Resources[${i}] (${g.id}): meta.resourceType`);
  });
});

behaviour('GRP-LIST-NO-FILTER', 'lists every group when no filter is given', async (ctx) => {
  const { verify, target } = ctx;
  if (!(target.apiVersion === '2021' && target.allowWrites) && !target.org.groupId) {
    return ctx.skip('needs a group known to exist: allow writes (SCIM_ALLOW_WRITES=true) or set SCIM_ORG_GROUP_ID', 'configuration');
  }
  // The posted group of the run (2021, writes allowed), else the scratch group: either exists for the whole run.
  const id = await readableGroupId(ctx);
  // Walk the unfiltered list (at most 5 pages of 25) until the group shows up; a live org lists a new group only after a while.
  const walk = async (fresh: boolean) => {
    let startIndex = 1;
    let total = 0;
    let last: HttpResult | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const query: Record<string, number> = startIndex === 1 ? { count: PAGE_SIZE } : { startIndex, count: PAGE_SIZE };
      last = await list(ctx, query, `GET groups (no filter) from startIndex ${startIndex}`, fresh);
      total = last.body.totalResults;
      if (idsOf(last).includes(id)) return { found: true, startIndex, total, last };
      if (resources(last).length === 0) break;
      startIndex += resources(last).length;
      if (startIndex > total) break;
    }
    return { found: false, startIndex, total, last: last! };
  };
  // Sent again only while the walk covered the whole list without finding the group.
  const { found, startIndex, total, last } = await agreeing(ctx, walk, (w) => w.found || w.startIndex <= w.total);
  if (found) return;
  if (startIndex <= total) ctx.skip(`group ${id} is not among the first ${startIndex - 1} of ${total} groups (the walk stops after ${MAX_PAGES} pages)`, 'inconclusive');
  verify.fail(`the unfiltered list holds group ${id} ("If nothing is specified, returns all groups")`, id, `not listed among ${total} group(s)`, last);
});

behaviour('GRP-LIST-START-INDEX-DEFAULT', 'starts at the first result with startIndex 1 when no startIndex is given', async (ctx) => {
  const { verify } = ctx;
  const { dflt, last: explicit } = await agreeing(
    ctx,
    async (fresh) => {
      const dflt = await list(ctx, { count: 3 }, 'GET groups?count=3 (no startIndex)', fresh);
      return { dflt, last: await list(ctx, { startIndex: 1, count: 3 }, 'GET groups?startIndex=1&count=3', fresh) };
    },
    ({ dflt, last }) => sameList(idsOf(dflt), idsOf(last)),
  );
  verify.equal(dflt, dflt.body.startIndex, 1, 'startIndex of a page requested without startIndex');
  if (dflt.body.totalResults === 0) ctx.skip('the org has no group: the first result can not be compared', 'inconclusive');
  verify.equal(explicit, idsOf(dflt), idsOf(explicit), 'the page without startIndex holds the same groups as startIndex=1');
});

behaviour('GRP-LIST-COUNT-DEFAULT', 'returns at most 25 groups when no count is given', async (ctx) => {
  const { verify } = ctx;
  const { dflt, last: explicit } = await agreeing(
    ctx,
    async (fresh) => {
      const dflt = await list(ctx, {}, 'GET groups (no count)', fresh);
      return { dflt, last: await list(ctx, { count: PAGE_SIZE }, 'GET groups?count=25', fresh) };
    },
    ({ dflt, last }) => sameList(idsOf(dflt), idsOf(last)),
  );
  verify.that(dflt, resources(dflt).length <= PAGE_SIZE, 'at most 25 Resources without count (seed 000: count default 25)', `<= ${PAGE_SIZE}`, resources(dflt).length);
  // The default is 25: the page equals the page of count=25 (catches a smaller default page size).
  verify.equal(dflt, idsOf(dflt), idsOf(explicit), 'the page without count holds the same groups as count=25');
});

behaviour('GRP-LIST-COUNT-LIMIT', 'returns at most count groups', async (ctx) => {
  const { verify } = ctx;
  const count = 3;
  const res = await list(ctx, { count }, `GET groups?count=${count}`);
  const total: number = res.body.totalResults;
  if (total <= count) ctx.skip(`the org has ${total} group(s): count=${count} can not be exceeded`, 'inconclusive');
  verify.that(res, resources(res).length <= count, `at most ${count} Resources for count=${count} (RFC 7644 §3.4.2.4)`, `<= ${count}`, resources(res).length);
});

behaviour('GRP-LIST-COUNT-ZERO', 'returns totalResults and no Resources for count=0', async (ctx) => {
  const { verify } = ctx;
  const { zero, last: page } = await agreeing(
    ctx,
    async (fresh) => {
      const zero = await list(ctx, { count: 0 }, 'GET groups?count=0', fresh);
      return { zero, last: await list(ctx, { count: 1 }, 'GET groups?count=1', fresh) };
    },
    ({ zero, last }) => zero.body.totalResults === last.body.totalResults,
  );
  verify.equal(zero, resources(zero).length, 0, 'no Resources for count=0');
  if (zero.body.itemsPerPage !== undefined) verify.equal(zero, zero.body.itemsPerPage, 0, 'itemsPerPage for count=0');
  // totalResults is the real total: compare with a page that lists groups.
  if (page.body.totalResults === 0) ctx.skip('the org has no group: an empty answer to count=0 proves nothing', 'inconclusive');
  verify.equal(zero, zero.body.totalResults, page.body.totalResults, 'totalResults for count=0 equals the total of the list');
});

interface Walk {
  last: HttpResult;
  total: number;
  count: number;
  /** Ids seen, with the startIndex of the page that listed them first. */
  seen: Map<string, number>;
  startIndex: number;
  /** What went wrong, if anything: a group listed twice, an empty page before the end, too few distinct groups. */
  problem?: { check: string; expected: string; actual: string; res: HttpResult };
  /** totalResults changed during the walk: the list changed under it. */
  moved: boolean;
}

/** Walks the group pages (at most 5, two or more when there are two or more groups, never more than 25 a page). */
async function walkPages(ctx: BehaviourContext, fresh: boolean): Promise<Walk> {
  const { verify } = ctx;
  const probe = await list(ctx, { count: 1 }, 'GET groups?count=1 (how many groups)', fresh);
  const total: number = probe.body.totalResults;
  const count = Math.min(PAGE_SIZE, Math.max(1, Math.ceil(total / 3)));
  const w: Walk = { last: probe, total, count, seen: new Map(), startIndex: 1, moved: false };
  if (total < 2) return w;
  for (let page = 0; page < MAX_PAGES && w.startIndex <= total; page++) {
    const res = await list(ctx, { startIndex: w.startIndex, count }, `GET groups?startIndex=${w.startIndex}&count=${count}`, fresh);
    w.last = res;
    verify.equal(res, res.body.startIndex, w.startIndex, 'startIndex echoes the requested startIndex');
    if (res.body.totalResults !== total) w.moved = true;
    const ids = idsOf(res);
    const dup = ids.find((id) => w.seen.has(id));
    if (dup !== undefined) {
      w.problem = { check: 'no group is listed twice across the pages', expected: 'distinct ids', actual: `${dup} on the pages from startIndex ${w.seen.get(dup)} and ${w.startIndex}`, res };
      return w;
    }
    ids.forEach((id) => w.seen.set(id, w.startIndex));
    if (ids.length === 0) {
      w.problem = { check: `the page from startIndex ${w.startIndex} lists groups (totalResults ${total})`, expected: `${Math.min(count, total - w.startIndex + 1)} Resources`, actual: 'no Resources', res };
      return w;
    }
    w.startIndex += ids.length;
  }
  // Covered the whole list: as many distinct groups as totalResults.
  if (w.startIndex > total && w.seen.size !== total) {
    w.problem = { check: `distinct groups over ${Math.ceil(total / count)} page(s) of ${count} equal totalResults`, expected: String(total), actual: String(w.seen.size), res: w.last };
  }
  return w;
}

behaviour('GRP-LIST-PAGING-WALK', 'walks the pages to totalResults distinct groups without duplicates', async (ctx) => {
  const { verify } = ctx;
  // The pages of one walk must agree with each other; a walk that raced a change of the list is walked again.
  const w = await agreeing(ctx, (fresh) => walkPages(ctx, fresh), (x) => x.problem === undefined && !x.moved);
  if (w.total < 2) ctx.skip(`the org has ${w.total} group(s): there is nothing to page through`, 'inconclusive');
  if (w.problem) verify.fail(w.problem.check, w.problem.expected, w.problem.actual, w.problem.res);
});

behaviour('GRP-LIST-COUNT-OVER-25-429', 'answers count over 25 with 200 or with 429 and Retry-After', async (ctx) => {
  const { verify } = ctx;
  const count = PAGE_SIZE + 1;
  const res = await ctx.scim.get(PATH, { query: { count }, retryOn429: false });
  verify.status(res, [200, 429], `GET groups?count=${count}: 200, or 429 ("may exceed internal resource limits")`);
  if (res.status === 429) {
    verify.header(res, 'retry-after', /^\s*(\d+|[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT)\s*$/);
    return;
  }
  verify.schema(res, 'ScimGroupListResponse');
  verify.that(res, resources(res).length <= count, `at most ${count} Resources`, `<= ${count}`, resources(res).length);
});
