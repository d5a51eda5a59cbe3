import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildEmulatorApp, startEmulator, type RunningEmulator } from '../server.ts';
import type { RouteDef } from '../routing.ts';
import { call, echoRoutes, ERROR_URN, get, PREFIXES, tokenFor, V1, V2 } from './helpers.ts';

let emu: RunningEmulator;
let admin: string;

beforeAll(async () => {
  emu = await startEmulator({ routeProviders: [echoRoutes], domainRoutes: false });
  admin = await tokenFor(emu, 'admin');
});
afterAll(() => emu?.close());

const SCIM_CT = 'application/scim+json; charset=utf-8';
const post = (path: string, contentType: string | undefined, body: string) =>
  call(emu, 'POST', path, { token: admin, headers: contentType ? { 'content-type': contentType } : {}, body });

describe('startEmulator', () => {
  test('binds 127.0.0.1 on a free port; url has no prefix', () => {
    expect(emu.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(emu.port).toBeGreaterThan(0);
    expect(emu.url.endsWith(`:${emu.port}`)).toBe(true);
    expect(emu.apiVersion).toBe('2021');
  });

  test('close() is idempotent', async () => {
    const other = await startEmulator();
    await Promise.all([other.close(), other.close()]);
    await expect(fetch(`${other.url}/oauth/token`)).rejects.toThrow();
  });

  test('a route whose path does not match its operation fails at startup', async () => {
    const bad = (): RouteDef[] => [{ method: 'GET', path: '/users/:id/x', operation: 'getScimUser', handler: () => ({ status: 200 }) }];
    await expect(buildEmulatorApp({ routeProviders: [bad], domainRoutes: false })).rejects.toThrow(/does not match operation/);
  });

  test('parameter names may differ from the doc template; the route decides the params key', async () => {
    const ok = (): RouteDef[] => [{ method: 'GET', path: '/users/:userId', operation: 'getScimUser', handler: (r) => ({ status: 200, body: r.params }) }];
    const other = await startEmulator({ routeProviders: [ok], domainRoutes: false });
    try {
      const res = await get(other, `${V2}/users/u9`, await tokenFor(other, 'none'));
      expect(res.json).toEqual({ userId: 'u9' });
    } finally {
      await other.close();
    }
  });

  test('a route naming an unknown operation fails at startup', async () => {
    const bad = (): RouteDef[] => [{ method: 'GET', path: '/x', operation: 'getNothing', handler: () => ({ status: 200 }) }];
    await expect(buildEmulatorApp({ routeProviders: [bad], domainRoutes: false })).rejects.toThrow(/unknown operation/);
  });
});

describe('both prefixes and path casing', () => {
  test.for([
    '/serviceproviderconfig',
    '/ServiceProviderConfig',
    '/SERVICEPROVIDERCONFIG',
    '/serviceproviderconfig/',
    '/resourcetypes',
    '/ResourceTypes',
    '/ResourceTypes/User',
    '/schemas',
    '/Schemas',
  ])('%s on both prefixes', async (path) => {
    for (const prefix of PREFIXES) {
      const res = await get(emu, prefix + path, admin);
      expect(res.status, prefix + path).toBe(200);
    }
  });

  test('/Users and /Groups route to the users/groups operations', async () => {
    for (const prefix of PREFIXES) {
      expect((await get(emu, `${prefix}/Users`, admin)).json.operation).toBe('getScimUsers');
      expect((await get(emu, `${prefix}/Groups/abc`, admin)).json.operation).toBe('getScimGroup');
    }
  });

  test('path parameters keep their case', async () => {
    const res = await get(emu, `${V2}/Users/AbC-123`, admin);
    expect(res.json.params).toEqual({ id: 'AbC-123' });
  });

  test('baseUrl and prefix follow the prefix the request came in on', async () => {
    const a = await get(emu, `${V1}/users/x`, admin);
    const b = await get(emu, `${V2}/users/x`, admin);
    expect(a.json.prefix).toBe(V1);
    expect(a.json.baseUrl).toBe(emu.url + V1);
    expect(b.json.prefix).toBe(V2);
    expect(b.json.baseUrl).toBe(emu.url + V2);
  });

  test('unknown route → 404 SCIM error', async () => {
    for (const path of ['/api/v2/scim/nothing', `${V2}/users/a/b`, '/', '/api/v2/other']) {
      const res = await get(emu, path, admin);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type')).toBe(SCIM_CT);
      expect(res.json).toMatchObject({ schemas: [ERROR_URN], status: '404' });
    }
  });

  test.for([
    ['malformed percent-encoding', `${V2}/resourcetypes/%E0%A4%A`, 400],
    ['over-long path parameter', `${V2}/resourcetypes/${'x'.repeat(1200)}`, 414],
  ] as const)('%s → SCIM error %i', async ([, path, status]) => {
    const res = await get(emu, path, admin);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe(SCIM_CT);
    expect(res.json).toMatchObject({ schemas: [ERROR_URN], status: String(status) });
  });

  test.for([
    ['DELETE', '/serviceproviderconfig', 'GET'],
    ['POST', '/resourcetypes', 'GET'],
    ['PUT', '/schemas/x', 'GET'],
    ['PUT', '/users', 'GET, POST'],
    ['POST', '/users/u1', 'GET, PUT, PATCH, DELETE'],
  ] as const)('%s %s → 405 (Allow: %s)', async ([method, path, allow]) => {
    for (const prefix of PREFIXES) {
      const res = await call(emu, method, prefix + path, { token: admin });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')?.split(', ').sort()).toEqual(allow.split(', ').sort());
      expect(res.json).toMatchObject({ schemas: [ERROR_URN], status: '405' });
    }
  });

  test('HEAD is served for GET routes', async () => {
    const res = await call(emu, 'HEAD', `${V2}/serviceproviderconfig`, { token: admin });
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
  });
});

describe('query decoding end to end', () => {
  test('+ and %20 are spaces; attributes comma-separated and repeated', async () => {
    const res = await get(
      emu,
      `${V2}/users?filter=userName+eq+%22a%40b.com%22&attributes=id,userName&attributes=active&excludedAttributes=roles%2Cmeta&startIndex=1&count=10`,
      admin,
    );
    expect(res.json.query).toEqual({
      filter: 'userName eq "a@b.com"',
      startIndex: '1',
      count: '10',
      attributes: ['id', 'userName', 'active'],
      excludedAttributes: ['roles', 'meta'],
      raw: {
        filter: 'userName eq "a@b.com"',
        attributes: ['id,userName', 'active'],
        excludedAttributes: 'roles,meta',
        startIndex: '1',
        count: '10',
      },
    });
  });

  test('%20 form', async () => {
    const res = await get(emu, `${V1}/groups?filter=displayName%20eq%20Sales`, admin);
    expect(res.json.query.filter).toBe('displayName eq Sales');
  });
});

describe('request bodies and content types', () => {
  test.for([
    'application/json',
    'application/scim+json',
    'application/scim+json; charset=utf-8',
    'application/json;charset=UTF-8',
    'Application/SCIM+JSON',
  ])('%s is parsed', async (ct) => {
    const res = await post(`${V2}/users`, ct, '{"userName":"a@b.com","active":true}');
    expect(res.status).toBe(200);
    expect(res.json.body).toEqual({ userName: 'a@b.com', active: true });
  });

  test('bad JSON → 400 invalidSyntax', async () => {
    const res = await post(`${V2}/users`, 'application/scim+json', '{"userName": ');
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ schemas: [ERROR_URN], status: '400', scimType: 'invalidSyntax', detail: expect.any(String) });
  });

  test('prototype poisoning in JSON → 400', async () => {
    const res = await post(`${V2}/users`, 'application/json', '{"__proto__":{"x":1}}');
    expect(res.status).toBe(400);
  });

  test('empty body with a JSON content type reaches the handler as undefined', async () => {
    const res = await post(`${V2}/users`, 'application/json', '');
    expect(res.status).toBe(200);
    expect(res.json.body).toBeNull();
  });

  test.for(['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'application/json-patch+json'])(
    '%s → 415 SCIM error',
    async (ct) => {
      const res = await post(`${V2}/users`, ct, '{}');
      expect(res.status).toBe(415);
      expect(res.json).toMatchObject({ schemas: [ERROR_URN], status: '415' });
    },
  );

  test('body over 512000 bytes → 413', async () => {
    const res = await post(`${V2}/users`, 'application/json', JSON.stringify({ x: 'a'.repeat(520_000) }));
    expect(res.status).toBe(413);
    expect(res.json).toMatchObject({ status: '413' });
  });
});

