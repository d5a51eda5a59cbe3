/**
 * Connector contract mode: a deliberately sloppy client (raw undici requests) gets each of its violations reported
 * under the right rule id; a clean client (the official SDK doing realistic calls) gets no error-level violation.
 * Also: the report endpoint, the files written at close, and that no secret reaches the report.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { RULES, type ContractEntry, type ContractReport } from '../contract/index.ts';
import { startEmulator, type RunningEmulator } from '../server.ts';
import { tokenFor, V1, V2 } from './helpers.ts';
import { sdkSession } from './sdk-client.ts';

const USER_URN = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP_URN = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_URN = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const GEN = 'urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User';
const ALICE = '857449b0-d9e7-4cd0-acbf-a6adfb9ef1e9';
const SALES_GROUP = '5f4bc742-a019-4e38-8e2a-d39d5bc0b0f3';
const SCIM_JSON = { 'content-type': 'application/scim+json', accept: 'application/scim+json' };
const PASSWORD = 'Sup3r-secret-passw0rd';

type TokenName = 'admin' | 'readonly' | 'none' | 'bogus' | 'basic' | 'missing';

interface RawResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: any;
}

let caseSeq = 0;
/** A raw request (undici: no default headers, so a missing Content-Type really is missing), tagged with x-case. */
async function send(
  emu: RunningEmulator,
  tokens: Record<string, string>,
  method: string,
  path: string,
  opts: { token?: TokenName; headers?: Record<string, string>; body?: string | Uint8Array } = {},
): Promise<RawResult & { tag: string }> {
  const tag = `case-${++caseSeq}`;
  const headers: Record<string, string> = { 'x-case': tag, ...(opts.headers ?? {}) };
  const t = opts.token ?? 'admin';
  if (t === 'bogus') headers.authorization = 'Bearer not-a-token-of-this-emulator';
  else if (t === 'basic') headers.authorization = `Basic ${Buffer.from('emulator-admin:emulator-admin-secret').toString('base64')}`;
  else if (t !== 'missing') headers.authorization = `Bearer ${tokens[t]}`;
  const res = await request(emu.url + path, { method: method as 'GET', headers, body: opts.body });
  const text = await res.body.text();
  let json: unknown;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
  return { status: res.statusCode, headers: res.headers, json, tag };
}

/** The recorded entry of a tagged request (recording happens when the response has been sent: poll briefly). */
async function entryOf(emu: RunningEmulator, tag: string): Promise<ContractEntry> {
  for (let i = 0; i < 100; i++) {
    const e = emu.contract!.report().requests.find((r) => r.headers['x-case'] === tag);
    if (e) return e;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`no contract entry for ${tag}`);
}

const reportDir = mkdtempSync(join(tmpdir(), 'scim-contract-'));
let emu: RunningEmulator;
let emu19: RunningEmulator;
const tokens: Record<string, string> = {};
const tokens19: Record<string, string> = {};
let user: { id: string; version: string; userName: string };

beforeAll(async () => {
  emu = await startEmulator({ rateLimitPerMinute: 0, contract: { enabled: true, reportDir } });
  emu19 = await startEmulator({ apiVersion: '2019', rateLimitPerMinute: 0, contract: { enabled: true } });
  for (const n of ['admin', 'readonly', 'none']) {
    tokens[n] = await tokenFor(emu, n);
    tokens19[n] = await tokenFor(emu19, n);
  }
  const created = await send(emu, tokens, 'POST', `${V2}/users`, {
    headers: SCIM_JSON,
    body: JSON.stringify({ schemas: [USER_URN], userName: 'contract.target@example.com', displayName: 'Contract Target', password: PASSWORD }),
  });
  expect(created.status).toBe(201);
  user = { id: created.json.id, version: created.json.meta.version, userName: created.json.userName };
});
afterAll(async () => {
  await emu?.close();
  await emu19?.close();
  rmSync(reportDir, { recursive: true, force: true });
});

