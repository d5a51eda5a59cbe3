/**
 * Hardening against hostile or sloppy input: pathological PATCH paths, request size limits, parser-level errors.
 * Time bounds here are catastrophic-backtracking guards (generous), not performance assertions.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { resolvePatchPath } from '../domain/patch.ts';
import { GROUP_SCHEMA, USER_SCHEMA } from '../domain/schema.ts';
import { SEED } from '../domain/test-support.ts';
import { PATCH_OP_URN } from '../http-types.ts';
import { startEmulator, type RunningEmulator } from '../server.ts';
import { call, ERROR_URN, tokenFor, V2 } from './helpers.ts';

const GUARD_MS = 2000;
const SIZE = Number(process.env.HARDENING_PATH_SIZE ?? 500_000);

let emu: RunningEmulator;
let admin: string;
beforeAll(async () => {
  emu = await startEmulator({ rateLimitPerMinute: 0 });
  admin = await tokenFor(emu, 'admin');
});
afterAll(() => emu?.close());

const patch = (id: string, ops: unknown[]) =>
  call(emu, 'PATCH', `${V2}/users/${id}`, {
    token: admin,
    headers: { 'content-type': 'application/scim+json' },
    body: JSON.stringify({ schemas: [PATCH_OP_URN], Operations: ops }),
  });

/** Pathological PATCH paths (each ~SIZE characters), the shapes that make backtracking regexes blow up. */
const PATHOLOGICAL: Record<string, string> = {
  'spaces inside a value filter': `emails[type eq w${' '.repeat(SIZE)}x]`,
  'a value filter without its closing bracket': `emails[type eq ${'a '.repeat(SIZE / 2)}`,
  'many opening brackets': `emails[${'['.repeat(SIZE)}`,
  'many closing brackets then text': `emails[${']'.repeat(SIZE)}x`,
  'a very long attribute name': `${'a'.repeat(SIZE)}!`,
  'dotted segments': `emails[type eq "a"]${'.a'.repeat(SIZE / 2)}`,
  'double quotes (escaped in JSON, so half as many)': `emails[type eq ${'"'.repeat(SIZE / 2)}]`,
  'single quotes': `emails[type eq ${"'".repeat(SIZE)}]`,
  'spaces between name and operator': `emails[type${' '.repeat(SIZE)}`,
};

describe('PATCH path parsing is linear', () => {
  test.for(Object.entries(PATHOLOGICAL))('%s: a ~500 KB path over HTTP is answered 400 quickly', async ([, path]) => {
    const t0 = performance.now();
    const res = await patch(SEED.alice, [{ op: 'replace', path, value: 'x' }]);
    const ms = performance.now() - t0;
    expect(res.status).toBe(400);
    expect(res.json.schemas).toEqual([ERROR_URN]);
    expect(res.json.detail).toEqual(expect.any(String));
    expect(ms).toBeLessThan(GUARD_MS);
  });

  // Below the HTTP layer's path length limit: the resolver itself must be linear.
  test.for(Object.entries(PATHOLOGICAL))('%s: the path resolver itself is quick on it', ([, path]) => {
    for (const schema of [USER_SCHEMA, GROUP_SCHEMA]) {
      const t0 = performance.now();
      try {
        resolvePatchPath(schema, path);
      } catch {
        // valid or not does not matter here
      }
      expect(performance.now() - t0).toBeLessThan(GUARD_MS);
    }
  });
});

const GEN = 'urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User';
const USER_URN = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP_URN = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const json = { 'content-type': 'application/scim+json' };
const send = (method: string, path: string, body: unknown) =>
  call(emu, method, `${V2}${path}`, { token: admin, headers: json, body: JSON.stringify(body) });
let serial = 0;
const newUser = (extra: Record<string, unknown> = {}) => ({
  schemas: [USER_URN], userName: `limits-${++serial}@example.com`, displayName: 'Limits', ...extra,
});
const items = <T>(n: number, make: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => make(i));
const ids = (n: number) => items(n, (i) => ({ authority: `a${i}`, value: `v${i}` }));

