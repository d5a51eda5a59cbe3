/**
 * Fidelity with the official SDK: the Genesys Cloud JavaScript SDK (purecloud-platform-client-v2, pinned; see
 * sdk-client.ts for the version and how it is pointed at the emulator) calls every SCIMApi method against the
 * emulator, on both prefixes, with realistic bodies and the options exactly as the SDK encodes them (If-Match /
 * If-None-Match headers, repeated `attributes` / `excludedAttributes` keys, `filter`). Each call must resolve with
 * what the SDK's types and the doc declare, and failures must surface as the SDK's error objects
 * ({ status, body: ScimError, … }).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startEmulator, type RunningEmulator } from '../server.ts';
import { ERROR_URN, PREFIXES, V1, V2 } from './helpers.ts';
import {
  platformClient,
  scimApiMethods,
  SDK_ENVIRONMENT,
  SDK_VERSION,
  sdkFailure,
  sdkRequestLog,
  sdkSession,
  type ScimApi,
  type SdkSession,
} from './sdk-client.ts';

type CreateUser = import('purecloud-platform-client-v2').Models.ScimV2CreateUser;
type User = import('purecloud-platform-client-v2').Models.ScimV2User;
type Group = import('purecloud-platform-client-v2').Models.ScimV2Group;
type PatchRequest = import('purecloud-platform-client-v2').Models.ScimV2PatchRequest;
type JsonNode = import('purecloud-platform-client-v2').Models.JsonNode;

const USER_URN = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP_URN = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const GEN = 'urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User';
const PATCH_URN = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const LIST_URN = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const MARIA = '16e10e2f-1136-43fe-bb84-eac073168a49'; // seed org: a manager
const ALICE = '857449b0-d9e7-4cd0-acbf-a6adfb9ef1e9';
const SALES_GROUP = '5f4bc742-a019-4e38-8e2a-d39d5bc0b0f3';
const SCHEMA_URNS = [
  USER_URN, GROUP_URN,
  'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig',
  'urn:ietf:params:scim:schemas:core:2.0:ResourceType',
  'urn:ietf:params:scim:schemas:core:2.0:Schema',
  ENT, GEN,
];
/** The secondary lookups the doc says to exclude for a page size over 25. */
const SECONDARY = ['externalId', 'roles', `${GEN}:routingLanguages`, `${GEN}:routingSkills`];

/** A patch value: the SDK types it as its JsonNode class, the wire carries any JSON. */
const node = (v: unknown) => v as JsonNode;
const patch = (...Operations: { op: string; path?: string; value?: unknown }[]): PatchRequest => ({
  schemas: [PATCH_URN],
  Operations: Operations.map((o) => ({ ...o, value: o.value === undefined ? undefined : node(o.value) })),
});

let seq = 0;
function newUser(prefix: string): CreateUser {
  const tag = `${prefix === V2 ? 'v2' : 'v1'}-${++seq}-${Date.now().toString(36)}`;
  return {
    schemas: [USER_URN, ENT, GEN],
    userName: `sdk.${tag}@example.com`,
    displayName: `SDK User ${tag}`,
    title: 'Agent',
    active: true,
    externalId: `okta-${tag}`,
    emails: [{ type: 'work', value: `sdk.${tag}.work@example.com` }],
    phoneNumbers: [{ type: 'mobile', value: '+13175550100' }, { type: 'work', value: 'tel:+13175550101;ext=42' }],
    roles: [{ value: 'Agent' }],
    [ENT]: { division: 'Sales Division', department: 'Sales', employeeNumber: `E-${seq}`, manager: { value: MARIA } },
    [GEN]: {
      routingSkills: [{ name: 'Sales', proficiency: 4 }],
      routingLanguages: [{ name: 'English', proficiency: 5 }],
      externalIds: [{ authority: 'microsoftteams', value: `teams-${tag}` }],
    },
  };
}

/**
 * The SCIMApi methods of one prefix under prefix-independent names: the /api/v2/scim methods or their V2 twins.
 * (Only getScimV2Groups differs in shape: its filter is a required positional argument.)
 */