const userBody = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ schemas: [USER_URN], userName: `c${++caseSeq}@example.com`, displayName: 'C', ...extra });
const replaceBody = () => JSON.stringify({ schemas: [USER_URN], userName: 'contract.target@example.com', displayName: 'Contract Target', active: true });
/** schemas null: the body has no `schemas`. */
const patchBody = (ops: unknown[], schemas: string[] | null = [PATCH_URN]) => JSON.stringify({ ...(schemas === null ? {} : { schemas }), Operations: ops });

interface SloppyCase {
  name: string;
  method: string;
  /** `{id}` is the target user's id. */
  path: string;
  headers?: Record<string, string>;
  body?: () => string;
  token?: TokenName;
  rule: string;
  severity: 'error' | 'warning';
  status?: number;
}

const SLOPPY_2021: SloppyCase[] = [
  { name: 'POST without Content-Type', method: 'POST', path: `${V2}/users`, body: () => userBody(), rule: 'header.content-type', severity: 'error', status: 415 },
  { name: 'POST with Content-Type text/plain', method: 'POST', path: `${V1}/users`, headers: { 'content-type': 'text/plain' }, body: () => userBody(), rule: 'header.content-type', severity: 'error', status: 415 },
  { name: 'filter with an unsupported operator (co)', method: 'GET', path: `${V2}/users?filter=${encodeURIComponent('userName co "contract"')}`, rule: 'query.filter-syntax', severity: 'error', status: 400 },
  { name: 'filter with "and"', method: 'GET', path: `${V2}/users?filter=${encodeURIComponent('userName eq a@b.c and active eq true')}`, rule: 'query.filter-syntax', severity: 'error', status: 400 },
  { name: 'filter on an undocumented attribute (title)', method: 'GET', path: `${V2}/users?filter=${encodeURIComponent('title eq Agent')}`, rule: 'query.filter-attribute', severity: 'error', status: 400 },
  { name: 'group filter on externalId', method: 'GET', path: `${V1}/groups?filter=${encodeURIComponent('externalId eq x')}`, rule: 'query.filter-attribute', severity: 'error' },
  { name: 'attributes with an unknown attribute (nickName)', method: 'GET', path: `${V2}/users?attributes=userName,nickName`, rule: 'query.attribute-unknown', severity: 'error', status: 200 },
  { name: 'excludedAttributes with an unknown attribute', method: 'GET', path: `${V2}/users/{id}?excludedAttributes=name.givenName`, rule: 'query.attribute-unknown', severity: 'error', status: 200 },
  { name: 'a body attribute the model lacks (name.givenName)', method: 'POST', path: `${V2}/users`, headers: SCIM_JSON, body: () => userBody({ name: { givenName: 'A' } }), rule: 'body.unknown-attribute', severity: 'warning', status: 201 },
  { name: 'PUT without If-Match', method: 'PUT', path: `${V2}/users/{id}`, headers: SCIM_JSON, body: replaceBody, rule: 'precondition.if-match-missing', severity: 'warning', status: 200 },
  { name: 'PATCH without If-Match', method: 'PATCH', path: `${V2}/users/{id}`, headers: SCIM_JSON, body: () => patchBody([{ op: 'replace', path: 'title', value: 'T' }]), rule: 'precondition.if-match-missing', severity: 'warning', status: 200 },
  { name: 'If-Match without the double quotes', method: 'PATCH', path: `${V2}/users/{id}`, headers: { ...SCIM_JSON, 'if-match': '42' }, body: () => patchBody([{ op: 'replace', path: 'title', value: 'T' }]), rule: 'precondition.if-match-format', severity: 'warning' },
  { name: 'POST body without userName', method: 'POST', path: `${V2}/users`, headers: SCIM_JSON, body: () => JSON.stringify({ schemas: [USER_URN], displayName: 'No Name' }), rule: 'body.required', severity: 'error', status: 400 },
  { name: 'POST body without schemas', method: 'POST', path: `${V2}/users`, headers: SCIM_JSON, body: () => JSON.stringify({ userName: 'no.schemas@example.com', displayName: 'x' }), rule: 'body.schemas', severity: 'error' },
  { name: 'PUT body without active', method: 'PUT', path: `${V2}/users/{id}`, headers: { ...SCIM_JSON, 'if-match': '*' }, body: () => JSON.stringify({ schemas: [USER_URN], userName: 'contract.target@example.com', displayName: 'T' }), rule: 'body.required', severity: 'error' },
  { name: 'PATCH without the PatchOp schema', method: 'PATCH', path: `${V2}/users/{id}`, headers: { ...SCIM_JSON, 'if-match': '*' }, body: () => patchBody([{ op: 'replace', path: 'title', value: 'T' }], null), rule: 'body.schemas', severity: 'error', status: 400 },
  { name: 'PATCH with the User schema instead of PatchOp', method: 'PATCH', path: `${V1}/users/{id}`, headers: { ...SCIM_JSON, 'if-match': '*' }, body: () => patchBody([{ op: 'replace', path: 'title', value: 'T' }], [USER_URN]), rule: 'body.schemas', severity: 'error' },
  { name: 'PATCH op "Replace" (capitalised)', method: 'PATCH', path: `${V2}/users/{id}`, headers: { ...SCIM_JSON, 'if-match': '*' }, body: () => patchBody([{ op: 'Replace', path: 'title', value: 'T' }]), rule: 'body.invalid-value', severity: 'error' },
  { name: 'PATCH remove without a path', method: 'PATCH', path: `${V2}/users/{id}`, headers: { ...SCIM_JSON, 'if-match': '*' }, body: () => patchBody([{ op: 'remove' }]), rule: 'body.required', severity: 'error' },
  { name: 'POST with an undocumented phone type', method: 'POST', path: `${V2}/users`, headers: SCIM_JSON, body: () => userBody({ phoneNumbers: [{ type: 'cell', value: '+13175550100' }] }), rule: 'body.invalid-value', severity: 'error' },
  { name: 'a body that is not JSON', method: 'POST', path: `${V2}/users`, headers: SCIM_JSON, body: () => '{"userName": ', rule: 'body.invalid-json', severity: 'error', status: 400 },
  { name: 'POST without a body', method: 'POST', path: `${V2}/users`, headers: SCIM_JSON, rule: 'body.missing', severity: 'error', status: 400 },
  { name: 'POST user without the permission (read-only client)', method: 'POST', path: `${V2}/users`, headers: SCIM_JSON, body: () => userBody(), token: 'readonly', rule: 'auth.permission', severity: 'error', status: 403 },
  { name: 'group list without directory:group:edit', method: 'GET', path: `${V1}/groups`, token: 'none', rule: 'auth.permission', severity: 'error', status: 403 },
  { name: 'count=100 with the secondary lookups', method: 'GET', path: `${V2}/users?count=100`, rule: 'query.count-secondary', severity: 'error', status: 429 },
  { name: 'count=100 excluding only some secondary lookups', method: 'GET', path: `${V2}/users?count=100&excludedAttributes=roles,externalId`, rule: 'query.count-secondary', severity: 'error', status: 429 },
  { name: 'no Authorization header', method: 'GET', path: `${V2}/users`, token: 'missing', rule: 'auth.bearer-missing', severity: 'error', status: 401 },
  { name: 'Basic instead of Bearer', method: 'GET', path: `${V2}/serviceproviderconfig`, token: 'basic', rule: 'auth.bearer-missing', severity: 'error', status: 401 },
  { name: 'a token the emulator never issued', method: 'GET', path: `${V2}/users`, token: 'bogus', rule: 'auth.token-invalid', severity: 'error', status: 401 },
  { name: 'an undocumented query parameter (sortBy)', method: 'GET', path: `${V2}/users?sortBy=userName`, rule: 'query.unknown-parameter', severity: 'error', status: 200 },
  { name: 'a filter on resource types', method: 'GET', path: `${V2}/resourcetypes?filter=${encodeURIComponent('name eq User')}`, rule: 'query.unknown-parameter', severity: 'error' },
  { name: 'startindex in lower case', method: 'GET', path: `${V2}/users?startindex=2`, rule: 'query.parameter-case', severity: 'warning', status: 200 },
  { name: 'count= (empty)', method: 'GET', path: `${V1}/users?count=`, rule: 'query.empty-value', severity: 'warning', status: 200 },
  { name: 'count=abc', method: 'GET', path: `${V2}/users?count=abc`, rule: 'query.paging-invalid', severity: 'error', status: 400 },
  { name: 'startIndex=0', method: 'GET', path: `${V2}/groups?filter=displayName%20eq%20Sales&startIndex=0`, rule: 'query.paging-invalid', severity: 'error' },
  { name: 'a filtered schemas list', method: 'GET', path: `${V2}/schemas?filter=${encodeURIComponent(`id eq "${USER_URN}"`)}`, rule: 'query.filter-not-allowed', severity: 'error', status: 403 },
  { name: '/scim/v2/groups without the filter the SDK requires', method: 'GET', path: `${V2}/groups`, rule: 'query.filter-sdk-required', severity: 'warning', status: 200 },
  { name: 'RFC casing /Users', method: 'GET', path: `${V2}/Users/{id}`, rule: 'path.casing', severity: 'warning', status: 200 },
  { name: 'Accept: text/html', method: 'GET', path: `${V2}/serviceproviderconfig`, headers: { accept: 'text/html' }, rule: 'header.accept', severity: 'warning' },
  { name: 'an endpoint the API does not have (/Bulk)', method: 'POST', path: `${V2}/Bulk`, headers: SCIM_JSON, body: () => '{}', rule: 'operation.unknown', severity: 'error', status: 404 },
  { name: 'a method the path does not have (PATCH /users)', method: 'PATCH', path: `${V2}/users`, headers: SCIM_JSON, body: () => patchBody([]), rule: 'operation.unknown', severity: 'error', status: 405 },
];

