/**
 * Fuzz cases for the emulator (fast-check arbitraries): malformed requests to every endpoint, shared by the fuzz
 * test (emulator/test/fuzz.test.ts) and the long runner (npm run fuzz, bench/fuzz.ts).
 *
 * Every route on both prefixes (and RFC casing, missing prefixes), /oauth/token, /contract/report and unknown paths;
 * odd methods and path segments (bad percent-encoding, very long, dot segments); query strings with repeated keys,
 * bad encodings, huge values, pathological filters; weird If-Match, If-None-Match, Accept and Content-Type; bodies
 * that are bad JSON, the wrong type, huge or deeply nested, user/group/PatchOp documents with wrong values and
 * pathological PATCH paths; with every kind of identity. A case is either sent by an HTTP client (`http`) or written
 * as raw bytes (`raw`: broken request lines, headers, framing — what no client library sends).
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';

/** Who a case claims to be: a demo client's token, an unknown token, no Authorization, or HTTP Basic. */
export type Identity = 'admin' | 'readonly' | 'none' | 'invalid' | 'missing' | 'basic';

export interface HttpCase {
  kind: 'http';
  method: string;
  /** Path and query, as sent (undici accepts \u0021-\u00ff). */
  path: string;
  headers: Record<string, string>;
  body?: string;
  identity: Identity;
}

export interface RawCase {
  kind: 'raw';
  /** Request line without CRLF. */
  requestLine: string;
  /** Header lines without CRLF; the sender adds Host, Authorization (per identity) and Connection: close. */
  headerLines: string[];
  /** Everything after the blank line, framing included. */
  body: string;
  identity: Identity;
}

export type FuzzCase = HttpCase | RawCase;

const PREFIXES = ['/api/v2/scim', '/api/v2/scim/v2'];
const URN_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const URN_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const URN_PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const URN_ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const URN_GEN = 'urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User';

interface SeedIds {
  users: string[];
  groups: string[];
}
let seedIds: SeedIds | undefined;
function ids(): SeedIds {
  seedIds ??= (() => {
    const seed = JSON.parse(readFileSync(new URL('../../fixtures/emulator/seed-org.json', import.meta.url), 'utf8')) as {
      users: { id: string }[];
      groups: { id: string }[];
    };
    return { users: seed.users.map((u) => u.id), groups: seed.groups.map((g) => g.id) };
  })();
  return seedIds;
}

// ---------------------------------------------------------------- building blocks

/** A long run of one piece: the shape that makes backtracking explode. */
const run = (pieces: string[], lengths: number[] = [50, 1000, 5000]) =>
  fc.tuple(fc.constantFrom(...pieces), fc.constantFrom(...lengths)).map(([p, n]) => p.repeat(Math.ceil(n / p.length)));

const junk = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('', ' ', '\t', 'null', 'undefined', '[]', '{}', '"', "'", '\\', '%', '%%', '\u0000', '\uffff', '\ud800', '😀'),
  run([' ', 'a', '"', "'", '[', ']', '(', ',', ';', '=', '.', '\\', 'eq ', 'and ', 'W/"']),
);

const segment = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...ids().users, ...ids().groups) },
  { weight: 2, arbitrary: fc.constantFrom('User', 'Group', 'ServiceProviderConfig', URN_USER, URN_GROUP, URN_ENT, URN_GEN, 'urn:bogus') },
  { weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z0-9._~-]{0,40}$/) },
  { weight: 2, arbitrary: fc.constantFrom('%ZZ', '%', '%0', '%00', '%2F', '%2e%2e', '..', '.', '%C0%AF', '%E2%82', '%F0%9F%98%80', '%FF%FE', '%25', ';x=1', '@', ':', '*') },
  { weight: 1, arbitrary: fc.constantFrom(900, 1001, 1100, 5000).map((n) => 'x'.repeat(n)) },
);

const prefix = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...PREFIXES) },
  { weight: 1, arbitrary: fc.constantFrom('/API/V2/SCIM/V2', '/api/v2', '/api/v2/scim/v3', '', '/api/v2/scim/v2/v2') },
);

