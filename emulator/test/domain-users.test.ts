import { describe, expect, test } from 'vitest';
import { createUsersGroupsDomain, loadSeedOrg, type DomainOptions } from '../domain/index.ts';
import { catchScimError, scimRequest, SEED, TEST_BASE_URL } from '../domain/test-support.ts';
import { PATCH_OP_URN } from '../http-types.ts';

const seedOrg = loadSeedOrg();
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const GEN = 'urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User';

function domain(opts: Partial<DomainOptions> = {}) {
  return createUsersGroupsDomain({ apiVersion: '2021', seedOrg, ...opts });
}

type Body = Record<string, any>;

function newUserBody(n: string, extra: Body = {}): Body {
  return { userName: `${n}@example.com`, displayName: `User ${n}`, ...extra };
}

describe('POST /users', () => {
  test('creates a user: 201, Location, ETag = meta.version, defaults', () => {
    const d = domain();
    const res = d.handlers.createUser(scimRequest({ method: 'POST', body: newUserBody('new1', { password: 'S3cret!pass' }) }));
    expect(res.status).toBe(201);
    const u = res.body as Body;
    expect(res.headers?.Location).toBe(`${TEST_BASE_URL}/users/${u.id}`);
    expect(res.headers?.ETag).toBe(u.meta.version);
    expect(u.meta.version).toBe('"1"');
    expect(u.meta).toMatchObject({ resourceType: 'User', location: res.headers?.Location });
    expect(u.meta.lastModified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(u.meta.created).toBeUndefined();
    expect(u.active).toBe(true);
    expect(u.roles).toEqual([{ value: 'employee' }]);
    expect(u.emails).toEqual([{ value: 'new1@example.com', type: 'other' }]);
    expect(u[ENT].division).toBe('Home');
    expect(u.password).toBeUndefined();
    expect(JSON.stringify(u)).not.toContain('S3cret');
  });

  test('keeps every documented attribute and ignores unknown ones and groups', () => {
    const d = domain();
    const body = newUserBody('full', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENT, GEN],
      active: true,
      title: 'Agent',
      externalId: 'ext-77',
      name: { givenName: 'Ignored' },
      addresses: [{ locality: 'x' }],
      groups: [{ value: SEED.sales }],
      emails: [{ type: 'work', value: 'full.work@example.com', primary: true }, { type: 'other', value: 'FULL@example.com' }],
      phoneNumbers: [{ type: 'microsoftteams', value: 'tel:+15550001' }, { type: 'Mobile', value: '+15550002' }],
      roles: [{ value: 'AGENT' }, { value: 'employee' }],
      [ENT]: { division: 'sales division', department: 'Sales', manager: { value: SEED.maria }, employeeNumber: 42 },
      [GEN]: {
        routingSkills: [{ name: 'Billing', proficiency: 0 }, { name: 'Sales' }],
        routingLanguages: [{ name: 'German', proficiency: 5 }],
        externalIds: [{ authority: 'zoomphone', value: 'z-1' }],
      },
    });
    const u = d.handlers.createUser(scimRequest({ method: 'POST', body })).body as Body;
    expect(u).toMatchObject({
      title: 'Agent',
      externalId: 'ext-77',
      emails: [{ value: 'full@example.com', type: 'other' }, { value: 'full.work@example.com', type: 'work', primary: true }],
      phoneNumbers: [{ type: 'microsoftteams', value: 'tel:+15550001' }, { type: 'mobile', value: '+15550002' }],
      roles: [{ value: 'Agent' }, { value: 'employee' }],
      [ENT]: { division: 'Sales Division', department: 'Sales', employeeNumber: '42', manager: { value: SEED.maria, $ref: `${TEST_BASE_URL}/users/${SEED.maria}` } },
      [GEN]: {
        routingSkills: [{ name: 'Billing', proficiency: 0 }, { name: 'Sales' }],
        routingLanguages: [{ name: 'German', proficiency: 5 }],
        externalIds: [{ authority: 'zoomphone', value: 'z-1' }],
      },
    });
    expect(u.name).toBeUndefined();
    expect(u.addresses).toBeUndefined();
    expect(u.groups).toBeUndefined();
  });

  test.for([
    { why: 'missing userName', body: { displayName: 'x' }, status: 400, scimType: 'invalidValue', detail: /userName/ },
    { why: 'blank userName', body: { userName: ' ', displayName: 'x' }, status: 400, scimType: 'invalidValue', detail: /userName/ },
    { why: 'missing displayName', body: { userName: 'a@example.com' }, status: 400, scimType: 'invalidValue', detail: /displayName/ },
    { why: 'userName not a string', body: { userName: { a: 1 }, displayName: 'x' }, status: 400, scimType: 'invalidValue', detail: /userName/ },
    { why: 'taken userName (other case)', body: { userName: 'ALICE.agent@example.com', displayName: 'x' }, status: 409, scimType: 'uniqueness', detail: /taken/ },
    { why: 'unknown role', body: newUserBody('r', { roles: [{ value: 'Wizard' }] }), status: 400, scimType: 'invalidValue', detail: /Wizard/ },
    { why: 'unknown division', body: newUserBody('r', { [ENT]: { division: 'Nowhere' } }), status: 400, scimType: 'invalidValue', detail: /Nowhere/ },
    { why: 'unknown manager', body: newUserBody('r', { [ENT]: { manager: { value: 'no-such-user' } } }), status: 400, scimType: 'invalidValue', detail: /no-such-user/ },
    { why: 'unknown skill', body: newUserBody('r', { [GEN]: { routingSkills: [{ name: 'Juggling' }] } }), status: 400, scimType: 'invalidValue', detail: /Juggling/ },
    { why: 'skill name case-sensitive', body: newUserBody('r', { [GEN]: { routingSkills: [{ name: 'sales' }] } }), status: 400, scimType: 'invalidValue', detail: /sales/ },
    { why: 'unknown language', body: newUserBody('r', { [GEN]: { routingLanguages: [{ name: 'Klingon' }] } }), status: 400, scimType: 'invalidValue', detail: /Klingon/ },
    { why: 'proficiency above 5', body: newUserBody('r', { [GEN]: { routingSkills: [{ name: 'Sales', proficiency: 5.5 }] } }), status: 400, scimType: 'invalidValue', detail: /0 to 5/ },
    { why: 'negative proficiency', body: newUserBody('r', { [GEN]: { routingLanguages: [{ name: 'English', proficiency: -1 }] } }), status: 400, scimType: 'invalidValue', detail: /0 to 5/ },
    { why: 'too many skills', body: newUserBody('r', { [GEN]: { routingSkills: Array.from({ length: 51 }, () => ({ name: 'Sales' })) } }), status: 400, scimType: 'invalidValue', detail: /50/ },
    { why: 'unknown phone type', body: newUserBody('r', { phoneNumbers: [{ type: 'fax', value: '+1' }] }), status: 400, scimType: 'invalidValue', detail: /fax/ },
    { why: 'hyphenated phone type', body: newUserBody('r', { phoneNumbers: [{ type: 'microsoft-teams', value: '+1' }] }), status: 400, scimType: 'invalidValue', detail: /microsoft-teams/ },
    { why: 'two phones of one type', body: newUserBody('r', { phoneNumbers: [{ type: 'work', value: '+1' }, { type: 'work', value: '+2' }] }), status: 400, scimType: 'invalidValue', detail: /more than one/ },
    { why: 'unknown email type', body: newUserBody('r', { emails: [{ type: 'home', value: 'h@example.com' }] }), status: 400, scimType: 'invalidValue', detail: /home/ },
    { why: 'other email differing from userName', body: newUserBody('r', { emails: [{ type: 'other', value: 'x@example.com' }] }), status: 400, scimType: 'mutability', detail: /other/ },
    { why: 'active not boolean', body: newUserBody('r', { active: 'maybe' }), status: 400, scimType: 'invalidValue', detail: /active/ },
    { why: 'externalIds without value', body: newUserBody('r', { [GEN]: { externalIds: [{ authority: 'microsoftteams' }] } }), status: 400, scimType: 'invalidValue', detail: /externalIds.value/ },
    { why: 'body is an array', body: [], status: 400, scimType: 'invalidSyntax', detail: /object/ },
  ])('refuses $why', ({ body, status, scimType, detail }) => {
    const err = catchScimError(() => domain().handlers.createUser(scimRequest({ method: 'POST', body })));
    expect(err.status).toBe(status);
    expect(err.scimType).toBe(scimType);
    expect(err.detail).toMatch(detail);
  });

  test('meta.location follows the prefix of the request', () => {
    const d = domain();
    const baseUrl = 'http://localhost:9/api/v2/scim';
    const res = d.handlers.createUser(scimRequest({ method: 'POST', baseUrl, body: newUserBody('p') }));
    expect((res.body as Body).meta.location).toBe(`${baseUrl}/users/${(res.body as Body).id}`);
    const got = d.handlers.getUser(scimRequest({ id: SEED.alice, baseUrl })).body as Body;
    expect(got.meta.location).toBe(`${baseUrl}/users/${SEED.alice}`);
    expect(got[ENT].manager.$ref).toBe(`${baseUrl}/users/${SEED.maria}`);
  });

  test('attributes apply to the POST response too', () => {
    const res = domain().handlers.createUser(scimRequest({ method: 'POST', body: newUserBody('q'), query: { attributes: 'displayName' } }));
    expect(Object.keys(res.body as Body).sort()).toEqual(['active', 'displayName', 'id', 'meta', 'schemas', 'userName']);
  });
});