describe('limits on what one request writes', () => {
  test.for<{ name: string; method: string; path: () => string; body: () => unknown; limit: RegExp; scimType?: string }>([
    { name: 'PATCH operations', method: 'PATCH', path: () => `/users/${SEED.alice}`, body: () => ({ schemas: [PATCH_OP_URN], Operations: items(1001, () => ({ op: 'replace', path: 'title', value: 't' })) }), limit: /Operations holds 1001 operations; at most 1000/ },
    { name: 'PATCH path length', method: 'PATCH', path: () => `/users/${SEED.alice}`, body: () => ({ schemas: [PATCH_OP_URN], Operations: [{ op: 'replace', path: `title${'x'.repeat(1100)}`, value: 't' }] }), limit: /Operations\[0\]\.path is 1105 characters long; at most 1024/, scimType: 'invalidPath' },
    { name: 'externalIds in a POST', method: 'POST', path: () => '/users', body: () => newUser({ [GEN]: { externalIds: ids(101) } }), limit: /externalIds holds 101 items; at most 100/ },
    { name: 'externalIds in one PATCH value', method: 'PATCH', path: () => `/users/${SEED.bob}`, body: () => ({ schemas: [PATCH_OP_URN], Operations: [{ op: 'add', path: `${GEN}:externalIds`, value: ids(101) }] }), limit: /the value holds 101 items; at most 100/ },
    { name: 'externalIds grown by two PATCH operations', method: 'PATCH', path: () => `/users/${SEED.bob}`, body: () => ({ schemas: [PATCH_OP_URN], Operations: [{ op: 'add', path: `${GEN}:externalIds`, value: ids(60) }, { op: 'add', path: `${GEN}:externalIds`, value: items(60, (i) => ({ authority: `b${i}`, value: 'v' })) }] }), limit: /externalIds holds 120 items; at most 100/ },
    { name: 'emails', method: 'POST', path: () => '/users', body: () => newUser({ emails: items(11, () => ({ type: 'work', value: 'w@example.com' })) }), limit: /emails holds 11 items; at most 10/ },
    { name: 'phoneNumbers', method: 'POST', path: () => '/users', body: () => newUser({ phoneNumbers: items(21, () => ({ type: 'work', value: '+1' })) }), limit: /phoneNumbers holds 21 items; at most 20/ },
    { name: 'roles', method: 'POST', path: () => '/users', body: () => newUser({ roles: items(101, () => ({ value: 'employee' })) }), limit: /roles holds 101 items; at most 100/ },
    { name: 'routingSkills', method: 'POST', path: () => '/users', body: () => newUser({ [GEN]: { routingSkills: items(51, () => ({ name: 'Escalations' })) } }), limit: /routingSkills holds 51 items; at most 50/ },
    { name: 'a string value', method: 'POST', path: () => '/users', body: () => newUser({ title: 't'.repeat(1025) }), limit: /title is 1025 characters long; at most 1024/ },
    { name: 'userName', method: 'POST', path: () => '/users', body: () => newUser({ userName: `${'u'.repeat(1100)}@example.com` }), limit: /userName is 1112 characters long/ },
    { name: 'an externalIds value', method: 'POST', path: () => '/users', body: () => newUser({ [GEN]: { externalIds: [{ authority: 'zoomphone', value: 'v'.repeat(2000) }] } }), limit: /externalIds\.value is 2000 characters long/ },
    { name: 'members in a group POST', method: 'POST', path: () => '/groups', body: () => ({ schemas: [GROUP_URN], displayName: 'Too big', members: items(2501, () => ({ value: SEED.alice })) }), limit: /members holds 2501 items; at most 2500/ },
    { name: 'members in one PATCH value', method: 'PATCH', path: () => `/groups/${SEED.sales}`, body: () => ({ schemas: [PATCH_OP_URN], Operations: [{ op: 'add', path: 'members', value: items(2501, () => ({ value: SEED.bob })) }] }), limit: /the value holds 2501 items; at most 2500/ },
    { name: 'a group displayName', method: 'PUT', path: () => `/groups/${SEED.sales}`, body: () => ({ schemas: [GROUP_URN], displayName: 'd'.repeat(1025) }), limit: /displayName is 1025 characters long/ },
  ])('$name: 400 with a detail naming the limit', async ({ method, path, body, limit, scimType }) => {
    const res = await send(method, path(), body());
    expect(res.status, res.text).toBe(400);
    expect(res.json.schemas).toEqual([ERROR_URN]);
    expect(res.json.scimType).toBe(scimType ?? 'invalidValue');
    expect(res.json.detail).toMatch(limit);
  });

  test('values at the limits are accepted', async () => {
    const res = await send('POST', '/users', newUser({
      title: 't'.repeat(1024),
      [GEN]: { externalIds: ids(100) },
      phoneNumbers: [{ type: 'work', value: '+1' }],
    }));
    expect(res.status, res.text).toBe(201);
    expect(res.json[GEN].externalIds).toHaveLength(100);
    const ops = items(1000, (i) => ({ op: 'replace', path: 'title', value: `t${i}` }));
    const patched = await send('PATCH', `/users/${res.json.id}`, { schemas: [PATCH_OP_URN], Operations: ops });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.json.title).toBe('t999');
  });

  test('a group grows past the per-request member limit through several PATCH requests', async () => {
    const made: string[] = [];
    for (let i = 0; i < 3000; i += 500) {
      const batch = await Promise.all(items(500, (j) => send('POST', '/users', newUser({ displayName: `M ${i + j}` }))));
      made.push(...batch.map((r) => r.json.id as string));
    }
    const group = await send('POST', '/groups', { schemas: [GROUP_URN], displayName: `Big ${serial}` });
    expect(group.status).toBe(201);
    for (const part of [made.slice(0, 2000), made.slice(2000)]) {
      const res = await send('PATCH', `/groups/${group.json.id}`, { schemas: [PATCH_OP_URN], Operations: [{ op: 'add', path: 'members', value: part.map((value) => ({ value })) }] });
      expect(res.status, res.text).toBe(200);
    }
    // 1000 operations on a 3000-member group, each touching members (catastrophic-cost guard, not a timing test)
    const t0 = performance.now();
    const ops = items(1000, (i) => (i % 2 === 0
      ? { op: 'remove', path: `members[value eq "${made[i]}"]` }
      : { op: 'add', path: 'members', value: [{ value: made[i - 1] }] }));
    const res = await send('PATCH', `/groups/${group.json.id}`, { schemas: [PATCH_OP_URN], Operations: ops });
    expect(res.status, res.text).toBe(200);
    expect(res.json.members).toHaveLength(3000);
    expect(performance.now() - t0).toBeLessThan(GUARD_MS * 2);
    // ... but a PUT carries the whole member list, so it is over the per-request limit
    const put = await send('PUT', `/groups/${group.json.id}`, { schemas: [GROUP_URN], displayName: 'Big', members: made.map((value) => ({ value })) });
    expect(put.status).toBe(400);
    expect(put.json.detail).toMatch(/members holds 3000 items; at most 2500/);
  }, 30_000);
});