/** A SCIM path with what it addresses, so methods and bodies can mostly fit it (and sometimes not). */
interface ScimTarget {
  path: string;
  /** users/groups collection, one user/group, discovery, or something else. */
  kind: 'collection' | 'item' | 'discovery' | 'other';
  resource: 'user' | 'group' | 'none';
}
const scimTarget: fc.Arbitrary<ScimTarget> = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(prefix, fc.constantFrom('/users', '/Users', '/USERS', '/users/', '/groups', '/Groups')).map(([p, r]): ScimTarget => ({ path: p + r, kind: 'collection', resource: /users/i.test(r) ? 'user' : 'group' })) },
  { weight: 6, arbitrary: fc.tuple(prefix, fc.constantFrom('/users/', '/Users/', '/groups/', '/Groups/'), segment).map(([p, r, id]): ScimTarget => ({ path: p + r + id, kind: 'item', resource: /users/i.test(r) ? 'user' : 'group' })) },
  { weight: 2, arbitrary: fc.tuple(prefix, fc.oneof(fc.constantFrom('/serviceproviderconfig', '/ServiceProviderConfig', '/resourcetypes', '/ResourceTypes', '/schemas', '/Schemas'), fc.tuple(fc.constantFrom('/resourcetypes/', '/ResourceTypes/', '/schemas/', '/Schemas/'), segment).map(([a, b]) => a + b))).map(([p, r]): ScimTarget => ({ path: p + r, kind: 'discovery', resource: 'none' })) },
  { weight: 1, arbitrary: fc.tuple(prefix, fc.constantFrom('', '/', '//users', '/users//', '/users/../groups', '/.search', '/Users/.search', '/Bulk', '/Me', '/users/x/y', '/groups/x/members')).map(([p, r]): ScimTarget => ({ path: p + r, kind: 'other', resource: 'none' })) },
);

const otherPath: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('/oauth/token', '/OAuth/Token', '/oauth/token/') },
  { weight: 1, arbitrary: fc.constantFrom('/contract/report', '/contract/report/', '/contract/report/x') },
  { weight: 2, arbitrary: fc.constantFrom('/', '/api', '/favicon.ico', '/oauth', '/api/v2/users', '/scim/v2/Users', '/*', '/%', '/%ZZ') },
  { weight: 1, arbitrary: fc.array(segment, { maxLength: 4 }).map((x) => `/${x.join('/')}`) },
);

// ---------------------------------------------------------------- query strings

const ATTRS = ['userName', 'displayName', 'id', 'externalId', 'active', 'emails', 'emails.value', 'email', 'manager', 'division', 'employeeNumber', 'members', 'title', 'roles', URN_ENT, `${URN_ENT}:manager`, `${URN_GEN}:externalIds`, 'meta.version'];
const attr = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...ATTRS) }, { weight: 1, arbitrary: junk });
const op = fc.constantFrom('eq', 'EQ', 'Eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'pr', 'like', '=', '==');
const filterValue = fc.oneof(
  fc.constantFrom(...ids().users, ...ids().groups, 'alice.agent@example.com', 'Sales', 'true', 'false', '1002', ''),
  fc.string({ maxLength: 20 }).map((s) => JSON.stringify(s)),
  fc.string({ maxLength: 20 }).map((s) => `'${s}'`),
  junk,
);
const filter = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(attr, op, filterValue).map(([a, o, v]) => `${a} ${o} ${v}`) },
  { weight: 2, arbitrary: fc.array(fc.oneof(attr, op, filterValue, fc.constantFrom('and', 'or', 'not', '(', ')', '[', ']', 'AND', '  ', '\t')), { maxLength: 12 }).map((t) => t.join(' ')) },
  { weight: 1, arbitrary: fc.tuple(attr, op, run([' ', '"', "'", 'a', '\\"', 'and ', '( ', '[']), fc.constantFrom('', '"', 'x', ')', ']')).map(([a, o, r, e]) => `${a} ${o} ${r}${e}`) },
);

