/**
 * Groups list filters (seed 000 getScimGroups / getScimV2Groups: "id eq 5f4bc742-…", "displayname eq Sales", values
 * unquoted; seed 002 get_scim_groups: "displayName eq groupName"; RFC 7644 §3.4.2.2 and §3.12; reference §5: one
 * `attr eq value` clause, anything else 400 invalidFilter [inferred]).
 *
 * The group a filter must find: on 2021 the posted group of this prefix (harness/checks/group-subject.ts: created early
 * in the run, nothing changes it), whose filter answers are shared by the checks sending the same filter; on 2019 (no
 * group POST) the configured scratch group (SCIM_ORG_GROUP_ID), read without changing it and held unchanged meanwhile.
 * Lists lag writes on a live org, so a filter that must find the group is sent until it does or the index wait runs
 * out (ctx.eventually); the answer is then judged as strictly as ever. The error and widening rows use names of this
 * run and a UUID that no group has; their answers change with nothing the run does, so each distinct filter is sent
 * once per prefix (ctx.read). Rows: fixtures/cases/group-filters.json.
 */
import { randomUUID } from 'node:crypto';
import {
  behaviour,
  caseTable,
  fillRow,
  filteredUntilListed,
  readableGroup,
  rowsOf,
  unhandled,
  type BehaviourContext,
  type HttpResult,
} from '../../harness/index.ts';

const PATH = '/groups';

type Expect = 'self' | '400' | 'none-or-4xx';

interface Row {
  behaviour: string;
  name: string;
  filter: string;
  expect: Expect;
}

const TABLE = caseTable<Row>('group-filters');
const caseRows = (id: string): Row[] => rowsOf(TABLE, id);

const fill = (ctx: BehaviourContext, template: string, vars: Record<string, string | undefined>): string => fillRow(ctx, TABLE, template, vars, { single: true });

type Group = { id: string; displayName?: unknown; [k: string]: unknown };

const resources = (res: HttpResult): Group[] => (Array.isArray(res.body?.Resources) ? res.body.Resources : []);
const idsOf = (res: HttpResult): string[] => resources(res).map((g) => g.id);

interface GroupToRead {
  id: string;
  displayName: string;
  /** true: the configured scratch group (2019), only read; false: the posted group of this prefix. */
  scratch: boolean;
}

/** The group the filter must find: the posted group (2021, writes allowed), else the configured scratch group, read. */
async function groupToRead(ctx: BehaviourContext): Promise<GroupToRead> {
  const g = await readableGroup(ctx);
  return { id: g.id, scratch: g.scratch, displayName: g.displayName ?? (await displayNameOf(ctx, g.id)) };
}

async function displayNameOf(ctx: BehaviourContext, id: string): Promise<string> {
  const res = await ctx.scim.get(`/groups/${encodeURIComponent(id)}`);
  ctx.verify.status(res, 200, 'prerequisite: GET the scratch group (SCIM_ORG_GROUP_ID): HTTP status');
  ctx.verify.schema(res, 'ScimV2Group', res.body, 'prerequisite: GET the scratch group: body is a valid ScimV2Group');
  ctx.verify.that(res, typeof res.body.displayName === 'string' && res.body.displayName !== '', 'prerequisite: the scratch group has a displayName', 'a name', res.body.displayName);
  return res.body.displayName;
}

/**
 * Filters for the group read (until it is listed or the index wait runs out) and judges the answer with `judge`
 * (which fails on a wrong answer). When the scratch group is still not listed, its name is read again: if another
 * check renamed it meanwhile (before this one held it), the filter is built and sent once more.
 */
async function findsGroup(ctx: BehaviourContext, build: (g: GroupToRead) => string, judge: (res: HttpResult, g: GroupToRead, filter: string) => void) {
  const { verify } = ctx;
  let g = await groupToRead(ctx);
  for (let attempt = 0; ; attempt++) {
    const filter = build(g);
    const res = await filteredUntilListed(ctx, g, filter);
    verify.status(res, 200, `HTTP status for filter ${filter}`);
    verify.schema(res, 'ScimGroupListResponse');
    if (g.scratch && attempt === 0 && !idsOf(res).includes(g.id)) {
      const now = await displayNameOf(ctx, g.id);
      if (now !== g.displayName) {
        g = { ...g, displayName: now };
        continue;
      }
    }
    judge(res, g, filter);
    return;
  }
}

/** The answer lists exactly the group read. */
function exactlyThatGroup(ctx: BehaviourContext) {
  return (res: HttpResult, g: GroupToRead, filter: string) => {
    ctx.verify.equal(res, idsOf(res), [g.id], `Resources are exactly group ${g.id} (filter ${filter})`);
    ctx.verify.equal(res, res.body.totalResults, 1, `totalResults (filter ${filter})`);
  };
}

/** The answer lists the group read, and only groups with its displayName (compared case-insensitively). */
function groupsNamedLikeIt(ctx: BehaviourContext) {
  return (res: HttpResult, g: GroupToRead, filter: string) => {
    const want = g.displayName.toLowerCase();
    const others = resources(res)
      .filter((x) => typeof x.displayName !== 'string' || x.displayName.toLowerCase() !== want)
      .map((x) => ({ id: x.id, displayName: x.displayName ?? '(absent)' }));
    ctx.verify.equal(res, others, [], `every listed group has displayName "${g.displayName}" (filter ${filter})`);
    ctx.verify.that(res, idsOf(res).includes(g.id), `group ${g.id} named "${g.displayName}" is listed (filter ${filter})`, g.id, idsOf(res));
  };
}

