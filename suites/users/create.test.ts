import { randomUUID } from 'node:crypto';
import {
  assertEveryRowUsed,
  behaviour,
  caseTable,
  createAndRead,
  ENTERPRISE_URN,
  fillRow,
  GENESYS_URN,
  phoneDigits,
  postUserWith,
  roleNames,
  rowsOf,
  type BehaviourContext,
} from '../../harness/index.ts';

// ---------------------------------------------------------------- the 201 response

behaviour('USR-POST-201', 'creates a user and answers 201 with the user', async ({ post, build, verify }) => {
  const body = build.user('post-201');
  const res = await post('users', body);
  verify.status(res, 201);
  verify.contentType(res);
  verify.schema(res, 'ScimV2User');
  verify.equal(res, res.body.userName, body.userName, 'userName of the created user');
});

behaviour('USR-POST-LOCATION', 'sends a Location header equal to meta.location', async ({ post, build, verify }) => {
  const res = await post('users', build.user('post-location'));
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

behaviour('USR-POST-ETAG', 'sends an ETag header equal to meta.version', async ({ post, build, verify }) => {
  const res = await post('users', build.user('post-etag'));
  verify.status(res, 201);
  verify.schema(res, 'ScimV2User');
  const etag = verify.header(res, 'etag', /^(W\/)?"[^"]*"$/);
  verify.equal(res, res.body.meta.version, etag, 'meta.version equals the ETag header (RFC 7644 §3.14)');
});

behaviour('USR-POST-ID-ASSIGNED', 'assigns its own id and ignores an id in the request', async ({ post, build, verify }) => {
  const clientId = randomUUID();
  const res = await post('users', build.user('post-id', 'minimal', { id: clientId }));
  verify.status(res, 201);
  verify.schema(res, 'ScimV2User');
  verify.that(res, typeof res.body.id === 'string' && res.body.id.trim() !== '', 'id is assigned', 'a non-empty id', res.body.id);
  verify.that(res, res.body.id !== clientId, 'the id given by the client is ignored (RFC 7643 §3.1: id is readOnly)', `an id other than ${clientId}`, res.body.id);
});

behaviour('USR-POST-READONLY-IGNORED', 'ignores meta and groups in the request body', async ({ post, build, verify, target }) => {
  const groupId = target.org.groupId ?? randomUUID();
  const bogus = { resourceType: 'Group', version: '"999999"', lastModified: '2000-01-01T00:00:00.000Z', location: 'https://scimct.invalid/users/bogus' };
  const res = await post('users', build.user('post-readonly', 'minimal', { meta: bogus, groups: [{ value: groupId, type: 'Group' }] }));
  verify.status(res, 201);
  verify.schema(res, 'ScimV2User');
  const meta = res.body.meta;
  verify.equal(res, meta.resourceType, 'User', 'meta.resourceType is set by the server');
  verify.that(res, meta.location !== bogus.location, 'meta.location is set by the server', `not ${bogus.location}`, meta.location);
  verify.that(res, meta.lastModified !== bogus.lastModified, 'meta.lastModified is set by the server', `not ${bogus.lastModified}`, meta.lastModified);
  verify.that(res, meta.version !== bogus.version, 'meta.version is set by the server', `not ${bogus.version}`, meta.version);
  const groups = (res.body.groups ?? []).map((g: { value?: string }) => g.value);
  verify.that(res, !groups.includes(groupId), 'groups is read-only on the User (membership changes go through the Group)', `no group ${groupId}`, groups);
});

// ---------------------------------------------------------------- attributes round trip

behaviour('USR-POST-ROUNDTRIP', 'returns the submitted core attributes on create and on a later GET', async (ctx) => {
  const { post, build, verify, scim, names } = ctx;
  const workEmail = names.userName('roundtrip-work');
  const body = build.user('roundtrip', 'minimal', {
    title: 'Conformance Tester',
    externalId: names.externalId('roundtrip'),
    emails: [{ value: workEmail, type: 'work', primary: true }],
    phoneNumbers: [{ value: '+13175550100', type: 'work', primary: true }],
  });
  const [created, fetched] = await createAndRead({ post, verify, scim }, body);
  for (const [when, res] of [['201 body', created], ['GET', fetched]] as const) {
    const u = res.body;
    verify.equal(res, u.userName, body.userName, `${when}: userName`);
    verify.equal(res, u.displayName, body.displayName, `${when}: displayName`);
    verify.equal(res, u.title, body.title, `${when}: title`);
    verify.equal(res, u.active, true, `${when}: active`);
    verify.equal(res, u.externalId, body.externalId, `${when}: externalId`);
    const email = (u.emails ?? []).find((e: { type?: string }) => e.type === 'work');
    verify.equal(res, email?.value, workEmail, `${when}: emails[type eq "work"].value`);
    const phone = (u.phoneNumbers ?? []).find((p: { type?: string }) => p.type === 'work');
    verify.equal(res, phoneDigits(phone?.value), phoneDigits('+13175550100'), `${when}: phoneNumbers[type eq "work"].value (digits)`);
  }
});

behaviour('USR-POST-EMAIL-WORK', 'stores an email of type work and returns it with type work', async ({ post, build, verify, scim, names }) => {
  const workEmail = names.userName('email-work');
  const [created, fetched] = await createAndRead({ post, verify, scim }, build.user('email', 'minimal', { emails: [{ value: workEmail, type: 'work', primary: true }] }));
  for (const res of [created, fetched]) {
    const work = (res.body.emails ?? []).filter((e: { type?: string }) => e.type === 'work');
    verify.equal(res, work.map((e: { value?: string }) => e.value?.toLowerCase()), [workEmail], 'exactly the submitted work email, with type "work"');
  }
});

const PHONE_TYPES = ['work', 'work2', 'work3', 'work4', 'home', 'mobile', 'other', 'microsoftteams', 'zoomphone'];

behaviour('USR-POST-PHONE-TYPES', 'stores a phone number of every documented type and returns it with that type', async ({ post, build, verify, scim }) => {
  const phones = PHONE_TYPES.map((type, i) => ({ type, value: `+1317555${String(110 + i).padStart(4, '0')}` }));
  const [created, fetched] = await createAndRead({ post, verify, scim }, build.user('phones', 'minimal', { phoneNumbers: phones }));
  for (const [when, res] of [['201 body', created], ['GET', fetched]] as const) {
    const returned = res.body.phoneNumbers ?? [];
    for (const p of phones) {
      const match = returned.filter((r: { type?: string }) => r.type === p.type);
      verify.that(
        res,
        match.length === 1 && phoneDigits(match[0].value) === phoneDigits(p.value),
        `${when}: phoneNumbers[type eq "${p.type}"]`,
        p,
        match.length ? match : returned,
      );
    }
  }
});

behaviour('USR-POST-ENTERPRISE', 'stores the enterprise department and employeeNumber', async ({ post, build, verify, scim }) => {
  const employeeNumber = String(Math.floor(Math.random() * 1e9));
  const body = build.user('enterprise', 'minimal', {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE_URN],
    [ENTERPRISE_URN]: { department: 'Conformance', employeeNumber },
  });
  const [created, fetched] = await createAndRead({ post, verify, scim }, body);
  for (const [when, res] of [['201 body', created], ['GET', fetched]] as const) {
    const ent = res.body[ENTERPRISE_URN] ?? {};
    verify.equal(res, ent.department, 'Conformance', `${when}: enterprise department`);
    verify.equal(res, ent.employeeNumber, employeeNumber, `${when}: enterprise employeeNumber`);
  }
});

behaviour('USR-POST-MANAGER', 'stores an enterprise manager given by user id', async ({ create, post, build, verify, scim }) => {
  const manager = await create('users', build.user('manager'));
  verify.status(manager, 201);
  verify.schema(manager, 'ScimV2User');
  const body = build.user('report', 'minimal', {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE_URN],
    [ENTERPRISE_URN]: { manager: { value: manager.body.id } },
  });
  const [created, fetched] = await createAndRead({ post, verify, scim }, body);
  for (const [when, res] of [['201 body', created], ['GET', fetched]] as const) {
    verify.equal(res, res.body[ENTERPRISE_URN]?.manager?.value, manager.body.id, `${when}: enterprise manager.value`);
  }
});