describe('GET /users/:id', () => {
  test('ETag header equals meta.version; If-None-Match current → 304 without body', () => {
    const d = domain();
    const res = d.handlers.getUser(scimRequest({ id: SEED.alice }));
    const etag = res.headers!.ETag;
    expect(etag).toMatch(/^"\d+"$/);
    expect((res.body as Body).meta.version).toBe(etag);
    const again = d.handlers.getUser(scimRequest({ id: SEED.alice, headers: { 'If-None-Match': etag } }));
    expect(again).toEqual({ status: 304, headers: { ETag: etag } });
    expect(again.body).toBeUndefined();
  });

  test.for([
    { header: '"999"', status: 200 },
    { header: 'W/"999"', status: 200 },
    { header: '*', status: 304 },
    { header: 'current', status: 304 },
    { header: 'weak-current', status: 304 },
    { header: 'list-with-current', status: 304 },
  ])('If-None-Match $header → $status', ({ header, status }) => {
    const d = domain();
    const etag = d.handlers.getUser(scimRequest({ id: SEED.bob })).headers!.ETag;
    const value = header === 'current' ? etag : header === 'weak-current' ? `W/${etag}` : header === 'list-with-current' ? `"0", ${etag}` : header;
    expect(d.handlers.getUser(scimRequest({ id: SEED.bob, headers: { 'if-none-match': value } })).status).toBe(status);
  });

  test('inactive users are readable; unknown ids are 404', () => {
    const d = domain();
    expect((d.handlers.getUser(scimRequest({ id: SEED.ivan })).body as Body).active).toBe(false);
    expect(catchScimError(() => d.handlers.getUser(scimRequest({ id: 'nope' }))).status).toBe(404);
  });

  test('the weak ETag style writes W/"n" in both places', () => {
    const res = domain({ etagStyle: 'weak' }).handlers.getUser(scimRequest({ id: SEED.bob }));
    expect(res.headers!.ETag).toMatch(/^W\/"\d+"$/);
    expect((res.body as Body).meta.version).toBe(res.headers!.ETag);
  });
});

