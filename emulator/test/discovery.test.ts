import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startEmulator, type RunningEmulator } from '../server.ts';
import { ERROR_URN, get, PREFIXES, tokenFor, V1, V2 } from './helpers.ts';

let emu: RunningEmulator;
let none: string;

beforeAll(async () => {
  emu = await startEmulator();
  none = await tokenFor(emu, 'none');
});
afterAll(() => emu?.close());

const LIST_URN = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const SPC_URN = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
const RT_URN = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
const SCHEMA_URN = 'urn:ietf:params:scim:schemas:core:2.0:Schema';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const GENESYS = 'urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User';
const SCHEMA_IDS = [
  'urn:ietf:params:scim:schemas:core:2.0:User',
  'urn:ietf:params:scim:schemas:core:2.0:Group',
  SPC_URN,
  RT_URN,
  SCHEMA_URN,
  ENTERPRISE,
  GENESYS,
];
const RESOURCE_TYPES = [
  ['User', '/Users', 'urn:ietf:params:scim:schemas:core:2.0:User'],
  ['Group', '/Groups', 'urn:ietf:params:scim:schemas:core:2.0:Group'],
  ['ServiceProviderConfig', '/ServiceProviderConfig', SPC_URN],
  ['ResourceType', '/ResourceTypes', RT_URN],
  ['Schema', '/Schemas', SCHEMA_URN],
] as const;