function prefixed(api: ScimApi, prefix: string) {
  const v2 = prefix === V2;
  type O<K extends keyof ScimApi> = ScimApi[K] extends (...a: infer A) => unknown ? A[number] : never;
  return {
    getServiceproviderconfig: (o?: O<'getScimServiceproviderconfig'>) =>
      v2 ? api.getScimV2Serviceproviderconfig(o as never) : api.getScimServiceproviderconfig(o as never),
    getResourcetypes: () => (v2 ? api.getScimV2Resourcetypes() : api.getScimResourcetypes()),
    getResourcetype: (name: string) => (v2 ? api.getScimV2Resourcetype(name) : api.getScimResourcetype(name)),
    getSchemas: (o?: { filter?: string }) => (v2 ? api.getScimV2Schemas(o) : api.getScimSchemas(o)),
    getSchema: (id: string) => (v2 ? api.getScimV2Schema(id) : api.getScimSchema(id)),
    getUsers: (o?: { startIndex?: number; count?: number; attributes?: string[]; excludedAttributes?: string[]; filter?: string }) =>
      v2 ? api.getScimV2Users(o) : api.getScimUsers(o),
    postUsers: (body: CreateUser) => (v2 ? api.postScimV2Users(body) : api.postScimUsers(body)),
    getUser: (id: string, o?: { attributes?: string[]; excludedAttributes?: string[]; ifNoneMatch?: string }) =>
      v2 ? api.getScimV2User(id, o) : api.getScimUser(id, o),
    putUser: (id: string, body: User, o?: { ifMatch?: string }) => (v2 ? api.putScimV2User(id, body, o) : api.putScimUser(id, body, o)),
    patchUser: (id: string, body: PatchRequest, o?: { ifMatch?: string }) =>
      v2 ? api.patchScimV2User(id, body, o) : api.patchScimUser(id, body, o),
    deleteUser: (id: string, o?: { ifMatch?: string }) => (v2 ? api.deleteScimV2User(id, o) : api.deleteScimUser(id, o)),
    getGroups: (filter: string | undefined, o: { startIndex?: number; count?: number; attributes?: string[]; excludedAttributes?: string[] } = {}) =>
      v2 ? api.getScimV2Groups(filter as string, o) : api.getScimGroups({ ...o, filter }),
    postGroups: (body: Group) => (v2 ? api.postScimV2Groups(body) : api.postScimGroups(body)),
    getGroup: (id: string, o?: { attributes?: string[]; excludedAttributes?: string[]; ifNoneMatch?: string }) =>
      v2 ? api.getScimV2Group(id, o) : api.getScimGroup(id, o),
    putGroup: (id: string, body: Group, o?: { ifMatch?: string }) => (v2 ? api.putScimV2Group(id, body, o) : api.putScimGroup(id, body, o)),
    patchGroup: (id: string, body: PatchRequest, o?: { ifMatch?: string }) =>
      v2 ? api.patchScimV2Group(id, body, o) : api.patchScimGroup(id, body, o),
    deleteGroup: (id: string, o?: { ifMatch?: string }) => (v2 ? api.deleteScimV2Group(id, o) : api.deleteScimGroup(id, o)),
  };
}

/** The SDK's rejection for a SCIM error: status and a ScimError body with the same status (and scimType). */
function expectScimError(err: { status: number; body: unknown }, status: number, scimType?: string) {
  expect(err.status).toBe(status);
  expect(err.body).toMatchObject({ schemas: [ERROR_URN], status: String(status), ...(scimType ? { scimType } : {}) });
  expect(typeof (err.body as { detail?: unknown }).detail).toBe('string');
}

const called = new Set<string>();
let emu: RunningEmulator;
let admin: SdkSession;
let readonly: SdkSession;

beforeAll(async () => {
  emu = await startEmulator({ host: '127.0.0.1', rateLimitPerMinute: 0 });
  admin = await sdkSession(emu, 'admin', called);
  readonly = await sdkSession(emu, 'readonly', called);
});
afterAll(() => emu?.close());