describe('client values in error details', () => {
  const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;

  test('a deeply nested op is described, not serialised (which overflowed the stack: a 500)', async () => {
    const res = await call(emu, 'PATCH', `${V2}/users/${SEED.alice}`, {
      token: admin,
      headers: json,
      body: `{"schemas":["${PATCH_OP_URN}"],"Operations":[{"op":${deep(100_000)},"path":"title"}]}`,
    });
    expect(res.status, res.text).toBe(400);
    expect(res.json.detail).toBe('Operations[0].op must be one of add, replace, remove; got an array');
  });

  test('a huge value is quoted in part, with the number of characters left out', async () => {
    const res = await send('PATCH', `/users/${SEED.alice}`, { schemas: [PATCH_OP_URN], Operations: [{ op: 'x'.repeat(400_000), path: 'title' }] });
    expect(res.status).toBe(400);
    expect(res.json.detail).toMatch(/got "x{120}… \(399880 more characters\)"$/);
  });

  test.for([
    ['a filter', `/users?filter=${encodeURIComponent(`${'a'.repeat(8000)} eq x`)}`, /attribute "a{120}… \(7880 more characters\)" is not filterable/],
    ['startIndex', `/users?startIndex=${'9'.repeat(5000)}x`, /startIndex must be an integer, got "9{120}… \(4881 more characters\)"/],
  ] as const)('%s from the query string is quoted in part', async ([, path, detail]) => {
    const res = await call(emu, 'GET', `${V2}${path}`, { token: admin });
    expect(res.status).toBe(400);
    expect(res.json.detail).toMatch(detail);
  });
});
