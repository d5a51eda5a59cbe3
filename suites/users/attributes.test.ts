/**
 * Users: attributes / excludedAttributes projections (API version 2021; seed 000 getScimUser / getScimV2User /
 * getScimUsers / getScimV2Users, RFC 7644 §3.4.2.5, §3.10). The documented values are a case table
 * (fixtures/cases/user-attributes.json); the request forms (comma list, repeated keys, name case, list endpoint)
 * are checked on their own. Every check reads the run's read population's subject S (harness/checks/
 * user-population.ts), which holds a value for every projected attribute; a request several checks send is sent once
 * per prefix.
 */
import {
  assertEveryRowUsed,
  behaviour,
  caseTable,
  ciGet,
  populationPart,
  readPopulationSubject,
  readUsers,
  rowsOf,
  subjectQuery,
  userPopulation,
  type BehaviourContext,
  type HttpResult,
  type PopulationSubject,
  type UserPopulation,
} from '../../harness/index.ts';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const GENESYS = 'urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User';

interface Row {
  name: string;
  behaviour: string;
  param: 'attributes' | 'excludedAttributes';
  value: string;
  setup?: ('externalIds' | 'group')[];
  mustReturn: string[];
  mustNotReturn: string[];
}

const TABLE = caseTable<Row>('user-attributes');

// ------------------------------------------------------------------ helpers

/** The value at a table path: `attr`, `attr.sub`, `<extension URN>` or `<extension URN>:attr[.sub]`. */
function valueAt(body: unknown, path: string): unknown {
  let base: unknown = body;
  let rest = path;
  for (const urn of [ENTERPRISE, GENESYS]) {
    const lower = path.toLowerCase();
    if (lower === urn.toLowerCase()) return ciGet(body, urn);
    if (lower.startsWith(`${urn.toLowerCase()}:`)) {
      base = ciGet(body, urn);
      rest = path.slice(urn.length + 1);
      break;
    }
  }
  let v = base;
  for (const seg of rest.split('.')) {
    v = Array.isArray(v) ? v.map((item) => ciGet(item, seg)).filter((x) => x !== undefined) : ciGet(v, seg);
  }
  return v;
}

/** Returned = has a value: absent, null, an empty array and an empty object all count as not returned. */
function isReturned(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v as object).length > 0;
  return true;
}

const show = (path: string) => path.replace(`${ENTERPRISE}:`, 'enterprise:').replace(`${GENESYS}:`, 'genesys:');

/** Paths of `paths` the user holds a value for (sent in the POST body, or shown in the POST response). */
function heldBy(subject: PopulationSubject, paths: readonly string[]): string[] {
  return paths.filter(
    (p) => subject.also.includes(p) || isReturned(valueAt(subject.sent, p)) || isReturned(valueAt(subject.created.body, p)),
  );
}

/** Every path of `mustReturn` the user holds comes back; no path of `mustNotReturn` does. */
function checkProjection(
  ctx: BehaviourContext,
  res: HttpResult,
  resource: unknown,
  subject: PopulationSubject,
  request: string,
  mustReturn: readonly string[],
  mustNotReturn: readonly string[],
): void {
  const { verify } = ctx;
  for (const p of heldBy(subject, mustReturn)) {
    verify.that(res, isReturned(valueAt(resource, p)), `${show(p)} is returned (${request})`, `${show(p)} present`, `${show(p)} absent`);
  }
  for (const p of mustNotReturn) {
    const v = valueAt(resource, p);
    verify.that(res, !isReturned(v), `${show(p)} is not returned (${request})`, `${show(p)} absent`, v);
  }
}

/** GET /users/{S} with `query` (one request per prefix for every check sending the same): 200, a ScimV2User, S. */
async function getProjected(ctx: BehaviourContext, pop: UserPopulation, query: Record<string, string | string[]>): Promise<HttpResult> {
  const res = await readPopulationSubject(ctx, pop, query);
  ctx.verify.status(res, 200);
  ctx.verify.schema(res, 'ScimV2User');
  ctx.verify.equal(res, res.body.id, pop.subject.id, 'id of the user requested');
  return res;
}

// ------------------------------------------------------------------ the documented values (case table)