describe('responses', () => {
  test.for([
    [undefined, SCIM_CT],
    ['application/scim+json', SCIM_CT],
    ['application/json', 'application/json; charset=utf-8'],
    ['application/json, application/scim+json', SCIM_CT],
    ['*/*', SCIM_CT],
  ] as const)('Accept %s → %s', async ([accept, expected]) => {
    const res = await get(emu, `${V2}/users/u1`, admin, accept ? { accept } : {});
    expect(res.headers.get('content-type')).toBe(expected);
    const err = await get(emu, `${V2}/nothing`, admin, accept ? { accept } : {});
    expect(err.headers.get('content-type')).toBe(expected);
  });

  test('handler headers are sent', async () => {
    expect((await get(emu, `${V2}/users/u1`, admin)).headers.get('etag')).toBe('"7"');
  });

  test('ScimHttpError → SCIM error body with scimType and headers', async () => {
    const res = await get(emu, `${V2}/users/u1`, admin, { 'x-test-status': '409' });
    expect(res.status).toBe(409);
    expect(res.headers.get('x-extra')).toBe('yes');
    expect(res.json).toEqual({ schemas: [ERROR_URN], status: '409', scimType: 'invalidValue', detail: 'test error' });
  });

  test('an unexpected exception → 500 with a generic detail, no stack or message', async () => {
    const res = await get(emu, `${V2}/users/u1`, admin, { 'x-test-boom': '1' });
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toBe(SCIM_CT);
    expect(res.json).toEqual({ schemas: [ERROR_URN], status: '500', detail: 'An internal server error occurred' });
    expect(res.text).not.toMatch(/secret|handler\.ts|at .*\(|\/srv\//);
  });
});