describe(`purecloud-platform-client-v2 ${SDK_VERSION} against the emulator (API version 2021)`, () => {
  test('the pinned SDK has the 34 SCIMApi methods of seed 000 (17 operations × 2 prefixes)', () => {
    const methods = scimApiMethods();
    expect(methods).toHaveLength(34);
    expect(methods.filter((m) => m.includes('ScimV2'))).toHaveLength(17);
    for (const m of ['postScimGroups', 'postScimV2Groups', 'deleteScimGroup', 'deleteScimV2Group']) expect(methods).toContain(m);
  });

  test('loginClientCredentialsGrant goes through the SDK login URL to POST /oauth/token and stores the token', async () => {
    const s = await sdkSession(emu, 'none');
    expect(sdkRequestLog).toContainEqual({ method: 'POST', url: `https://login.${SDK_ENVIRONMENT}/oauth/token` });
    const auth = (s.client as unknown as { authData: { accessToken?: string; tokenExpiryTime?: number } }).authData;
    expect(auth.accessToken).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(auth.tokenExpiryTime).toBeGreaterThan(Date.now());
  });

  test('a wrong client secret: the login promise rejects with the 401 from the token endpoint', async () => {
    const ApiClientCtor = platformClient.ApiClient.constructor as unknown as new () => typeof platformClient.ApiClient;
    const c = new ApiClientCtor();
    c.setEnvironment(SDK_ENVIRONMENT);
    c.proxy = { protocol: 'http', host: '127.0.0.1', port: emu.port };
    const err = (await sdkFailure(c.loginClientCredentialsGrant('emulator-admin', 'wrong'))) as unknown as { status: number; response: { body: unknown } };
    expect(err.status).toBe(401);
    expect(err.response.body).toMatchObject({ error: 'invalid_client' });
  });
});

