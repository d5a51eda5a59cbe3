/**
 * Users list filters (seed 000 getScimUsers / getScimV2Users: "id eq …", "userName eq …", "manager eq …",
 * "email eq …", "division eq …", "externalId eq …", "active eq false", "employeeNumber eq …", values unquoted;
 * RFC 7644 §3.4.2.2 and §3.12; reference §5). The filters are a case table (fixtures/cases/user-filters.json):
 * each row creates the user(s) it looks for and says what must come back, so no row relies on who else is in
 * the org.
 */
import {
  behaviour,
  caseTable,
  ciGet,
  ENTERPRISE_URN,
  expectExactly,
  fillRow,
  idsOf,
  needWrites,
  ownReports,
  resources,
  rowsOf,
  unhandled,
  type BehaviourContext,
  type HttpResult,
} from '../../harness/index.ts';

const PATH = '/users';

type Expect = 'self' | 'reports' | 'division' | 'none' | '400' | 'self-or-400' | 'none-or-400' | 'not-self-or-400';

interface Row {
  behaviour: string;
  name: string;
  filter: string;
  expect: Expect;
}

const TABLE = caseTable<Row>('user-filters');
const caseRows = (id: string): Row[] => rowsOf(TABLE, id);

/** Placeholders that stand for a user the row creates. */
const USER_PLACEHOLDER = /\{(id|userName|USERNAME|externalId|employeeNumber|displayName|title)\}/;


/** Creates what the row's filter looks for and returns the placeholder values and the ids it must select. */
async function setUp(row: Row, ctx: BehaviourContext) {
  const { verify, build, names, target } = ctx;
  const vars: Record<string, string | undefined> = {
    absentUserName: names.userName('absent'),
    absentTitle: names.displayName('absent-title'),
  };
  let selfId: string | undefined;
  let reportIds: string[] = [];
  if (row.filter.includes('{division}')) {
    if (!target.org.division) ctx.skip('needs an org fixture: set SCIM_ORG_DIVISION', 'configuration');
    vars.division = target.org.division;
  }
  const label = row.behaviour.toLowerCase();
  if (USER_PLACEHOLDER.test(row.filter) || row.expect === 'division' || row.expect === 'self') {
    needWrites(ctx, 'its own users (the user the filter must find)');
    // 2021: the full template (externalId, division, employeeNumber, work email); 2019 documents none of those.
    const template = target.apiVersion === '2019' ? 'minimal' : 'full';
    const body = build.user(label, template, { title: names.displayName(`${label}-title`) });
    const created = await ctx.create('users', body);
    verify.status(created, 201, 'the user the filter must find is created (POST /users)');
    verify.schema(created, 'ScimV2User');
    selfId = String(created.body.id);
    Object.assign(vars, {
      id: selfId,
      userName: body.userName,
      USERNAME: String(body.userName).toUpperCase(),
      externalId: body.externalId,
      employeeNumber: body[ENTERPRISE_URN]?.employeeNumber,
      displayName: body.displayName,
      title: body.title,
    });
  }
  if (row.filter.includes('{managerId}')) {
    const set = await ownReports(ctx, 2, label);
    vars.managerId = set.managerId;
    reportIds = set.ids;
  }
  return { filter: fillRow(ctx, TABLE, row.filter, vars, { single: true }), vars, selfId, reportIds };
}

function divisionOf(u: unknown): unknown {
  return ciGet(ciGet(u, ENTERPRISE_URN), 'division');
}

