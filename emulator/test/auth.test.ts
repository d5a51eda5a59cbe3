import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { allPermissions } from '../operations.ts';
import { startEmulator, type RunningEmulator } from '../server.ts';
import { basic, call, echoRoutes, ERROR_URN, get, PREFIXES, tokenFor, V1, V2 } from './helpers.ts';

let emu: RunningEmulator;
let skewMs = 0;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  emu = await startEmulator({ routeProviders: [echoRoutes], domainRoutes: false, now: () => Date.now() + skewMs });
  for (const name of ['admin', 'readonly', 'groups', 'none']) tokens[name] = await tokenFor(emu, name);
});
afterAll(() => emu?.close());

const tokenUrl = () => `${emu.url}/oauth/token`;
const form = 'application/x-www-form-urlencoded';

describe('POST /oauth/token', () => {
  test('client credentials via HTTP Basic', async () => {
    const res = await fetch(tokenUrl(), {
      method: 'POST',
      headers: { authorization: basic('emulator-admin', 'emulator-admin-secret'), 'content-type': form },
      body: 'grant_type=client_credentials',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({ access_token: expect.any(String), token_type: 'bearer', expires_in: 86400 });
    expect((body.access_token as string).length).toBeGreaterThanOrEqual(32);
  });

  test('client credentials in the form body', async () => {
    const res = await fetch(tokenUrl(), {
      method: 'POST',
      headers: { 'content-type': `${form}; charset=utf-8` },
      body: 'grant_type=client_credentials&client_id=emulator-none&client_secret=emulator-none-secret',
    });
    expect(res.status).toBe(200);
    const { access_token } = (await res.json()) as { access_token: string };
    expect((await get(emu, `${V2}/serviceproviderconfig`, access_token)).status).toBe(200);
  });

  test('tokens are random and distinct', async () => {
    const a = await tokenFor(emu, 'admin');
    const b = await tokenFor(emu, 'admin');
    expect(a).not.toBe(b);
  });

  test.for([
    ['wrong secret', basic('emulator-admin', 'nope')],
    ['unknown client', basic('someone', 'emulator-admin-secret')],
    ['garbage basic', 'Basic !!!'],
  ] as const)('%s → 401 invalid_client', async ([, authorization]) => {
    const res = await fetch(tokenUrl(), {
      method: 'POST',
      headers: { authorization, 'content-type': form },
      body: 'grant_type=client_credentials',
    });
    expect(res.status).toBe(401);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.error).toBe('invalid_client');
    expect(body.description).toEqual(expect.any(String));
  });

  test('no credentials at all → 401 invalid_client', async () => {
    const res = await fetch(tokenUrl(), { method: 'POST', headers: { 'content-type': form }, body: 'grant_type=client_credentials' });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_client');
  });

  test.for([
    ['password grant', 'grant_type=password&username=a&password=b'],
    ['missing grant', ''],
  ] as const)('%s → 400 unsupported_grant_type', async ([, body]) => {
    const res = await fetch(tokenUrl(), {
      method: 'POST',
      headers: { authorization: basic('emulator-admin', 'emulator-admin-secret'), 'content-type': form },
      body,
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('unsupported_grant_type');
  });

  test('GET /oauth/token → 405', async () => {
    const res = await fetch(tokenUrl());
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });
});

describe('401 without a valid bearer token', () => {
  test.for([
    ['no Authorization header', undefined, 'Bearer'],
    ['unknown token', 'Bearer not-a-token', 'Bearer'],
    ['Basic instead of Bearer', basic('emulator-admin', 'emulator-admin-secret'), 'Bearer'],
    ['empty bearer', 'Bearer ', 'Bearer'],
  ] as const)('%s', async ([, authorization]) => {
    for (const prefix of PREFIXES) {
      const res = await call(emu, 'GET', `${prefix}/serviceproviderconfig`, {
        headers: authorization ? { authorization } : {},
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
      expect(res.headers.get('content-type')).toBe('application/scim+json; charset=utf-8');
      expect(res.json).toEqual({ schemas: [ERROR_URN], status: '401', detail: expect.any(String) });
    }
  });

  test('the scheme name is case-insensitive', async () => {
    const res = await call(emu, 'GET', `${V1}/serviceproviderconfig`, { headers: { authorization: `bearer ${tokens.none}` } });
    expect(res.status).toBe(200);
  });

  test('401 comes before body parsing (bad JSON, unauthenticated)', async () => {
    const res = await call(emu, 'POST', `${V2}/users`, { headers: { 'content-type': 'application/json' }, body: '{bad' });
    expect(res.status).toBe(401);
  });

  test('an expired token is refused with 401', async () => {
    const t = await tokenFor(emu, 'admin');
    expect((await get(emu, `${V2}/serviceproviderconfig`, t)).status).toBe(200);
    skewMs = 86_400_000 + 1000;
    try {
      const res = await get(emu, `${V2}/serviceproviderconfig`, t);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('invalid_token');
    } finally {
      skewMs = 0;
    }
    // once dropped it stays invalid
    expect((await get(emu, `${V2}/serviceproviderconfig`, t)).status).toBe(401);
  });
});

describe('403 per permission set (2021 operations.json; echo stand-ins for users/groups)', () => {
  // [client, method, path, expected status]
  const rows: Array<[string, string, string, number]> = [
    ['admin', 'GET', '/users', 200],
    ['admin', 'POST', '/users', 200],
    ['admin', 'PUT', '/users/u1', 200],
    ['admin', 'PATCH', '/users/u1', 200],
    ['admin', 'DELETE', '/users/u1', 200],
    ['admin', 'GET', '/groups', 200],
    ['admin', 'POST', '/groups', 200],
    ['admin', 'DELETE', '/groups/g1', 200],
    ['readonly', 'GET', '/users', 200],
    ['readonly', 'GET', '/users/u1', 200],
    ['readonly', 'POST', '/users', 403],
    ['readonly', 'PATCH', '/users/u1', 403],
    ['readonly', 'DELETE', '/users/u1', 403],
    ['readonly', 'GET', '/groups', 403],
    ['groups', 'GET', '/groups/g1', 200],
    ['groups', 'PUT', '/groups/g1', 200],
    ['groups', 'PATCH', '/groups/g1', 200],
    ['groups', 'POST', '/users', 403],
    ['none', 'GET', '/users', 200],
    ['none', 'GET', '/users/u1', 200],
    ['none', 'GET', '/serviceproviderconfig', 200],
    ['none', 'GET', '/resourcetypes', 200],
    ['none', 'GET', '/schemas', 200],
    ['none', 'GET', '/groups', 403],
    ['none', 'POST', '/users', 403],
    ['none', 'DELETE', '/users/u1', 403],
  ];
  test.for(rows)('%s %s %s → %i', async ([client, method, path, expected]) => {
    for (const prefix of PREFIXES) {
      const res = await call(emu, method, prefix + path, {
        token: tokens[client],
        ...(method === 'POST' || method === 'PUT' || method === 'PATCH'
          ? { headers: { 'content-type': 'application/scim+json' }, body: '{}' }
          : {}),
      });
      expect(res.status, `${prefix}${path}`).toBe(expected);
      if (expected === 403) {
        expect(res.json.schemas).toEqual([ERROR_URN]);
        expect(res.json.status).toBe('403');
      }
    }
  });

  test('the 403 detail names the missing permissions', async () => {
    const res = await call(emu, 'DELETE', `${V2}/users/u1`, { token: tokens.readonly });
    expect(res.status).toBe(403);
    expect(res.json.detail).toContain('directory:user:delete');
    expect(res.json.detail).toContain('deleteScimV2User');
  });

  test('admin holds every permission named in operations.json', () => {
    const admin = emu.clients.find((c) => c.name === 'admin')!;
    expect([...admin.permissions].sort()).toEqual(allPermissions());
  });

  test('demo clients are as documented', () => {
    expect(emu.clients.map((c) => [c.name, c.clientId])).toEqual([
      ['admin', 'emulator-admin'],
      ['readonly', 'emulator-readonly'],
      ['groups', 'emulator-groups'],
      ['none', 'emulator-none'],
    ]);
    expect(emu.clients.find((c) => c.name === 'none')!.permissions).toEqual([]);
  });

  test('handlers see the client id behind the token', async () => {
    const res = await get(emu, `${V1}/users/u1`, tokens.readonly);
    expect(res.json.clientId).toBe('emulator-readonly');
  });
});