const queryValue = fc.oneof(
  { weight: 3, arbitrary: filter },
  { weight: 2, arbitrary: fc.array(attr, { maxLength: 6 }).map((a) => a.join(',')) },
  { weight: 2, arbitrary: fc.oneof(fc.integer({ min: -5, max: 200 }).map(String), fc.constantFrom('', '0', '-1', '25', '26', '1e3', '1e309', 'NaN', '0x10', '+3', ' 7 ', '9'.repeat(30), '1.5')) },
  { weight: 1, arbitrary: fc.constantFrom('text', 'md', 'json', 'markdown') },
  { weight: 1, arbitrary: junk },
);
const queryKey = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('filter', 'attributes', 'excludedAttributes', 'startIndex', 'count', 'format') },
  { weight: 2, arbitrary: fc.constantFrom('Filter', 'startindex', 'COUNT', 'sortBy', 'sortOrder', 'access_token', 'api_key', '') },
  { weight: 1, arbitrary: junk },
);
/** Percent-encoding that survives lone surrogates (encoded as U+FFFD, as a browser would). */
const pct = (s: string) => encodeURIComponent(s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));
/** Pairs encoded well, or raw with their bad escapes; sometimes a huge value. */
const queryString = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  { weight: 6, arbitrary: fc.array(fc.tuple(queryKey, queryValue), { maxLength: 6 }).map((pairs) => pairs.map(([k, v]) => `${pct(k)}=${pct(v)}`).join('&')) },
  { weight: 2, arbitrary: fc.array(fc.tuple(queryKey, queryValue), { maxLength: 4 }).map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&').replace(/[^\u0021-\u00ff]+/g, pct)) },
  { weight: 1, arbitrary: fc.constantFrom('filter=%', 'filter=%ZZ', 'filter=%E0%A4%A', 'count=%FF', '&&&', '==', '=x', 'filter', '?', 'a[b]=c', 'filter=userName%20eq%20%22', 'attributes=,,,,') },
  { weight: 1, arbitrary: fc.tuple(queryKey, fc.constantFrom(3000, 12_000)).map(([k, n]) => `${pct(k)}=${'a'.repeat(n)}`) },
).map((q) => (q === '' ? '' : `?${q}`));

// ---------------------------------------------------------------- headers

const mediaType = fc.oneof(
  fc.constantFrom('application/scim+json', 'application/json', 'application/scim+json; charset=utf-8', 'application/json;charset=UTF-16', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '*/*', 'application/*', '', ';', 'application/json; q=0', 'application/scim+json;q=0.000', 'application/xml, application/json;q=0', 'APPLICATION/SCIM+JSON'),
  junk.map((s) => s.replace(/[^\t\x20-\x7e\x80-\xff]/g, '')),
);
const etag = fc.oneof(
  fc.constantFrom('"1"', '"2"', 'W/"1"', '*', '1', '"', '""', 'W/', '"1", "2"', ' , ', 'W/"1", *', '"a"'),
  fc.integer({ min: 0, max: 50 }).map((n) => `"${n}"`),
  run(['"1",', 'W/"', ' ', ','], [100, 4000]),
);
const headerValue = (a: fc.Arbitrary<string>) => a.map((s) => s.replace(/[^\t\x20-\x7e\x80-\xff]/g, ''));
const headers = fc.record(
  {
    accept: headerValue(mediaType),
    'content-type': headerValue(mediaType),
    'if-match': headerValue(etag),
    'if-none-match': headerValue(etag),
    'accept-encoding': fc.constantFrom('gzip', 'br', 'identity', '*'),
    'x-forwarded-for': fc.constantFrom('1.2.3.4', 'unknown'),
    cookie: fc.constantFrom('session=abc', 'a=b; c=d'),
    'x-api-key': fc.constantFrom('secret-key'),
  },
  { requiredKeys: [] },
);

// ---------------------------------------------------------------- bodies

