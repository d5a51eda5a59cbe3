/**
 * POST users (seed 000 postScimUsers, seed 002 post_scim_users; RFC 7644 §3.3). Request economy on a real org: the
 * checks of what a POST answers and stores judge a few users POSTed once per prefix (their POST, and one GET of each,
 * are the evidence of every check that reads them; the users are kept until the end of the run):
 * - the rich user: every documented attribute the API version and the org fixtures allow (sent as application/scim+json);
 * - the plain user: the minimal template, sent as application/json (the default role, the JSON media type);
 * - the ignored user: created inactive, with what the server must ignore (an id, meta, groups, unknown attributes).
 * Checks that need a POST of their own (a refused body, a uniqueness collision) send it.
 */
import { randomUUID } from 'node:crypto';
import {
  assertEveryRowUsed,
  behaviour,
  caseTable,
  CORE_USER_URN,
  ENTERPRISE_URN,
  fillRow,
  GENESYS_URN,
  keptPost,
  phoneDigits,
  postUserWith,
  referenceUser,
  roleNames,
  rowsOf,
  setupFailed,
  sharedEvidence,
  type BehaviourContext,
  type HttpResult,
} from '../../harness/index.ts';

const PHONE_TYPES = ['work', 'work2', 'work3', 'work4', 'home', 'mobile', 'other', 'microsoftteams', 'zoomphone'];

interface SharedUser {
  /** The body POSTed. */
  body: Record<string, any>;
  /** The answer to the POST. */
  created: HttpResult;
}

/** The rich user of this prefix (POSTed once, kept until the end of the run). */
function richUser(ctx: BehaviourContext): Promise<SharedUser> {
  return sharedEvidence(ctx, 'post-rich', async () => {
    const { build, names, target } = ctx;
    const org = target.org;
    const phones: Record<string, unknown>[] = (target.apiVersion === '2021' ? PHONE_TYPES : ['work']).map((type, i) => ({
      type,
      value: `+1317555${String(110 + i).padStart(4, '0')}`,
    }));
    phones[0].primary = true;
    const body = build.user('post-rich', 'minimal', {
      title: 'Conformance Tester',
      externalId: names.externalId('post-rich'),
      emails: [{ value: names.userName('post-rich-work'), type: 'work', primary: true }],
      phoneNumbers: phones,
    });
    if (target.apiVersion === '2021') {
      const manager = await referenceUser(ctx);
      body.schemas = [CORE_USER_URN, ENTERPRISE_URN, GENESYS_URN];
      body[ENTERPRISE_URN] = {
        department: 'Conformance',
        employeeNumber: String(Math.floor(Math.random() * 1e9)),
        manager: { value: manager.id },
        ...(org.division ? { division: org.division } : {}),
      };
      body[GENESYS_URN] = {
        externalIds: [{ authority: 'microsoftteams', value: names.externalId('teams') }],
        ...(org.routingSkill ? { routingSkills: [{ name: org.routingSkill, proficiency: 5 }] } : {}),
        ...(org.routingLanguage ? { routingLanguages: [{ name: org.routingLanguage, proficiency: 4 }] } : {}),
      };
      if (org.role) body.roles = [{ value: org.role }];
    }
    return { body, created: await keptPost(ctx, 'users', body) };
  });
}

/** The plain user of this prefix: the minimal template, sent as application/json. */
function plainUser(ctx: BehaviourContext): Promise<SharedUser> {
  return sharedEvidence(ctx, 'post-plain', async () => {
    const body = ctx.build.user('post-plain');
    return { body, created: await keptPost(ctx, 'users', body, { contentType: 'application/json' }) };
  });
}

const BOGUS_META = { resourceType: 'Group', version: '"999999"', lastModified: '2000-01-01T00:00:00.000Z', location: 'https://scimct.invalid/users/bogus' };

