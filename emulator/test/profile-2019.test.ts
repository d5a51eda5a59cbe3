import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadOperations } from '../operations.ts';
import { startEmulator, type RunningEmulator } from '../server.ts';
import { call, echoRoutes, ERROR_URN, get, PREFIXES, tokenFor } from './helpers.ts';

let emu: RunningEmulator;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  emu = await startEmulator({ apiVersion: '2019', routeProviders: [echoRoutes], domainRoutes: false });
  for (const name of ['admin', 'readonly', 'groups', 'none']) tokens[name] = await tokenFor(emu, name);
});
afterAll(() => emu?.close());

describe('operations.json', () => {
  test('2021 (JS doc) has 34 operations, 2019 (Ruby doc) 26, on both prefixes', () => {
    const t = loadOperations();
    const count = (v: '2021' | '2019') =>
      Object.values(t.versions[v].operations).reduce((n, op) => n + Object.keys(op.prefixes).length, 0);
    expect(count('2021')).toBe(34);
    expect(count('2019')).toBe(26);
    for (const v of ['2021', '2019'] as const) {
      for (const op of Object.values(t.versions[v].operations)) expect(Object.keys(op.prefixes).sort()).toEqual([...PREFIXES].sort());
    }
    expect(t.versions['2019'].operations.getScimSchemas).toBeUndefined();
    expect(t.versions['2019'].operations.postScimGroups).toBeUndefined();
    expect(t.versions['2019'].operations.deleteScimGroup).toBeUndefined();
    expect(t.versions['2019'].operations.getScimUser!.prefixes['/api/v2/scim/v2']!.permissions).toEqual(['directory:user:view', 'directory:user:edit']);
    expect(t.versions['2021'].operations.getScimUser!.prefixes['/api/v2/scim/v2']!.permissions).toEqual([]);
    expect(t.versions['2021'].operations.getScimServiceproviderconfig!.prefixes['/api/v2/scim/v2']!.operationId).toBe('getScimV2Serviceproviderconfig');
  });
});

describe('API version 2019 (Ruby doc)', () => {
  test('the emulator reports its version', () => expect(emu.apiVersion).toBe('2019'));

  test('resource types: User, Group, ServiceProviderConfig, ResourceType (no Schema)', async () => {
    for (const prefix of PREFIXES) {
      const res = await get(emu, `${prefix}/resourcetypes`, tokens.none);
      expect(res.status).toBe(200);
      expect(res.json.totalResults).toBe(4);
      expect(res.json.Resources.map((r: { id: string }) => r.id)).toEqual(['User', 'Group', 'ServiceProviderConfig', 'ResourceType']);
      expect((await get(emu, `${prefix}/resourcetypes/Schema`, tokens.none)).status).toBe(404);
      expect((await get(emu, `${prefix}/resourcetypes/User`, tokens.none)).status).toBe(200);
    }
  });

  test.for(['/schemas', '/Schemas', '/schemas/urn:ietf:params:scim:schemas:core:2.0:User'])('%s → 404 (no schema endpoints)', async (path) => {
    for (const prefix of PREFIXES) {
      const res = await get(emu, prefix + path, tokens.admin);
      expect(res.status).toBe(404);
      expect(res.json).toMatchObject({ schemas: [ERROR_URN], status: '404' });
    }
  });

  test('group POST and DELETE are absent → 404 (also without a token)', async () => {
    for (const prefix of PREFIXES) {
      expect((await call(emu, 'POST', `${prefix}/groups`, { token: tokens.admin, headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(404);
      expect((await call(emu, 'DELETE', `${prefix}/groups/g1`, { token: tokens.admin })).status).toBe(404);
      expect((await call(emu, 'DELETE', `${prefix}/groups/g1`)).status).toBe(404);
      expect((await get(emu, `${prefix}/groups/g1`, tokens.admin)).status).toBe(200);
    }
  });

  test('serviceproviderconfig is served with ETag', async () => {
    const res = await get(emu, '/api/v2/scim/serviceproviderconfig', tokens.none);
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"1"');
  });

  test.for([
    ['readonly', 200],
    ['admin', 200],
    ['groups', 403],
    ['none', 403],
  ] as const)('user reads need directory:user:view or :edit — %s → %i', async ([client, expected]) => {
    for (const prefix of PREFIXES) {
      expect((await get(emu, `${prefix}/users/u1`, tokens[client])).status).toBe(expected);
      expect((await get(emu, `${prefix}/users?filter=active+eq+true`, tokens[client])).status).toBe(expected);
    }
  });

  test('user list requires filter → 400 invalidFilter', async () => {
    for (const prefix of PREFIXES) {
      for (const qs of ['', '?filter=', '?count=5']) {
        const res = await get(emu, `${prefix}/users${qs}`, tokens.admin);
        expect(res.status).toBe(400);
        expect(res.json).toMatchObject({ schemas: [ERROR_URN], status: '400', scimType: 'invalidFilter' });
      }
    }
  });

  test('user POST needs directory:user:add only (no grant/skill alternatives in 2019)', async () => {
    const res = await call(emu, 'POST', '/api/v2/scim/v2/users', { token: tokens.readonly, headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(403);
    expect(res.json.detail).toContain('directory:user:add');
    expect(res.json.detail).not.toContain('routing:skill:assign');
  });
});