/** A UUID no group has (one per worker, so that rows naming it send the same filter). */
const ABSENT_ID = randomUUID();

/**
 * Values for the rows' placeholders that name nothing in the org: names of this run (no group carries them), the same
 * in every row, so a filter two rows send is sent once per prefix.
 */
function absentValues(ctx: BehaviourContext): Record<string, string> {
  const prefix = ctx.target.run.runPrefix;
  return { absent: `${prefix}grp-absent`, absent2: `${prefix}grp-absent-2`, absentId: ABSENT_ID };
}

/** A filter whose answer nothing the run does changes: sent once per prefix and shared by the rows sending it. */
function filtered(ctx: BehaviourContext, filter: string): Promise<HttpResult> {
  return ctx.read(PATH, { query: { filter } });
}

async function runRow(row: Row, ctx: BehaviourContext): Promise<void> {
  const { verify } = ctx;
  if (row.expect === 'self') {
    await findsGroup(
      ctx,
      (g) => fill(ctx, row.filter, { ...absentValues(ctx), id: g.id, displayName: g.displayName, quotedDisplayName: JSON.stringify(g.displayName) }),
      groupsNamedLikeIt(ctx),
    );
    return;
  }
  const filter = fill(ctx, row.filter, absentValues(ctx));
  const res = await filtered(ctx, filter);
  switch (row.expect) {
    case '400':
      verify.scimError(res, 400, 'invalidFilter');
      return;
    case 'none-or-4xx':
      // Nothing in the org matches the filter, so a 200 must list nothing.
      if (res.status === 200) {
        verify.schema(res, 'ScimGroupListResponse');
        verify.equal(res, idsOf(res), [], `no group is listed: none matches the filter ${filter}`);
        verify.equal(res, res.body.totalResults, 0, `totalResults (filter ${filter})`);
      } else {
        verify.that(res, res.status >= 400 && res.status < 500, 'the filter is refused with a 4xx (400 invalidFilter) or answered 200 with no group', '200 or 4xx', res.status);
      }
      return;
    default:
      unhandled(TABLE, row, 'expect', row.expect);
  }
}

// ------------------------------------------------------------------ documented filters

behaviour('GRP-FILTER-ID', 'returns exactly the group with that id (unquoted, as documented)', async (ctx) => {
  await findsGroup(ctx, (g) => `id eq ${g.id}`, exactlyThatGroup(ctx));
});

behaviour('GRP-FILTER-ID-QUOTED', 'returns exactly the group with that quoted id', async (ctx) => {
  await findsGroup(ctx, (g) => `id eq ${JSON.stringify(g.id)}`, exactlyThatGroup(ctx));
});

behaviour('GRP-FILTER-DISPLAYNAME', 'returns the groups with that displayName (displayname eq <name>, unquoted, as documented)', async (ctx) => {
  await findsGroup(ctx, (g) => `displayname eq ${g.displayName}`, groupsNamedLikeIt(ctx));
});

behaviour('GRP-FILTER-DISPLAYNAME-QUOTED', 'returns the groups with that quoted displayName (RFC form)', async (ctx) => {
  await findsGroup(ctx, (g) => `displayName eq ${JSON.stringify(g.displayName)}`, groupsNamedLikeIt(ctx));
});

behaviour.for('GRP-FILTER-ATTRIBUTE-CASE', 'matches the displayName attribute name case-insensitively', caseRows('GRP-FILTER-ATTRIBUTE-CASE'), runRow);

behaviour('GRP-FILTER-NO-MATCH', 'answers a filter that matches nothing with 200, totalResults 0 and no Resources', async (ctx) => {
  const { verify } = ctx;
  const filter = `displayName eq ${JSON.stringify(`${ctx.target.run.runPrefix}grp-no-match`)}`;
  const res = await filtered(ctx, filter);
  verify.status(res, 200);
  verify.schema(res, 'ScimGroupListResponse');
  verify.equal(res, res.body.totalResults, 0, `totalResults (filter ${filter})`);
  verify.equal(res, idsOf(res), [], `no Resources (filter ${filter})`);
});

// ------------------------------------------------------------------ filters the service refuses

behaviour.for('GRP-FILTER-MALFORMED-400', 'refuses a syntactically invalid filter with 400 invalidFilter', caseRows('GRP-FILTER-MALFORMED-400'), runRow);
behaviour.for('GRP-FILTER-UNSUPPORTED-OPERATOR-400', 'refuses an operator other than eq with 400 invalidFilter', caseRows('GRP-FILTER-UNSUPPORTED-OPERATOR-400'), runRow);
behaviour.for('GRP-FILTER-UNSUPPORTED-ATTRIBUTE-400', 'refuses a filter on an undocumented attribute with 400 invalidFilter', caseRows('GRP-FILTER-UNSUPPORTED-ATTRIBUTE-400'), runRow);
behaviour.for('GRP-FILTER-NEVER-WIDENS', 'never answers an unsupported or invalid filter with groups that do not match it', caseRows('GRP-FILTER-NEVER-WIDENS'), runRow);