/** The ignored user of this prefix: created inactive, with an id, meta, groups and the unknown attributes of the case table. */
function ignoredUser(ctx: BehaviourContext): Promise<SharedUser & { clientId: string; groupId: string }> {
  return sharedEvidence(ctx, 'post-ignored', async () => {
    const clientId = randomUUID();
    const groupId = ctx.target.org.groupId ?? randomUUID();
    const unknown = Object.assign({}, ...rowsOf(TABLE, 'USR-POST-UNKNOWN-ATTRIBUTES-IGNORED').filter((r) => r.judgedOn === 'ignored').map((r) => r.set ?? {}));
    const body = ctx.build.user('post-ignored', 'minimal', { ...unknown, id: clientId, meta: BOGUS_META, groups: [{ value: groupId, type: 'Group' }], active: false });
    return { body, clientId, groupId, created: await keptPost(ctx, 'users', body) };
  });
}

/** The POST of a shared user (201 and a ScimV2User, as every check of it requires), and one GET of it per prefix. */
async function createdAndRead(ctx: BehaviourContext, key: string, user: SharedUser): Promise<[created: HttpResult, fetched: HttpResult]> {
  const { created } = user;
  ctx.verify.status(created, 201);
  ctx.verify.schema(created, 'ScimV2User');
  const { fetched } = await sharedEvidence(ctx, `${key}-get`, async () => ({ fetched: await ctx.scim.get(`/users/${encodeURIComponent(created.body.id)}`) }));
  ctx.verify.status(fetched, 200);
  ctx.verify.schema(fetched, 'ScimV2User');
  return [created, fetched];
}

const rich = async (ctx: BehaviourContext) => createdAndRead(ctx, 'post-rich', await richUser(ctx));

/** The 201 body and the GET of a shared user, labelled. */
const whenRead = ([created, fetched]: [HttpResult, HttpResult]) =>
  [
    ['201 body', created],
    ['GET', fetched],
  ] as const;

// ---------------------------------------------------------------- the 201 response

behaviour('USR-POST-201', 'creates a user and answers 201 with the user', async (ctx) => {
  const { body, created: res } = await richUser(ctx);
  const { verify } = ctx;
  verify.status(res, 201);
  verify.contentType(res);
  verify.schema(res, 'ScimV2User');
  verify.equal(res, res.body.userName, body.userName, 'userName of the created user');
});

behaviour('USR-POST-LOCATION', 'sends a Location header equal to meta.location', async (ctx) => {
  const { created: res } = await richUser(ctx);
  const { verify } = ctx;
  verify.status(res, 201);
  verify.schema(res, 'ScimV2User');
  const location = verify.header(res, 'location');
  verify.equal(res, location, res.body.meta.location, 'the Location header equals meta.location (RFC 7644 §3.3)');
  verify.that(
    res,
    location.endsWith(`/users/${res.body.id}`) || location.endsWith(`/Users/${res.body.id}`),
    'Location is the URI of the new user',
    `a URI ending in /users/${res.body.id}`,
    location,
  );
});

behaviour('USR-POST-ETAG', 'sends an ETag header equal to meta.version', async (ctx) => {
  const { created: res } = await richUser(ctx);
  const { verify } = ctx;
  verify.status(res, 201);
  verify.schema(res, 'ScimV2User');
  const etag = verify.header(res, 'etag', /^(W\/)?"[^"]*"$/);
  verify.equal(res, res.body.meta.version, etag, 'meta.version equals the ETag header (RFC 7644 §3.14)');
});

behaviour('USR-POST-ID-ASSIGNED', 'assigns its own id and ignores an id in the request', async (ctx) => {
  const { created: res, clientId } = await ignoredUser(ctx);
  const { verify } = ctx;
  verify.status(res, 201);
  verify.schema(res, 'ScimV2User');
  verify.that(res, typeof res.body.id === 'string' && res.body.id.trim() !== '', 'id is assigned', 'a non-empty id', res.body.id);
  verify.that(res, res.body.id !== clientId, 'the id given by the client is ignored (RFC 7643 §3.1: id is readOnly)', `an id other than ${clientId}`, res.body.id);
});

