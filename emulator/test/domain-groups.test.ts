import { describe, expect, test } from 'vitest';
import { createUsersGroupsDomain, loadSeedOrg, type DomainOptions } from '../domain/index.ts';
import { catchScimError, scimRequest, SEED, TEST_BASE_URL } from '../domain/test-support.ts';

const seedOrg = loadSeedOrg();
type Body = Record<string, any>;
const domain = (opts: Partial<DomainOptions> = {}) => createUsersGroupsDomain({ apiVersion: '2021', seedOrg, ...opts });
const GROUP_URN = 'urn:ietf:params:scim:schemas:core:2.0:Group';

describe('seed org', () => {
  test('has active, inactive and manager users, SCIM and non-SCIM groups, and nested membership', () => {
    const d = domain();
    const users = [...d.store.allUsers()];
    expect(users.some((u) => u.state === 'inactive')).toBe(true);
    expect(users.some((u) => users.some((o) => o.managerId === u.id))).toBe(true);
    const groups = [...d.store.allGroups()];
    expect(groups.some((g) => g.scimCreated)).toBe(true);
    expect(groups.some((g) => !g.scimCreated && g.externalId === undefined)).toBe(true);
    expect(groups.some((g) => g.members.some((m) => m.type === 'Group'))).toBe(true);
    expect(d.org.role('EMPLOYEE')?.name).toBe('employee');
    expect(d.org.division('sales division')?.name).toBe('Sales Division');
  });

  test('a broken seed is reported', () => {
    const bad = { ...seedOrg, users: [{ id: 'x', userName: 'x@example.com', displayName: 'X', roles: [{ value: 'Nope' }] }] };
    expect(() => createUsersGroupsDomain({ apiVersion: '2021', seedOrg: bad })).toThrow(/seed org: user x: Unknown role "Nope"/);
  });
});

describe('POST /groups', () => {
  test('creates with an auto-generated externalId: 201, Location, ETag', () => {
    const d = domain();
    const res = d.handlers.createGroup(scimRequest({
      method: 'POST',
      body: { schemas: [GROUP_URN], displayName: 'Night Shift', externalId: 'client-chosen', members: [{ value: SEED.alice }, { value: SEED.support, type: 'group' }] },
    }));
    expect(res.status).toBe(201);
    const g = res.body as Body;
    expect(res.headers).toEqual({ ETag: '"1"', Location: `${TEST_BASE_URL}/groups/${g.id}` });
    expect(g).toMatchObject({
      schemas: [GROUP_URN],
      displayName: 'Night Shift',
      externalId: `scim-${g.id}`,
      members: [
        { value: SEED.alice, type: 'User', $ref: `${TEST_BASE_URL}/users/${SEED.alice}` },
        { value: SEED.support, type: 'Group', $ref: `${TEST_BASE_URL}/groups/${SEED.support}` },
      ],
      meta: { resourceType: 'Group', version: '"1"', location: res.headers!.Location },
    });
    expect(g.active).toBeUndefined();
    const alice = d.handlers.getUser(scimRequest({ id: SEED.alice })).body as Body;
    expect(alice.groups.map((x: Body) => x.value)).toContain(g.id);
  });

  test.for([
    { why: 'missing displayName', body: { members: [] }, status: 400, scimType: 'invalidValue' },
    { why: 'displayName not a string', body: { displayName: 3 }, status: 400, scimType: 'invalidValue' },
    { why: 'taken displayName (other case)', body: { displayName: 'SALES' }, status: 409, scimType: 'uniqueness' },
    { why: 'unknown member', body: { displayName: 'N', members: [{ value: 'ghost' }] }, status: 400, scimType: 'invalidValue' },
    { why: 'bad member type', body: { displayName: 'N', members: [{ value: SEED.alice, type: 'Robot' }] }, status: 400, scimType: 'invalidValue' },
    { why: 'members not an array', body: { displayName: 'N', members: { value: SEED.alice } }, status: 400, scimType: 'invalidValue' },
    { why: 'body not an object', body: 'x', status: 400, scimType: 'invalidSyntax' },
  ])('refuses $why', ({ body, status, scimType }) => {
    const err = catchScimError(() => domain().handlers.createGroup(scimRequest({ method: 'POST', body })));
    expect([err.status, err.scimType]).toEqual([status, scimType]);
  });

  test('a deleted user can not be added', () => {
    const d = domain();
    d.handlers.deleteUser(scimRequest({ method: 'DELETE', id: SEED.sam }));
    const err = catchScimError(() => d.handlers.createGroup(scimRequest({ method: 'POST', body: { displayName: 'N', members: [{ value: SEED.sam }] } })));
    expect(err.detail).toContain(SEED.sam);
  });
});

describe('GET /groups/:id', () => {
  test('ETag and If-None-Match', () => {
    const d = domain();
    const res = d.handlers.getGroup(scimRequest({ id: SEED.sales }));
    expect(res.headers!.ETag).toBe((res.body as Body).meta.version);
    expect(d.handlers.getGroup(scimRequest({ id: SEED.sales, headers: { 'If-None-Match': res.headers!.ETag } }))).toEqual({ status: 304, headers: { ETag: res.headers!.ETag } });
    expect(d.handlers.getGroup(scimRequest({ id: SEED.sales, headers: { 'If-None-Match': '"0"' } })).status).toBe(200);
    expect(catchScimError(() => d.handlers.getGroup(scimRequest({ id: 'nope' }))).status).toBe(404);
  });

  test('non-SCIM groups have no externalId', () => {
    expect((domain().handlers.getGroup(scimRequest({ id: SEED.sales })).body as Body).externalId).toBeUndefined();
  });
});