async function runRow(row: Row, ctx: BehaviourContext): Promise<void> {
  const { verify } = ctx;
  const { filter, vars, selfId, reportIds } = await setUp(row, ctx);
  const query: Record<string, string> = { filter };
  if (row.expect === 'division') query.attributes = `id,${ENTERPRISE_URN}:division`;
  const res = await ctx.scim.get(PATH, { query });

  const ok = () => {
    verify.status(res, 200);
    verify.schema(res, 'ScimUserListResponse');
  };
  const refusedOr200 = (judge: (ids: string[]) => void) => {
    if (res.status === 200) {
      verify.schema(res, 'ScimUserListResponse');
      judge(idsOf(res));
    } else {
      verify.that(res, res.status >= 400 && res.status < 500, 'the filter is refused with a 4xx (400 invalidFilter) or answered 200 with matching users only', '200 or 4xx', res.status);
    }
  };

  switch (row.expect) {
    case 'self':
      ok();
      expectExactly(ctx, res, [selfId!], `the created user (filter ${filter})`);
      break;
    case 'reports':
      ok();
      expectExactly(ctx, res, reportIds, `the two users reporting to the created manager (filter ${filter})`);
      break;
    case 'none':
      ok();
      verify.equal(res, idsOf(res), [], 'no Resources');
      verify.equal(res, res.body.totalResults, 0, 'totalResults');
      break;
    case 'division': {
      ok();
      const want = String(vars.division).toLowerCase();
      const others = resources(res)
        .filter((u) => String(divisionOf(u) ?? '').toLowerCase() !== want)
        .map((u) => ({ id: u.id, division: divisionOf(u) ?? '(absent)' }));
      verify.equal(res, others, [], `every listed user is in division "${vars.division}"`);
      verify.that(res, res.body.totalResults >= 1, 'the division holds at least the created user', '>= 1', res.body.totalResults);
      // Conclusive only when the whole result fits in the page.
      if (res.body.totalResults <= resources(res).length) {
        verify.that(res, idsOf(res).includes(selfId!), 'the created user of that division is listed', selfId, idsOf(res));
      }
      break;
    }
    case '400':
      verify.scimError(res, 400, 'invalidFilter');
      break;
    case 'self-or-400':
      refusedOr200((ids) => verify.equal(res, ids.filter((id) => id !== selfId), [], 'no listed user other than the one the filter matches'));
      break;
    case 'none-or-400':
      refusedOr200((ids) => verify.equal(res, ids, [], 'no listed user: nobody matches the whole filter'));
      break;
    case 'not-self-or-400':
      refusedOr200((ids) => verify.that(res, !ids.includes(selfId!), 'the user the filter excludes is not listed', `no ${selfId}`, ids));
      break;
    default:
      unhandled(TABLE, row, 'expect', row.expect);
  }
}

// ------------------------------------------------------------------ documented filters (2021 doc examples)

behaviour.for('USR-FILTER-ID', 'returns exactly the user with that id (unquoted)', caseRows('USR-FILTER-ID'), runRow);
behaviour.for('USR-FILTER-USERNAME', 'returns exactly the user with that userName (unquoted)', caseRows('USR-FILTER-USERNAME'), runRow);
behaviour.for('USR-FILTER-USERNAME-QUOTED', 'returns exactly the user with that quoted userName', caseRows('USR-FILTER-USERNAME-QUOTED'), runRow);
behaviour.for('USR-FILTER-MANAGER', 'returns exactly the users reporting to that manager', caseRows('USR-FILTER-MANAGER'), runRow);
behaviour.for('USR-FILTER-EMAIL', 'returns exactly the users with that email address', caseRows('USR-FILTER-EMAIL'), runRow);
behaviour.for('USR-FILTER-DIVISION', 'returns only users of that division', caseRows('USR-FILTER-DIVISION'), runRow);
behaviour.for('USR-FILTER-EXTERNALID', 'returns exactly the user with that externalId (unquoted)', caseRows('USR-FILTER-EXTERNALID'), runRow);
behaviour.for('USR-FILTER-EMPLOYEENUMBER', 'returns exactly the user with that employeeNumber', caseRows('USR-FILTER-EMPLOYEENUMBER'), runRow);

