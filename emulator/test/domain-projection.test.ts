import { describe, expect, test } from 'vitest';
import { createUsersGroupsDomain, loadSeedOrg } from '../domain/index.ts';
import { projectionFor } from '../domain/projection.ts';
import { USER_SCHEMA } from '../domain/schema.ts';
import { scimRequest, SEED } from '../domain/test-support.ts';

const seedOrg = loadSeedOrg();
const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const GEN = 'urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User';
type Body = Record<string, any>;

const d = createUsersGroupsDomain({ apiVersion: '2021', seedOrg });
const ALWAYS = ['schemas', 'id', 'userName', 'active', 'meta'];

function getAlice(query: Record<string, string>): Body {
  return d.handlers.getUser(scimRequest({ id: SEED.alice, query })).body as Body;
}

describe('user projection', () => {
  test.for<{ name: string; query: Record<string, string>; keys: string[]; check?: (u: Body) => void }>([
    { name: 'attributes=id,active', query: { attributes: 'id,active' }, keys: ALWAYS },
    { name: 'attributes=displayName', query: { attributes: 'displayName' }, keys: [...ALWAYS, 'displayName'] },
    { name: 'case-insensitive names', query: { attributes: 'DISPLAYNAME,Title' }, keys: [...ALWAYS, 'displayName', 'title'] },
    { name: 'core-URN-qualified', query: { attributes: `${CORE}:displayName,${CORE}:externalId` }, keys: [...ALWAYS, 'externalId', 'displayName'] },
    { name: 'unknown names are ignored', query: { attributes: 'nickName,urn:x:y,title' }, keys: [...ALWAYS, 'title'] },
    { name: 'sub-attribute emails.value', query: { attributes: 'emails.value' }, keys: [...ALWAYS, 'emails'], check: (u) => expect(u.emails).toEqual([{ value: 'alice.agent@example.com' }, { value: 'alice.work@example.com' }]) },
    { name: 'meta.version keeps the whole meta (always returned)', query: { attributes: 'meta.version' }, keys: ALWAYS, check: (u) => expect(Object.keys(u.meta).sort()).toEqual(['lastModified', 'location', 'resourceType', 'version']) },
    { name: 'whole extension by URN', query: { attributes: ENT }, keys: [...ALWAYS, ENT], check: (u) => expect(Object.keys(u[ENT])).toEqual(['division', 'department', 'manager', 'employeeNumber']) },
    { name: 'extension attribute', query: { attributes: `${ENT}:department` }, keys: [...ALWAYS, ENT], check: (u) => expect(u[ENT]).toEqual({ department: 'Sales' }) },
    { name: 'extension sub-attribute manager.value', query: { attributes: `${ENT}:manager.value` }, keys: [...ALWAYS, ENT], check: (u) => expect(u[ENT]).toEqual({ manager: { value: SEED.maria } }) },
    { name: 'extension names in any case', query: { attributes: `${GEN.toUpperCase()}:ROUTINGSKILLS` }, keys: [...ALWAYS, GEN], check: (u) => expect(Object.keys(u[GEN])).toEqual(['routingSkills']) },
    { name: 'password can not be asked for', query: { attributes: 'password' }, keys: ALWAYS },
    { name: 'excluded roles,externalId', query: { excludedAttributes: 'roles,externalId' }, keys: ['schemas', 'id', 'userName', 'displayName', 'title', 'active', 'emails', 'phoneNumbers', 'groups', ENT, GEN, 'meta'] },
    { name: 'always-returned can not be excluded', query: { excludedAttributes: 'id,userName,active,meta,meta.version' }, keys: ['schemas', 'id', 'externalId', 'userName', 'displayName', 'title', 'active', 'emails', 'phoneNumbers', 'groups', 'roles', ENT, GEN, 'meta'], check: (u) => expect(u.meta.version).toMatch(/^"\d+"$/) },
    { name: 'excluded extension attribute', query: { excludedAttributes: `${ENT}:division,${ENT}:manager` }, keys: ['schemas', 'id', 'externalId', 'userName', 'displayName', 'title', 'active', 'emails', 'phoneNumbers', 'groups', 'roles', ENT, GEN, 'meta'], check: (u) => expect(u[ENT]).toEqual({ department: 'Sales', employeeNumber: '1002' }) },
    { name: 'excluded whole extensions', query: { excludedAttributes: `${ENT},${GEN}` }, keys: ['schemas', 'id', 'externalId', 'userName', 'displayName', 'title', 'active', 'emails', 'phoneNumbers', 'groups', 'roles', 'meta'] },
    { name: 'excluded sub-attribute', query: { excludedAttributes: 'phoneNumbers.type' }, keys: ['schemas', 'id', 'externalId', 'userName', 'displayName', 'title', 'active', 'emails', 'phoneNumbers', 'groups', 'roles', ENT, GEN, 'meta'], check: (u) => expect(u.phoneNumbers).toEqual([{ value: '+13175550102' }, { value: '+13175550202' }]) },
    { name: 'both: attributes then exclusions', query: { attributes: 'displayName,title', excludedAttributes: 'title' }, keys: [...ALWAYS, 'displayName'] },
  ])('$name', ({ query, keys, check }) => {
    const u = getAlice(query);
    expect(Object.keys(u).sort()).toEqual([...keys].sort());
    check?.(u);
  });

  test('projected output keeps the resource\'s attribute order', () => {
    expect(Object.keys(getAlice({ attributes: 'title,displayName' }))).toEqual(['schemas', 'id', 'userName', 'displayName', 'title', 'active', 'meta']);
  });

  test('lists apply the projection to every resource', () => {
    const body = d.handlers.listUsers(scimRequest({ query: { attributes: 'displayName' } })).body as Body;
    for (const r of body.Resources) expect(Object.keys(r).sort()).toEqual([...ALWAYS, 'displayName'].sort());
  });

  test('projections are compiled once per distinct query', () => {
    expect(projectionFor(USER_SCHEMA, ['id'], [])).toBe(projectionFor(USER_SCHEMA, ['id'], []));
    expect(projectionFor(USER_SCHEMA, [], []).identity).toBe(true);
  });

  test('the cached full representation is not altered by projections', () => {
    const full = getAlice({});
    getAlice({ excludedAttributes: 'phoneNumbers.type,roles' });
    getAlice({ attributes: 'emails.value' });
    expect(getAlice({})).toEqual(full);
    expect(full.phoneNumbers[0].type).toBe('work');
  });
});

describe('group projection', () => {
  test.for<{ query: Record<string, string>; keys: string[] }>([
    { query: { attributes: 'displayName' }, keys: ['schemas', 'id', 'meta', 'displayName'] },
    { query: { attributes: 'urn:ietf:params:scim:schemas:core:2.0:Group:members' }, keys: ['schemas', 'id', 'meta', 'members'] },
    { query: { excludedAttributes: 'members,id,meta' }, keys: ['schemas', 'id', 'displayName', 'externalId', 'meta'] },
    { query: { attributes: 'members.value' }, keys: ['schemas', 'id', 'meta', 'members'] },
  ])('$query', ({ query, keys }) => {
    const g = d.handlers.getGroup(scimRequest({ id: SEED.scimTeam, query })).body as Body;
    expect(Object.keys(g).sort()).toEqual([...keys].sort());
    if (query.attributes === 'members.value') expect(g.members).toEqual([{ value: SEED.bob }]);
  });
});
