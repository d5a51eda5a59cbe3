/**
 * GET groups: the ListResponse and its paging (seed 000 getScimGroups / getScimV2Groups: startIndex default 1,
 * count default 25, "A value of 0 returns totalResults", "A page size over 25 may … return a 429 error", "If nothing
 * is specified, returns all groups"; seed 002 get_scim_groups / get_scim_v2_groups; RFC 7644 §3.4.2, §3.4.2.4).
 *
 * Lists are read-only here and bounded (at most 5 pages). Other checks create and delete groups while these run,
 * so a comparison of two list requests is repeated once when it differs: a fault of the server persists, a
 * concurrent change does not.
 */
import { behaviour, holdScratchGroup, type BehaviourContext, type HttpResult } from '../../harness/index.ts';

const PATH = '/groups';
const LIST_URN = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
/** The documented default and safe page size (seed 000: count default 25, "A page size over 25 may … 429"). */
const PAGE_SIZE = 25;
const MAX_PAGES = 5;

type Group = { id: string; [k: string]: unknown };

const resources = (res: HttpResult): Group[] => (Array.isArray(res.body?.Resources) ? res.body.Resources : []);
const idsOf = (res: HttpResult): string[] => resources(res).map((g) => g.id);
const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** GET groups with `query`: 200 and a valid ScimGroupListResponse. */
async function list(ctx: BehaviourContext, query: Record<string, string | number> = {}, check = 'GET groups'): Promise<HttpResult> {
  const res = await ctx.scim.get(PATH, { query });
  ctx.verify.status(res, 200, `${check}: HTTP status`);
  ctx.verify.schema(res, 'ScimGroupListResponse', res.body, `${check}: body is a valid ScimGroupListResponse`);
  return res;
}

/**
 * Runs a comparison of list requests at most twice. `attempt(final)` returns true when it holds; on the first
 * attempt it returns false instead of failing when the lists may have changed in between; on the final one it fails.
 */
async function twice(attempt: (final: boolean) => Promise<boolean>): Promise<void> {
  if (await attempt(false)) return;
  await attempt(true);
}

behaviour('GRP-LIST', 'lists groups in a ListResponse', async (ctx) => {
  const res = await ctx.scim.get(PATH);
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
  let id: string;
  if (target.apiVersion === '2021' && target.allowWrites) {
    const created = await ctx.create('groups', ctx.build.group('grp-list-no-filter'));
    verify.status(created, [200, 201], 'prerequisite: POST /groups creates the group the list must hold');
    verify.schema(created, 'ScimV2Group', created.body, 'prerequisite: POST /groups answers with a valid ScimV2Group');
    id = created.body.id;
  } else if (target.org.groupId) {
    id = target.org.groupId;
    await holdScratchGroup(ctx);
  } else {
    return ctx.skip('needs a group known to exist: allow writes (SCIM_ALLOW_WRITES=true) or set SCIM_ORG_GROUP_ID', 'configuration');
  }
  // Walk the unfiltered list (at most 5 pages of 25) until the group shows up.
  let startIndex = 1;
  let total = 0;
  let last: HttpResult | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    last = await list(ctx, { startIndex, count: PAGE_SIZE }, `GET groups (no filter) from startIndex ${startIndex}`);
    total = last.body.totalResults;
    if (idsOf(last).includes(id)) return;
    if (resources(last).length === 0) break;
    startIndex += resources(last).length;
    if (startIndex > total) break;
  }
  if (startIndex <= total) ctx.skip(`group ${id} is not among the first ${startIndex - 1} of ${total} groups (the walk stops after ${MAX_PAGES} pages)`, 'inconclusive');
  verify.fail(`the unfiltered list holds group ${id} ("If nothing is specified, returns all groups")`, id, `not listed among ${total} group(s)`, last);
});

behaviour('GRP-LIST-START-INDEX-DEFAULT', 'starts at the first result with startIndex 1 when no startIndex is given', async (ctx) => {
  const { verify } = ctx;
  await twice(async (final) => {
    const dflt = await list(ctx, { count: 3 }, 'GET groups?count=3 (no startIndex)');
    verify.equal(dflt, dflt.body.startIndex, 1, 'startIndex of a page requested without startIndex');
    if (dflt.body.totalResults === 0) ctx.skip('the org has no group: the first result can not be compared', 'inconclusive');
    const explicit = await list(ctx, { startIndex: 1, count: 3 }, 'GET groups?startIndex=1&count=3');
    if (!final && !sameList(idsOf(dflt), idsOf(explicit))) return false;
    verify.equal(explicit, idsOf(dflt), idsOf(explicit), 'the page without startIndex holds the same groups as startIndex=1');
    return true;
  });
});