behaviour('USR-POST-DIVISION-BY-NAME', 'accepts a division given by name and returns it', async ({ post, build, verify, scim, target }) => {
  const division = target.org.division!;
  const created = await post('users', build.user('division', 'minimal', {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE_URN],
    [ENTERPRISE_URN]: { division },
  }));
  verify.status(created, 201);
  verify.schema(created, 'ScimV2User');
  const fetched = await scim.get(`/users/${created.body.id}`);
  verify.status(fetched, 200);
  verify.schema(fetched, 'ScimV2User');
  for (const [when, res] of [['201 body', created], ['GET', fetched]] as const) {
    verify.equal(res, res.body[ENTERPRISE_URN]?.division, division, `${when}: enterprise division (by name, reference §4.1)`);
  }
});

behaviour('USR-POST-ROLES', 'assigns roles given by name and returns them', async ({ post, build, verify, scim, target }) => {
  const role = target.org.role!;
  const [created, fetched] = await createAndRead({ post, verify, scim }, build.user('roles', 'minimal', { roles: [{ value: role }] }));
  for (const [when, res] of [['201 body', created], ['GET', fetched]] as const) {
    const values = (res.body.roles ?? []).map((r: { value?: string }) => r.value);
    verify.that(res, values.includes(role), `${when}: roles holds the assigned role`, `{"value": "${role}"}`, res.body.roles ?? '(none)');
  }
});