const PATCH_PATHS = ['title', 'displayName', 'userName', 'active', 'emails', 'emails[type eq "work"].value', 'phoneNumbers[type eq "mobile"].value', 'roles', 'roles[value eq "Agent"]', 'members', `members[value eq "${ids().users[1]}"]`, `${URN_ENT}:manager`, `${URN_ENT}:division`, `${URN_GEN}:externalIds[authority eq 'zoomphone'].value`, `${URN_GEN}:routingSkills`, URN_ENT, 'id', 'meta', 'groups', 'externalId', 'emails[type eq "other"].value', 'name.givenName'];
const patchPath = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...PATCH_PATHS) },
  { weight: 2, arbitrary: fc.array(fc.constantFrom('emails', '[', ']', '.', 'value', 'type', ' eq ', '"', "'", 'urn:', ':', 'members', ' '), { maxLength: 10 }).map((p) => p.join('')) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('emails[type eq w', 'emails[', 'emails[type', `${URN_GEN}:externalIds[authority eq `), run([' ', '"', "'", '[', ']', '.', 'a'], [200, 1023, 1025, 3000]), fc.constantFrom('x]', ']', '', ']!', '].value')).map(([a, b, c]) => a + b + c) },
  { weight: 1, arbitrary: junk },
);
const jsonLeaf = fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
const valueFor = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('x', 'Agent', 'Sales Division', 'Home', true, false, 'False', 0, -1, null, '', ids().users[0], { value: ids().users[2] }, [{ value: ids().users[3] }], [{ type: 'work', value: 'w@example.com' }], [{ authority: 'zoomphone', value: 'z' }], [{ name: 'Sales', proficiency: 9 }]) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom(10, 101, 2600).map((n) => Array.from({ length: n }, (_, i) => ({ value: `v${i}`, authority: `a${i}`, type: 'work' }))) },
);
const patchOp = fc.record(
  {
    op: fc.oneof({ weight: 5, arbitrary: fc.constantFrom('add', 'replace', 'remove', 'Add', 'Replace', 'Remove') }, { weight: 1, arbitrary: fc.oneof(fc.constantFrom('delete', 'copy', '', 'ADD '), jsonLeaf) }),
    path: fc.oneof({ weight: 5, arbitrary: patchPath }, { weight: 1, arbitrary: jsonLeaf }),
    value: valueFor,
  },
  { requiredKeys: ['op'] },
);
const patchBody = fc.record(
  {
    schemas: fc.oneof({ weight: 5, arbitrary: fc.constant([URN_PATCH]) }, { weight: 1, arbitrary: fc.oneof(fc.constant([]), fc.constant(URN_PATCH), fc.array(jsonLeaf, { maxLength: 2 })) }),
    Operations: fc.oneof({ weight: 6, arbitrary: fc.array(patchOp, { maxLength: 5 }) }, { weight: 1, arbitrary: fc.constantFrom(1001, 1500).map((n) => Array.from({ length: n }, () => ({ op: 'replace', path: 'title', value: 't' }))) }, { weight: 1, arbitrary: jsonLeaf }),
  },
  { requiredKeys: [] },
);
const userFields = {
    schemas: fc.oneof(fc.constant([URN_USER]), fc.constant([URN_USER, URN_ENT, URN_GEN]), jsonLeaf),
    userName: fc.oneof(fc.uuid().map((u) => `fuzz-${u}@example.com`), fc.constantFrom('alice.agent@example.com', ''), jsonLeaf, fc.constantFrom(1025, 3000).map((n) => 'u'.repeat(n))),
    displayName: fc.oneof(fc.string({ maxLength: 20 }), jsonLeaf),
    active: fc.oneof(fc.boolean(), jsonLeaf),
    password: fc.oneof(fc.string({ maxLength: 20 }), jsonLeaf),
    title: jsonLeaf,
    emails: valueFor,
    phoneNumbers: valueFor,
    roles: valueFor,
    [URN_ENT]: fc.oneof(fc.record({ division: valueFor, manager: valueFor, department: jsonLeaf }, { requiredKeys: [] }), jsonLeaf),
    [URN_GEN]: fc.oneof(fc.record({ externalIds: valueFor, routingSkills: valueFor, routingLanguages: valueFor }, { requiredKeys: [] }), jsonLeaf),
    meta: fc.jsonValue({ maxDepth: 2 }),
    id: jsonLeaf,
};
/** Valid-looking documents (a unique userName, a displayName) with some attributes wrong, or anything. */
const likelyValid = <T extends Record<string, fc.Arbitrary<unknown>>>(fields: T, required: Record<string, fc.Arbitrary<unknown>>) =>
  fc.oneof(
    { weight: 1, arbitrary: fc.record(required) },
    {
      weight: 2,
      arbitrary: fc.tuple(fc.record(required), fc.constantFrom(...Object.keys(fields)).chain((k) => fields[k]!.map((v) => ({ [k]: v }))))
        .map(([r, f]) => ({ ...f, ...r })),
    },
    { weight: 1, arbitrary: fc.record(fields, { requiredKeys: [] }) },
  );