const SLOPPY_2019: SloppyCase[] = [
  { name: 'group POST (not in 2019)', method: 'POST', path: `${V2}/groups`, headers: SCIM_JSON, body: () => JSON.stringify({ schemas: [GROUP_URN], displayName: 'G' }), rule: 'operation.not-in-version', severity: 'error', status: 404 },
  { name: 'schemas list (not in 2019)', method: 'GET', path: `${V1}/schemas`, rule: 'operation.not-in-version', severity: 'error', status: 404 },
  { name: 'users list without the required filter', method: 'GET', path: `${V1}/users`, rule: 'query.filter-required', severity: 'error', status: 400 },
  { name: 'attributes (no such parameter in 2019)', method: 'GET', path: `${V2}/users?filter=${encodeURIComponent(`id eq ${ALICE}`)}&attributes=userName`, rule: 'query.unknown-parameter', severity: 'error', status: 200 },
  { name: 'user read without directory:user:view (2019 permissions)', method: 'GET', path: `${V2}/users/${ALICE}`, token: 'none', rule: 'auth.permission', severity: 'error', status: 403 },
];

describe('a sloppy client: each violation is reported with its rule id', () => {
  test.for(SLOPPY_2021.map((c) => [c.name, c] as const))('2021: %s', async ([, c]) => {
    const path = c.path.replace('{id}', user.id);
    const res = await send(emu, tokens, c.method, path, { token: c.token, headers: c.headers, body: c.body?.() });
    if (c.status !== undefined) expect(res.status).toBe(c.status);
    const entry = await entryOf(emu, res.tag);
    expect(entry.violations.map((v) => v.rule)).toContain(c.rule);
    const v = entry.violations.find((x) => x.rule === c.rule)!;
    expect(v.severity).toBe(c.severity);
    expect(v.message.length).toBeGreaterThan(10);
    expect(v.source.length).toBeGreaterThan(5);
    expect(entry).toMatchObject({ method: c.method, status: res.status });
  });

  test.for(SLOPPY_2019.map((c) => [c.name, c] as const))('2019: %s', async ([, c]) => {
    const res = await send(emu19, tokens19, c.method, c.path, { token: c.token, headers: c.headers, body: c.body?.() });
    if (c.status !== undefined) expect(res.status).toBe(c.status);
    const entry = await entryOf(emu19, res.tag);
    expect(entry.violations.map((v) => v.rule)).toContain(c.rule);
    expect(entry.violations.find((x) => x.rule === c.rule)!.severity).toBe(c.severity);
  });

  test('a careful request carries no violation', async () => {
    const res = await send(emu, tokens, 'PATCH', `${V2}/users/${user.id}`, {
      headers: { ...SCIM_JSON, 'if-match': (await send(emu, tokens, 'GET', `${V2}/users/${user.id}?attributes=userName`)).json.meta.version },
      body: patchBody([{ op: 'replace', path: 'title', value: 'Careful' }]),
    });
    expect(res.status).toBe(200);
    expect((await entryOf(emu, res.tag)).violations).toEqual([]);
  });

  test('rate limiting is reported (rate.limited)', async () => {
    const limited = await startEmulator({ rateLimitPerMinute: 1, contract: { enabled: true } });
    try {
      const t = { admin: await tokenFor(limited, 'admin') };
      await send(limited, t, 'GET', `${V2}/serviceproviderconfig`);
      const second = await send(limited, t, 'GET', `${V2}/serviceproviderconfig`);
      expect(second.status).toBe(429);
      expect((await entryOf(limited, second.tag)).violations.map((v) => v.rule)).toEqual(['rate.limited']);
    } finally {
      await limited.close();
    }
  });

  test('every rule of the table was exercised by the sloppy cases above', () => {
    const seen = new Set([...SLOPPY_2021, ...SLOPPY_2019].map((c) => c.rule));
    seen.add('rate.limited');
    const untested = RULES.map((r) => r.id).filter((id) => !seen.has(id) && id !== 'response.forbidden');
    expect(untested).toEqual([]);
  });
});