behaviour('GRP-LIST-COUNT-DEFAULT', 'returns at most 25 groups when no count is given', async (ctx) => {
  const { verify } = ctx;
  await twice(async (final) => {
    const dflt = await list(ctx, {}, 'GET groups (no count)');
    verify.that(dflt, resources(dflt).length <= PAGE_SIZE, 'at most 25 Resources without count (seed 000: count default 25)', `<= ${PAGE_SIZE}`, resources(dflt).length);
    // The default is 25: the page equals the page of count=25 (catches a smaller default page size).
    const explicit = await list(ctx, { count: PAGE_SIZE }, 'GET groups?count=25');
    if (!final && !sameList(idsOf(dflt), idsOf(explicit))) return false;
    verify.equal(dflt, idsOf(dflt), idsOf(explicit), 'the page without count holds the same groups as count=25');
    return true;
  });
});

behaviour('GRP-LIST-COUNT-LIMIT', 'returns at most count groups', async (ctx) => {
  const { verify } = ctx;
  const count = 2;
  const res = await list(ctx, { count }, `GET groups?count=${count}`);
  const total: number = res.body.totalResults;
  if (total <= count) ctx.skip(`the org has ${total} group(s): count=${count} can not be exceeded`, 'inconclusive');
  verify.that(res, resources(res).length <= count, `at most ${count} Resources for count=${count} (RFC 7644 §3.4.2.4)`, `<= ${count}`, resources(res).length);
});

behaviour('GRP-LIST-COUNT-ZERO', 'returns totalResults and no Resources for count=0', async (ctx) => {
  const { verify } = ctx;
  await twice(async (final) => {
    const zero = await list(ctx, { count: 0 }, 'GET groups?count=0');
    verify.equal(zero, resources(zero).length, 0, 'no Resources for count=0');
    if (zero.body.itemsPerPage !== undefined) verify.equal(zero, zero.body.itemsPerPage, 0, 'itemsPerPage for count=0');
    // totalResults is the real total: compare with a page that lists groups.
    const page = await list(ctx, { count: 1 }, 'GET groups?count=1');
    if (page.body.totalResults === 0) ctx.skip('the org has no group: an empty answer to count=0 proves nothing', 'inconclusive');
    if (!final && zero.body.totalResults !== page.body.totalResults) return false;
    verify.equal(zero, zero.body.totalResults, page.body.totalResults, 'totalResults for count=0 equals the total of the list');
    return true;
  });
});

behaviour('GRP-LIST-PAGING-WALK', 'walks the pages to totalResults distinct groups without duplicates', async (ctx) => {
  const { verify } = ctx;
  await twice(async (final) => {
    const probe = await list(ctx, { count: 1 }, 'GET groups?count=1 (how many groups)');
    const total: number = probe.body.totalResults;
    if (total < 2) ctx.skip(`the org has ${total} group(s): there is nothing to page through`, 'inconclusive');
    // Two or more pages, never more than 5 and never more than 25 a page.
    const count = Math.min(PAGE_SIZE, Math.max(1, Math.ceil(total / 3)));
    const seen = new Map<string, number>();
    const totals = new Set<number>([total]);
    let startIndex = 1;
    let res: HttpResult | undefined;
    for (let page = 0; page < MAX_PAGES && startIndex <= total; page++) {
      res = await list(ctx, { startIndex, count }, `GET groups?startIndex=${startIndex}&count=${count}`);
      totals.add(res.body.totalResults);
      verify.equal(res, res.body.startIndex, startIndex, 'startIndex echoes the requested startIndex');
      const ids = idsOf(res);
      const dup = ids.find((id) => seen.has(id));
      if (dup !== undefined) {
        if (!final) return false;
        verify.fail('no group is listed twice across the pages', 'distinct ids', `${dup} on the pages from startIndex ${seen.get(dup)} and ${startIndex}`, res);
      }
      ids.forEach((id) => seen.set(id, startIndex));
      if (ids.length === 0) {
        if (!final) return false;
        verify.fail(`the page from startIndex ${startIndex} lists groups (totalResults ${total})`, `${Math.min(count, total - startIndex + 1)} Resources`, 'no Resources', res);
      }
      startIndex += ids.length;
    }
    // Conclusive when the walk covered the whole list.
    if (startIndex > total) {
      if (!final && (totals.size > 1 || seen.size !== total)) return false;
      verify.equal(res, seen.size, total, `distinct groups over ${Math.ceil(total / count)} page(s) of ${count} equal totalResults`);
    }
    return true;
  });
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