function routingCheck(attr: 'routingSkills' | 'routingLanguages', fixture: 'routingSkill' | 'routingLanguage', proficiency: number) {
  return async ({ post, build, verify, scim, target }: BehaviourContext) => {
    const name = target.org[fixture]!;
    const created = await post('users', build.user(attr, 'minimal', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', GENESYS_URN],
      [GENESYS_URN]: { [attr]: [{ name, proficiency }] },
    }));
    verify.status(created, 201);
    verify.schema(created, 'ScimV2User');
    const fetched = await scim.get(`/users/${created.body.id}`);
    verify.status(fetched, 200);
    verify.schema(fetched, 'ScimV2User');
    for (const [when, res] of [['201 body', created], ['GET', fetched]] as const) {
      const items = res.body[GENESYS_URN]?.[attr] ?? [];
      const item = items.find((s: { name?: string }) => s.name === name);
      verify.that(res, item !== undefined && item.proficiency === proficiency, `${when}: ${attr} holds the entry`, { name, proficiency }, items);
    }
  };
}

behaviour('USR-POST-ROUTING-SKILLS', 'assigns routingSkills given as {name, proficiency} and returns them', routingCheck('routingSkills', 'routingSkill', 3));

behaviour('USR-POST-ROUTING-LANGUAGES', 'assigns routingLanguages given as {name, proficiency} and returns them', routingCheck('routingLanguages', 'routingLanguage', 4));

behaviour('USR-POST-EXTERNAL-IDS', 'stores genesys externalIds given as {authority, value}', async ({ post, build, verify, scim, names }) => {
  const entry = { authority: 'microsoftteams', value: names.externalId('teams') };
  const created = await post('users', build.user('external-ids', 'minimal', {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', GENESYS_URN],
    [GENESYS_URN]: { externalIds: [entry] },
  }));
  verify.status(created, 201);
  verify.schema(created, 'ScimV2User');
  const fetched = await scim.get(`/users/${created.body.id}`);
  verify.status(fetched, 200);
  verify.schema(fetched, 'ScimV2User');
  for (const [when, res] of [['201 body', created], ['GET', fetched]] as const) {
    const items = res.body[GENESYS_URN]?.externalIds ?? [];
    verify.that(
      res,
      items.some((e: { authority?: string; value?: string }) => e.authority === entry.authority && e.value === entry.value),
      `${when}: externalIds holds the entry`,
      entry,
      items,
    );
  }
});

