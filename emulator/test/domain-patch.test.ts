import { describe, expect, test } from 'vitest';
import { createUsersGroupsDomain, loadSeedOrg } from '../domain/index.ts';
import { catchScimError, scimRequest, SEED } from '../domain/test-support.ts';
import { PATCH_OP_URN } from '../http-types.ts';

const seedOrg = loadSeedOrg();
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const GEN = 'urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User';
type Body = Record<string, any>;
type Op = { op: string; path?: string; value?: unknown };

const domain = () => createUsersGroupsDomain({ apiVersion: '2021', seedOrg });
const patchBody = (...ops: Op[]) => ({ schemas: [PATCH_OP_URN], Operations: ops });

function patchAlice(...ops: Op[]): Body {
  const res = domain().handlers.patchUser(scimRequest({ method: 'PATCH', id: SEED.alice, body: patchBody(...ops) }));
  expect(res.status).toBe(200);
  expect(res.headers!.ETag).toBe((res.body as Body).meta.version);
  return res.body as Body;
}

const phone = (u: Body, type: string) => u.phoneNumbers?.find((p: Body) => p.type === type)?.value;
const email = (u: Body, type: string) => u.emails?.find((e: Body) => e.type === type)?.value;

describe('PATCH /users/:id: successful operations', () => {
  test.for<{ name: string; ops: Op[]; check: (u: Body) => void }>([
    { name: 'replace displayName', ops: [{ op: 'replace', path: 'displayName', value: 'A' }], check: (u) => expect(u.displayName).toBe('A') },
    { name: 'op in any case', ops: [{ op: 'REPLACE', path: 'title', value: 'T' }], check: (u) => expect(u.title).toBe('T') },
    { name: 'attribute name in any case', ops: [{ op: 'replace', path: 'DISPLAYNAME', value: 'B' }], check: (u) => expect(u.displayName).toBe('B') },
    { name: 'core-URN-qualified path', ops: [{ op: 'replace', path: 'urn:ietf:params:scim:schemas:core:2.0:User:title', value: 'U' }], check: (u) => expect(u.title).toBe('U') },
    { name: 'remove title', ops: [{ op: 'remove', path: 'title' }], check: (u) => expect(u.title).toBeUndefined() },
    { name: 'active "False" string', ops: [{ op: 'Replace', path: 'active', value: 'False' }], check: (u) => expect(u.active).toBe(false) },
    { name: 'active false boolean', ops: [{ op: 'replace', path: 'active', value: false }], check: (u) => expect(u.active).toBe(false) },
    { name: 'userName (the other email follows)', ops: [{ op: 'replace', path: 'userName', value: 'alice2@example.com' }], check: (u) => expect(email(u, 'other')).toBe('alice2@example.com') },
    { name: 'password accepted, never returned', ops: [{ op: 'replace', path: 'password', value: 'N3w-Pa55' }], check: (u) => expect(JSON.stringify(u)).not.toContain('N3w-Pa55') },
    { name: 'externalId', ops: [{ op: 'replace', path: 'externalId', value: 'x-9' }], check: (u) => expect(u.externalId).toBe('x-9') },
    { name: 'work email by value filter', ops: [{ op: 'replace', path: 'emails[type eq "work"].value', value: 'new.work@example.com' }], check: (u) => expect(email(u, 'work')).toBe('new.work@example.com') },
    { name: 'remove work email by value filter', ops: [{ op: 'remove', path: 'emails[type eq "work"].value' }], check: (u) => expect(email(u, 'work')).toBeUndefined() },
    { name: 'replace mobile phone', ops: [{ op: 'replace', path: 'phoneNumbers[type eq "mobile"].value', value: '+15551112222' }], check: (u) => expect(phone(u, 'mobile')).toBe('+15551112222') },
    { name: 'add home phone by filter', ops: [{ op: 'add', path: 'phoneNumbers[type eq "home"].value', value: '+1555' }], check: (u) => expect(phone(u, 'home')).toBe('+1555') },
    { name: 'remove a phone item', ops: [{ op: 'remove', path: 'phoneNumbers[type eq "work"]' }], check: (u) => expect(u.phoneNumbers.map((p: Body) => p.type)).toEqual(['mobile']) },
    { name: 'add phoneNumbers upserts by type', ops: [{ op: 'add', path: 'phoneNumbers', value: [{ type: 'work', value: '+1999' }, { type: 'work4', value: '+1444' }] }], check: (u) => expect(u.phoneNumbers).toEqual([{ type: 'work', value: '+1999' }, { type: 'mobile', value: '+13175550202' }, { type: 'work4', value: '+1444' }]) },
    { name: 'replace phoneNumbers wholesale', ops: [{ op: 'replace', path: 'phoneNumbers', value: [{ type: 'ringcentral', value: '+1' }] }], check: (u) => expect(u.phoneNumbers).toEqual([{ type: 'ringcentral', value: '+1' }]) },
    { name: 'enterprise department by URN path', ops: [{ op: 'replace', path: `${ENT}:department`, value: 'Ops' }], check: (u) => expect(u[ENT].department).toBe('Ops') },
    { name: 'enterprise employeeNumber', ops: [{ op: 'add', path: `${ENT}:employeeNumber`, value: '77' }], check: (u) => expect(u[ENT].employeeNumber).toBe('77') },
    { name: 'division by name', ops: [{ op: 'replace', path: `${ENT}:division`, value: 'support division' }], check: (u) => expect(u[ENT].division).toBe('Support Division') },
    { name: 'manager as {value}', ops: [{ op: 'replace', path: `${ENT}:manager`, value: { value: SEED.sam } }], check: (u) => expect(u[ENT].manager.value).toBe(SEED.sam) },
    { name: 'manager as a bare id', ops: [{ op: 'replace', path: `${ENT}:manager`, value: SEED.bob }], check: (u) => expect(u[ENT].manager.value).toBe(SEED.bob) },
    { name: 'manager.value', ops: [{ op: 'replace', path: `${ENT}:manager.value`, value: SEED.sam }], check: (u) => expect(u[ENT].manager.value).toBe(SEED.sam) },
    { name: 'remove manager', ops: [{ op: 'remove', path: `${ENT}:manager` }], check: (u) => expect(u[ENT].manager).toBeUndefined() },
    { name: 'whole enterprise extension merges', ops: [{ op: 'add', path: ENT, value: { department: 'X' } }], check: (u) => expect(u[ENT]).toMatchObject({ department: 'X', employeeNumber: '1002', division: 'Sales Division' }) },
    { name: 'replace of the whole enterprise extension keeps the attributes not given', ops: [{ op: 'replace', path: ENT, value: { department: 'Y' } }], check: (u) => expect(u[ENT]).toMatchObject({ department: 'Y', employeeNumber: '1002', manager: { value: SEED.maria } }) },
    { name: 'path-less replace with an extension object keeps its other attributes', ops: [{ op: 'replace', value: { [ENT]: { department: 'Z' } } }], check: (u) => expect(u[ENT]).toMatchObject({ department: 'Z', employeeNumber: '1002', division: 'Sales Division' }) },
    { name: 'teams externalId, single quotes', ops: [{ op: 'replace', path: `${GEN}:externalIds[authority eq 'microsoftteams'].value`, value: 'teams-2' }], check: (u) => expect(u[GEN].externalIds).toEqual([{ authority: 'microsoftteams', value: 'teams-2' }]) },
    { name: 'zoomphone externalId, unterminated quote', ops: [{ op: 'add', path: `${GEN}:externalIds[authority eq 'zoomphone].value`, value: 'z-7' }], check: (u) => expect(u[GEN].externalIds).toContainEqual({ authority: 'zoomphone', value: 'z-7' }) },
    { name: 'ringcentral externalId, double quotes', ops: [{ op: 'add', path: `${GEN}:externalIds[authority eq "ringcentral"].value`, value: 'rc' }], check: (u) => expect(u[GEN].externalIds).toContainEqual({ authority: 'ringcentral', value: 'rc' }) },
    { name: 'add roles', ops: [{ op: 'add', path: 'roles', value: [{ value: 'Supervisor' }] }], check: (u) => expect(u.roles).toEqual([{ value: 'employee' }, { value: 'Agent' }, { value: 'Supervisor' }]) },
    { name: 'remove a role by filter', ops: [{ op: 'remove', path: 'roles[value eq "Agent"]' }], check: (u) => expect(u.roles).toEqual([{ value: 'employee' }]) },
    { name: 'remove a role by value (legacy form)', ops: [{ op: 'remove', path: 'roles', value: [{ value: 'employee' }] }], check: (u) => expect(u.roles).toEqual([{ value: 'Agent' }]) },
    { name: 'replace routingSkills', ops: [{ op: 'replace', path: `${GEN}:routingSkills`, value: [{ name: 'Escalations', proficiency: 1 }] }], check: (u) => expect(u[GEN].routingSkills).toEqual([{ name: 'Escalations', proficiency: 1 }]) },
    { name: 'skill proficiency by filter', ops: [{ op: 'replace', path: `${GEN}:routingSkills[name eq "Sales"].proficiency`, value: 4.5 }], check: (u) => expect(u[GEN].routingSkills[0]).toEqual({ name: 'Sales', proficiency: 4.5 }) },
    { name: 'add a language', ops: [{ op: 'add', path: `${GEN}:routingLanguages`, value: [{ name: 'German', proficiency: 1 }] }], check: (u) => expect(u[GEN].routingLanguages).toHaveLength(3) },
    {
      name: 'path-less replace whose keys are paths (Entra)',
      ops: [{ op: 'Replace', value: { displayName: 'Entra', 'name.givenName': 'ignored', 'emails[type eq "work"].value': 'e@example.com', [`${ENT}:employeeNumber`]: 'E1', active: 'True' } }],
      check: (u) => {
        expect(u.displayName).toBe('Entra');
        expect(email(u, 'work')).toBe('e@example.com');
        expect(u[ENT].employeeNumber).toBe('E1');
        expect(u.name).toBeUndefined();
      },
    },
    {
      name: 'path-less add with an extension object and the resource id',
      ops: [{ op: 'add', value: { id: SEED.alice, schemas: ['x'], title: 'Z', [ENT]: { department: 'Q' } } }],
      check: (u) => expect([u.title, u[ENT].department, u[ENT].employeeNumber]).toEqual(['Z', 'Q', '1002']),
    },
    {
      name: 'several operations apply in order',
      ops: [{ op: 'replace', path: 'title', value: 'one' }, { op: 'replace', path: 'title', value: 'two' }, { op: 'remove', path: 'phoneNumbers' }],
      check: (u) => expect([u.title, u.phoneNumbers]).toEqual(['two', undefined]),
    },
  ])('$name', ({ ops, check }) => {
    check(patchAlice(...ops));
  });
});