describe.for(PREFIXES)('SCIMApi on %s (2021)', (prefix) => {
  const ops = () => prefixed(admin.api, prefix);
  const baseUrl = () => `${emu.url}${prefix}`;

  describe('discovery', () => {
    test('get…Serviceproviderconfig resolves a ScimServiceProviderConfig; ifNoneMatch current → the SDK rejects with 304; stale → full body', async () => {
      const spc = await ops().getServiceproviderconfig();
      expect(spc.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig']);
      expect(spc.patch?.supported).toBe(true);
      expect(spc.etag?.supported).toBe(true);
      expect(spc.meta).toMatchObject({ resourceType: 'ServiceProviderConfig', location: `${baseUrl()}/serviceproviderconfig` });
      const version = spc.meta!.version!;
      expect(version).toMatch(/^"\d+"$/);
      // The SDK (superagent) treats 304 as an error: the promise rejects with status 304 and an empty body.
      const notModified = await sdkFailure(ops().getServiceproviderconfig({ ifNoneMatch: version }));
      expect(notModified.status).toBe(304);
      expect(notModified.text ?? '').toBe('');
      expect(notModified.body ?? {}).toEqual({});
      const again = await ops().getServiceproviderconfig({ ifNoneMatch: '"0"' });
      expect(again.meta?.version).toBe(version);
    });

    test('get…Resourcetypes lists the five documented types; get…Resourcetype(User) names both extensions', async () => {
      const list = await ops().getResourcetypes();
      expect(list.totalResults).toBe(5);
      expect(list.Resources?.map((r) => r.name)).toEqual(['User', 'Group', 'ServiceProviderConfig', 'ResourceType', 'Schema']);
      const user = await ops().getResourcetype('User');
      expect(user).toMatchObject({ id: 'User', name: 'User', endpoint: '/Users', schema: USER_URN });
      expect(user.schemaExtensions?.map((e) => e.schema)).toEqual([ENT, GEN]);
    });

    test.for(['User', 'Group', 'ServiceProviderConfig', 'ResourceType', 'Schema'])('get…Resourcetype(%s) resolves that type', async (name) => {
      expect((await ops().getResourcetype(name)).name).toBe(name);
    });

    test('get…Resourcetype of an unknown type → SDK error 404 with a ScimError body', async () => {
      expectScimError(await sdkFailure(ops().getResourcetype('Printer')), 404);
    });

    test('get…Schemas lists the seven documented URNs; with a filter → SDK error 403', async () => {
      const list = await ops().getSchemas();
      expect(list.Resources?.map((s) => s.id).sort()).toEqual([...SCHEMA_URNS].sort());
      expect(list.totalResults).toBe(7);
      expectScimError(await sdkFailure(ops().getSchemas({ filter: `id eq "${USER_URN}"` })), 403);
    });

    test.for(SCHEMA_URNS)('get…Schema(%s) resolves its definition', async (urn) => {
      const def = await ops().getSchema(urn);
      expect(def.id).toBe(urn);
      expect(def.attributes?.length).toBeGreaterThan(0);
    });

    test('get…Schema of an unknown URN → SDK error 404', async () => {
      expectScimError(await sdkFailure(ops().getSchema('urn:example:nope')), 404);
    });
  });

  describe('users', () => {
    let created: User;
    let body: CreateUser;

    test('post…Users resolves the created ScimV2User (id, userName, meta.version; password never returned)', async () => {
      body = newUser(prefix);
      created = await ops().postUsers({ ...body, password: 'S3cret-passw0rd!' });
      expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(created).toMatchObject({
        userName: body.userName,
        displayName: body.displayName,
        active: true,
        title: 'Agent',
        externalId: body.externalId,
        roles: [{ value: 'Agent' }],
        [ENT]: { division: 'Sales Division', department: 'Sales', manager: { value: MARIA } },
        [GEN]: { routingSkills: [{ name: 'Sales', proficiency: 4 }], routingLanguages: [{ name: 'English', proficiency: 5 }] },
      });
      expect(created.schemas).toEqual(expect.arrayContaining([USER_URN, ENT, GEN]));
      expect(created.meta).toMatchObject({ resourceType: 'User', location: `${baseUrl()}/users/${created.id}`, version: '"1"' });
      expect(created).not.toHaveProperty('password');
      expect(created.emails).toEqual(expect.arrayContaining([{ type: 'work', value: body.emails![0]!.value }]));
    });

    test('get…User with attributes (repeated keys) returns them plus id, userName, active, meta', async () => {
      const u = await ops().getUser(created.id!, { attributes: ['displayName', 'title'] });
      expect(Object.keys(u).sort()).toEqual(['active', 'displayName', 'id', 'meta', 'schemas', 'title', 'userName']);
    });

    test('get…User with excludedAttributes drops them, never id/userName/active/meta', async () => {
      const u = await ops().getUser(created.id!, { excludedAttributes: ['title', 'emails', 'userName', ENT] });
      expect(u).not.toHaveProperty('title');
      expect(u).not.toHaveProperty('emails');
      expect(u).not.toHaveProperty(ENT);
      expect(u).toMatchObject({ id: created.id, userName: created.userName, active: true });
      expect(u.meta?.version).toBe(created.meta?.version);
      expect(u[GEN as keyof User]).toBeDefined();
    });

    test('get…User ifNoneMatch current → the SDK rejects with 304; stale → the user', async () => {
      const nm = await sdkFailure(ops().getUser(created.id!, { ifNoneMatch: created.meta!.version! }));
      expect(nm.status).toBe(304);
      expect((await ops().getUser(created.id!, { ifNoneMatch: '"999"' })).id).toBe(created.id);
    });

    test.for([
      ['userName eq "%u"', 1],
      ['userName eq %u', 1],
      ['externalId eq %x', 1],
      ['email eq %u', 1],
      ['division eq Sales Division', -1],
      [`manager eq ${MARIA}`, -1],
      ['active eq false', -1],
    ] as const)('get…Users filter "%s" (as the SDK encodes it) finds the user', async ([template, expected]) => {
      const filter = template.replace('%u', created.userName!).replace('%x', created.externalId!);
      const list = await ops().getUsers({ filter, attributes: ['userName', 'externalId'], startIndex: 1, count: 25 });
      expect(list.schemas).toEqual([LIST_URN]);
      expect(list.startIndex).toBe(1);
      if (expected === 1) {
        expect(list.totalResults).toBe(1);
        expect(list.Resources?.[0]).toMatchObject({ id: created.id, userName: created.userName, externalId: created.externalId });
      } else if (template.startsWith('active eq false')) {
        expect(list.Resources?.map((u) => u.id)).not.toContain(created.id);
        expect(list.Resources?.every((u) => u.active === false)).toBe(true);
      } else {
        expect(list.Resources?.map((u) => u.id)).toContain(created.id);
      }
    });

    test('get…Users paging: startIndex/count pages; count 0 is sent by the SDK as an empty value (the default page)', async () => {
      // ApiClient.paramToString(0) === '' (`if (!param) return ''`): the SDK cannot send count=0; `count=` gets the
      // default page size, like an absent count.
      const total = await ops().getUsers({ count: 0, attributes: ['userName'] });
      expect(total.totalResults).toBeGreaterThanOrEqual(5);
      expect(total.itemsPerPage).toBe(Math.min(25, total.totalResults!));
      const page = await ops().getUsers({ startIndex: 2, count: 2, attributes: ['userName'] });
      expect(page).toMatchObject({ startIndex: 2, itemsPerPage: 2, totalResults: total.totalResults });
      expect(page.Resources).toHaveLength(2);
    });

    test('get…Users count 30: rejected 429 with secondary lookups, served once they are excluded (the doc\'s advice)', async () => {
      const tooMany = await sdkFailure(ops().getUsers({ count: 30 }));
      expectScimError(tooMany, 429);
      expect(tooMany.headers['retry-after']).toBeDefined();
      const ok = await ops().getUsers({ count: 30, excludedAttributes: SECONDARY });
      expect(ok.itemsPerPage).toBe(ok.totalResults);
      expect(ok.Resources?.[0]).not.toHaveProperty('roles');
      const viaAttributes = await ops().getUsers({ count: 30, attributes: ['userName', 'displayName'] });
      expect(viaAttributes.Resources?.length).toBe(ok.Resources?.length);
    });

    test('put…User with the current ifMatch replaces the user and bumps meta.version', async () => {
      const current = await ops().getUser(created.id!);
      const replacement: User = {
        schemas: [USER_URN, ENT, GEN],
        userName: created.userName,
        displayName: `${created.displayName} (replaced)`,
        active: true,
        title: 'Senior Agent',
        externalId: created.externalId,
        phoneNumbers: [{ type: 'mobile', value: '+13175550199' }],
        roles: [{ value: 'Agent' }, { value: 'Supervisor' }],
        [ENT]: { division: 'Support Division', department: 'Support', manager: { value: MARIA } },
        [GEN]: { routingSkills: [{ name: 'Sales', proficiency: 3 }] },
      };
      const replaced = await ops().putUser(created.id!, replacement, { ifMatch: current.meta!.version! });
      expect(replaced).toMatchObject({ id: created.id, title: 'Senior Agent', [ENT]: { division: 'Support Division' } });
      expect(replaced.roles?.map((r) => r.value).sort()).toEqual(['Agent', 'Supervisor']);
      expect(replaced.meta?.version).not.toBe(current.meta?.version);
      created = replaced;
    });

    test('put…User of the object get…User returned (the SDK round trip: id, meta, groups, schemas included) is accepted', async () => {
      const read = await ops().getUser(created.id!);
      const again = await ops().putUser(created.id!, read, { ifMatch: read.meta!.version! });
      const { meta: m1, ...before } = read;
      const { meta: m2, ...after } = again;
      expect(after).toEqual(before);
      expect(m2?.version).not.toBe(m1?.version);
      created = again;
    });

    test('patch…User with the current ifMatch applies the PatchOp operations', async () => {
      const patched = await ops().patchUser(
        created.id!,
        patch(
          { op: 'replace', path: 'title', value: 'Team Lead' },
          { op: 'add', path: 'phoneNumbers[type eq "work"].value', value: '+13175550111' },
          { op: 'replace', path: `${ENT}:department`, value: 'Escalations' },
          { op: 'add', path: `${GEN}:routingSkills`, value: [{ name: 'Billing', proficiency: 2 }] },
        ),
        { ifMatch: created.meta!.version! },
      );
      expect(patched.title).toBe('Team Lead');
      expect(patched.phoneNumbers).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'work', value: '+13175550111' })]));
      expect(patched[ENT as keyof User]).toMatchObject({ department: 'Escalations' });
      expect((patched[GEN as keyof User] as { routingSkills: { name: string }[] }).routingSkills.map((s) => s.name).sort()).toEqual(['Billing', 'Sales']);
      created = patched;
    });

    test('patch…User active=false deactivates (the user leaves the default list, appears with active eq false)', async () => {
      const off = await ops().patchUser(created.id!, patch({ op: 'replace', path: 'active', value: false }), { ifMatch: created.meta!.version! });
      expect(off.active).toBe(false);
      const inactive = await ops().getUsers({ filter: 'active eq false', attributes: ['userName'] });
      expect(inactive.Resources?.map((u) => u.id)).toContain(created.id);
      const on = await ops().patchUser(created.id!, patch({ op: 'replace', path: 'active', value: true }));
      expect(on.active).toBe(true);
      created = on;
    });

    test.for(['put', 'patch', 'delete'] as const)('%s…User with a stale ifMatch → SDK error 400 invalidVers', async (kind) => {
      const stale = { ifMatch: '"1"' };
      const o = ops();
      const p =
        kind === 'put' ? o.putUser(created.id!, { schemas: [USER_URN], userName: created.userName, displayName: 'x', active: true }, stale)
          : kind === 'patch' ? o.patchUser(created.id!, patch({ op: 'replace', path: 'title', value: 'x' }), stale)
            : o.deleteUser(created.id!, stale);
      expectScimError(await sdkFailure(p), 400, 'invalidVers');
    });

    test('a body the doc rejects surfaces as the SDK error: duplicate userName → 409 uniqueness, unknown role → 400 invalidValue', async () => {
      expectScimError(await sdkFailure(ops().postUsers({ ...newUser(prefix), userName: created.userName! })), 409, 'uniqueness');
      expectScimError(await sdkFailure(ops().postUsers({ ...newUser(prefix), roles: [{ value: 'No Such Role' }] })), 400, 'invalidValue');
      expectScimError(await sdkFailure(ops().patchUser(created.id!, patch({ op: 'replace', path: 'id', value: 'x' }))), 400, 'mutability');
    });

    test('delete…User with the current ifMatch resolves (Empty); the user is then 404', async () => {
      const current = await ops().getUser(created.id!);
      const result = await ops().deleteUser(created.id!, { ifMatch: current.meta!.version! });
      expect(result ?? {}).toEqual({});
      expectScimError(await sdkFailure(ops().getUser(created.id!)), 404);
    });

    test('a permission the token lacks: post…Users with the read-only client → SDK error 403', async () => {
      expectScimError(await sdkFailure(prefixed(readonly.api, prefix).postUsers(newUser(prefix))), 403);
      // "Requires NO permissions": reading users works with it
      expect((await prefixed(readonly.api, prefix).getUser(ALICE)).id).toBe(ALICE);
    });
  });

  describe('groups', () => {
    let group: Group;
    let member: User;

    test('post…Groups resolves the created ScimV2Group (id, displayName, members, meta)', async () => {
      member = await ops().postUsers(newUser(prefix));
      const displayName = `SDK Group ${prefix === V2 ? 'v2' : 'v1'} ${Date.now().toString(36)}`;
      group = await ops().postGroups({ schemas: [GROUP_URN], displayName, members: [{ value: member.id, type: 'User' }] });
      expect(group).toMatchObject({ displayName, members: [expect.objectContaining({ value: member.id })] });
      expect(group.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(group.meta).toMatchObject({ resourceType: 'Group', location: `${baseUrl()}/groups/${group.id}`, version: '"1"' });
    });

    test('get…Groups with a displayName filter (v2: the required positional filter) finds it', async () => {
      const list = await ops().getGroups(`displayName eq "${group.displayName}"`, { attributes: ['displayName'] });
      expect(list.totalResults).toBe(1);
      expect(list.Resources?.[0]).toMatchObject({ id: group.id, displayName: group.displayName });
      expect(list.Resources?.[0]).not.toHaveProperty('members');
      const byId = await ops().getGroups(`id eq ${SALES_GROUP}`, { excludedAttributes: ['members'] });
      expect(byId.Resources?.map((g) => g.displayName)).toEqual(['Sales']);
    });

    test('get…Groups paging', async () => {
      const all = await ops().getGroups(prefix === V1 ? undefined : `displayName eq Sales`, { count: 1, startIndex: 1 });
      expect(all.itemsPerPage).toBe(1);
      expect(all.totalResults).toBeGreaterThanOrEqual(1);
    });

    test('get…Group with attributes / excludedAttributes / ifNoneMatch', async () => {
      const only = await ops().getGroup(group.id!, { attributes: ['displayName'] });
      expect(Object.keys(only).sort()).toEqual(['displayName', 'id', 'meta', 'schemas']);
      const without = await ops().getGroup(group.id!, { excludedAttributes: ['members'] });
      expect(without).not.toHaveProperty('members');
      expect((await sdkFailure(ops().getGroup(group.id!, { ifNoneMatch: group.meta!.version! }))).status).toBe(304);
    });

    test('put…Group with the current ifMatch replaces members and name', async () => {
      const replaced = await ops().putGroup(
        group.id!,
        { schemas: [GROUP_URN], displayName: `${group.displayName} (replaced)`, members: [{ value: member.id, type: 'User' }, { value: ALICE, type: 'User' }] },
        { ifMatch: group.meta!.version! },
      );
      expect(replaced.displayName).toBe(`${group.displayName} (replaced)`);
      expect(replaced.members?.map((m) => m.value).sort()).toEqual([member.id, ALICE].sort());
      expect(replaced.meta?.version).not.toBe(group.meta?.version);
      group = replaced;
    });

    test('put…Group of the object get…Group returned (round trip) is accepted', async () => {
      const read = await ops().getGroup(group.id!);
      const again = await ops().putGroup(group.id!, read, { ifMatch: read.meta!.version! });
      expect(again.members?.map((m) => m.value).sort()).toEqual(read.members?.map((m) => m.value).sort());
      expect(again.displayName).toBe(read.displayName);
      group = again;
    });

    test('patch…Group removes a member (RFC value-filter path) and adds it back', async () => {
      const removed = await ops().patchGroup(group.id!, patch({ op: 'remove', path: `members[value eq "${ALICE}"]` }), { ifMatch: group.meta!.version! });
      expect(removed.members?.map((m) => m.value)).toEqual([member.id]);
      const added = await ops().patchGroup(group.id!, patch({ op: 'add', path: 'members', value: [{ value: ALICE }] }), { ifMatch: removed.meta!.version! });
      expect(added.members?.map((m) => m.value).sort()).toEqual([member.id, ALICE].sort());
      group = added;
    });

    test.for(['put', 'patch', 'delete'] as const)('%s…Group with a stale ifMatch → SDK error 400 invalidVers', async (kind) => {
      const stale = { ifMatch: '"1"' };
      const o = ops();
      const p =
        kind === 'put' ? o.putGroup(group.id!, { schemas: [GROUP_URN], displayName: 'x' }, stale)
          : kind === 'patch' ? o.patchGroup(group.id!, patch({ op: 'replace', path: 'displayName', value: 'x' }), stale)
            : o.deleteGroup(group.id!, stale);
      expectScimError(await sdkFailure(p), 400, 'invalidVers');
    });

    test('delete…Group of a group not created through SCIM → SDK error 400 mutability', async () => {
      expectScimError(await sdkFailure(ops().deleteGroup(SALES_GROUP)), 400, 'mutability');
    });

    test('delete…Group with the current ifMatch resolves; the group is then 404', async () => {
      const current = await ops().getGroup(group.id!);
      const result = await ops().deleteGroup(group.id!, { ifMatch: current.meta!.version! });
      expect(result ?? {}).toEqual({});
      expectScimError(await sdkFailure(ops().getGroup(group.id!)), 404);
      await ops().deleteUser(member.id!);
    });

    test('the groups permission is required: get…Group with the read-only client → SDK error 403', async () => {
      expectScimError(await sdkFailure(prefixed(readonly.api, prefix).getGroup(SALES_GROUP)), 403);
    });
  });

  describe('unknown ids → SDK error 404 with a ScimError body', () => {
    const missing = '00000000-0000-4000-8000-00000000dead';
    const cases: [string, (o: ReturnType<typeof prefixed>) => Promise<unknown>][] = [
      ['get…User', (o) => o.getUser(missing)],
      ['put…User', (o) => o.putUser(missing, { schemas: [USER_URN], userName: 'x@example.com', displayName: 'x', active: true })],
      ['patch…User', (o) => o.patchUser(missing, patch({ op: 'replace', path: 'title', value: 'x' }))],
      ['delete…User', (o) => o.deleteUser(missing)],
      ['get…Group', (o) => o.getGroup(missing)],
      ['put…Group', (o) => o.putGroup(missing, { schemas: [GROUP_URN], displayName: 'x' })],
      ['patch…Group', (o) => o.patchGroup(missing, patch({ op: 'replace', path: 'displayName', value: 'x' }))],
      ['delete…Group', (o) => o.deleteGroup(missing)],
    ];
    test.for(cases)('%s', async ([, run]) => {
      expectScimError(await sdkFailure(run(ops())), 404);
    });
  });
});

