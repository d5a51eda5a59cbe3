/**
 * Users list filters (seed 000 getScimUsers / getScimV2Users: "id eq …", "userName eq …", "manager eq …",
 * "email eq …", "division eq …", "externalId eq …", "active eq false", "employeeNumber eq …", values unquoted;
 * RFC 7644 §3.4.2.2 and §3.12; reference §5). The filters are a case table (fixtures/cases/user-filters.json): each
 * row filters for users of the run's read population (harness/checks/user-population.ts, created once per run) and
 * says what must come back, so no row relies on who else is in the org. A filter that must find population users is
 * polled until they show (a live org's index lags writes); what must select nothing, or be refused, is read once.
 * Rows sending the same filter share one request per prefix.
 *
 * The refused filters come first: they wait for nothing, and give the index time to catch up with the population.
 */
import {
  behaviour,
  caseTable,
  ciGet,
  ENTERPRISE_URN,
  expectExactly,
  fillRow,
  idsOf,
  INACTIVE_QUERY,
  populationPart,
  readUsers,
  resources,
  rowsOf,
  unhandled,
  userPopulation,
  type BehaviourContext,
  type HttpResult,
  type Shows,
  type UserPopulation,
} from '../../harness/index.ts';

type Expect = 'self' | 'reports' | 'division' | 'none' | '400' | 'self-or-400' | 'none-or-400' | 'not-self-or-400';

interface Row {
  behaviour: string;
  name: string;
  filter: string;
  expect: Expect;
}

const TABLE = caseTable<Row>('user-filters');
const caseRows = (id: string): Row[] => rowsOf(TABLE, id);

/** Placeholders that stand for a user of the population. */
const USER_PLACEHOLDER = /\{(id|userName|USERNAME|externalId|employeeNumber|displayName|title)\}/;

/** Values nobody has: one per worker, so rows sending the same filter send the same text (one shared request). */
let absent: { userName: string; title: string } | undefined;

/** The placeholder values of the row, and the population when the row needs it. */
async function setUp(row: Row, ctx: BehaviourContext): Promise<{ filter: string; vars: Record<string, string | undefined>; pop?: UserPopulation }> {
  const { names, target } = ctx;
  absent ??= { userName: names.userName('absent'), title: names.displayName('absent-title') };
  const vars: Record<string, string | undefined> = { absentUserName: absent.userName, absentTitle: absent.title };
  if (row.filter.includes('{division}')) {
    if (!target.org.division) ctx.skip('needs an org fixture: set SCIM_ORG_DIVISION', 'configuration');
    vars.division = target.org.division;
  }
  let pop: UserPopulation | undefined;
  const needsUsers = USER_PLACEHOLDER.test(row.filter) || row.filter.includes('{managerId}') || ['self', 'reports', 'division'].includes(row.expect);
  if (needsUsers && row.expect === '400' && !target.allowWrites) {
    // A filter that must be refused whatever its value: values nobody has stand in for the population's.
    Object.assign(vars, { userName: absent.userName, title: absent.title, displayName: absent.title });
  } else if (needsUsers) {
    pop = await userPopulation(ctx);
    const s = pop.subject;
    Object.assign(vars, {
      id: s.id,
      userName: s.userName,
      USERNAME: s.userName.toUpperCase(),
      externalId: s.sent.externalId,
      employeeNumber: s.sent[ENTERPRISE_URN]?.employeeNumber,
      displayName: s.sent.displayName,
      title: s.sent.title,
      managerId: pop.manager.id,
    });
  }
  return { filter: fillRow(ctx, TABLE, row.filter, vars, { single: true }), vars, pop };
}

function divisionOf(u: unknown): unknown {
  return ciGet(ciGet(u, ENTERPRISE_URN), 'division');
}

/** What the answer must show before it is judged: the population users a row expects (none for the others). */
function shows(row: Row, pop: UserPopulation | undefined): Shows | undefined {
  switch (row.expect) {
    case 'self':
      return { ids: [pop!.subject.id] };
    case 'reports':
      return { ids: pop!.reports };
    case 'division':
      return { ids: [pop!.subject.id], unlessPaged: true };
    default:
      return undefined;
  }
}