describe('GET /serviceproviderconfig', () => {
  test.for(PREFIXES)('%s: body, ETag and meta', async (prefix) => {
    const res = await get(emu, `${prefix}/serviceproviderconfig`, none);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/scim+json; charset=utf-8');
    const spc = res.json;
    expect(spc.schemas).toEqual([SPC_URN]);
    expect(spc).toMatchObject({
      patch: { supported: true },
      filter: { supported: true, maxResults: 25 },
      etag: { supported: true },
      sort: { supported: false },
      bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
      changePassword: { supported: true },
      documentationUri: expect.stringMatching(/^https:\/\//),
    });
    expect(spc.authenticationSchemes).toHaveLength(1);
    expect(spc.authenticationSchemes[0]).toMatchObject({ type: 'oauthbearertoken', primary: true, name: expect.any(String), description: expect.any(String) });
    expect(spc.meta).toEqual({
      resourceType: 'ServiceProviderConfig',
      location: `${emu.url}${prefix}/serviceproviderconfig`,
      version: '"1"',
      lastModified: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    expect(res.headers.get('etag')).toBe(spc.meta.version);
    expect('$comment' in spc).toBe(false);
  });

  test.for([
    ['"1"', 304],
    ['W/"1"', 304],
    ['*', 304],
    ['"0", "1"', 304],
    ['"2"', 200],
    ['"0", W/"5"', 200],
  ] as const)('If-None-Match %s → %i', async ([inm, expected]) => {
    const res = await get(emu, `${V2}/serviceproviderconfig`, none, { 'if-none-match': inm });
    expect(res.status).toBe(expected);
    expect(res.headers.get('etag')).toBe('"1"');
    if (expected === 304) expect(res.text).toBe('');
    else expect(res.json.schemas).toEqual([SPC_URN]);
  });

  test('body is served from cache identically per prefix', async () => {
    const a = await get(emu, `${V1}/serviceproviderconfig`, none);
    const b = await get(emu, `${V1}/ServiceProviderConfig`, none);
    expect(a.text).toBe(b.text);
  });
});

describe('GET /resourcetypes', () => {
  test.for(PREFIXES)('%s: ListResponse of the five documented types', async (prefix) => {
    const res = await get(emu, `${prefix}/resourcetypes`, none);
    expect(res.status).toBe(200);
    const list = res.json;
    expect(list.schemas).toEqual([LIST_URN]);
    expect(list.totalResults).toBe(5);
    expect(list.startIndex).toBe(1);
    expect(list.itemsPerPage).toBe(5);
    expect(list.Resources.map((r: { id: string }) => r.id)).toEqual(RESOURCE_TYPES.map(([id]) => id));
    for (const rt of list.Resources) {
      expect(rt.schemas).toEqual([RT_URN]);
      expect(rt.meta).toEqual({ resourceType: 'ResourceType', location: `${emu.url}${prefix}/resourcetypes/${rt.id}` });
    }
  });

  test.for(RESOURCE_TYPES)('GET /resourcetypes/%s', async ([id, endpoint, schema]) => {
    for (const prefix of PREFIXES) {
      const res = await get(emu, `${prefix}/resourcetypes/${id}`, none);
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ schemas: [RT_URN], id, name: id, endpoint, schema, description: expect.any(String) });
      expect(res.json.meta).toEqual({ resourceType: 'ResourceType', location: `${emu.url}${prefix}/resourcetypes/${id}` });
    }
  });

  test('User names the enterprise and genesys extensions (not required)', async () => {
    const res = await get(emu, `${V2}/resourcetypes/User`, none);
    expect(res.json.schemaExtensions).toEqual([
      { schema: ENTERPRISE, required: false },
      { schema: GENESYS, required: false },
    ]);
  });

  test.for(['Nope', 'Users', 'urn:ietf:params:scim:schemas:core:2.0:User'])('unknown %s → 404', async (id) => {
    const res = await get(emu, `${V2}/resourcetypes/${encodeURIComponent(id)}`, none);
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({ schemas: [ERROR_URN], status: '404' });
  });
});

describe('GET /schemas', () => {
  test.for(PREFIXES)('%s: ListResponse of the seven documented schemas', async (prefix) => {
    const res = await get(emu, `${prefix}/schemas`, none);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ schemas: [LIST_URN], totalResults: 7, startIndex: 1, itemsPerPage: 7 });
    expect(res.json.Resources.map((s: { id: string }) => s.id)).toEqual(SCHEMA_IDS);
    for (const s of res.json.Resources) {
      expect(s.meta).toEqual({ resourceType: 'Schema', location: `${emu.url}${prefix}/schemas/${s.id}` });
    }
  });

  test.for(SCHEMA_IDS)('GET /schemas/%s', async (id) => {
    for (const path of [id, encodeURIComponent(id)]) {
      const res = await get(emu, `${V2}/schemas/${path}`, none);
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ id, name: expect.any(String), description: expect.any(String) });
      expect(res.json.attributes.length).toBeGreaterThan(0);
      expect(res.json.meta).toEqual({ resourceType: 'Schema', location: `${emu.url}${V2}/schemas/${id}` });
    }
  });

  test('every attribute carries the RFC 7643 §7 characteristics', async () => {
    const res = await get(emu, `${V2}/schemas`, none);
    const check = (attr: Record<string, unknown>, where: string) => {
      for (const k of ['name', 'type', 'multiValued', 'description', 'required', 'caseExact', 'mutability', 'returned', 'uniqueness']) {
        expect(attr, `${where}.${String(attr.name)} lacks ${k}`).toHaveProperty(k);
      }
      expect(['string', 'boolean', 'decimal', 'integer', 'dateTime', 'reference', 'complex']).toContain(attr.type);
      expect(['readOnly', 'readWrite', 'immutable', 'writeOnly']).toContain(attr.mutability);
      expect(['always', 'never', 'default', 'request']).toContain(attr.returned);
      expect(['none', 'server', 'global']).toContain(attr.uniqueness);
      if (attr.type === 'complex') {
        expect(Array.isArray(attr.subAttributes), `${where}.${String(attr.name)} subAttributes`).toBe(true);
        for (const sub of attr.subAttributes as Record<string, unknown>[]) check(sub, `${where}.${String(attr.name)}`);
      } else {
        expect(attr).not.toHaveProperty('subAttributes');
      }
      if (attr.type === 'reference') expect((attr.referenceTypes as string[]).length).toBeGreaterThan(0);
    };
    for (const s of res.json.Resources) for (const attr of s.attributes) check(attr, s.id);
  });

  test('the User schemas define every attribute of the ScimV2User model', async () => {
    const byId = async (id: string) => (await get(emu, `${V2}/schemas/${id}`, none)).json;
    const names = (s: { attributes: Array<{ name: string }> }) => s.attributes.map((a) => a.name);
    const sub = (s: { attributes: Array<{ name: string; subAttributes?: Array<{ name: string }> }> }, n: string) =>
      s.attributes.find((a) => a.name === n)?.subAttributes?.map((x) => x.name);

    const user = await byId('urn:ietf:params:scim:schemas:core:2.0:User');
    expect(names(user)).toEqual(expect.arrayContaining(['id', 'userName', 'displayName', 'password', 'title', 'active', 'phoneNumbers', 'emails', 'externalId', 'groups', 'roles', 'meta']));
    expect(sub(user, 'phoneNumbers')).toEqual(['value', 'type', 'primary']);
    expect(sub(user, 'emails')).toEqual(['value', 'type', 'primary']);
    expect(sub(user, 'groups')).toEqual(['type', 'value', '$ref']);
    expect(sub(user, 'roles')).toEqual(['value']);
    const attr = (n: string) => user.attributes.find((a: { name: string }) => a.name === n);
    expect(attr('userName')).toMatchObject({ required: true, uniqueness: 'server' });
    expect(attr('password')).toMatchObject({ mutability: 'writeOnly', returned: 'never' });
    expect(attr('groups')).toMatchObject({ mutability: 'readOnly', multiValued: true });
    const phoneType = attr('phoneNumbers').subAttributes.find((a: { name: string }) => a.name === 'type');
    expect(phoneType.canonicalValues).toEqual(['work', 'work2', 'work3', 'work4', 'home', 'mobile', 'other', 'microsoftteams', 'zoomphone', 'eightbyeight', 'ringcentral']);
    const emailType = attr('emails').subAttributes.find((a: { name: string }) => a.name === 'type');
    expect(emailType.canonicalValues).toEqual(['work', 'other']);

    const ent = await byId(ENTERPRISE);
    expect(names(ent)).toEqual(['division', 'department', 'manager', 'employeeNumber']);
    expect(sub(ent, 'manager')).toEqual(['value', '$ref']);

    const gen = await byId(GENESYS);
    expect(names(gen)).toEqual(['routingSkills', 'routingLanguages', 'externalIds']);
    expect(sub(gen, 'routingSkills')).toEqual(['name', 'proficiency']);
    expect(sub(gen, 'routingLanguages')).toEqual(['name', 'proficiency']);
    expect(sub(gen, 'externalIds')).toEqual(['authority', 'value']);
  });

  test('the Group schema defines every attribute of the ScimV2Group model', async () => {
    const group = (await get(emu, `${V2}/schemas/urn:ietf:params:scim:schemas:core:2.0:Group`, none)).json;
    expect(group.attributes.map((a: { name: string }) => a.name)).toEqual(['id', 'displayName', 'externalId', 'members', 'meta']);
    expect(group.attributes.find((a: { name: string }) => a.name === 'displayName').required).toBe(true);
    expect(group.attributes.find((a: { name: string }) => a.name === 'members').subAttributes.map((a: { name: string }) => a.name))
      .toEqual(['type', 'value', '$ref']);
  });

  test.for(['urn:ietf:params:scim:schemas:core:2.0:Nope', 'User', 'nope'])('unknown %s → 404', async (id) => {
    const res = await get(emu, `${V2}/schemas/${id}`, none);
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({ schemas: [ERROR_URN], status: '404' });
  });

  test.for(['filter=id+eq+x', 'filter=displayName%20eq%20groupName', 'filter='])('a filter (%s) → 403', async (qs) => {
    for (const prefix of PREFIXES) {
      const res = await get(emu, `${prefix}/schemas?${qs}`, none);
      expect(res.status).toBe(403);
      expect(res.json).toMatchObject({ schemas: [ERROR_URN], status: '403' });
      expect(res.json.scimType).toBeUndefined();
    }
  });
});