behaviour('USR-POST-READONLY-IGNORED', 'ignores meta and groups in the request body', async (ctx) => {
  const { created: res, groupId } = await ignoredUser(ctx);
  const { verify } = ctx;
  verify.status(res, 201);
  verify.schema(res, 'ScimV2User');
  const meta = res.body.meta;
  verify.equal(res, meta.resourceType, 'User', 'meta.resourceType is set by the server');
  verify.that(res, meta.location !== BOGUS_META.location, 'meta.location is set by the server', `not ${BOGUS_META.location}`, meta.location);
  verify.that(res, meta.lastModified !== BOGUS_META.lastModified, 'meta.lastModified is set by the server', `not ${BOGUS_META.lastModified}`, meta.lastModified);
  verify.that(res, meta.version !== BOGUS_META.version, 'meta.version is set by the server', `not ${BOGUS_META.version}`, meta.version);
  const groups = (res.body.groups ?? []).map((g: { value?: string }) => g.value);
  verify.that(res, !groups.includes(groupId), 'groups is read-only on the User (membership changes go through the Group)', `no group ${groupId}`, groups);
});

// ---------------------------------------------------------------- attributes round trip

behaviour('USR-POST-ROUNDTRIP', 'returns the submitted core attributes on create and on a later GET', async (ctx) => {
  const { body } = await richUser(ctx);
  const { verify } = ctx;
  const workEmail = body.emails[0].value;
  const workPhone = body.phoneNumbers.find((p: { type: string }) => p.type === 'work').value;
  for (const [when, res] of whenRead(await rich(ctx))) {
    const u = res.body;
    verify.equal(res, u.userName, body.userName, `${when}: userName`);
    verify.equal(res, u.displayName, body.displayName, `${when}: displayName`);
    verify.equal(res, u.title, body.title, `${when}: title`);
    verify.equal(res, u.active, true, `${when}: active`);
    verify.equal(res, u.externalId, body.externalId, `${when}: externalId`);
    const email = (u.emails ?? []).find((e: { type?: string }) => e.type === 'work');
    verify.equal(res, email?.value, workEmail, `${when}: emails[type eq "work"].value`);
    const phone = (u.phoneNumbers ?? []).find((p: { type?: string }) => p.type === 'work');
    verify.equal(res, phoneDigits(phone?.value), phoneDigits(workPhone), `${when}: phoneNumbers[type eq "work"].value (digits)`);
  }
});

behaviour('USR-POST-EMAIL-WORK', 'stores an email of type work and returns it with type work', async (ctx) => {
  const { body } = await richUser(ctx);
  const workEmail = String(body.emails[0].value).toLowerCase();
  for (const res of await rich(ctx)) {
    const work = (res.body.emails ?? []).filter((e: { type?: string }) => e.type === 'work');
    ctx.verify.equal(res, work.map((e: { value?: string }) => e.value?.toLowerCase()), [workEmail], 'exactly the submitted work email, with type "work"');
  }
});

behaviour('USR-POST-PHONE-TYPES', 'stores a phone number of every documented type and returns it with that type', async (ctx) => {
  const { body } = await richUser(ctx);
  const phones: { type: string; value: string }[] = body.phoneNumbers;
  for (const [when, res] of whenRead(await rich(ctx))) {
    const returned = res.body.phoneNumbers ?? [];
    for (const p of phones) {
      const match = returned.filter((r: { type?: string }) => r.type === p.type);
      ctx.verify.that(
        res,
        match.length === 1 && phoneDigits(match[0].value) === phoneDigits(p.value),
        `${when}: phoneNumbers[type eq "${p.type}"]`,
        { type: p.type, value: p.value },
        match.length ? match : returned,
      );
    }
  }
});

