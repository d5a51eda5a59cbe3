/**
 * Users: what a user looks like when read: meta (RFC 7643 §3.1, reference §4.5), schemas and extensions
 * (RFC 7643 §3), password never returned (RFC 7643 §4.1.1), roles, groups, emails (reference §4.1). The user read is
 * the run's read population's subject S (harness/checks/user-population.ts: the 'full' template, the org's role, a
 * password, the member of a group on 2021), read once per prefix for every check that judges it.
 */
import {
  behaviour,
  needWrites,
  populationPart,
  readPopulationSubject,
  readUsers,
  subjectQuery,
  userPopulation,
  type BehaviourContext,
  type HttpResult,
  type UserPopulation,
} from '../../harness/index.ts';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
/** RFC 3339 / ISO 8601 date-time with seconds and a zone (the doc: yyyy-MM-ddTHH:mm:ss.SSSZ). */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;

/** GET /users/{S} (shared by the checks of this prefix): 200, a ScimV2User, S. */
async function getSubject(ctx: BehaviourContext): Promise<{ pop: UserPopulation; res: HttpResult }> {
  const pop = await userPopulation(ctx);
  const res = await readPopulationSubject(ctx, pop);
  ctx.verify.status(res, 200);
  ctx.verify.schema(res, 'ScimV2User');
  ctx.verify.equal(res, res.body.id, pop.subject.id, 'id of the user requested');
  return { pop, res };
}