/** The table's rows for one behaviour (a behaviour without rows is a broken table). */
const rowsFor = (id: string): Row[] => rowsOf(TABLE, id);

/**
 * One row: S holds every value; one GET with the row's parameter (shared by the rows sending the same), then what must
 * and must not come back. The attributes the row names must be held by S (attributes: its mustReturn;
 * excludedAttributes: its mustNotReturn): a projection of a value S does not have proves nothing, so such a row is
 * skipped; one that needs a part of the population the run could not create (a group, an externalIds entry) is
 * blocked.
 */
async function projectionCase(row: Row, ctx: BehaviourContext): Promise<void> {
  const pop = await userPopulation(ctx);
  for (const part of row.setup ?? []) populationPart(ctx, pop, part, part === 'group' ? pop.group : true);
  const subject = pop.subject;
  const named = row.param === 'attributes' ? row.mustReturn : row.mustNotReturn;
  const held = heldBy(subject, named);
  const lacking = named.filter((p) => !held.includes(p));
  if (lacking.length > 0) {
    ctx.skip(`the user this check reads holds no ${lacking.map(show).join(', ')} (an org fixture this target lacks?), so ${row.param}=${row.value} proves nothing about it`, 'configuration');
  }
  const res = await getProjected(ctx, pop, { [row.param]: row.value });
  checkProjection(ctx, res, res.body, subject, `${row.param}=${row.value}`, row.mustReturn, row.mustNotReturn);
}

behaviour.for(
  'USR-ATTRIBUTES-SHORT-NAME',
  'returns the attribute named by its short name and omits the other non-always attributes',
  rowsFor('USR-ATTRIBUTES-SHORT-NAME'),
  projectionCase,
);
behaviour.for(
  'USR-ATTRIBUTES-ALWAYS-RETURNED',
  'still returns id, userName, active and meta when attributes names others',
  rowsFor('USR-ATTRIBUTES-ALWAYS-RETURNED'),
  projectionCase,
);
behaviour.for(
  'USR-ATTRIBUTES-URN-CORE',
  'treats URN-qualified core names in attributes like the short names',
  rowsFor('USR-ATTRIBUTES-URN-CORE'),
  projectionCase,
);
behaviour.for(
  'USR-ATTRIBUTES-ENTERPRISE',
  'returns only the enterprise extension attributes named in attributes',
  rowsFor('USR-ATTRIBUTES-ENTERPRISE'),
  projectionCase,
);
behaviour.for(
  'USR-ATTRIBUTES-GENESYS',
  'returns only the genesys extension attributes named in attributes',
  rowsFor('USR-ATTRIBUTES-GENESYS'),
  projectionCase,
);
behaviour.for(
  'USR-ATTRIBUTES-META-SUB',
  'accepts meta sub-attributes in attributes and returns meta with them',
  rowsFor('USR-ATTRIBUTES-META-SUB'),
  projectionCase,
);
behaviour.for(
  'USR-EXCLUDED-SHORT-NAME',
  'omits the attribute named by its short name in excludedAttributes and keeps the others',
  rowsFor('USR-EXCLUDED-SHORT-NAME'),
  projectionCase,
);
behaviour.for(
  'USR-EXCLUDED-URN-CORE',
  'treats URN-qualified core names in excludedAttributes like the short names',
  rowsFor('USR-EXCLUDED-URN-CORE'),
  projectionCase,
);
behaviour.for(
  'USR-EXCLUDED-ENTERPRISE',
  'omits only the enterprise extension attribute named in excludedAttributes',
  rowsFor('USR-EXCLUDED-ENTERPRISE'),
  projectionCase,
);
behaviour.for(
  'USR-EXCLUDED-GENESYS',
  'omits only the genesys extension attribute named in excludedAttributes',
  rowsFor('USR-EXCLUDED-GENESYS'),
  projectionCase,
);
behaviour.for(
  'USR-EXCLUDED-ALWAYS-RETURNED',
  'still returns id, userName, active and meta when excludedAttributes names them',
  rowsFor('USR-EXCLUDED-ALWAYS-RETURNED'),
  projectionCase,
);
assertEveryRowUsed(TABLE);

// ------------------------------------------------------------------ request forms

const NOT_TITLE_OR_DISPLAY = ['externalId', 'phoneNumbers', 'emails', 'roles', ENTERPRISE, GENESYS];