describe('PUT /users/:id', () => {
  test('replaces: omitted attributes are cleared, password/active/groups kept, version bumps', () => {
    const d = domain();
    const before = d.handlers.getUser(scimRequest({ id: SEED.alice }));
    const res = d.handlers.replaceUser(scimRequest({
      method: 'PUT', id: SEED.alice,
      headers: { 'If-Match': before.headers!.ETag },
      body: { id: 'ignored', userName: 'alice.agent@example.com', displayName: 'Alice A.', roles: [{ value: 'Agent' }], meta: { version: '"1"' } },
    }));
    expect(res.status).toBe(200);
    const u = res.body as Body;
    expect(u.id).toBe(SEED.alice);
    expect(u.displayName).toBe('Alice A.');
    expect(u.title).toBeUndefined();
    expect(u.externalId).toBeUndefined();
    expect(u.phoneNumbers).toBeUndefined();
    expect(u.emails).toEqual([{ value: 'alice.agent@example.com', type: 'other' }]);
    expect(u.roles).toEqual([{ value: 'Agent' }]);
    expect(u[ENT]).toEqual({ division: 'Home' });
    expect(u[GEN]).toBeUndefined();
    expect(u.active).toBe(true);
    expect(u.groups).toEqual([{ value: SEED.sales, $ref: `${TEST_BASE_URL}/groups/${SEED.sales}`, type: 'Group' }]);
    expect(res.headers!.ETag).not.toBe(before.headers!.ETag);
    expect(u.meta.version).toBe(res.headers!.ETag);
    // externalId index follows
    const found = d.handlers.listUsers(scimRequest({ query: { filter: 'externalId eq 1002' } })).body as Body;
    expect(found.totalResults).toBe(0);
  });

  test.for([
    { why: 'stale If-Match', headers: { 'if-match': '"999"' }, body: newUserBody('alice.agent'), status: 400, scimType: 'invalidVers' },
    { why: 'userName of another user', headers: {}, body: { userName: 'BOB.support@example.com', displayName: 'x' }, status: 409, scimType: 'uniqueness' },
    { why: 'missing displayName', headers: {}, body: { userName: 'alice.agent@example.com' }, status: 400, scimType: 'invalidValue' },
    { why: 'self as manager', headers: {}, body: { ...newUserBody('alice.agent'), [ENT]: { manager: { value: SEED.alice } } }, status: 400, scimType: 'invalidValue' },
  ])('refuses $why', ({ headers, body, status, scimType }) => {
    const err = catchScimError(() => domain().handlers.replaceUser(scimRequest({ method: 'PUT', id: SEED.alice, headers, body })));
    expect([err.status, err.scimType]).toEqual([status, scimType]);
  });

  test('unknown id → 404', () => {
    expect(catchScimError(() => domain().handlers.replaceUser(scimRequest({ method: 'PUT', id: 'x', body: newUserBody('x') }))).status).toBe(404);
  });
});

