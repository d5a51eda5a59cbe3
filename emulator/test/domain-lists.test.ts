import { describe, expect, test } from 'vitest';
import { createUsersGroupsDomain, loadSeedOrg, type DomainOptions } from '../domain/index.ts';
import { GROUP_FILTER_SPEC, parseFilter, USER_FILTER_SPEC } from '../domain/filter.ts';
import { catchScimError, scimRequest, SEED } from '../domain/test-support.ts';
import { LIST_RESPONSE_URN } from '../http-types.ts';

const seedOrg = loadSeedOrg();
const GEN = 'urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User';
type Body = Record<string, any>;

function domain(opts: Partial<DomainOptions> = {}) {
  return createUsersGroupsDomain({ apiVersion: '2021', seedOrg, ...opts });
}

const { maria, alice, bob, sam, ivan } = SEED;

function userIds(d: ReturnType<typeof domain>, query: Record<string, string>): string[] {
  return (d.handlers.listUsers(scimRequest({ query })).body as Body).Resources.map((r: Body) => r.id);
}

describe('users filters', () => {
  test.for([
    { filter: `id eq ${alice}`, ids: [alice] },
    { filter: `ID EQ "${alice}"`, ids: [alice] },
    { filter: `id eq ${ivan}`, ids: [ivan] },
    { filter: 'userName eq alice.agent@example.com', ids: [alice] },
    { filter: 'username eq "ALICE.AGENT@example.com"', ids: [alice] },
    { filter: "userName Eq 'alice.agent@example.com'", ids: [alice] },
    { filter: 'userName eq nobody@example.com', ids: [] },
    { filter: `manager eq ${maria}`, ids: [alice, bob] },
    { filter: 'email eq alice.work@example.com', ids: [alice] },
    { filter: 'email eq "maria.manager@example.com"', ids: [maria] },
    { filter: 'division eq Sales Division', ids: [maria, alice] },
    { filter: 'division eq "sales division"', ids: [maria, alice] },
    { filter: 'division eq Home', ids: [sam, ivan] },
    { filter: 'division eq Atlantis', ids: [] },
    { filter: 'externalId eq 1002', ids: [alice] },
    { filter: 'externalId eq "1005"', ids: [ivan] },
    { filter: 'active eq false', ids: [ivan] },
    { filter: 'active eq "False"', ids: [ivan] },
    { filter: 'active eq true', ids: [maria, alice, bob, sam] },
    { filter: 'employeeNumber eq 1003', ids: [bob] },
    { filter: '  userName   eq   bob.support@example.com  ', ids: [bob] },
    { filter: 'userName eq "a \\"quoted\\" name"', ids: [] },
  ])('$filter', ({ filter, ids }) => {
    expect(userIds(domain(), { filter })).toEqual(ids);
  });

  test.for([
    { filter: 'userName ne alice.agent@example.com', why: /operator "ne"/ },
    { filter: 'userName co alice', why: /operator "co"/ },
    { filter: 'userName sw "a"', why: /operator "sw"/ },
    { filter: 'title pr', why: /operator "pr"/ },
    { filter: 'userName eq a@example.com and active eq true', why: /logical operator "and"/ },
    { filter: 'userName eq a@example.com or userName eq b@example.com', why: /logical operator "or"/ },
    { filter: 'not (userName eq a@example.com)', why: /not/ },
    { filter: '(userName eq a@example.com)', why: /grouping/ },
    { filter: 'emails[type eq "work"] eq x', why: /complex|grouping/ },
    { filter: 'title eq Agent', why: /"title" is not filterable/ },
    { filter: 'emails.value eq alice.work@example.com', why: /not filterable/ },
    { filter: 'userName eq', why: /missing value/ },
    { filter: 'userName', why: /missing operator/ },
    { filter: 'userName eq "unterminated', why: /unterminated/ },
    { filter: 'userName eq "a"b', why: /after a quoted value/ },
    { filter: 'userName eq "a" "b"', why: /quoted value/ },
    { filter: 'userName foo bar', why: /unknown operator/ },
    { filter: 'active eq maybe', why: /true or false/ },
    { filter: '"userName" eq x', why: /attribute name/ },
  ])('rejects $filter → 400 invalidFilter', ({ filter, why }) => {
    const err = catchScimError(() => domain().handlers.listUsers(scimRequest({ query: { filter } })));
    expect(err.status).toBe(400);
    expect(err.scimType).toBe('invalidFilter');
    expect(err.detail).toMatch(why);
    expect(err.detail).toContain('Supported filters');
    expect(err.detail).toContain('employeeNumber eq');
  });

  test('a blank filter is no filter', () => {
    expect(userIds(domain(), { filter: '  ' })).toEqual([maria, alice, bob, sam]);
  });

  test.for([
    { filter: 'userName eq alice.agent@example.com and active eq true', ids: [alice] },
    { filter: 'division eq "Sales Division" AND manager eq ' + maria, ids: [alice] },
    { filter: 'emails.value eq alice.work@example.com', ids: [alice] },
    { filter: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq 1001', ids: [maria] },
    { filter: 'urn:ietf:params:scim:schemas:core:2.0:User:userName eq sam.admin@example.com', ids: [sam] },
    { filter: 'active eq true and active eq false', ids: [] },
  ])('lenient mode: $filter', ({ filter, ids }) => {
    expect(userIds(domain({ filterStrictness: 'lenient' }), { filter })).toEqual(ids);
  });

  test('lenient mode still refuses or', () => {
    const err = catchScimError(() =>
      domain({ filterStrictness: 'lenient' }).handlers.listUsers(scimRequest({ query: { filter: 'userName eq a or userName eq b' } })),
    );
    expect(err.scimType).toBe('invalidFilter');
  });

  test('parser output keeps the value text and whether it was quoted', () => {
    expect(parseFilter('displayname eq Sales', GROUP_FILTER_SPEC, 'strict')).toEqual([{ attr: 'displayName', value: 'Sales', quoted: false }]);
    expect(parseFilter("userName eq 'x y'", USER_FILTER_SPEC, 'strict')).toEqual([{ attr: 'userName', value: 'x y', quoted: true }]);
    expect(parseFilter('userName eq "\\u0041\\n"', USER_FILTER_SPEC, 'strict')).toEqual([{ attr: 'userName', value: 'A\n', quoted: true }]);
  });
});

describe('groups filters', () => {
  const groupNames = (d: ReturnType<typeof domain>, query: Record<string, string>) =>
    (d.handlers.listGroups(scimRequest({ query })).body as Body).Resources.map((r: Body) => r.displayName);

  test.for([
    { filter: undefined, names: ['Sales', 'Support', 'All Staff', 'SCIM Provisioned Team'] },
    { filter: 'displayname eq Sales', names: ['Sales'] },
    { filter: 'displayName eq "all staff"', names: ['All Staff'] },
    { filter: 'DISPLAYNAME EQ All Staff', names: ['All Staff'] },
    { filter: `id eq ${SEED.support}`, names: ['Support'] },
    { filter: 'displayName eq Nope', names: [] },
  ])('$filter', ({ filter, names }) => {
    expect(groupNames(domain(), filter ? { filter } : {})).toEqual(names);
  });

  test.for([
    'displayName co Sal',
    'externalId eq scim-c4b3a291-8f7e-4d6c-9b5a-4f3e2d1c0b9a',
    'members eq x',
    'displayName eq Sales or displayName eq Support',
  ])('rejects %s', (filter) => {
    const err = catchScimError(() => domain().handlers.listGroups(scimRequest({ query: { filter } })));
    expect([err.status, err.scimType]).toEqual([400, 'invalidFilter']);
    expect(err.detail).toContain('displayName eq');
  });

  test('lenient mode filters groups by externalId', () => {
    expect(groupNames(domain({ filterStrictness: 'lenient' }), { filter: `externalId eq scim-${SEED.scimTeam}` })).toEqual(['SCIM Provisioned Team']);
  });
});

describe('paging', () => {
  function withUsers(n: number, opts: Partial<DomainOptions> = {}) {
    const d = domain(opts);
    for (let i = 0; i < n; i++) {
      d.handlers.createUser(scimRequest({ method: 'POST', body: { userName: `page${i}@example.com`, displayName: `Page ${i}` } }));
    }
    return d;
  }

  test('ListResponse envelope', () => {
    const body = domain().handlers.listUsers(scimRequest()).body as Body;
    expect(body).toMatchObject({ schemas: [LIST_RESPONSE_URN], totalResults: 4, startIndex: 1, itemsPerPage: 4 });
    expect(body.Resources).toHaveLength(4);
  });

  test.for([
    { pageSize: 1 }, { pageSize: 3 }, { pageSize: 7 }, { pageSize: 25 },
  ])('walking pages of $pageSize returns every active user exactly once with a stable totalResults', ({ pageSize }) => {
    const d = withUsers(40);
    const all = userIds(d, { count: '1000', attributes: 'id' });
    expect(all).toHaveLength(44);
    const seen: string[] = [];
    const totals = new Set<number>();
    for (let start = 1; ; start += pageSize) {
      const body = d.handlers.listUsers(scimRequest({ query: { startIndex: String(start), count: String(pageSize) } })).body as Body;
      totals.add(body.totalResults);
      expect(body.startIndex).toBe(start);
      expect(body.itemsPerPage).toBe(body.Resources.length);
      expect(body.Resources.length).toBeLessThanOrEqual(pageSize);
      if (body.Resources.length === 0) break;
      seen.push(...body.Resources.map((r: Body) => r.id));
    }
    expect([...totals]).toEqual([44]);
    expect(seen).toEqual(all);
    expect(new Set(seen).size).toBe(seen.length);
  });

  test.for([
    { query: { count: '0' }, total: 4, start: 1, items: 0 },
    { query: { count: '-5' }, total: 4, start: 1, items: 0 },
    { query: { startIndex: '0', count: '2' }, total: 4, start: 1, items: 2 },
    { query: { startIndex: '-3' }, total: 4, start: 1, items: 4 },
    { query: { startIndex: '4' }, total: 4, start: 4, items: 1 },
    { query: { startIndex: '99' }, total: 4, start: 99, items: 0 },
    { query: { count: '25' }, total: 4, start: 1, items: 4 },
  ])('$query', ({ query, total, start, items }) => {
    const body = domain().handlers.listUsers(scimRequest({ query })).body as Body;
    expect([body.totalResults, body.startIndex, body.itemsPerPage, body.Resources.length]).toEqual([total, start, items, items]);
  });

  test.for([
    { query: { count: 'ten' } }, { query: { count: '2.5' } }, { query: { startIndex: 'x' } }, { query: { count: '1e3' } },
  ])('non-integer paging $query → 400 invalidValue', ({ query }) => {
    const err = catchScimError(() => domain().handlers.listUsers(scimRequest({ query })));
    expect([err.status, err.scimType]).toEqual([400, 'invalidValue']);
  });

  const secondary = 'externalId,roles,urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User:routingLanguages,urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User:routingSkills';
  test.for([
    { why: 'count 26, defaults', query: { count: '26' }, status: 429 },
    { why: 'count 25', query: { count: '25' }, status: 200 },
    { why: 'count 100, all secondary excluded', query: { count: '100', excludedAttributes: secondary }, status: 200 },
    { why: 'count 100, genesys extension excluded whole', query: { count: '100', excludedAttributes: `externalId,roles,${GEN}` }, status: 200 },
    { why: 'count 100, only roles excluded', query: { count: '100', excludedAttributes: 'roles' }, status: 429 },
    { why: 'count 100, doc example exclusion (routing still returned)', query: { count: '100', excludedAttributes: 'externalId,roles,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:division' }, status: 429 },
    { why: 'count 100, attributes=id,active', query: { count: '100', attributes: 'id,active' }, status: 200 },
    { why: 'count 100, attributes includes roles', query: { count: '100', attributes: 'id,roles' }, status: 429 },
    { why: 'count 100, attributes names a routing sub-attribute', query: { count: '100', attributes: `${GEN}:routingSkills.name` }, status: 429 },
  ])('count limit: $why → $status', ({ query, status }) => {
    const d = domain();
    if (status === 200) {
      expect(d.handlers.listUsers(scimRequest({ query })).status).toBe(200);
    } else {
      const err = catchScimError(() => d.handlers.listUsers(scimRequest({ query })));
      expect(err.status).toBe(429);
      expect(err.headers?.['Retry-After']).toMatch(/^\d+$/);
      expect(err.detail).toMatch(/excludedAttributes/);
    }
  });

  test('listCountLimit is configurable; 2019 has no 429 rule', () => {
    expect(catchScimError(() => domain({ listCountLimit: 2 }).handlers.listUsers(scimRequest({ query: { count: '3' } }))).status).toBe(429);
    expect(domain({ apiVersion: '2019' }).handlers.listUsers(scimRequest({ query: { filter: 'active eq true', count: '100' } })).status).toBe(200);
  });

  test('groups: count over the limit needs externalId excluded', () => {
    const d = domain();
    expect(catchScimError(() => d.handlers.listGroups(scimRequest({ query: { count: '50' } }))).status).toBe(429);
    expect(d.handlers.listGroups(scimRequest({ query: { count: '50', excludedAttributes: 'externalId' } })).status).toBe(200);
  });
});

describe('API version 2019', () => {
  test('users list requires a filter', () => {
    const err = catchScimError(() => domain({ apiVersion: '2019' }).handlers.listUsers(scimRequest()));
    expect([err.status, err.scimType]).toEqual([400, 'invalidFilter']);
    expect(err.detail).toMatch(/required/);
  });

  test('attributes and excludedAttributes are ignored', () => {
    const d = domain({ apiVersion: '2019' });
    const body = d.handlers.listUsers(scimRequest({ query: { filter: `id eq ${alice}`, attributes: 'id' } })).body as Body;
    expect(body.Resources[0].displayName).toBe('Alice Agent');
    const one = d.handlers.getUser(scimRequest({ id: alice, query: { excludedAttributes: 'displayName' } })).body as Body;
    expect(one.displayName).toBe('Alice Agent');
  });

  test('groups list works without a filter; group POST and DELETE are 404', () => {
    const d = domain({ apiVersion: '2019' });
    expect((d.handlers.listGroups(scimRequest()).body as Body).totalResults).toBe(4);
    expect(catchScimError(() => d.handlers.createGroup(scimRequest({ method: 'POST', body: { displayName: 'X' } }))).status).toBe(404);
    expect(catchScimError(() => d.handlers.deleteGroup(scimRequest({ method: 'DELETE', id: SEED.scimTeam }))).status).toBe(404);
  });
});