async function getUser(ctx: BehaviourContext, id: string): Promise<HttpResult> {
  const res = await ctx.scim.get(`/users/${id}`);
  ctx.verify.status(res, 200);
  ctx.verify.schema(res, 'ScimV2User');
  ctx.verify.equal(res, res.body.id, id, 'id of the user requested');
  return res;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// ------------------------------------------------------------------ meta

behaviour('USR-META-RESOURCE-TYPE', 'gives User as meta.resourceType', async (ctx) => {
  const { res } = await getSubject(ctx);
  ctx.verify.equal(res, res.body.meta?.resourceType, 'User', 'meta.resourceType');
});

behaviour('USR-META-LOCATION', 'gives the URI of the user as meta.location, and a GET on it returns that user', async (ctx) => {
  const { scim, verify } = ctx;
  const { pop, res } = await getSubject(ctx);
  const { id } = pop.subject;
  const location: unknown = res.body.meta?.location;
  verify.that(res, typeof location === 'string' && location.length > 0, 'meta.location is set', 'a URI', location);
  // A relative reference is resolved against the request URI (RFC 7643 §3.1: the same as Content-Location,
  // which may be a partial URI, RFC 7231 §3.1.4.2).
  const requested = new URL(scim.url(`/users/${id}`));
  const url = URL.canParse(location as string, requested) ? new URL(location as string, requested) : undefined;
  if (!url) return verify.fail('meta.location is a URI', 'a URI', location, res);
  verify.that(res, url.origin === requested.origin, 'meta.location is on the server that was asked', requested.origin, url.origin);
  // The location is the URI the user was read at: that GET (shared) is the one on it. Otherwise it is followed with a
  // client that takes paths from the origin (it shares the check's connection and identity), whatever prefix it names.
  const root = Object.create(scim, { prefix: { value: '' } }) as typeof scim;
  const followed = url.href === requested.href ? await readPopulationSubject(ctx, pop) : await root.get(`${url.pathname}${url.search}`);
  verify.status(followed, 200, `HTTP status of GET meta.location (${location})`);
  verify.schema(followed, 'ScimV2User');
  verify.equal(followed, followed.body.id, id, 'GET meta.location returns the same user (id)');
});

behaviour('USR-META-LAST-MODIFIED', 'gives an ISO 8601 date-time as meta.lastModified', async (ctx) => {
  const { res } = await getSubject(ctx);
  const lm: unknown = res.body.meta?.lastModified;
  ctx.verify.that(
    res,
    typeof lm === 'string' && ISO_DATE_TIME.test(lm) && Number.isFinite(Date.parse(lm)),
    'meta.lastModified is an ISO 8601 date-time (RFC 7643 §3.1, reference §4.5)',
    'e.g. 2021-01-16T12:34:56.789Z',
    lm,
  );
});

behaviour('USR-META-LOCATION-PREFIX', 'gives a meta.location under the path prefix of the request', async (ctx) => {
  const { scim, verify } = ctx;
  const { pop, res } = await getSubject(ctx);
  const { id } = pop.subject;
  const location: unknown = res.body.meta?.location;
  verify.that(res, typeof location === 'string' && location.length > 0, 'meta.location is set', 'a URI', location);
  const base = scim.url(`/users/${id}`);
  if (!URL.canParse(location as string, base)) return verify.fail('meta.location is a URI', 'a URI', location, res);
  const path = new URL(location as string, base).pathname;
  verify.that(
    res,
    new RegExp(`^${escapeRegExp(scim.prefix)}/users/${escapeRegExp(id)}$`, 'i').test(path),
    `meta.location uses the request's prefix ${scim.prefix}`,
    `${scim.prefix}/users/${id}`,
    path,
  );
});

// ------------------------------------------------------------------ schemas

behaviour('USR-SCHEMAS-EXTENSIONS', 'lists in schemas every extension whose attributes the user shows', async (ctx) => {
  const { verify } = ctx;
  const { res } = await getSubject(ctx);
  const schemas = ((res.body.schemas ?? []) as string[]).map((s) => s.toLowerCase());
  const shown = Object.keys(res.body).filter((k) => {
    const v = res.body[k];
    return k.toLowerCase().startsWith('urn:') && v !== null && typeof v === 'object' && Object.keys(v).length > 0;
  });
  // The user was created with enterprise attributes (department, employeeNumber): they must show, or the
  // check below would have nothing to look at.
  verify.that(
    res,
    shown.some((k) => k.toLowerCase() === ENTERPRISE.toLowerCase()),
    'precondition: the user created with enterprise attributes shows the enterprise extension',
    ENTERPRISE,
    Object.keys(res.body),
  );
  const missing = shown.filter((k) => !schemas.includes(k.toLowerCase()));
  verify.that(res, missing.length === 0, 'schemas names every extension present in the body (RFC 7643 §3)', shown, { schemas: res.body.schemas, missing });
});

// ------------------------------------------------------------------ password

behaviour('USR-PASSWORD-NEVER-RETURNED', 'never returns the password (POST, GET, list, PUT, PATCH)', async (ctx) => {
  const { scim, verify, target } = ctx;
  needWrites(ctx, 'a user with a password');
  const pw = () => `Scimct-${Math.random().toString(36).slice(2, 10)}-Pw9!`;
  const noPassword = (res: HttpResult, what: string, passwords: readonly string[]) => {
    const bodies = Array.isArray(res.body?.Resources) ? res.body.Resources : [res.body];
    for (const b of bodies) {
      const key = b && typeof b === 'object' ? Object.keys(b).find((k) => k.toLowerCase() === 'password') : undefined;
      verify.that(res, key === undefined, `${what}: no password attribute (RFC 7643 §4.1.1: returned "never")`, '(absent)', key && b[key]);
    }
    const leaked = passwords.find((p) => res.text.includes(p));
    verify.that(res, leaked === undefined, `${what}: no password value anywhere in the response`, 'not in the body', 'a password sent by the run appears in the body');
  };

  // Reads: the population's subject S, created with a password of its own (read once per prefix for every check).
  const pop = await userPopulation(ctx);
  const read = pop.subject.password ? [pop.subject.password] : [];
  const got = await readPopulationSubject(ctx, pop);
  verify.status(got, 200);
  verify.schema(got, 'ScimV2User');
  noPassword(got, 'GET /users/{id}', read);
  const list = await readUsers(ctx, subjectQuery(pop), { ids: [pop.subject.id] });
  verify.status(list, 200);
  verify.schema(list, 'ScimUserListResponse');
  noPassword(list, 'GET /users?filter', read);

  // Writes: a user of the check's own, created, replaced and patched with a new password each time.
  const passwords = [pw()];
  const sent = ctx.build.user('password', 'full', { password: passwords[0] });
  const created = await ctx.create('users', sent);
  noPassword(created, 'POST /users', passwords);
  const id = String(created.body.id);

  passwords.push(pw());
  const put = await scim.put(`/users/${id}`, { ...sent, password: passwords[1] });
  verify.status(put, 200, 'HTTP status of PUT /users/{id} with a password');
  verify.schema(put, 'ScimV2User');
  noPassword(put, 'PUT /users/{id}', passwords);

  if (target.capabilities.patch !== false) {
    passwords.push(pw());
    const patch = await scim.patch(`/users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', path: 'password', value: passwords[2] }],
    });
    verify.status(patch, [200, 204], 'HTTP status of PATCH /users/{id} replacing the password');
    noPassword(patch, 'PATCH /users/{id}', passwords);
  }
});

// ------------------------------------------------------------------ roles, groups, emails

behaviour('USR-ROLES-SHAPE', 'returns roles as [{"value": <role name>}]', async (ctx) => {
  const { verify, target } = ctx;
  const role = target.org.role!;
  // S was created with the org's role (the 'full' template).
  const { res } = await getSubject(ctx);
  const roles: unknown = res.body.roles;
  verify.that(res, Array.isArray(roles) && roles.length > 0, 'roles is a non-empty array', `[{"value": "${role}"}]`, roles);
  const bad = (roles as unknown[]).filter((r) => !r || typeof r !== 'object' || typeof (r as any).value !== 'string' || (r as any).value === '');
  verify.that(res, bad.length === 0, 'every role is an object with a string value', '{"value": "<role name>"}', bad);
  const names = (roles as { value: string }[]).map((r) => r.value);
  verify.that(
    res,
    names.some((n) => n.toLowerCase() === role.toLowerCase()),
    'the role assigned by name comes back by its name (not an id)',
    role,
    names,
  );
});

behaviour('USR-GROUPS-REFLECT-MEMBERSHIP', 'lists a group in the user\'s groups once the group has the user as member', async (ctx) => {
  const { scim, verify, target } = ctx;
  const checkGroups = (res: HttpResult, groupId: string) => {
    const groups: unknown = res.body.groups;
    const values = Array.isArray(groups) ? groups.map((g: { value?: unknown }) => g?.value) : groups;
    verify.that(
      res,
      Array.isArray(values) && values.includes(groupId),
      'the user\'s groups lists the group that has it as member (RFC 7643 §4.1.2)',
      `an entry with value ${groupId}`,
      values ?? '(no groups)',
    );
  };

  if (target.apiVersion === '2021') {
    // The population's group G was created with S as its member.
    const { pop, res } = await getSubject(ctx);
    checkGroups(res, populationPart(ctx, pop, 'group', pop.group).id);
    return;
  }

  // API versions without group creation: the configured scratch group gets a user of the check's own (S must not
  // change: other checks read it), and is restored afterwards.
  needWrites(ctx, 'a user to make a member of the scratch group');
  const created = await ctx.create('users', ctx.build.user('groups-member'));
  const id = String(created.body.id);
  const groupId = target.org.groupId!;
  const added = await scim.patch(`/groups/${groupId}`, {
    schemas: [PATCH_OP],
    Operations: [{ op: 'add', path: 'members', value: [{ value: id, type: 'User' }] }],
  });
  let restored: HttpResult | undefined;
  try {
    verify.status(added, [200, 204], 'setup: PATCH the scratch group to add the user as member');
    checkGroups(await getUser(ctx, id), groupId);
  } finally {
    if (added.status >= 200 && added.status < 300) {
      restored = await scim.patch(`/groups/${groupId}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'remove', path: `members[value eq "${id}"]` }],
      });
    }
  }
  verify.status(restored!, [200, 204], 'cleanup: PATCH the scratch group to remove the user again');
});

