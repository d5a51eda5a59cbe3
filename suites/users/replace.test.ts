/**
 * PUT users/{id} (seed 000 putScimUser, seed 002 put_scim_user; RFC 7644 §3.5.1). Every check replaces the write
 * subject of its prefix (harness/checks/user-subject.ts), which the user write checks change in turn: a check that
 * needs it in a particular state first (a title to clear, a role to remove) gets there with one PUT only when it is not
 * there already; the checks are in an order in which each leaves the subject where the next one starts.
 */
import { randomUUID } from 'node:crypto';
import {
  currentState,
  currentVersion,
  phoneDigits,
  readSubject,
  referenceUser,
  replacementBody,
  roleNames,
  staleVersion,
  subjectIn,
  trackIfCreated,
  writeSubject,
  writeTo,
  behaviour,
  type BehaviourContext,
} from '../../harness/index.ts';

/** A replacement body for the subject: a fresh template body keeping its userName. */
async function replacement(ctx: BehaviourContext, label: string, overrides: Record<string, unknown> = {}) {
  const subject = await writeSubject(ctx);
  const { userName } = await currentState(ctx, subject);
  return { subject, body: replacementBody(ctx, userName, label, overrides) };
}

behaviour('USR-PUT-200', 'replaces a user and answers 200 with the full user', async (ctx) => {
  const { verify, scim, names } = ctx;
  // A full replacement: what USR-PUT-REPLACES-VALUES, the next check, replaces in turn.
  const { subject, body } = await replacement(ctx, 'put-200', {
    title: 'Before',
    externalId: names.externalId('put-200'),
    phoneNumbers: [{ value: '+13175550120', type: 'work' }],
  });
  const res = await writeTo(subject, (p) => scim.put(p, body));
  verify.status(res, 200);
  verify.contentType(res);
  verify.schema(res, 'ScimV2User');
  verify.equal(res, res.body.id, subject.id, 'id of the replaced user');
  verify.equal(res, res.body.displayName, body.displayName, 'displayName of the replacement');
});

const HAS_TITLE_AND_WORK_PHONE = [
  { path: 'title', present: true },
  { path: 'phoneNumbers/type=work', present: true },
];

behaviour('USR-PUT-REPLACES-VALUES', 'stores the values of a PUT in place of the previous ones', async (ctx) => {
  const { verify, scim, names } = ctx;
  // It starts with a title, an externalId and a work phone, each to be replaced by another value.
  const subject = await subjectIn(ctx, [...HAS_TITLE_AND_WORK_PHONE, { path: 'externalId', present: true }], (n) =>
    replacementBody(ctx, n.userName, 'put-values-before', {
      title: 'Before',
      externalId: names.externalId('put-values-before'),
      phoneNumbers: [{ value: '+13175550120', type: 'work' }],
    }),
  );
  const before = subject.state!;
  const phone = before.phoneNumbers.find((p: { type?: string }) => p.type === 'work').value === '+13175550121' ? '+13175550122' : '+13175550121';
  const body = replacementBody(ctx, before.userName, 'put-values-after', {
    title: before.title === 'After' ? 'After Again' : 'After',
    externalId: names.externalId('put-values-after'),
    phoneNumbers: [{ value: phone, type: 'work' }],
  });
  const replaced = await writeTo(subject, (p) => scim.put(p, body));
  verify.status(replaced, 200);
  verify.schema(replaced, 'ScimV2User');
  const fetched = await readSubject(ctx, subject);
  verify.status(fetched, 200);
  verify.schema(fetched, 'ScimV2User');
  for (const [when, res] of [['PUT response', replaced], ['GET', fetched]] as const) {
    const u = res.body;
    verify.equal(res, u.displayName, body.displayName, `${when}: displayName`);
    verify.equal(res, u.title, body.title, `${when}: title`);
    verify.equal(res, u.externalId, body.externalId, `${when}: externalId`);
    const work = (u.phoneNumbers ?? []).filter((p: { type?: string }) => p.type === 'work').map((p: { value?: string }) => phoneDigits(p.value));
    verify.equal(res, work, [phoneDigits(phone)], `${when}: phoneNumbers[type eq "work"] holds only the new number (digits)`);
  }
});

behaviour('USR-PUT-OMITTED-CLEARED', 'clears readWrite attributes a PUT leaves out', async (ctx) => {
  const { verify, scim } = ctx;
  // It starts with a title and a phone number (as the check before leaves it).
  const subject = await subjectIn(ctx, HAS_TITLE_AND_WORK_PHONE, (n) =>
    replacementBody(ctx, n.userName, 'put-omitted', { title: 'To Be Cleared', phoneNumbers: [{ value: '+13175550130', type: 'work' }] }),
  );
  const replaced = await writeTo(subject, (p) => scim.put(p, replacementBody(ctx, subject.state!.userName, 'put-omitted')));
  verify.status(replaced, 200);
  verify.schema(replaced, 'ScimV2User');
  const fetched = await readSubject(ctx, subject);
  verify.status(fetched, 200);
  verify.schema(fetched, 'ScimV2User');
  const empty = (v: unknown) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
  for (const [when, res] of [['PUT response', replaced], ['GET', fetched]] as const) {
    verify.that(res, empty(res.body.title), `${when}: title left out of the PUT is cleared (RFC 7644 §3.5.1)`, '(absent)', res.body.title);
    verify.that(res, empty(res.body.phoneNumbers), `${when}: phoneNumbers left out of the PUT are cleared`, '(absent)', res.body.phoneNumbers);
  }
});