behaviour('USR-POST-ENTERPRISE', 'stores the enterprise department and employeeNumber', async (ctx) => {
  const { body } = await richUser(ctx);
  for (const [when, res] of whenRead(await rich(ctx))) {
    const ent = res.body[ENTERPRISE_URN] ?? {};
    ctx.verify.equal(res, ent.department, body[ENTERPRISE_URN].department, `${when}: enterprise department`);
    ctx.verify.equal(res, ent.employeeNumber, body[ENTERPRISE_URN].employeeNumber, `${when}: enterprise employeeNumber`);
  }
});

behaviour('USR-POST-MANAGER', 'stores an enterprise manager given by user id', async (ctx) => {
  const { body } = await richUser(ctx);
  const managerId = body[ENTERPRISE_URN].manager.value;
  for (const [when, res] of whenRead(await rich(ctx))) {
    ctx.verify.equal(res, res.body[ENTERPRISE_URN]?.manager?.value, managerId, `${when}: enterprise manager.value`);
  }
});

behaviour('USR-POST-DIVISION-BY-NAME', 'accepts a division given by name and returns it', async (ctx) => {
  const division = ctx.target.org.division!;
  for (const [when, res] of whenRead(await rich(ctx))) {
    ctx.verify.equal(res, res.body[ENTERPRISE_URN]?.division, division, `${when}: enterprise division (by name, reference §4.1)`);
  }
});

behaviour('USR-POST-ROLES', 'assigns roles given by name and returns them', async (ctx) => {
  const role = ctx.target.org.role!;
  for (const [when, res] of whenRead(await rich(ctx))) {
    const values = (res.body.roles ?? []).map((r: { value?: string }) => r.value);
    ctx.verify.that(res, values.includes(role), `${when}: roles holds the assigned role`, `{"value": "${role}"}`, res.body.roles ?? '(none)');
  }
});

function routingCheck(attr: 'routingSkills' | 'routingLanguages') {
  return async (ctx: BehaviourContext) => {
    const { body } = await richUser(ctx);
    const [sent] = body[GENESYS_URN][attr] as { name: string; proficiency: number }[];
    for (const [when, res] of whenRead(await rich(ctx))) {
      const items = res.body[GENESYS_URN]?.[attr] ?? [];
      const item = items.find((s: { name?: string }) => s.name === sent.name);
      ctx.verify.that(res, item !== undefined && item.proficiency === sent.proficiency, `${when}: ${attr} holds the entry`, sent, items);
    }
  };
}

behaviour('USR-POST-ROUTING-SKILLS', 'assigns routingSkills given as {name, proficiency} and returns them', routingCheck('routingSkills'));

behaviour('USR-POST-ROUTING-LANGUAGES', 'assigns routingLanguages given as {name, proficiency} and returns them', routingCheck('routingLanguages'));

behaviour('USR-POST-EXTERNAL-IDS', 'stores genesys externalIds given as {authority, value}', async (ctx) => {
  const { body } = await richUser(ctx);
  const [entry] = body[GENESYS_URN].externalIds as { authority: string; value: string }[];
  for (const [when, res] of whenRead(await rich(ctx))) {
    const items = res.body[GENESYS_URN]?.externalIds ?? [];
    ctx.verify.that(
      res,
      items.some((e: { authority?: string; value?: string }) => e.authority === entry.authority && e.value === entry.value),
      `${when}: externalIds holds the entry`,
      entry,
      items,
    );
  }
});

behaviour('USR-POST-INACTIVE', 'creates an inactive user when active is false', async (ctx) => {
  const [created, fetched] = await createdAndRead(ctx, 'post-ignored', await ignoredUser(ctx));
  ctx.verify.equal(created, created.body.active, false, '201 body: active');
  ctx.verify.equal(fetched, fetched.body.active, false, 'GET: active');
});

behaviour('USR-POST-DEFAULT-ROLE', 'gives a user created without roles only the employee role', async (ctx) => {
  const [, fetched] = await createdAndRead(ctx, 'post-plain', await plainUser(ctx));
  ctx.verify.equal(fetched, roleNames(fetched.body), ['employee'], 'roles of a user created without roles (reference §8, S16)');
});