/** Emails of a user, with a type. */
type Email = { value?: unknown; type?: unknown };

behaviour('USR-EMAIL-OTHER-IS-USERNAME', 'returns the userName as the email of type other', async (ctx) => {
  const { verify } = ctx;
  const { pop, res } = await getSubject(ctx);
  const subject = pop.subject;
  const emails: Email[] = Array.isArray(res.body.emails) ? res.body.emails : [];
  const other = emails.filter((e) => typeof e?.type === 'string' && e.type.toLowerCase() === 'other');
  verify.that(res, other.length > 0, 'emails has an entry of type other (reference §4.1: email_main)', `{"type": "other", "value": "${subject.userName}"}`, emails);
  const userName = String(res.body.userName).toLowerCase();
  verify.that(
    res,
    other.every((e) => typeof e.value === 'string' && e.value.toLowerCase() === userName),
    'emails[type eq "other"].value equals userName',
    res.body.userName,
    other.map((e) => e.value),
  );
});

behaviour('USR-EMAIL-TYPES', 'returns only the email types work and other', async (ctx) => {
  const { scim, verify, target } = ctx;
  let res: HttpResult;
  let users: Record<string, any>[];
  if (target.allowWrites) {
    res = (await getSubject(ctx)).res;
    users = [res.body];
  } else {
    // Read-only target: inspect one page of existing users.
    res = await scim.get('/users', { query: { count: 10 } });
    verify.status(res, 200);
    verify.schema(res, 'ScimUserListResponse');
    users = res.body.Resources;
  }
  const emails = users.flatMap((u) => (Array.isArray(u.emails) ? (u.emails as Email[]).map((e) => ({ user: u.id, ...e })) : []));
  if (emails.length === 0) {
    if (target.allowWrites) verify.fail('precondition: the user created with a work email shows emails', 'emails', '(none)', res);
    ctx.skip('no user on the first page of the users list has emails to inspect', 'inconclusive');
  }
  const bad = emails.filter((e) => typeof e.type !== 'string' || !['work', 'other'].includes(e.type.toLowerCase()));
  verify.that(res, bad.length === 0, 'every email type is work or other (reference §4.1, SDK enum)', 'work | other', bad);
});
