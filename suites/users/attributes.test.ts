/**
 * Users: attributes / excludedAttributes projections (API version 2021; seed 000 getScimUser / getScimV2User /
 * getScimUsers / getScimV2Users, RFC 7644 §3.4.2.5, §3.10). The documented values are a case table
 * (fixtures/cases/user-attributes.json); the request forms (comma list, repeated keys, name case, list endpoint)
 * are checked on their own.
 */
import { assertEveryRowUsed, behaviour, caseTable, needWrites, rowsOf, type BehaviourContext, type HttpResult } from '../../harness/index.ts';
import { ciGet } from '../../harness/index.ts';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const GENESYS = 'urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User';
const ALWAYS = ['id', 'userName', 'active', 'meta'];

interface Row {
  name: string;
  behaviour: string;
  param: 'attributes' | 'excludedAttributes';
  value: string;
  setup?: string[];
  mustReturn: string[];
  mustNotReturn: string[];
}

const TABLE = caseTable<Row>('user-attributes');

// ------------------------------------------------------------------ helpers

/** Key lookup ignoring case (RFC 7643 §2.1: attribute names are case-insensitive). */

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

interface Subject {
  id: string;
  userName: string;
  /** The body sent and the POST response: what the user holds. */
  sent: Record<string, any>;
  created: HttpResult;
  /** Paths the user holds through other resources (its groups). */
  also: string[];
}

/**
 * Creates the user the check reads: the 'full' template, optionally with a manager (a second user), a genesys
 * externalIds entry and a group holding it as member, so that every projected attribute has a value to return.
 */
async function createSubject(ctx: BehaviourContext, label: string, setup: readonly string[] = []): Promise<Subject> {
  const { target, skip } = ctx;
  needWrites(ctx, 'the user it reads');
  // Every check here only reads its user: one user per kind of setup serves them all (a few requests
  // instead of one user per row); the runner removes it at the end of the run.
  const key = `users/attributes/${[...setup].sort().join('+') || 'plain'}`;
  return ctx.shared(key, (create) => buildSubject(ctx, create, label, setup));
}

async function buildSubject(
  ctx: BehaviourContext,
  create: (resource: 'users' | 'groups', body: unknown) => Promise<HttpResult>,
  label: string,
  setup: readonly string[],
): Promise<Subject> {
  const { build, verify, names } = ctx;
  const body = build.user(label, 'full');
  if (setup.includes('manager')) {
    const manager = await create('users', build.user(`${label}-mgr`));
    verify.status(manager, [200, 201], 'setup: POST /users creates a manager for the user');
    verify.schema(manager, 'ScimV2User');
    body[ENTERPRISE] = { ...(body[ENTERPRISE] ?? {}), manager: { value: manager.body.id } };
  }
  if (setup.includes('externalIds')) {
    body[GENESYS] = { ...(body[GENESYS] ?? {}), externalIds: [{ authority: 'microsoftteams', value: names.externalId('teams') }] };
  }
  const created = await create('users', body);
  verify.status(created, [200, 201], 'setup: POST /users creates the user this check reads');
  verify.schema(created, 'ScimV2User');
  const subject: Subject = { id: created.body.id, userName: created.body.userName, sent: body, created, also: [] };
  if (setup.includes('group')) {
    const group = await create('groups', build.group(`${label}-grp`, 'minimal', { members: [{ value: subject.id, type: 'User' }] }));
    verify.status(group, [200, 201], 'setup: POST /groups creates a group with the user as member');
    subject.also.push('groups');
  }
  return subject;
}

/** Paths of `paths` the user holds a value for (sent in the POST body, or shown in the POST response). */
function heldBy(subject: Subject, paths: readonly string[]): string[] {
  return paths.filter(
    (p) => subject.also.includes(p) || isReturned(valueAt(subject.sent, p)) || isReturned(valueAt(subject.created.body, p)),
  );
}

/** Every path of `mustReturn` the user holds comes back; no path of `mustNotReturn` does. */
function checkProjection(
  ctx: BehaviourContext,
  res: HttpResult,
  resource: unknown,
  subject: Subject,
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

async function getProjected(ctx: BehaviourContext, id: string, query: Record<string, string | string[]>): Promise<HttpResult> {
  const res = await ctx.scim.get(`/users/${id}`, { query });
  ctx.verify.status(res, 200);
  ctx.verify.schema(res, 'ScimV2User');
  ctx.verify.equal(res, res.body.id, id, 'id of the user requested');
  return res;
}

// ------------------------------------------------------------------ the documented values (case table)

/** The table's rows for one behaviour (a behaviour without rows is a broken table). */
const rowsFor = (id: string): Row[] => rowsOf(TABLE, id);

/**
 * One row: a user holding every value, one GET with the row's parameter, then what must and must not come back. The
 * attributes the row names must be held by the user (attributes: its mustReturn; excludedAttributes: its
 * mustNotReturn): a projection of a value the user does not have proves nothing, so such a row is skipped.
 */
async function projectionCase(row: Row, ctx: BehaviourContext): Promise<void> {
  const subject = await createSubject(ctx, 'projection', row.setup);
  const named = row.param === 'attributes' ? row.mustReturn : row.mustNotReturn;
  const held = heldBy(subject, named);
  const lacking = named.filter((p) => !held.includes(p));
  if (lacking.length > 0) {
    ctx.skip(`the user this check reads holds no ${lacking.map(show).join(', ')} (an org fixture this target lacks?), so ${row.param}=${row.value} proves nothing about it`, 'configuration');
  }
  const res = await getProjected(ctx, subject.id, { [row.param]: row.value });
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
  const subject = await createSubject(ctx, 'attr-comma');
  const res = await getProjected(ctx, subject.id, { attributes: 'displayName,title' });
  checkProjection(ctx, res, res.body, subject, 'attributes=displayName,title', ['displayName', 'title'], NOT_TITLE_OR_DISPLAY);
});