// ---------------------------------------------------------------- uniqueness

/** The userName of the rich user, which the uniqueness checks collide with (set-up: it must have been created). */
async function takenUserName(ctx: BehaviourContext): Promise<string> {
  const { created } = await richUser(ctx);
  if (created.status < 200 || created.status >= 300 || typeof created.body?.userName !== 'string') {
    setupFailed(ctx, created, 'POST /users creates the user whose userName the check reuses', 'a 2xx answer carrying the user');
  }
  return created.body.userName;
}

behaviour('USR-POST-USERNAME-TAKEN-409', 'refuses a userName already in use with 409 uniqueness', async (ctx) => {
  const again = await ctx.post('users', ctx.build.user('taken-again', 'minimal', { userName: await takenUserName(ctx) }));
  ctx.verify.scimError(again, 409, 'uniqueness');
});

behaviour('USR-POST-USERNAME-TAKEN-CASE-409', 'refuses a userName differing only in case with 409 uniqueness', async (ctx) => {
  const upper = (await takenUserName(ctx)).toUpperCase();
  const again = await ctx.post('users', ctx.build.user('taken-case-again', 'minimal', { userName: upper }));
  ctx.verify.scimError(again, 409, 'uniqueness');
});

// ---------------------------------------------------------------- media types

behaviour('USR-POST-ACCEPTS-SCIM-JSON', 'accepts a body sent as application/scim+json', async (ctx) => {
  // The rich user is sent with the SCIM media type (the client's default for a JSON body).
  const { created: res } = await richUser(ctx);
  ctx.verify.status(res, 201);
  ctx.verify.schema(res, 'ScimV2User');
});

behaviour('USR-POST-ACCEPTS-JSON', 'accepts a body sent as application/json', async (ctx) => {
  const { created: res } = await plainUser(ctx);
  ctx.verify.status(res, 201);
  ctx.verify.schema(res, 'ScimV2User');
});

// ---------------------------------------------------------------- invalid bodies (fixtures/cases/user-create-errors.json)

interface CaseRow {
  name: string;
  behaviour: string;
  status: number;
  scimType?: string | null;
  set?: Record<string, unknown>;
  unset?: string[];
  raw?: string;
  /** A valid row judged on a shared user's POST, whose body holds `set`. */
  judgedOn?: 'rich' | 'ignored';
}

const TABLE = caseTable<CaseRow>('user-create-errors');
const caseRows = (id: string): CaseRow[] => rowsOf(TABLE, id);

const ORG_FIXTURES = {
  role: 'SCIM_ORG_ROLE',
  division: 'SCIM_ORG_DIVISION',
  routingSkill: 'SCIM_ORG_ROUTING_SKILL',
  routingLanguage: 'SCIM_ORG_ROUTING_LANGUAGE',
} as const;

/** Whether `part` is contained in `whole`: every key of an object, and every item of an array in some item. */
function contains(whole: unknown, part: unknown): boolean {
  if (Array.isArray(part)) return Array.isArray(whole) && part.every((p) => whole.some((w) => contains(w, p)));
  if (part && typeof part === 'object') {
    return !!whole && typeof whole === 'object' && Object.entries(part).every(([k, v]) => contains((whole as Record<string, unknown>)[k], v));
  }
  return whole === part;
}