const userBody = likelyValid(userFields, {
  userName: fc.uuid().map((u) => `fuzz-${u}@example.com`),
  displayName: fc.string({ minLength: 1, maxLength: 20 }),
});
const groupBody = likelyValid(
  {
    schemas: fc.oneof(fc.constant([URN_GROUP]), jsonLeaf),
    displayName: fc.oneof(fc.constantFrom('Sales', ''), jsonLeaf),
    members: valueFor,
    externalId: jsonLeaf,
  },
  { displayName: fc.uuid().map((u) => `fuzz-group-${u}`) },
);
const deep = (n: number, open: string, close: string) => open.repeat(n) + close.repeat(n);
const body = fc.oneof(
  { weight: 4, arbitrary: fc.oneof(patchBody, userBody, groupBody).map((b) => JSON.stringify(b)) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)) },
  { weight: 2, arbitrary: fc.constantFrom('', ' ', '{', '{"a":', '{"schemas":[}', 'null', 'true', '"str"', '[]', '{}x', '\ufeff{}', '{"a":1,"a":2}', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}', 'grant_type=client_credentials', 'a=b&c', '\u0000', '{"Operations":[{"op":"add","path":"members","value":[{"value":"x"}]}],"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}') },
  { weight: 1, arbitrary: fc.constantFrom(100, 10_000, 100_000).map((n) => deep(n, '[', ']')) },
  {
    weight: 2,
    arbitrary: fc.tuple(fc.constantFrom(50_000), fc.constantFrom<[string, string]>(['[', ']'], ['{"a":', '}'])).chain(([n, [open, close]]) => {
      const nested = `${open.repeat(n)}${open === '[' ? '' : '1'}${close.repeat(n)}`;
      return fc.constantFrom(
        `{"schemas":["${URN_PATCH}"],"Operations":[{"op":${nested},"path":"title"}]}`,
        `{"schemas":["${URN_PATCH}"],"Operations":[{"op":"replace","path":${nested},"value":1}]}`,
        `{"schemas":["${URN_PATCH}"],"Operations":[{"op":"add","path":"members","value":${nested}}]}`,
        `{"schemas":["${URN_PATCH}"],"Operations":${nested}}`,
        `{"schemas":["${URN_USER}"],"userName":${nested},"displayName":"d"}`,
        `{"userName":"deep@example.com","displayName":"d","emails":[{"type":"work","value":${nested}}],"active":${nested}}`,
        `{"displayName":"deep","members":[{"value":${nested}}]}`,
      );
    }),
  },
  { weight: 1, arbitrary: fc.constantFrom(1000, 20_000).map((n) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`) },
  { weight: 1, arbitrary: fc.constantFrom(400_000, 511_000, 530_000).map((n) => JSON.stringify({ schemas: [URN_USER], userName: 'big@example.com', displayName: 'x'.repeat(n) })) },
  { weight: 1, arbitrary: fc.constantFrom(20_000, 450_000).map((n) => JSON.stringify({ schemas: [URN_PATCH], Operations: [{ op: 'replace', path: `emails[type eq w${' '.repeat(n)}x]`, value: 'x' }] })) },
);

// ---------------------------------------------------------------- whole cases

const identity = fc.constantFrom<Identity>('admin', 'admin', 'admin', 'admin', 'readonly', 'none', 'invalid', 'missing', 'basic');
const method = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE') },
  { weight: 2, arbitrary: fc.constantFrom('HEAD', 'OPTIONS') },
  { weight: 1, arbitrary: fc.constantFrom('TRACE', 'PROPFIND', 'SEARCH', 'QUERY', 'BREW', 'get', 'M-SEARCH', 'PURGE') },
);

/** Methods that fit what a path addresses, mostly; any method sometimes. */
const methodFor = (t: ScimTarget | undefined) => {
  if (t?.kind === 'collection') return fc.oneof({ weight: 6, arbitrary: fc.constantFrom('GET', 'POST') }, { weight: 1, arbitrary: method });
  if (t?.kind === 'item') return fc.oneof({ weight: 6, arbitrary: fc.constantFrom('GET', 'PUT', 'PATCH', 'PATCH', 'DELETE') }, { weight: 1, arbitrary: method });
  if (t?.kind === 'discovery') return fc.oneof({ weight: 4, arbitrary: fc.constant('GET') }, { weight: 1, arbitrary: method });
  return method;
};
/** Bodies that fit the resource and method, mostly. */
const bodyFor = (t: ScimTarget | undefined, m: string) => {
  const fitting = m === 'PATCH' ? patchBody : t?.resource === 'group' ? groupBody : userBody;
  return fc.oneof({ weight: 3, arbitrary: fitting.map((b) => JSON.stringify(b)) }, { weight: 2, arbitrary: body });
};
const contentType = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('application/scim+json', 'application/json', 'application/scim+json; charset=utf-8', 'application/json;charset=UTF-8') },
  { weight: 2, arbitrary: headerValue(mediaType) },
);

const httpCase: fc.Arbitrary<HttpCase> = fc
  .oneof(
    { weight: 12, arbitrary: scimTarget },
    { weight: 3, arbitrary: otherPath.map((path): ScimTarget => ({ path, kind: 'other', resource: 'none' })) },
  )
  .chain((t) => methodFor(t).map((m) => [t, m] as const))
  .chain(([t, m]) =>
    fc.record({
      query: queryString,
      headers,
      withBody: fc.oneof({ weight: m === 'POST' || m === 'PUT' || m === 'PATCH' ? 9 : 1, arbitrary: fc.constant(true) }, { weight: 2, arbitrary: fc.constant(false) }),
      body: bodyFor(t, m),
      contentType: fc.option(contentType, { freq: 8 }),
      identity,
    }).map(({ query, headers: h, withBody, body: b, contentType: ct, identity: who }): HttpCase => {
      const hs: Record<string, string> = { ...h };
      delete hs['content-type'];
      if (ct !== null) hs['content-type'] = ct;
      // an HTTP client only sends a path that starts with '/' (raw cases send the others)
      const c: HttpCase = { kind: 'http', method: m, path: (t.path.startsWith('/') ? t.path : `/${t.path}`) + query, headers: hs, identity: who };
      if (withBody && m !== 'GET' && m !== 'HEAD' && m !== 'TRACE') c.body = b;
      return c;
    }),
  );

const requestLine = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE', 'BREW', 'get', 'G ET', ''), fc.oneof(scimTarget.map((t) => t.path), otherPath, fc.constantFrom('*', 'users', 'http://x/api', '/a b', '/\u00e9', '/\u0001')), fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1 x', 'http/1.1', 'HTTP/1', '')).map(([m, p, v]) => `${m} ${p} ${v}`) },
  { weight: 1, arbitrary: fc.constantFrom('GARBAGE', '', ' ', 'GET', '\u0016\u0003\u0001', 'GET /api/v2/scim/v2/users HTTP/1.1 extra') },
);
const headerLine = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('Accept: application/scim+json', 'Content-Type: application/scim+json', 'If-Match: "1"', 'X-A: b') },
  { weight: 2, arbitrary: fc.constantFrom('Bad Header: x', 'X-A: a\u0001b', ': empty', 'NoColon', 'X-A:\tb', ' X-Fold: continued', 'Content-Length: ten', 'Content-Length: 5', 'Content-Length: -1', 'Transfer-Encoding: chunked', 'Transfer-Encoding: gzip', 'Transfer-Encoding: chunked, gzip', 'Expect: 100-continue', 'Host: other', 'Content-Length: 0') },
  { weight: 1, arbitrary: fc.constantFrom(8000, 20_000).map((n) => `X-Big: ${'a'.repeat(n)}`) },
);
const rawCase: fc.Arbitrary<RawCase> = fc
  .record({
    requestLine,
    headerLines: fc.array(headerLine, { maxLength: 4 }),
    body: fc.oneof(fc.constant(''), fc.constantFrom('{}', '5\r\nhello\r\n0\r\n\r\n', 'ZZ\r\nx\r\n0\r\n\r\n', '0\r\n\r\n', '{"a":1}', '3\r\nabc\r\n')),
    identity,
  })
  .map((c) => ({ kind: 'raw' as const, ...c }));

/** One fuzz case: mostly what an HTTP client can send, sometimes raw bytes. */
export const fuzzCase: fc.Arbitrary<FuzzCase> = fc.oneof({ weight: 19, arbitrary: httpCase }, { weight: 1, arbitrary: rawCase });

const cut = (s: string, n = 160) => (s.length <= n ? s : `${s.slice(0, n)}…(${s.length} chars)`);

/** A short, readable description of a case (fast-check counterexamples, runner reports). */
export function describeCase(c: FuzzCase): string {
  if (c.kind === 'raw') {
    return `raw [${c.identity}] ${JSON.stringify(cut(c.requestLine))} headers ${JSON.stringify(c.headerLines.map((h) => cut(h, 60)))} body ${JSON.stringify(cut(c.body, 60))}`;
  }
  const h = Object.entries(c.headers).map(([k, v]) => `${k}: ${cut(v, 60)}`).join('; ');
  return `${c.method} ${cut(c.path)} [${c.identity}]${h ? ` {${h}}` : ''}${c.body !== undefined ? ` body ${JSON.stringify(cut(c.body, 100))}` : ''}`;
}

/** The same arbitrary, with cases that print as describeCase in fast-check reports. */
export const printableFuzzCase: fc.Arbitrary<FuzzCase> = fuzzCase.map((c) =>
  Object.defineProperty({ ...c }, fc.toStringMethod, { value: () => describeCase(c), enumerable: false }) as FuzzCase);