describe('coverage', () => {
  test('every SCIMApi method of the pinned SDK was called (34/34)', () => {
    expect([...called].filter((m) => scimApiMethods().includes(m)).sort()).toEqual(scimApiMethods());
  });
});

// ---------------------------------------------------------------------------------------------------------------
// API version 2019 (Ruby doc, seed 002): the JS SDK methods whose operations exist there.

describe('API version 2019 with the JS SDK methods the Ruby doc has', () => {
  let emu19: RunningEmulator;
  let s: SdkSession;
  beforeAll(async () => {
    emu19 = await startEmulator({ apiVersion: '2019', rateLimitPerMinute: 0 });
    s = await sdkSession(emu19, 'admin');
  });
  afterAll(() => emu19?.close());

  test.for(PREFIXES)('%s: discovery, users and groups through the SDK', async (prefix) => {
    const o = prefixed(s.api, prefix);
    const spc = await o.getServiceproviderconfig();
    expect((await sdkFailure(o.getServiceproviderconfig({ ifNoneMatch: spc.meta!.version! }))).status).toBe(304);
    expect((await o.getResourcetypes()).Resources?.map((r) => r.name)).toEqual(['User', 'Group', 'ServiceProviderConfig', 'ResourceType']);
    expect((await o.getResourcetype('Group')).endpoint).toBe('/Groups');

    // 2019: filter is required on the users list (the Ruby signature get_scim_users(filter, opts))
    expectScimError(await sdkFailure(o.getUsers({ count: 5 })), 400, 'invalidFilter');
    const body = newUser(prefix);
    const u = await o.postUsers({ schemas: [USER_URN, ENT], userName: body.userName, displayName: body.displayName, title: 'Agent', [ENT]: { division: 'Home' } });
    expect(u.meta?.version).toBe('"1"');
    const found = await o.getUsers({ filter: `userName eq ${u.userName}`, startIndex: 1, count: 1 });
    expect(found.Resources?.map((r) => r.id)).toEqual([u.id]);
    expect((await sdkFailure(o.getUser(u.id!, { ifNoneMatch: u.meta!.version! }))).status).toBe(304);
    const put = await o.putUser(u.id!, { schemas: [USER_URN], userName: u.userName, displayName: 'Replaced', active: true }, { ifMatch: u.meta!.version! });
    expect(put.displayName).toBe('Replaced');
    const patched = await o.patchUser(u.id!, patch({ op: 'replace', path: 'title', value: 'Lead' }), { ifMatch: put.meta!.version! });
    expect(patched.title).toBe('Lead');
    expectScimError(await sdkFailure(o.patchUser(u.id!, patch({ op: 'replace', path: 'title', value: 'x' }), { ifMatch: '"1"' })), 400, 'invalidVers');

    const groups = await o.getGroups(`displayName eq Support`);
    const support = groups.Resources![0]!;
    expect(support.displayName).toBe('Support');
    const g = await o.getGroup(support.id!);
    const withAlice = await o.patchGroup(g.id!, patch({ op: 'add', path: 'members', value: [{ value: ALICE }] }), { ifMatch: g.meta!.version! });
    expect(withAlice.members?.map((m) => m.value)).toContain(ALICE);
    const back = await o.putGroup(g.id!, { schemas: [GROUP_URN], displayName: 'Support', members: g.members }, { ifMatch: withAlice.meta!.version! });
    expect(back.members?.map((m) => m.value)).not.toContain(ALICE);

    expect(await o.deleteUser(u.id!, { ifMatch: patched.meta!.version! }) ?? {}).toEqual({});
    expectScimError(await sdkFailure(o.getUser(u.id!)), 404);
  });

  test.for(PREFIXES)('%s: the 2021-only SDK methods (schemas, group POST/DELETE) → SDK error 404', async (prefix) => {
    const o = prefixed(s.api, prefix);
    expectScimError(await sdkFailure(o.getSchemas()), 404);
    expectScimError(await sdkFailure(o.getSchema(USER_URN)), 404);
    expectScimError(await sdkFailure(o.postGroups({ schemas: [GROUP_URN], displayName: 'x' })), 404);
    expectScimError(await sdkFailure(o.deleteGroup(SALES_GROUP)), 404);
  });
});