async function postCase(row: CaseRow, ctx: BehaviourContext): Promise<void> {
  const { build, post, verify, names, target, skip } = ctx;
  const base = build.user('case');
  const text = JSON.stringify(row.set ?? {}) + (row.raw ?? '');
  const vars: Record<string, string> = {
    userName: base.userName,
    displayName: base.displayName,
    unknown: names.displayName('no-such-value'),
    randomUuid: randomUUID(),
  };
  for (const [key, env] of Object.entries(ORG_FIXTURES)) {
    if (!text.includes(`{{${key}}}`)) continue;
    const value = target.org[key as keyof typeof ORG_FIXTURES];
    if (!value) skip(`needs an org fixture for this row: set ${env}`, 'configuration');
    vars[key] = value!;
  }
  if (text.includes('{{managerId}}')) vars.managerId = (await referenceUser(ctx)).id;

  let res;
  if (row.judgedOn !== undefined) {
    const shared = await (row.judgedOn === 'rich' ? richUser(ctx) : ignoredUser(ctx));
    const set = fillRow(ctx, TABLE, row.set ?? {}, vars);
    // The table and the shared body must agree: a row that does not describe what was sent is a broken table.
    if (!contains(shared.body, set)) throw new Error(`${TABLE.file}: row ${JSON.stringify(row.name)} is judged on the ${row.judgedOn} user, whose body does not hold ${JSON.stringify(set)}`);
    res = shared.created;
  } else if (row.raw !== undefined) {
    res = await postUserWith(ctx, undefined, { rawBody: fillRow(ctx, TABLE, row.raw, vars) });
  } else {
    const body: Record<string, any> = { ...base, schemas: [...base.schemas] };
    for (const [k, v] of Object.entries(row.set ?? {})) {
      body[k] = fillRow(ctx, TABLE, v, vars);
      if (k.startsWith('urn:') && !body.schemas.includes(k)) body.schemas.push(k);
    }
    for (const k of row.unset ?? []) delete body[k];
    res = await post('users', body);
  }
  if (row.status >= 200 && row.status < 300) {
    verify.status(res, row.status);
    verify.schema(res, 'ScimV2User');
  } else {
    verify.scimError(res, row.status, row.scimType ?? undefined);
  }
}

behaviour.for('USR-POST-USERNAME-REQUIRED-400', 'refuses a body without userName with 400', caseRows('USR-POST-USERNAME-REQUIRED-400'), postCase);

behaviour.for('USR-POST-DISPLAYNAME-REQUIRED-400', 'refuses a body without displayName with 400', caseRows('USR-POST-DISPLAYNAME-REQUIRED-400'), postCase);

behaviour.for('USR-POST-UNKNOWN-ROLE-400', 'refuses an unknown role with 400 invalidValue', caseRows('USR-POST-UNKNOWN-ROLE-400'), postCase);

behaviour.for('USR-POST-UNKNOWN-DIVISION-400', 'refuses an unknown division with 400 invalidValue', caseRows('USR-POST-UNKNOWN-DIVISION-400'), postCase);

behaviour.for('USR-POST-UNKNOWN-SKILL-400', 'refuses an unknown routing skill with 400 invalidValue', caseRows('USR-POST-UNKNOWN-SKILL-400'), postCase);

behaviour.for('USR-POST-UNKNOWN-LANGUAGE-400', 'refuses an unknown routing language with 400 invalidValue', caseRows('USR-POST-UNKNOWN-LANGUAGE-400'), postCase);

behaviour.for('USR-POST-UNKNOWN-MANAGER-400', 'refuses a manager that is not a user id with 400 invalidValue', caseRows('USR-POST-UNKNOWN-MANAGER-400'), postCase);

behaviour.for('USR-POST-PROFICIENCY-RANGE-400', 'refuses a proficiency outside 0 to 5 with 400 invalidValue', caseRows('USR-POST-PROFICIENCY-RANGE-400'), postCase);

behaviour.for('USR-POST-UNKNOWN-ATTRIBUTES-IGNORED', 'ignores unknown attributes and creates the user', caseRows('USR-POST-UNKNOWN-ATTRIBUTES-IGNORED'), postCase);

behaviour.for('USR-POST-MALFORMED-JSON-400', 'refuses a body that is not valid JSON with 400 invalidSyntax', caseRows('USR-POST-MALFORMED-JSON-400'), postCase);

assertEveryRowUsed(TABLE);