behaviour('USR-POST-INACTIVE', 'creates an inactive user when active is false', async ({ post, build, verify, scim }) => {
  const created = await post('users', build.user('inactive', 'minimal', { active: false }));
  verify.status(created, 201);
  verify.schema(created, 'ScimV2User');
  verify.equal(created, created.body.active, false, '201 body: active');
  const fetched = await scim.get(`/users/${created.body.id}`);
  verify.status(fetched, 200);
  verify.schema(fetched, 'ScimV2User');
  verify.equal(fetched, fetched.body.active, false, 'GET: active');
});

behaviour('USR-POST-DEFAULT-ROLE', 'gives a user created without roles only the employee role', async ({ post, build, verify, scim }) => {
  const [created, fetched] = await createAndRead({ post, verify, scim }, build.user('default-role'));
  verify.equal(fetched, roleNames(fetched.body), ['employee'], 'roles of a user created without roles (reference §8, S16)');
});

// ---------------------------------------------------------------- uniqueness

behaviour('USR-POST-USERNAME-TAKEN-409', 'refuses a userName already in use with 409 uniqueness', async ({ create, post, build, verify }) => {
  const first = await create('users', build.user('taken'));
  verify.status(first, 201);
  verify.schema(first, 'ScimV2User');
  const again = await post('users', build.user('taken-again', 'minimal', { userName: first.body.userName }));
  verify.scimError(again, 409, 'uniqueness');
});

behaviour('USR-POST-USERNAME-TAKEN-CASE-409', 'refuses a userName differing only in case with 409 uniqueness', async ({ create, post, build, verify }) => {
  const body = build.user('taken-case');
  const first = await create('users', body);
  verify.status(first, 201);
  verify.schema(first, 'ScimV2User');
  const upper = body.userName.toUpperCase();
  const again = await post('users', build.user('taken-case-again', 'minimal', { userName: upper }));
  verify.scimError(again, 409, 'uniqueness');
});

// ---------------------------------------------------------------- media types

behaviour('USR-POST-ACCEPTS-SCIM-JSON', 'accepts a body sent as application/scim+json', async (ctx) => {
  const res = await postUserWith(ctx, ctx.build.user('scim-json'), { contentType: 'application/scim+json' });
  ctx.verify.status(res, 201);
  ctx.verify.schema(res, 'ScimV2User');
});

behaviour('USR-POST-ACCEPTS-JSON', 'accepts a body sent as application/json', async (ctx) => {
  const res = await postUserWith(ctx, ctx.build.user('plain-json'), { contentType: 'application/json' });
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
}

const TABLE = caseTable<CaseRow>('user-create-errors');
const caseRows = (id: string): CaseRow[] => rowsOf(TABLE, id);

const ORG_FIXTURES = {
  role: 'SCIM_ORG_ROLE',
  division: 'SCIM_ORG_DIVISION',
  routingSkill: 'SCIM_ORG_ROUTING_SKILL',
  routingLanguage: 'SCIM_ORG_ROUTING_LANGUAGE',
} as const;


async function postCase(row: CaseRow, ctx: BehaviourContext): Promise<void> {
  const { build, create, post, verify, names, target, skip } = ctx;
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
  if (text.includes('{{managerId}}')) {
    const manager = await create('users', build.user('case-manager'));
    verify.status(manager, 201, 'the manager user is created');
    vars.managerId = manager.body.id;
  }

  let res;
  if (row.raw !== undefined) {
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
