import { randomUUID } from 'node:crypto';
import { behaviour, etagFrom, phoneDigits, replacementBody, roleNames, trackIfCreated } from '../../harness/index.ts';

behaviour('USR-PUT-200', 'replaces a user and answers 200 with the full user', async (ctx) => {
  const { create, build, verify, scim } = ctx;
  const created = await create('users', build.user('put-200'));
  verify.status(created, 201);
  const body = replacementBody(ctx, created.body.userName, 'put-200-new');
  const res = await scim.put(`/users/${created.body.id}`, body);
  verify.status(res, 200);
  verify.contentType(res);
  verify.schema(res, 'ScimV2User');
  verify.equal(res, res.body.id, created.body.id, 'id of the replaced user');
  verify.equal(res, res.body.displayName, body.displayName, 'displayName of the replacement');
});

behaviour('USR-PUT-REPLACES-VALUES', 'stores the values of a PUT in place of the previous ones', async (ctx) => {
  const { create, build, verify, scim, names } = ctx;
  const created = await create('users', build.user('put-values', 'minimal', {
    title: 'Before',
    externalId: names.externalId('put-values-before'),
    phoneNumbers: [{ value: '+13175550120', type: 'work' }],
  }));
  verify.status(created, 201);
  verify.schema(created, 'ScimV2User');
  const body = replacementBody(ctx, created.body.userName, 'put-values-after', {
    title: 'After',
    externalId: names.externalId('put-values-after'),
    phoneNumbers: [{ value: '+13175550121', type: 'work' }],
  });
  const replaced = await scim.put(`/users/${created.body.id}`, body);
  verify.status(replaced, 200);
  verify.schema(replaced, 'ScimV2User');
  const fetched = await scim.get(`/users/${created.body.id}`);
  verify.status(fetched, 200);
  verify.schema(fetched, 'ScimV2User');
  for (const [when, res] of [['PUT response', replaced], ['GET', fetched]] as const) {
    const u = res.body;
    verify.equal(res, u.displayName, body.displayName, `${when}: displayName`);
    verify.equal(res, u.title, 'After', `${when}: title`);
    verify.equal(res, u.externalId, body.externalId, `${when}: externalId`);
    const work = (u.phoneNumbers ?? []).filter((p: { type?: string }) => p.type === 'work').map((p: { value?: string }) => phoneDigits(p.value));
    verify.equal(res, work, ['13175550121'], `${when}: phoneNumbers[type eq "work"] holds only the new number (digits)`);
  }
});

behaviour('USR-PUT-OMITTED-CLEARED', 'clears readWrite attributes a PUT leaves out', async (ctx) => {
  const { create, build, verify, scim } = ctx;
  const created = await create('users', build.user('put-omitted', 'minimal', {
    title: 'To Be Cleared',
    phoneNumbers: [{ value: '+13175550130', type: 'work' }],
  }));
  verify.status(created, 201);
  verify.schema(created, 'ScimV2User');
  verify.equal(created, created.body.title, 'To Be Cleared', 'the title was stored (precondition)');
  const replaced = await scim.put(`/users/${created.body.id}`, replacementBody(ctx, created.body.userName, 'put-omitted'));
  verify.status(replaced, 200);
  verify.schema(replaced, 'ScimV2User');
  const fetched = await scim.get(`/users/${created.body.id}`);
  verify.status(fetched, 200);
  verify.schema(fetched, 'ScimV2User');
  const empty = (v: unknown) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
  for (const [when, res] of [['PUT response', replaced], ['GET', fetched]] as const) {
    verify.that(res, empty(res.body.title), `${when}: title left out of the PUT is cleared (RFC 7644 §3.5.1)`, '(absent)', res.body.title);
    verify.that(res, empty(res.body.phoneNumbers), `${when}: phoneNumbers left out of the PUT are cleared`, '(absent)', res.body.phoneNumbers);
  }
});

behaviour('USR-PUT-READONLY-IGNORED', 'ignores id, meta and groups in a PUT body', async (ctx) => {
  const { create, build, verify, scim, target } = ctx;
  const created = await create('users', build.user('put-readonly'));
  verify.status(created, 201);
  verify.schema(created, 'ScimV2User');
  const groupId = target.org.groupId ?? randomUUID();
  const otherId = randomUUID();
  const bogus = { resourceType: 'Group', version: '"999999"', lastModified: '2000-01-01T00:00:00.000Z', location: 'https://scimct.invalid/users/bogus' };
  const body = replacementBody(ctx, created.body.userName, 'put-readonly-new', { id: otherId, meta: bogus, groups: [{ value: groupId, type: 'Group' }] });
  const res = await scim.put(`/users/${created.body.id}`, body);
  verify.status(res, 200);
  verify.schema(res, 'ScimV2User');
  verify.equal(res, res.body.id, created.body.id, 'id stays the id of the resource, not the one in the body');
  verify.equal(res, res.body.meta.resourceType, 'User', 'meta.resourceType');
  verify.that(res, res.body.meta.location !== bogus.location, 'meta.location is set by the server', `not ${bogus.location}`, res.body.meta.location);
  verify.that(res, res.body.meta.lastModified !== bogus.lastModified, 'meta.lastModified is set by the server', `not ${bogus.lastModified}`, res.body.meta.lastModified);
  verify.that(res, res.body.meta.version !== bogus.version, 'meta.version is set by the server', `not ${bogus.version}`, res.body.meta.version);
  const groups = (res.body.groups ?? []).map((g: { value?: string }) => g.value);
  verify.that(res, !groups.includes(groupId), 'groups is read-only on the User', `no group ${groupId}`, groups);
  verify.equal(res, res.body.displayName, body.displayName, 'the writable attributes of the PUT are applied');
});