describe('PATCH /users/:id: errors', () => {
  test.for<{ name: string; body?: unknown; ops?: Op[]; headers?: Record<string, string>; status: number; scimType: string }>([
    { name: 'missing PatchOp schema', body: { Operations: [{ op: 'add', path: 'title', value: 'x' }] }, status: 400, scimType: 'invalidSyntax' },
    { name: 'wrong schema', body: { schemas: ['urn:x'], Operations: [{ op: 'add', path: 'title', value: 'x' }] }, status: 400, scimType: 'invalidSyntax' },
    { name: 'no Operations', body: { schemas: [PATCH_OP_URN] }, status: 400, scimType: 'invalidSyntax' },
    { name: 'empty Operations', body: { schemas: [PATCH_OP_URN], Operations: [] }, status: 400, scimType: 'invalidSyntax' },
    { name: 'body not an object', body: 'hello', status: 400, scimType: 'invalidSyntax' },
    { name: 'bad op', ops: [{ op: 'merge', path: 'title', value: 'x' }], status: 400, scimType: 'invalidSyntax' },
    { name: 'path-less add with a non-object value', ops: [{ op: 'add', value: 'x' }], status: 400, scimType: 'invalidSyntax' },
    { name: 'remove without path', ops: [{ op: 'remove' }], status: 400, scimType: 'noTarget' },
    { name: 'unknown attribute', ops: [{ op: 'replace', path: 'nickName', value: 'x' }], status: 400, scimType: 'invalidPath' },
    { name: 'name.givenName with a path', ops: [{ op: 'replace', path: 'name.givenName', value: 'x' }], status: 400, scimType: 'invalidPath' },
    { name: 'unknown sub-attribute', ops: [{ op: 'replace', path: 'emails[type eq "work"].display', value: 'x' }], status: 400, scimType: 'invalidPath' },
    { name: 'unknown extension attribute', ops: [{ op: 'replace', path: `${ENT}:costCenter`, value: 'x' }], status: 400, scimType: 'invalidPath' },
    { name: 'unknown schema URN', ops: [{ op: 'replace', path: 'urn:example:ext:foo', value: 'x' }], status: 400, scimType: 'invalidPath' },
    { name: 'filter on single-valued attribute', ops: [{ op: 'replace', path: 'title[value eq "x"]', value: 'x' }], status: 400, scimType: 'invalidPath' },
    { name: 'malformed path', ops: [{ op: 'replace', path: 'emails[type eq "work"', value: 'x' }], status: 400, scimType: 'invalidPath' },
    { name: 'non-eq value filter', ops: [{ op: 'replace', path: 'emails[type co "w"].value', value: 'x' }], status: 400, scimType: 'invalidPath' },
    { name: 'write id', ops: [{ op: 'replace', path: 'id', value: 'x' }], status: 400, scimType: 'mutability' },
    { name: 'write meta', ops: [{ op: 'replace', path: 'meta.version', value: '"1"' }], status: 400, scimType: 'mutability' },
    { name: 'write groups', ops: [{ op: 'add', path: 'groups', value: [{ value: SEED.support }] }], status: 400, scimType: 'mutability' },
    { name: 'remove groups', ops: [{ op: 'remove', path: 'groups' }], status: 400, scimType: 'mutability' },
    { name: 'write the other email', ops: [{ op: 'replace', path: 'emails[type eq "other"].value', value: 'x@example.com' }], status: 400, scimType: 'mutability' },
    { name: 'other email through the emails list', ops: [{ op: 'add', path: 'emails', value: [{ type: 'other', value: 'x@example.com' }] }], status: 400, scimType: 'mutability' },
    { name: 'id in a path-less value differing', ops: [{ op: 'replace', value: { id: 'other-id' } }], status: 400, scimType: 'mutability' },
    { name: 'manager.$ref', ops: [{ op: 'replace', path: `${ENT}:manager.$ref`, value: 'x' }], status: 400, scimType: 'mutability' },
    { name: 'active maybe', ops: [{ op: 'replace', path: 'active', value: 'maybe' }], status: 400, scimType: 'invalidValue' },
    { name: 'unknown role', ops: [{ op: 'add', path: 'roles', value: [{ value: 'Wizard' }] }], status: 400, scimType: 'invalidValue' },
    { name: 'unknown division', ops: [{ op: 'replace', path: `${ENT}:division`, value: 'Mars' }], status: 400, scimType: 'invalidValue' },
    { name: 'unknown manager', ops: [{ op: 'replace', path: `${ENT}:manager`, value: { value: 'ghost' } }], status: 400, scimType: 'invalidValue' },
    { name: 'self as manager', ops: [{ op: 'replace', path: `${ENT}:manager`, value: SEED.alice }], status: 400, scimType: 'invalidValue' },
    { name: 'unknown skill', ops: [{ op: 'add', path: `${GEN}:routingSkills`, value: [{ name: 'Cooking' }] }], status: 400, scimType: 'invalidValue' },
    { name: 'proficiency 9', ops: [{ op: 'replace', path: `${GEN}:routingLanguages[name eq "English"].proficiency`, value: 9 }], status: 400, scimType: 'invalidValue' },
    { name: 'unknown phone type', ops: [{ op: 'add', path: 'phoneNumbers[type eq "pager"].value', value: '+1' }], status: 400, scimType: 'invalidValue' },
    { name: 'replace of a phone type the user does not have', ops: [{ op: 'replace', path: 'phoneNumbers[type eq "zoomphone"].value', value: '+15553334444' }], status: 400, scimType: 'noTarget' },
    { name: 'replace of a whole record the filter does not match', ops: [{ op: 'replace', path: 'phoneNumbers[type eq "home"]', value: { type: 'home', value: '+1' } }], status: 400, scimType: 'noTarget' },
    { name: 'remove of a phone type the user does not have', ops: [{ op: 'remove', path: 'phoneNumbers[type eq "home"]' }], status: 400, scimType: 'noTarget' },
    { name: 'remove of a role the user does not have', ops: [{ op: 'remove', path: 'roles[value eq "Supervisor"]' }], status: 400, scimType: 'noTarget' },
    {
      name: 'remove through a filter in an extension left without values',
      ops: [{ op: 'remove', path: `${GEN}:routingSkills` }, { op: 'remove', path: `${GEN}:routingLanguages` }, { op: 'remove', path: `${GEN}:externalIds` }, { op: 'remove', path: `${GEN}:routingSkills[name eq "Sales"]` }],
      status: 400,
      scimType: 'noTarget',
    },
    { name: 'an invalid value that a later operation would replace', ops: [{ op: 'replace', path: 'title', value: { a: 1 } }, { op: 'replace', path: 'title', value: 'ok' }], status: 400, scimType: 'invalidValue' },
    { name: 'remove required userName', ops: [{ op: 'remove', path: 'userName' }], status: 400, scimType: 'invalidValue' },
    { name: 'remove required displayName', ops: [{ op: 'remove', path: 'displayName' }], status: 400, scimType: 'invalidValue' },
    { name: 'filter on a non-key sub-attribute matching nothing', ops: [{ op: 'replace', path: 'phoneNumbers[value eq "+1000"].type', value: 'home' }], status: 400, scimType: 'noTarget' },
    { name: 'userName taken', ops: [{ op: 'replace', path: 'userName', value: 'Bob.Support@example.com' }], status: 409, scimType: 'uniqueness' },
    { name: 'stale If-Match', ops: [{ op: 'replace', path: 'title', value: 'x' }], headers: { 'If-Match': '"999"' }, status: 400, scimType: 'invalidVers' },
  ])('$name → $status $scimType', ({ body, ops, headers, status, scimType }) => {
    const d = domain();
    const before = d.handlers.getUser(scimRequest({ id: SEED.alice })).body;
    const err = catchScimError(() =>
      d.handlers.patchUser(scimRequest({ method: 'PATCH', id: SEED.alice, headers, body: body ?? patchBody(...(ops ?? [])) })),
    );
    expect([err.status, err.scimType]).toEqual([status, scimType]);
    // atomic: nothing changed
    expect(d.handlers.getUser(scimRequest({ id: SEED.alice })).body).toEqual(before);
  });

  test('a failing later operation leaves the earlier ones unapplied', () => {
    const d = domain();
    const err = catchScimError(() =>
      d.handlers.patchUser(scimRequest({ method: 'PATCH', id: SEED.alice, body: patchBody({ op: 'replace', path: 'title', value: 'changed' }, { op: 'replace', path: 'bogus', value: 1 }) })),
    );
    expect(err.scimType).toBe('invalidPath');
    expect((d.handlers.getUser(scimRequest({ id: SEED.alice })).body as Body).title).toBe('Sales Agent');
  });

  test('current If-Match is accepted and the ETag changes', () => {
    const d = domain();
    const etag = d.handlers.getUser(scimRequest({ id: SEED.alice })).headers!.ETag;
    const res = d.handlers.patchUser(scimRequest({ method: 'PATCH', id: SEED.alice, headers: { 'if-match': etag }, body: patchBody({ op: 'replace', path: 'title', value: 'x' }) }));
    expect(res.headers!.ETag).not.toBe(etag);
    const err = catchScimError(() => d.handlers.patchUser(scimRequest({ method: 'PATCH', id: SEED.alice, headers: { 'if-match': etag }, body: patchBody({ op: 'replace', path: 'title', value: 'y' }) })));
    expect(err.scimType).toBe('invalidVers');
  });
});