behaviour('USR-ATTRIBUTES-REPEATED-PARAM', 'returns every attribute of repeated attributes keys', async (ctx) => {
  const subject = await createSubject(ctx, 'attr-repeated');
  const res = await getProjected(ctx, subject.id, { attributes: ['displayName', 'title'] });
  checkProjection(ctx, res, res.body, subject, 'attributes=displayName&attributes=title', ['displayName', 'title'], NOT_TITLE_OR_DISPLAY);
});

behaviour('USR-ATTRIBUTES-NAME-CASE', 'matches attribute names in attributes and excludedAttributes regardless of case', async (ctx) => {
  const subject = await createSubject(ctx, 'attr-case');
  const included = await getProjected(ctx, subject.id, { attributes: 'DISPLAYNAME' });
  checkProjection(ctx, included, included.body, subject, 'attributes=DISPLAYNAME', ['displayName'], ['title', ...NOT_TITLE_OR_DISPLAY]);
  const excluded = await getProjected(ctx, subject.id, { excludedAttributes: 'tItLe' });
  checkProjection(ctx, excluded, excluded.body, subject, 'excludedAttributes=tItLe', ['displayName', 'externalId', 'emails'], ['title']);
});

behaviour('USR-ATTRIBUTES-PASSWORD-NEVER', 'does not return password even when attributes asks for it', async (ctx) => {
  const { verify } = ctx;
  needWrites(ctx, 'the user it reads');
  const password = `Scimct-${Math.random().toString(36).slice(2, 10)}-Pw9!`;
  const created = await ctx.create('users', ctx.build.user('attr-password', 'full', { password }));
  verify.status(created, [200, 201], 'setup: POST /users creates a user with a password');
  const res = await getProjected(ctx, created.body.id, { attributes: 'password' });
  verify.that(res, ciGet(res.body, 'password') === undefined, 'no password attribute (RFC 7643 §4.1.1: returned "never")', '(absent)', ciGet(res.body, 'password'));
  verify.that(res, !res.text.includes(password), 'the password value appears nowhere in the response', 'not in the body', 'found in the body');
});

/** The users list, filtered to the subject (2019 requires a filter; a filter keeps the check to our own data). */
async function listSubject(ctx: BehaviourContext, subject: Subject, query: Record<string, string>): Promise<HttpResult> {
  const res = await ctx.scim.get('/users', { query: { filter: `userName eq "${subject.userName}"`, ...query } });
  ctx.verify.status(res, 200);
  ctx.verify.schema(res, 'ScimUserListResponse');
  const ids = (res.body.Resources ?? []).map((r: { id?: string }) => r.id);
  ctx.verify.that(res, ids.includes(subject.id), 'the filtered list holds the user', subject.id, ids);
  return res;
}

behaviour('USR-ATTRIBUTES-ON-LIST', 'applies attributes to every Resource of a users list', async (ctx) => {
  const subject = await createSubject(ctx, 'attr-list');
  const res = await listSubject(ctx, subject, { attributes: 'displayName' });
  for (const r of res.body.Resources) {
    const mustReturn = r.id === subject.id ? ['displayName'] : [];
    checkProjection(ctx, res, r, subject, `list, attributes=displayName, Resource ${r.id}`, mustReturn, ['title', ...NOT_TITLE_OR_DISPLAY]);
  }
});

behaviour('USR-EXCLUDED-ON-LIST', 'applies excludedAttributes to every Resource of a users list', async (ctx) => {
  const subject = await createSubject(ctx, 'excl-list');
  const res = await listSubject(ctx, subject, { excludedAttributes: 'title' });
  for (const r of res.body.Resources) {
    const mustReturn = r.id === subject.id ? ['displayName', 'externalId', 'emails'] : [];
    checkProjection(ctx, res, r, subject, `list, excludedAttributes=title, Resource ${r.id}`, mustReturn, ['title']);
  }
});