behaviour('USR-PUT-USERNAME-REQUIRED-400', 'refuses a PUT without userName with 400', async (ctx) => {
  const { create, build, verify, scim } = ctx;
  const created = await create('users', build.user('put-no-username'));
  verify.status(created, 201);
  const res = await scim.put(`/users/${created.body.id}`, build.user('put-no-username', 'minimal', { userName: undefined }));
  verify.scimError(res, 400);
});

behaviour('USR-PUT-USERNAME-TAKEN-409', 'refuses a PUT to a userName in use with 409 uniqueness', async (ctx) => {
  const { create, build, verify, scim } = ctx;
  const first = await create('users', build.user('put-taken-a'));
  verify.status(first, 201);
  const second = await create('users', build.user('put-taken-b'));
  verify.status(second, 201);
  const res = await scim.put(`/users/${second.body.id}`, replacementBody(ctx, first.body.userName, 'put-taken-b'));
  verify.scimError(res, 409, 'uniqueness');
});

behaviour('USR-PUT-ROLES-REPLACED', "replaces the user's directly assigned roles with those of the PUT", async (ctx) => {
  const { create, build, verify, scim, target } = ctx;
  const role = target.org.role!;
  const created = await create('users', build.user('put-roles', 'minimal', { roles: [{ value: role }] }));
  verify.status(created, 201);
  verify.schema(created, 'ScimV2User');
  verify.that(created, roleNames(created.body).includes(role.toLowerCase()), 'the role was assigned on create (precondition)', role, created.body.roles);
  const replaced = await scim.put(`/users/${created.body.id}`, replacementBody(ctx, created.body.userName, 'put-roles', { roles: [] }));
  verify.status(replaced, 200);
  verify.schema(replaced, 'ScimV2User');
  const fetched = await scim.get(`/users/${created.body.id}`);
  verify.status(fetched, 200);
  verify.schema(fetched, 'ScimV2User');
  for (const [when, res] of [['PUT response', replaced], ['GET', fetched]] as const) {
    verify.that(res, !roleNames(res.body).includes(role.toLowerCase()), `${when}: a PUT with "roles": [] removes the directly assigned role`, `no role ${role}`, res.body.roles);
  }
});

behaviour('USR-PUT-UNKNOWN-404', 'answers a PUT to an unknown id with 404', async (ctx) => {
  const res = await ctx.scim.put(`/users/${randomUUID()}`, ctx.build.user('put-unknown'));
  trackIfCreated(ctx, res);
  ctx.verify.scimError(res, 404);
});

behaviour('USR-PUT-IF-MATCH-CURRENT', 'accepts a PUT whose If-Match is the current ETag', async (ctx) => {
  const { create, build, verify, scim } = ctx;
  const created = await create('users', build.user('put-if-match'));
  verify.status(created, 201);
  const body = replacementBody(ctx, created.body.userName, 'put-if-match-new');
  const res = await scim.put(`/users/${created.body.id}`, body, { headers: { 'if-match': etagFrom(ctx, created) } });
  verify.status(res, 200);
  verify.schema(res, 'ScimV2User');
  verify.equal(res, res.body.displayName, body.displayName, 'the replacement is applied');
});

behaviour('USR-PUT-IF-MATCH-STALE-400', 'refuses a PUT with a stale If-Match with 400 invalidVers and keeps the user', async (ctx) => {
  const { create, build, verify, scim } = ctx;
  const created = await create('users', build.user('put-stale'));
  verify.status(created, 201);
  const stale = etagFrom(ctx, created);
  const current = replacementBody(ctx, created.body.userName, 'put-stale-current');
  const first = await scim.put(`/users/${created.body.id}`, current);
  verify.status(first, 200, 'an unconditional PUT moves the user to a new version');
  const res = await scim.put(`/users/${created.body.id}`, replacementBody(ctx, created.body.userName, 'put-stale-lost'), { headers: { 'if-match': stale } });
  verify.scimError(res, 400, 'invalidVers');
  const fetched = await scim.get(`/users/${created.body.id}`);
  verify.status(fetched, 200);
  verify.schema(fetched, 'ScimV2User');
  verify.equal(fetched, fetched.body.displayName, current.displayName, 'the refused PUT changed nothing');
});

behaviour('USR-PUT-ETAG-CHANGES', 'answers a PUT with a new ETag equal to meta.version', async (ctx) => {
  const { create, build, verify, scim } = ctx;
  const created = await create('users', build.user('put-etag'));
  verify.status(created, 201);
  const before = etagFrom(ctx, created);
  const res = await scim.put(`/users/${created.body.id}`, replacementBody(ctx, created.body.userName, 'put-etag-new'));
  verify.status(res, 200);
  verify.schema(res, 'ScimV2User');
  const after = verify.header(res, 'etag', /^(W\/)?"[^"]*"$/);
  verify.equal(res, res.body.meta.version, after, 'meta.version equals the ETag header');
  verify.that(res, after !== before, 'the ETag changes with the resource (RFC 7644 §3.14)', `an ETag other than ${before}`, after);
});