behaviour('USR-ATTRIBUTES-COMMA-LIST', 'returns every attribute of a comma-separated attributes list', async (ctx) => {
  const pop = await userPopulation(ctx);
  const res = await getProjected(ctx, pop, { attributes: 'displayName,title' });
  checkProjection(ctx, res, res.body, pop.subject, 'attributes=displayName,title', ['displayName', 'title'], NOT_TITLE_OR_DISPLAY);
});

behaviour('USR-ATTRIBUTES-REPEATED-PARAM', 'returns every attribute of repeated attributes keys', async (ctx) => {
  const pop = await userPopulation(ctx);
  const res = await getProjected(ctx, pop, { attributes: ['displayName', 'title'] });
  checkProjection(ctx, res, res.body, pop.subject, 'attributes=displayName&attributes=title', ['displayName', 'title'], NOT_TITLE_OR_DISPLAY);
});

behaviour('USR-ATTRIBUTES-NAME-CASE', 'matches attribute names in attributes and excludedAttributes regardless of case', async (ctx) => {
  const pop = await userPopulation(ctx);
  const included = await getProjected(ctx, pop, { attributes: 'DISPLAYNAME' });
  checkProjection(ctx, included, included.body, pop.subject, 'attributes=DISPLAYNAME', ['displayName'], ['title', ...NOT_TITLE_OR_DISPLAY]);
  const excluded = await getProjected(ctx, pop, { excludedAttributes: 'tItLe' });
  checkProjection(ctx, excluded, excluded.body, pop.subject, 'excludedAttributes=tItLe', ['displayName', 'externalId', 'emails'], ['title']);
});

behaviour('USR-ATTRIBUTES-PASSWORD-NEVER', 'does not return password even when attributes asks for it', async (ctx) => {
  const { verify } = ctx;
  const pop = await userPopulation(ctx);
  // S was created with a password of its own.
  const password = populationPart(ctx, pop, 'password', pop.subject.password);
  const res = await getProjected(ctx, pop, { attributes: 'password' });
  verify.that(res, ciGet(res.body, 'password') === undefined, 'no password attribute (RFC 7643 §4.1.1: returned "never")', '(absent)', ciGet(res.body, 'password'));
  verify.that(res, !res.text.includes(password), 'the password value appears nowhere in the response', 'not in the body', 'found in the body');
});

/** The users list, filtered to S (2019 requires a filter; a filter keeps the check to our own data); polled until S shows. */
async function listSubject(ctx: BehaviourContext, pop: UserPopulation, query: Record<string, string>): Promise<HttpResult> {
  const res = await readUsers(ctx, { ...subjectQuery(pop), ...query }, { ids: [pop.subject.id] });
  ctx.verify.status(res, 200);
  ctx.verify.schema(res, 'ScimUserListResponse');
  const ids = (res.body.Resources ?? []).map((r: { id?: string }) => r.id);
  ctx.verify.that(res, ids.includes(pop.subject.id), 'the filtered list holds the user', pop.subject.id, ids);
  return res;
}

behaviour('USR-ATTRIBUTES-ON-LIST', 'applies attributes to every Resource of a users list', async (ctx) => {
  const pop = await userPopulation(ctx);
  const res = await listSubject(ctx, pop, { attributes: 'displayName' });
  for (const r of res.body.Resources) {
    const mustReturn = r.id === pop.subject.id ? ['displayName'] : [];
    checkProjection(ctx, res, r, pop.subject, `list, attributes=displayName, Resource ${r.id}`, mustReturn, ['title', ...NOT_TITLE_OR_DISPLAY]);
  }
});

behaviour('USR-EXCLUDED-ON-LIST', 'applies excludedAttributes to every Resource of a users list', async (ctx) => {
  const pop = await userPopulation(ctx);
  const res = await listSubject(ctx, pop, { excludedAttributes: 'title' });
  for (const r of res.body.Resources) {
    const mustReturn = r.id === pop.subject.id ? ['displayName', 'externalId', 'emails'] : [];
    checkProjection(ctx, res, r, pop.subject, `list, excludedAttributes=title, Resource ${r.id}`, mustReturn, ['title']);
  }
});