async function runRow(row: Row, ctx: BehaviourContext): Promise<void> {
  const { verify } = ctx;
  const { filter, vars, pop } = await setUp(row, ctx);
  const selfId = pop?.subject.id;
  const query: Record<string, string> = { filter };
  if (row.expect === 'division') query.attributes = `id,${ENTERPRISE_URN}:division`;
  const res = await readUsers(ctx, query, shows(row, pop));

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
      expectExactly(ctx, res, [selfId!], `the population's user ${selfId} (filter ${filter})`);
      break;
    case 'reports':
      ok();
      expectExactly(ctx, res, pop!.reports, `the ${pop!.reports.length} users reporting to the population's manager (filter ${filter})`);
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
      verify.that(res, res.body.totalResults >= 1, "the division holds at least the population's user", '>= 1', res.body.totalResults);
      // Conclusive only when the whole result fits in the page.
      if (res.body.totalResults <= resources(res).length) {
        verify.that(res, idsOf(res).includes(selfId!), "the population's user of that division is listed", selfId, idsOf(res));
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

// ------------------------------------------------------------------ filters the server does not support

behaviour.for('USR-FILTER-MALFORMED-400', 'refuses a syntactically invalid filter with 400 invalidFilter', caseRows('USR-FILTER-MALFORMED-400'), runRow);
behaviour.for('USR-FILTER-UNSUPPORTED-OPERATOR-400', 'refuses an operator other than eq with 400 invalidFilter', caseRows('USR-FILTER-UNSUPPORTED-OPERATOR-400'), runRow);
behaviour.for('USR-FILTER-UNSUPPORTED-ATTRIBUTE-400', 'refuses a filter on an undocumented attribute with 400 invalidFilter', caseRows('USR-FILTER-UNSUPPORTED-ATTRIBUTE-400'), runRow);
behaviour.for('USR-FILTER-LOGICAL-400', 'refuses and/or/not with 400 invalidFilter', caseRows('USR-FILTER-LOGICAL-400'), runRow);
behaviour.for('USR-FILTER-NEVER-WIDENS', 'never answers an unsupported or invalid filter with users that do not match it', caseRows('USR-FILTER-NEVER-WIDENS'), runRow);
behaviour.for('USR-FILTER-NO-MATCH', 'answers a filter nobody matches with 200, totalResults 0 and no Resources', caseRows('USR-FILTER-NO-MATCH'), runRow);

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
  // With writes, the population's inactive user is one the list must show (polled until it does, unless the answer
  // holds more inactive users than its page); without, whatever inactive users the org has.
  let inactiveId: string | undefined;
  if (ctx.target.allowWrites) {
    const pop = await userPopulation(ctx);
    inactiveId = populationPart(ctx, pop, 'inactive', pop.inactive).id;
  }
  const res = await readUsers(ctx, INACTIVE_QUERY, inactiveId ? { ids: [inactiveId], unlessPaged: true } : undefined);
  verify.status(res, 200);
  verify.schema(res, 'ScimUserListResponse');
  if (!inactiveId && res.body.totalResults === 0) ctx.skip('the org has no inactive user to list, and writes are off so the check cannot create one', 'configuration');
  const active = resources(res).filter((u) => u.active !== false).map((u) => ({ id: u.id, active: u.active }));
  verify.equal(res, active, [], 'every listed user is inactive');
  verify.that(res, resources(res).length > 0, 'inactive users are listed', 'one or more Resources', 0);
  if (inactiveId && res.body.totalResults <= resources(res).length) {
    verify.that(res, idsOf(res).includes(inactiveId), "the population's inactive user is listed", inactiveId, idsOf(res));
  }
});

behaviour('USR-FILTER-ACTIVE-TRUE', 'returns only active users for active eq true', async (ctx) => {
  const { verify } = ctx;
  const res = await readUsers(ctx, { filter: 'active eq true' });
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