behaviour('USR-PUT-READONLY-IGNORED', 'ignores id, meta and groups in a PUT body', async (ctx) => {
  const { verify, scim, target } = ctx;
  const groupId = target.org.groupId ?? randomUUID();
  const otherId = randomUUID();
  const bogus = { resourceType: 'Group', version: '"999999"', lastModified: '2000-01-01T00:00:00.000Z', location: 'https://scimct.invalid/users/bogus' };
  // The org's role rides along (2021), so the subject holds it for USR-PUT-ROLES-REPLACED, the next write check.
  const role = target.apiVersion === '2021' && target.org.role ? { roles: [{ value: target.org.role }] } : {};
  const { subject, body } = await replacement(ctx, 'put-readonly-new', { id: otherId, meta: bogus, groups: [{ value: groupId, type: 'Group' }], ...role });
  const res = await writeTo(subject, (p) => scim.put(p, body));
  verify.status(res, 200);
  verify.schema(res, 'ScimV2User');
  verify.equal(res, res.body.id, subject.id, 'id stays the id of the resource, not the one in the body');
  verify.equal(res, res.body.meta.resourceType, 'User', 'meta.resourceType');
  verify.that(res, res.body.meta.location !== bogus.location, 'meta.location is set by the server', `not ${bogus.location}`, res.body.meta.location);
  verify.that(res, res.body.meta.lastModified !== bogus.lastModified, 'meta.lastModified is set by the server', `not ${bogus.lastModified}`, res.body.meta.lastModified);
  verify.that(res, res.body.meta.version !== bogus.version, 'meta.version is set by the server', `not ${bogus.version}`, res.body.meta.version);
  const groups = (res.body.groups ?? []).map((g: { value?: string }) => g.value);
  verify.that(res, !groups.includes(groupId), 'groups is read-only on the User', `no group ${groupId}`, groups);
  verify.equal(res, res.body.displayName, body.displayName, 'the writable attributes of the PUT are applied');
});

behaviour('USR-PUT-USERNAME-REQUIRED-400', 'refuses a PUT without userName with 400', async (ctx) => {
  const subject = await writeSubject(ctx);
  const res = await writeTo(subject, (p) => ctx.scim.put(p, ctx.build.user('put-no-username', 'minimal', { userName: undefined })));
  ctx.verify.scimError(res, 400);
});

behaviour('USR-PUT-USERNAME-TAKEN-409', 'refuses a PUT to a userName in use with 409 uniqueness', async (ctx) => {
  const other = await referenceUser(ctx);
  const subject = await writeSubject(ctx);
  const res = await writeTo(subject, (p) => ctx.scim.put(p, replacementBody(ctx, other.userName, 'put-taken')));
  ctx.verify.scimError(res, 409, 'uniqueness');
});

behaviour('USR-PUT-ROLES-REPLACED', "replaces the user's directly assigned roles with those of the PUT", async (ctx) => {
  const { verify, scim, target } = ctx;
  const role = target.org.role!;
  // It starts active, holding the org's role (as USR-PUT-READONLY-IGNORED leaves it).
  const subject = await subjectIn(ctx, [{ path: 'active', equals: true }, { path: `roles/value=${role}`, present: true }], (n) =>
    replacementBody(ctx, n.userName, 'put-roles', { roles: [{ value: role }] }),
  );
  const replaced = await writeTo(subject, (p) => scim.put(p, replacementBody(ctx, subject.state!.userName, 'put-roles', { roles: [] })));
  verify.status(replaced, 200);
  verify.schema(replaced, 'ScimV2User');
  const fetched = await readSubject(ctx, subject);
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
  const { verify, scim } = ctx;
  const { subject, body } = await replacement(ctx, 'put-if-match-new');
  const etag = await currentVersion(ctx, subject);
  verify.that(subject.answer, etag !== undefined, 'the user announces its version (ETag header or meta.version)', 'a version', etag ?? '(none)');
  const res = await writeTo(subject, (p) => scim.put(p, body, { headers: { 'if-match': etag! } }));
  verify.status(res, 200);
  verify.schema(res, 'ScimV2User');
  verify.equal(res, res.body.displayName, body.displayName, 'the replacement is applied');
});

behaviour('USR-PUT-IF-MATCH-STALE-400', 'refuses a PUT with a stale If-Match with 400 invalidVers and keeps the user', async (ctx) => {
  const { verify, scim } = ctx;
  const subject = await writeSubject(ctx);
  const stale = await staleVersion(ctx, subject);
  const { displayName, userName } = subject.state!;
  const res = await writeTo(subject, (p) => scim.put(p, replacementBody(ctx, userName, 'put-stale-lost'), { headers: { 'if-match': stale } }));
  verify.scimError(res, 400, 'invalidVers');
  const fetched = await readSubject(ctx, subject);
  verify.status(fetched, 200);
  verify.schema(fetched, 'ScimV2User');
  verify.equal(fetched, fetched.body.displayName, displayName, 'the refused PUT changed nothing');
});

behaviour('USR-PUT-ETAG-CHANGES', 'answers a PUT with a new ETag equal to meta.version', async (ctx) => {
  const { verify, scim } = ctx;
  const { subject, body } = await replacement(ctx, 'put-etag-new');
  const before = await currentVersion(ctx, subject);
  verify.that(subject.answer, before !== undefined, 'the user announces its version (ETag header or meta.version)', 'a version', before ?? '(none)');
  const res = await writeTo(subject, (p) => scim.put(p, body));
  verify.status(res, 200);
  verify.schema(res, 'ScimV2User');
  const after = verify.header(res, 'etag', /^(W\/)?"[^"]*"$/);
  verify.equal(res, res.body.meta.version, after, 'meta.version equals the ETag header');
  verify.that(res, after !== before, 'the ETag changes with the resource (RFC 7644 §3.14)', `an ETag other than ${before}`, after);
});