behaviour('USR-FILTER-ACTIVE-FALSE', 'returns only inactive users for active eq false', async (ctx) => {
  const { verify } = ctx;
  let inactiveId: string | undefined;
  if (ctx.target.allowWrites) {
    const created = await ctx.create('users', ctx.build.user('usr-filter-inactive', 'minimal', { active: false }));
    verify.status(created, 201, 'the inactive user is created (POST /users with active false)');
    verify.schema(created, 'ScimV2User');
    verify.equal(created, created.body.active, false, 'the created user is inactive');
    inactiveId = String(created.body.id);
  }
  const res = await ctx.scim.get(PATH, { query: { filter: 'active eq false' } });
  verify.status(res, 200);
  verify.schema(res, 'ScimUserListResponse');
  if (!inactiveId && res.body.totalResults === 0) ctx.skip('the org has no inactive user to list, and writes are off so the check cannot create one', 'configuration');
  const active = resources(res).filter((u) => u.active !== false).map((u) => ({ id: u.id, active: u.active }));
  verify.equal(res, active, [], 'every listed user is inactive');
  verify.that(res, resources(res).length > 0, 'inactive users are listed', 'one or more Resources', 0);
  if (inactiveId && res.body.totalResults <= resources(res).length) {
    verify.that(res, idsOf(res).includes(inactiveId), 'the created inactive user is listed', inactiveId, idsOf(res));
  }
});

behaviour('USR-FILTER-ACTIVE-TRUE', 'returns only active users for active eq true', async ({ scim, verify }) => {
  const res = await scim.get(PATH, { query: { filter: 'active eq true' } });
  verify.status(res, 200);
  verify.schema(res, 'ScimUserListResponse');
  const inactive = resources(res).filter((u) => u.active !== true).map((u) => ({ id: u.id, active: u.active }));
  verify.equal(res, inactive, [], 'every listed user is active');
  verify.that(res, resources(res).length > 0, 'active users are listed', 'one or more Resources', 0);
});

// ------------------------------------------------------------------ forms of a filter

behaviour.for('USR-FILTER-QUOTED-VALUES', 'selects the same users with a quoted value as the documented unquoted form', caseRows('USR-FILTER-QUOTED-VALUES'), runRow);
behaviour.for('USR-FILTER-ATTRIBUTE-CASE', 'matches attribute names case-insensitively', caseRows('USR-FILTER-ATTRIBUTE-CASE'), runRow);
behaviour.for('USR-FILTER-OPERATOR-CASE', 'matches the operator case-insensitively', caseRows('USR-FILTER-OPERATOR-CASE'), runRow);
behaviour.for('USR-FILTER-USERNAME-VALUE-CASE', 'matches a userName whatever the case of the value', caseRows('USR-FILTER-USERNAME-VALUE-CASE'), runRow);
behaviour.for('USR-FILTER-NO-MATCH', 'answers a filter nobody matches with 200, totalResults 0 and no Resources', caseRows('USR-FILTER-NO-MATCH'), runRow);

// ------------------------------------------------------------------ filters the server does not support

behaviour.for('USR-FILTER-MALFORMED-400', 'refuses a syntactically invalid filter with 400 invalidFilter', caseRows('USR-FILTER-MALFORMED-400'), runRow);
behaviour.for('USR-FILTER-UNSUPPORTED-OPERATOR-400', 'refuses an operator other than eq with 400 invalidFilter', caseRows('USR-FILTER-UNSUPPORTED-OPERATOR-400'), runRow);
behaviour.for('USR-FILTER-UNSUPPORTED-ATTRIBUTE-400', 'refuses a filter on an undocumented attribute with 400 invalidFilter', caseRows('USR-FILTER-UNSUPPORTED-ATTRIBUTE-400'), runRow);
behaviour.for('USR-FILTER-LOGICAL-400', 'refuses and/or/not with 400 invalidFilter', caseRows('USR-FILTER-LOGICAL-400'), runRow);
behaviour.for('USR-FILTER-NEVER-WIDENS', 'never answers an unsupported or invalid filter with users that do not match it', caseRows('USR-FILTER-NEVER-WIDENS'), runRow);