describe('PATCH /groups/:id', () => {
  function patchGroup(id: string, ...ops: Op[]) {
    const d = domain();
    const res = d.handlers.patchGroup(scimRequest({ method: 'PATCH', id, body: patchBody(...ops) }));
    return { d, g: res.body as Body, res };
  }
  const memberIds = (g: Body) => (g.members ?? []).map((m: Body) => m.value);

  test.for<{ name: string; ops: Op[]; members?: string[]; displayName?: string }>([
    { name: 'add members', ops: [{ op: 'add', path: 'members', value: [{ value: SEED.bob }, { value: SEED.support }] }], members: [SEED.maria, SEED.alice, SEED.bob, SEED.support] },
    { name: 'add an existing member is idempotent', ops: [{ op: 'Add', path: 'members', value: [{ value: SEED.alice }] }], members: [SEED.maria, SEED.alice] },
    { name: 'add an inactive user', ops: [{ op: 'add', path: 'members', value: [{ value: SEED.ivan, type: 'User' }] }], members: [SEED.maria, SEED.alice, SEED.ivan] },
    { name: 'remove by RFC filter', ops: [{ op: 'remove', path: `members[value eq "${SEED.alice}"]` }], members: [SEED.maria] },
    { name: 'remove, Entra legacy form', ops: [{ op: 'Remove', path: 'members', value: [{ value: SEED.maria }] }], members: [SEED.alice] },
    { name: 'remove all members', ops: [{ op: 'remove', path: 'members' }], members: [] },
    { name: 'replace members', ops: [{ op: 'replace', path: 'members', value: [{ value: SEED.sam }] }], members: [SEED.sam] },
    { name: 'replace displayName', ops: [{ op: 'replace', path: 'displayName', value: 'Sales EMEA' }], displayName: 'Sales EMEA' },
    { name: 'path-less replace displayName', ops: [{ op: 'replace', value: { displayName: 'Sales 2' } }], displayName: 'Sales 2' },
  ])('$name', ({ ops, members, displayName }) => {
    const { g, res } = patchGroup(SEED.sales, ...ops);
    expect(res.status).toBe(200);
    expect(res.headers!.ETag).toBe(g.meta.version);
    if (members) expect(memberIds(g)).toEqual(members);
    if (displayName) expect(g.displayName).toBe(displayName);
  });

  test.for<{ name: string; ops: Op[]; status: number; scimType: string }>([
    { name: 'unknown member', ops: [{ op: 'add', path: 'members', value: [{ value: 'ghost' }] }], status: 400, scimType: 'invalidValue' },
    { name: 'member type mismatch', ops: [{ op: 'add', path: 'members', value: [{ value: SEED.bob, type: 'Group' }] }], status: 400, scimType: 'invalidValue' },
    { name: 'group as its own member', ops: [{ op: 'add', path: 'members', value: [{ value: SEED.sales }] }], status: 400, scimType: 'invalidValue' },
    { name: 'displayName taken', ops: [{ op: 'replace', path: 'displayName', value: 'support' }], status: 409, scimType: 'uniqueness' },
    { name: 'remove displayName', ops: [{ op: 'remove', path: 'displayName' }], status: 400, scimType: 'invalidValue' },
    { name: 'write externalId', ops: [{ op: 'replace', path: 'externalId', value: 'mine' }], status: 400, scimType: 'mutability' },
    { name: 'write id', ops: [{ op: 'replace', path: 'id', value: 'x' }], status: 400, scimType: 'mutability' },
    { name: 'unknown path', ops: [{ op: 'replace', path: 'description', value: 'x' }], status: 400, scimType: 'invalidPath' },
    { name: 'user attribute on a group', ops: [{ op: 'replace', path: 'userName', value: 'x' }], status: 400, scimType: 'invalidPath' },
    { name: 'remove without path', ops: [{ op: 'remove' }], status: 400, scimType: 'noTarget' },
    { name: 'remove of a member the group does not have', ops: [{ op: 'remove', path: `members[value eq "${SEED.sam}"]` }], status: 400, scimType: 'noTarget' },
    { name: 'an invalid displayName that a later operation would replace', ops: [{ op: 'replace', path: 'displayName', value: true }, { op: 'replace', path: 'displayName', value: 'Sales 3' }], status: 400, scimType: 'invalidValue' },
    { name: 'bad op', ops: [{ op: 'delete', path: 'members' }], status: 400, scimType: 'invalidSyntax' },
  ])('$name → $status $scimType', ({ ops, status, scimType }) => {
    const err = catchScimError(() => domain().handlers.patchGroup(scimRequest({ method: 'PATCH', id: SEED.sales, body: patchBody(...ops) })));
    expect([err.status, err.scimType]).toEqual([status, scimType]);
  });

  test('membership changes show in the users\' groups attribute', () => {
    const { d } = patchGroup(SEED.sales, { op: 'add', path: 'members', value: [{ value: SEED.sam }] });
    const sam = d.handlers.getUser(scimRequest({ id: SEED.sam })).body as Body;
    expect(sam.groups.map((g: Body) => g.value)).toEqual([SEED.sales, SEED.allStaff]);
    d.handlers.patchGroup(scimRequest({ method: 'PATCH', id: SEED.allStaff, body: patchBody({ op: 'remove', path: `members[value eq "${SEED.sam}"]` }) }));
    const after = d.handlers.getUser(scimRequest({ id: SEED.sam })).body as Body;
    expect(after.groups.map((g: Body) => g.value)).toEqual([SEED.sales]);
  });
});