describe('PUT /groups/:id', () => {
  test('replaces displayName and members; externalId is kept (server-managed)', () => {
    const d = domain();
    const res = d.handlers.replaceGroup(scimRequest({ method: 'PUT', id: SEED.scimTeam, body: { displayName: 'Renamed', externalId: 'other', members: [{ value: SEED.sam }] } }));
    const g = res.body as Body;
    expect(g).toMatchObject({ displayName: 'Renamed', externalId: `scim-${SEED.scimTeam}`, members: [{ value: SEED.sam, type: 'User' }] });
    expect(g.meta.version).toBe('"2"');
    // old name is free, new name is indexed
    const byName = (n: string) => (d.handlers.listGroups(scimRequest({ query: { filter: `displayName eq "${n}"` } })).body as Body).totalResults;
    expect([byName('SCIM Provisioned Team'), byName('renamed')]).toEqual([0, 1]);
    // bob left, sam joined
    expect((d.handlers.getUser(scimRequest({ id: SEED.bob })).body as Body).groups.map((x: Body) => x.value)).toEqual([SEED.support]);
  });

  test('PUT without members empties the group', () => {
    const g = domain().handlers.replaceGroup(scimRequest({ method: 'PUT', id: SEED.sales, body: { displayName: 'Sales' } })).body as Body;
    expect(g.members).toBeUndefined();
  });

  test.for([
    { why: 'stale If-Match', headers: { 'if-match': '"7"' }, body: { displayName: 'Sales' }, status: 400, scimType: 'invalidVers' },
    { why: 'displayName of another group', headers: {}, body: { displayName: 'Support' }, status: 409, scimType: 'uniqueness' },
    { why: 'missing displayName', headers: {}, body: {}, status: 400, scimType: 'invalidValue' },
  ])('refuses $why', ({ headers, body, status, scimType }) => {
    const err = catchScimError(() => domain().handlers.replaceGroup(scimRequest({ method: 'PUT', id: SEED.sales, headers, body })));
    expect([err.status, err.scimType]).toEqual([status, scimType]);
  });
});

describe('DELETE /groups/:id', () => {
  test('SCIM-created groups are deleted: 204, then 404, gone from lists, users and parent groups', () => {
    const d = domain();
    const created = d.handlers.createGroup(scimRequest({ method: 'POST', body: { displayName: 'Temp', members: [{ value: SEED.alice }] } })).body as Body;
    d.handlers.patchGroup(scimRequest({ method: 'PATCH', id: SEED.allStaff, body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'add', path: 'members', value: [{ value: created.id }] }] } }));
    expect(d.handlers.deleteGroup(scimRequest({ method: 'DELETE', id: created.id }))).toEqual({ status: 204 });
    expect(catchScimError(() => d.handlers.getGroup(scimRequest({ id: created.id }))).status).toBe(404);
    const names = (d.handlers.listGroups(scimRequest()).body as Body).Resources.map((g: Body) => g.displayName);
    expect(names).not.toContain('Temp');
    expect((d.handlers.getUser(scimRequest({ id: SEED.alice })).body as Body).groups.map((x: Body) => x.value)).toEqual([SEED.sales]);
    const allStaff = d.handlers.getGroup(scimRequest({ id: SEED.allStaff })).body as Body;
    expect(allStaff.members.map((m: Body) => m.value)).not.toContain(created.id);
    // the name is free again
    expect(d.handlers.createGroup(scimRequest({ method: 'POST', body: { displayName: 'temp' } })).status).toBe(201);
  });

  test('the seeded SCIM group can be deleted, with 200 {} when configured', () => {
    expect(domain({ deleteStatus: 200 }).handlers.deleteGroup(scimRequest({ method: 'DELETE', id: SEED.scimTeam }))).toEqual({ status: 200, body: {} });
  });

  test.for([SEED.sales, SEED.allStaff])('a group not created through SCIM (%s) is refused with 400 mutability', (id) => {
    const d = domain();
    const err = catchScimError(() => d.handlers.deleteGroup(scimRequest({ method: 'DELETE', id })));
    expect([err.status, err.scimType]).toEqual([400, 'mutability']);
    expect(err.detail).toMatch(/not created through SCIM/);
    expect(d.handlers.getGroup(scimRequest({ id })).status).toBe(200);
  });

  test('stale If-Match → 400 invalidVers; unknown → 404', () => {
    const d = domain();
    const err = catchScimError(() => d.handlers.deleteGroup(scimRequest({ method: 'DELETE', id: SEED.scimTeam, headers: { 'if-match': '"77"' } })));
    expect([err.status, err.scimType]).toEqual([400, 'invalidVers']);
    expect(catchScimError(() => d.handlers.deleteGroup(scimRequest({ method: 'DELETE', id: 'nope' }))).status).toBe(404);
  });
});

describe('groups list', () => {
  test('paging walk over groups', () => {
    const d = domain();
    for (let i = 0; i < 11; i++) d.handlers.createGroup(scimRequest({ method: 'POST', body: { displayName: `G${i}` } }));
    const seen: string[] = [];
    for (let start = 1; start <= 20; start += 4) {
      const body = d.handlers.listGroups(scimRequest({ query: { startIndex: String(start), count: '4' } })).body as Body;
      expect(body.totalResults).toBe(15);
      seen.push(...body.Resources.map((g: Body) => g.id));
    }
    expect(seen).toHaveLength(15);
    expect(new Set(seen).size).toBe(15);
  });
});