describe('the report', () => {
  test('GET /contract/report: JSON with the verdict, counts per rule, the rule table and every request', async () => {
    const res = await request(`${emu.url}/contract/report`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const report = (await res.body.json()) as ContractReport;
    expect(report).toMatchObject({ format: 'scim-emulator-contract-report/1', apiVersion: '2021', verdict: 'fail' });
    expect(report.summary.errors).toBeGreaterThan(0);
    expect(report.summary.requests).toBe(report.requests.length);
    const byRule = new Map(report.summary.byRule.map((r) => [r.rule, r]));
    for (const c of SLOPPY_2021) expect(byRule.get(c.rule)?.count ?? 0).toBeGreaterThan(0);
    expect(report.rules.map((r) => r.id)).toEqual(RULES.map((r) => r.id));
    const entry = report.requests.find((e) => e.operation === 'postScimV2Users')!;
    expect(entry).toMatchObject({ method: 'POST', path: `${V2}/users`, client: 'emulator-admin' });
  });

  test('?format=text: the readable summary', async () => {
    const res = await request(`${emu.url}/contract/report?format=text`);
    expect(res.headers['content-type']).toMatch(/^text\/markdown/);
    const text = await res.body.text();
    expect(text).toMatch(/^# Connector contract report: FAIL/);
    expect(text).toContain('| query.count-secondary | error |');
    expect(text).toContain('`precondition.if-match-missing`');
  });

  test('no secret reaches the report: bearer tokens, Basic credentials, passwords, client secrets', async () => {
    const json = JSON.stringify(emu.contract!.report());
    const text = emu.contract!.text();
    for (const secret of [tokens.admin!, tokens.readonly!, PASSWORD, 'emulator-admin-secret', Buffer.from('emulator-admin:emulator-admin-secret').toString('base64')]) {
      expect(json).not.toContain(secret);
      expect(text).not.toContain(secret);
    }
    const withToken = emu.contract!.report().requests.find((e) => e.client === 'emulator-admin')!;
    expect(withToken.headers.authorization).toBe('Bearer [REDACTED]');
    expect(emu.contract!.report().requests.some((e) => e.headers.authorization === 'Basic [REDACTED]')).toBe(true);
  });

  test('the 2019 report lists its own violations', () => {
    const r = emu19.contract!.report();
    expect(r.apiVersion).toBe('2019');
    expect(r.verdict).toBe('fail');
    expect(r.summary.byRule.map((x) => x.rule)).toEqual(expect.arrayContaining(['operation.not-in-version', 'query.filter-required']));
  });

  test('DELETE /contract/report starts a new recording', async () => {
    const other = await startEmulator({ contract: { enabled: true } });
    try {
      await request(`${other.url}${V2}/users`); // 401: auth.bearer-missing
      await new Promise((r) => setTimeout(r, 20));
      expect(other.contract!.report().summary.requests).toBe(1);
      const del = await request(`${other.url}/contract/report`, { method: 'DELETE' });
      expect(del.statusCode).toBe(204);
      await del.body.dump();
      const after = other.contract!.report();
      expect(after.summary.requests).toBe(0);
      expect(after.verdict).toBe('pass');
    } finally {
      await other.close();
    }
  });

  test('without contract mode there is no report endpoint and no handle', async () => {
    const plain = await startEmulator();
    try {
      expect(plain.contract).toBeUndefined();
      const res = await request(`${plain.url}/contract/report`);
      expect(res.statusCode).toBe(404);
      await res.body.dump();
    } finally {
      await plain.close();
    }
  });

  test('close() writes contract-report.json and contract-report.md into reportDir', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scim-contract-close-'));
    try {
      const e = await startEmulator({ contract: { enabled: true, reportDir: dir } });
      const t = { admin: await tokenFor(e, 'admin') };
      await send(e, t, 'GET', `${V2}/users?sortBy=userName`);
      await new Promise((r) => setTimeout(r, 20));
      await e.close();
      const json = JSON.parse(readFileSync(join(dir, 'contract-report.json'), 'utf8')) as ContractReport;
      expect(json.verdict).toBe('fail');
      expect(json.summary.byRule.map((r) => r.rule)).toEqual(['query.unknown-parameter']);
      expect(readFileSync(join(dir, 'contract-report.md'), 'utf8')).toContain('query.unknown-parameter');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a report request also writes the files into reportDir', async () => {
    await request(`${emu.url}/contract/report`).then((r) => r.body.dump());
    expect(existsSync(join(reportDir, 'contract-report.json'))).toBe(true);
    expect(existsSync(join(reportDir, 'contract-report.md'))).toBe(true);
  });
});

describe('a clean client: the official SDK doing realistic provisioning calls', () => {
  test.for(['2021', '2019'] as const)('API version %s: no error-level violation (verdict pass)', async (apiVersion) => {
    const e = await startEmulator({ apiVersion, rateLimitPerMinute: 0, contract: { enabled: true } });
    try {
      const { api } = await sdkSession(e, 'admin');
      const v2 = apiVersion === '2021';
      const spc = await api.getScimV2Serviceproviderconfig();
      await api.getScimV2Serviceproviderconfig({ ifNoneMatch: spc.meta!.version! }).catch((err: { status: number }) => expect(err.status).toBe(304));
      await api.getScimV2Resourcetypes();
      if (v2) await api.getScimV2Schemas();
      // match-then-create, as an IdP does
      const userName = `clean.${apiVersion}@example.com`;
      const found = await api.getScimV2Users({ filter: `userName eq "${userName}"`, ...(v2 ? { attributes: ['userName', 'displayName'] } : {}) });
      expect(found.totalResults).toBe(0);
      const u = await api.postScimV2Users({
        schemas: [USER_URN, ENT, GEN],
        userName,
        displayName: 'Clean Client',
        title: 'Agent',
        active: true,
        emails: [{ type: 'work', value: `work.${userName}` }],
        phoneNumbers: [{ type: 'mobile', value: '+13175550100' }],
        [ENT]: { division: 'Home', department: 'Support' },
      });
      const read = await api.getScimV2User(u.id!, v2 ? { excludedAttributes: ['roles'] } : {});
      const put = await api.putScimV2User(u.id!, {
        schemas: [USER_URN, ENT], userName, displayName: 'Clean Client', title: 'Senior Agent', active: true, [ENT]: { division: 'Home' },
      }, { ifMatch: read.meta!.version! });
      const patched = await api.patchScimV2User(u.id!, { schemas: [PATCH_URN], Operations: [{ op: 'replace', path: 'active', value: false as never }] }, { ifMatch: put.meta!.version! });
      if (v2) {
        await api.getScimV2Users({ count: 50, startIndex: 1, excludedAttributes: ['externalId', 'roles', `${GEN}:routingSkills`, `${GEN}:routingLanguages`] });
        const g = await api.postScimV2Groups({ schemas: [GROUP_URN], displayName: 'Clean Team', members: [{ value: u.id, type: 'User' }] });
        const g2 = await api.patchScimV2Group(g.id!, { schemas: [PATCH_URN], Operations: [{ op: 'add', path: 'members', value: [{ value: ALICE }] as never }] }, { ifMatch: g.meta!.version! });
        await api.deleteScimV2Group(g.id!, { ifMatch: g2.meta!.version! });
      }
      const groups = await api.getScimV2Groups('displayName eq Sales', v2 ? { attributes: ['displayName'] } : {});
      expect(groups.Resources?.[0]?.id).toBe(SALES_GROUP);
      const sales = await api.getScimV2Group(SALES_GROUP);
      await api.putScimV2Group(SALES_GROUP, { schemas: [GROUP_URN], displayName: 'Sales', members: sales.members }, { ifMatch: sales.meta!.version! });
      // group membership changes bump the user's version too: read it again before the conditional delete
      const current = v2 ? await api.getScimV2User(u.id!, { attributes: ['userName'] }) : patched;
      await api.deleteScimV2User(u.id!, { ifMatch: current.meta!.version! });
      await new Promise((r) => setTimeout(r, 20));

      const report = e.contract!.report();
      const errors = report.requests.flatMap((x) => x.violations.filter((v) => v.severity === 'error').map((v) => `${x.method} ${x.path}: ${v.rule} ${v.message}`));
      expect(errors).toEqual([]);
      expect(report.verdict).toBe('pass');
      expect(report.summary.requests).toBeGreaterThanOrEqual(v2 ? 16 : 11);
      // what the SDK put on the wire: repeated keys for arrays, its bearer token redacted
      if (v2) {
        const list = report.requests.find((x) => x.operation === 'getScimV2Users' && x.query.count === '50')!;
        expect(list.query.excludedAttributes).toEqual(['externalId', 'roles', `${GEN}:routingSkills`, `${GEN}:routingLanguages`]);
        const withAttrs = report.requests.find((x) => x.operation === 'getScimV2Users' && x.query.attributes !== undefined)!;
        expect(withAttrs.query.attributes).toEqual(['userName', 'displayName']);
      }
      expect(report.requests.every((x) => x.headers.authorization === 'Bearer [REDACTED]')).toBe(true);
    } finally {
      await e.close();
    }
  });
});