describe('DELETE /users/:id and the lifecycle', () => {
  test('soft delete: 204, then 404 everywhere and absent from every list', () => {
    const d = domain();
    const res = d.handlers.deleteUser(scimRequest({ method: 'DELETE', id: SEED.bob }));
    expect(res).toEqual({ status: 204 });
    expect(catchScimError(() => d.handlers.getUser(scimRequest({ id: SEED.bob }))).status).toBe(404);
    expect(catchScimError(() => d.handlers.patchUser(scimRequest({ method: 'PATCH', id: SEED.bob, body: { schemas: [PATCH_OP_URN], Operations: [{ op: 'replace', path: 'active', value: true }] } }))).status).toBe(404);
    expect(catchScimError(() => d.handlers.deleteUser(scimRequest({ method: 'DELETE', id: SEED.bob }))).status).toBe(404);
    for (const filter of [undefined, 'active eq false', 'active eq true', 'userName eq bob.support@example.com', `id eq ${SEED.bob}`, 'externalId eq 1003']) {
      const list = d.handlers.listUsers(scimRequest({ query: filter ? { filter } : {} })).body as Body;
      expect(list.Resources.map((r: Body) => r.id)).not.toContain(SEED.bob);
    }
    // removed from the groups it belonged to
    const support = d.handlers.getGroup(scimRequest({ id: SEED.support })).body as Body;
    expect(support.members).toBeUndefined();
  });

  test('deleteStatus 200 answers the doc\'s Empty body {}', () => {
    expect(domain({ deleteStatus: 200 }).handlers.deleteUser(scimRequest({ method: 'DELETE', id: SEED.sam }))).toEqual({ status: 200, body: {} });
  });

  test('stale If-Match → 400 invalidVers, and nothing is deleted; a current one deletes', () => {
    const d = domain();
    const err = catchScimError(() => d.handlers.deleteUser(scimRequest({ method: 'DELETE', id: SEED.sam, headers: { 'if-match': '"12345"' } })));
    expect([err.status, err.scimType]).toEqual([400, 'invalidVers']);
    const etag = d.handlers.getUser(scimRequest({ id: SEED.sam })).headers!.ETag;
    expect(d.handlers.deleteUser(scimRequest({ method: 'DELETE', id: SEED.sam, headers: { 'if-match': etag } })).status).toBe(204);
  });

  test('POST with a deleted user\'s userName revives it: same id, active, only the roles given', () => {
    const d = domain();
    d.handlers.deleteUser(scimRequest({ method: 'DELETE', id: SEED.sam }));
    const res = d.handlers.createUser(scimRequest({ method: 'POST', body: { userName: 'Sam.Admin@example.com', displayName: 'Sam Again' } }));
    expect(res.status).toBe(201);
    const u = res.body as Body;
    expect(u.id).toBe(SEED.sam);
    expect(u.active).toBe(true);
    expect(u.roles).toBeUndefined();
    expect(u.userName).toBe('Sam.Admin@example.com');
  });

  test('reviveDeletedOnCreate false: a new user with a new id', () => {
    const d = domain({ reviveDeletedOnCreate: false });
    d.handlers.deleteUser(scimRequest({ method: 'DELETE', id: SEED.sam }));
    const u = d.handlers.createUser(scimRequest({ method: 'POST', body: newUserBody('sam.admin') })).body as Body;
    expect(u.id).not.toBe(SEED.sam);
    expect(u.roles).toEqual([{ value: 'employee' }]);
  });

  test('deactivation: gone from the default list, listed by active eq false, roles dropped and not restored', () => {
    const d = domain();
    const patch = (value: unknown) =>
      d.handlers.patchUser(scimRequest({ method: 'PATCH', id: SEED.alice, body: { schemas: [PATCH_OP_URN], Operations: [{ op: 'Replace', path: 'active', value }] } }));
    const off = patch('False').body as Body;
    expect(off.active).toBe(false);
    expect(off.roles).toBeUndefined();
    const ids = (filter?: string) => (d.handlers.listUsers(scimRequest({ query: filter ? { filter } : {} })).body as Body).Resources.map((r: Body) => r.id);
    expect(ids()).not.toContain(SEED.alice);
    expect(ids('active eq false')).toEqual([SEED.alice, SEED.ivan]);
    expect(ids('userName eq alice.agent@example.com')).toEqual([SEED.alice]);
    const on = patch(true).body as Body;
    expect(on.active).toBe(true);
    expect(on.roles).toBeUndefined();
    expect(ids()).toContain(SEED.alice);
  });

  test('rolesOnDeactivation keep', () => {
    const d = domain({ rolesOnDeactivation: 'keep' });
    const u = d.handlers.replaceUser(scimRequest({ method: 'PUT', id: SEED.alice, body: { ...newUserBody('alice.agent'), active: false, roles: [{ value: 'Agent' }] } })).body as Body;
    expect(u.active).toBe(false);
    expect(u.roles).toEqual([{ value: 'Agent' }]);
  });

  test('every write bumps the version by one', () => {
    const d = domain();
    const v = () => Number(JSON.parse(d.handlers.getUser(scimRequest({ id: SEED.sam })).headers!.ETag));
    const v0 = v();
    d.handlers.patchUser(scimRequest({ method: 'PATCH', id: SEED.sam, body: { schemas: [PATCH_OP_URN], Operations: [{ op: 'add', path: 'title', value: 'Boss' }] } }));
    expect(v()).toBe(v0 + 1);
    d.handlers.replaceUser(scimRequest({ method: 'PUT', id: SEED.sam, body: newUserBody('sam.admin') }));
    expect(v()).toBe(v0 + 2);
    // a group membership change changes the user's groups attribute, hence its version
    d.handlers.patchGroup(scimRequest({ method: 'PATCH', id: SEED.sales, body: { schemas: [PATCH_OP_URN], Operations: [{ op: 'add', path: 'members', value: [{ value: SEED.sam }] }] } }));
    expect(v()).toBe(v0 + 3);
  });
});

describe('manager references', () => {
  test('deleting a manager clears the reference on their reports (and bumps their version)', () => {
    const d = domain();
    const before = d.handlers.getUser(scimRequest({ id: SEED.alice })).headers!.ETag;
    d.handlers.deleteUser(scimRequest({ method: 'DELETE', id: SEED.maria }));
    const res = d.handlers.getUser(scimRequest({ id: SEED.alice }));
    expect((res.body as Body)[ENT].manager).toBeUndefined();
    expect(res.headers!.ETag).not.toBe(before);
    const list = d.handlers.listUsers(scimRequest({ query: { filter: `manager eq ${SEED.maria}` } })).body as Body;
    expect(list.totalResults).toBe(0);
  });

  test('a bad filter is reported before the count limit', () => {
    const err = catchScimError(() => domain().handlers.listUsers(scimRequest({ query: { filter: 'title eq x', count: '500' } })));
    expect(err.status).toBe(400);
  });
});
