/**
 * Fault injection: the catalogue is well-formed, the proxy is transparent without a fault, the transforms
 * do what they say, and a few representative faults are killed by the suite (one --filter'ed run).
 */
import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../emulator/server.ts';
import { affects, affectsPattern, faultById, FAULTS } from '../catalogue.ts';
import { composeFaults, emptyResponse, jsonResponse, makeRequest, startFaultProxy, type FaultContext, type ProxyResponse, type RunningProxy } from '../proxy.ts';
import { judge, runSuite, type RunOutcome } from '../run.ts';
import type { Fault } from '../types.ts';

const ROOT = new URL('../../', import.meta.url);
const catalogue = ((): { id: string; status?: string }[] => {
  const raw = JSON.parse(readFileSync(new URL('catalogue/behaviours.json', ROOT), 'utf8'));
  return Array.isArray(raw) ? raw : raw.behaviours;
})();
const P = '/api/v2/scim/v2';

function fault(id: string): Fault {
  const f = faultById(id);
  if (!f) throw new Error(`no fault ${id}`);
  return f;
}

/** A context for calling transforms directly; `forward`/`get` answer from a script. */
function fakeCtx(answers: Record<string, ProxyResponse> = {}, owner: Record<string, string> = {}): FaultContext & { sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    forward: async (r) => {
      sent.push(`${r.method} ${r.path}?${r.query}`);
      return answers[`${r.method} ${r.path}`] ?? emptyResponse(500);
    },
    get: async (path) => {
      sent.push(`GET ${path}`);
      return answers[`GET ${path}`] ?? emptyResponse(404);
    },
    clientOf: (auth) => owner[auth ?? ''],
    tokenFor: async (name) => `token-of-${name}`,
    state: new Map(),
  };
}

const scimErr = (status: number, scimType?: string) =>
  jsonResponse(status, { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: String(status), ...(scimType ? { scimType } : {}), detail: 'x' });
const list = (n: number) =>
  jsonResponse(200, { schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: n, startIndex: 1, itemsPerPage: n, Resources: Array.from({ length: n }, (_, i) => ({ id: `u${i}`, active: true })) });

describe('the fault catalogue', () => {
  test('holds at least 30 faults with unique kebab-case ids, a transform and a description', () => {
    expect(FAULTS.length).toBeGreaterThanOrEqual(30);
    expect(new Set(FAULTS.map((f) => f.id)).size).toBe(FAULTS.length);
    for (const f of FAULTS) {
      expect(f.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(f.description.length).toBeGreaterThan(10);
      expect(Boolean(f.request || f.response), f.id).toBe(true);
    }
  });

  test('spreads over every documented area', () => {
    const areas = new Set(FAULTS.map((f) => f.area));
    for (const a of ['etag', 'paging', 'filter', 'attributes', 'inactive-users', 'schema-filter', 'patch', 'put', 'delete', 'errors', 'discovery', 'auth', 'content-type']) {
      expect(areas, a).toContain(a);
    }
  });

  test('every affects entry names at least one behaviour of the catalogue', () => {
    const dead = FAULTS.flatMap((f) => f.affects.filter((a) => !catalogue.some((b) => affectsPattern(a).test(b.id))).map((a) => `${f.id}: ${a}`));
    expect(dead).toEqual([]);
  });

  test('affects entries are exact ids or * wildcards', () => {
    const f = { ...FAULTS[0]!, affects: ['USR-*-400', 'SPC-GET'] };
    expect(affects(f, 'USR-PATCH-INVALID-PATH-400')).toBe(true);
    expect(affects(f, 'SPC-GET')).toBe(true);
    expect(affects(f, 'SPC-GET-X')).toBe(false);
    expect(affects(f, 'GRP-PATCH-INVALID-PATH-400')).toBe(false);
  });
});

describe('transforms', () => {
  test('etag-missing-on-user-get drops the ETag of GET users/{id} only', () => {
    const f = fault('etag-missing-on-user-get');
    const get = jsonResponse(200, { id: 'a' }, { etag: '"3"' });
    f.response!(makeRequest('GET', `${P}/users/a`), get, fakeCtx());
    expect(get.headers.etag).toBeUndefined();
    const put = jsonResponse(200, { id: 'a' }, { etag: '"4"' });
    f.response!(makeRequest('PUT', `${P}/users/a`), put, fakeCtx());
    expect(put.headers.etag).toBe('"4"');
  });

  test('if-match-stale-412 turns 400 invalidVers into 412, and nothing else', () => {
    const f = fault('if-match-stale-412');
    const req = makeRequest('PATCH', `${P}/groups/g`);
    expect(f.response!(req, scimErr(400, 'invalidVers'), fakeCtx())).toMatchObject({ status: 412 });
    expect(f.response!(req, scimErr(400, 'invalidPath'), fakeCtx())).toBeUndefined();
  });

  test('list faults: startIndex dropped, totalResults off by one, count=0 dropped', () => {
    const r1 = makeRequest('GET', `${P}/users?startIndex=3&count=2`);
    fault('start-index-ignored').request!(r1, fakeCtx());
    expect(r1.query.toString()).toBe('count=2');
    const res = list(2);
    fault('total-results-off-by-one').response!(makeRequest('GET', `${P}/groups`), res, fakeCtx());
    expect(res.body.totalResults).toBe(3);
    const r2 = makeRequest('GET', `${P}/users?count=0`);
    fault('count-zero-returns-resources').request!(r2, fakeCtx());
    expect(r2.query.has('count')).toBe(false);
  });

  test('filter faults: case-sensitive attribute names, unsupported filters widened to everything', async () => {
    const f = fault('filter-attribute-case-sensitive');
    expect(f.request!(makeRequest('GET', `${P}/groups?filter=${encodeURIComponent('displayname eq Sales')}`), fakeCtx())).toMatchObject({ status: 400 });
    expect(f.request!(makeRequest('GET', `${P}/groups?filter=${encodeURIComponent('displayName eq Sales')}`), fakeCtx())).toBeUndefined();
    const widen = fault('filter-unsupported-widened-to-all');
    const req = makeRequest('GET', `${P}/users?filter=${encodeURIComponent('title co x')}`);
    const ctx = fakeCtx({ [`GET ${P}/users`]: list(5) });
    const out = await widen.response!(req, scimErr(400, 'invalidFilter'), ctx);
    expect(out).toMatchObject({ status: 200 });
    expect(ctx.sent).toEqual([`GET ${P}/users?`]);
  });

  test('patch-op-case-sensitive refuses "Replace" and lets "replace" through', () => {
    const f = fault('patch-op-case-sensitive');
    const body = (op: string) => JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op, path: 'title', value: 'x' }] });
    const h = { 'content-type': 'application/scim+json' };
    expect(f.request!(makeRequest('PATCH', `${P}/users/a`, h, body('Replace')), fakeCtx())).toMatchObject({ status: 400 });
    expect(f.request!(makeRequest('PATCH', `${P}/users/a`, h, body('replace')), fakeCtx())).toBeUndefined();
  });

  test('error format faults change SCIM error bodies only', () => {
    const num = scimErr(404);
    fault('error-status-as-number').response!(makeRequest('GET', `${P}/users/x`), num, fakeCtx());
    expect(num.body.status).toBe(404);
    const noSchemas = scimErr(404);
    fault('error-without-schemas').response!(makeRequest('GET', `${P}/users/x`), noSchemas, fakeCtx());
    expect(noSchemas.body.schemas).toBeUndefined();
    const ok = list(1);
    fault('error-without-schemas').response!(makeRequest('GET', `${P}/users`), ok, fakeCtx());
    expect(ok.body.schemas).toHaveLength(1);
  });

  test('stateful faults act only for the all-permissions identity', async () => {
    const f = fault('delete-does-not-delete');
    const ctx = fakeCtx({ [`GET ${P}/users/a`]: jsonResponse(200, { id: 'a' }, { etag: '"2"' }) }, { 'Bearer adm': 'admin', 'Bearer lim': 'none' });
    expect(await f.request!(makeRequest('DELETE', `${P}/users/a`, { authorization: 'Bearer adm' }), ctx)).toMatchObject({ status: 204 });
    expect(await f.request!(makeRequest('DELETE', `${P}/users/a`, { authorization: 'Bearer lim' }), ctx)).toBeUndefined();
    // a stale If-Match still reaches the target (which refuses it)
    expect(await f.request!(makeRequest('DELETE', `${P}/users/a`, { authorization: 'Bearer adm', 'if-match': '"1"' }), ctx)).toBeUndefined();
  });

  test('composeFaults chains transforms', async () => {
    const both = composeFaults(fault('total-results-off-by-one'), fault('error-status-as-number'));
    const res = list(1);
    await both.response!(makeRequest('GET', `${P}/users`), res, fakeCtx());
    expect(res.body.totalResults).toBe(2);
  });
});

describe('judging a run', () => {
  const f = fault('spc-if-none-match-ignored');
  const outcome = (verdicts: [string, string][], hits = 1): RunOutcome => ({
    exitCode: 1,
    report: { summary: { failed: 0, passed: 0, skipped: 0 }, results: verdicts.map(([behaviour, verdict]) => ({ behaviour, verdict, prefix: P, apiVersion: '2021' })) },
    stats: { requests: 1, hits, samples: ['GET x → 200'], errors: [], transient: { '429': 0, '503': 0, reset: 0, 'reset-after': 0 }, created: [] },
    leftovers: [],
    durationMs: 1,
    dir: '/tmp',
    timedOut: false,
  });
  const ctx = { catalogue, present: new Set(['SPC-IF-NONE-MATCH-304']), skipped: new Map<string, string>() };

  test('killed when an affected behaviour fails', () => {
    expect(judge(f, outcome([['SPC-IF-NONE-MATCH-304', 'failed']]), ctx)).toMatchObject({ status: 'killed', killedBy: ['SPC-IF-NONE-MATCH-304'] });
  });
  test('survives, with the reason, when the checks pass, when only other behaviours fail, or when no check exists', () => {
    expect(judge(f, outcome([['SPC-IF-NONE-MATCH-304', 'passed']]), ctx)).toMatchObject({ status: 'survived', reason: expect.stringMatching(/ran and passed/) });
    expect(judge(f, outcome([['SPC-GET', 'failed']]), ctx)).toMatchObject({ status: 'survived', reason: expect.stringMatching(/outside affects/) });
    expect(judge(f, outcome([['SPC-IF-NONE-MATCH-304', 'passed']], 0), ctx)).toMatchObject({ status: 'survived', reason: expect.stringMatching(/never triggered/) });
    expect(judge(f, undefined, { ...ctx, present: new Set() })).toMatchObject({ status: 'survived', covered: false, reason: expect.stringMatching(/no check yet/) });
  });
});

describe('the proxy in front of the emulator', () => {
  let emu: RunningEmulator;
  let plain: RunningProxy;
  let perms: RunningProxy;
  beforeAll(async () => {
    emu = await startEmulator({ rateLimitPerMinute: 0 });
    plain = await startFaultProxy({ target: emu.url, clients: emu.clients });
    perms = await startFaultProxy({ target: emu.url, clients: emu.clients, fault: fault('permissions-not-enforced') });
  });
  afterAll(async () => {
    await plain?.close();
    await perms?.close();
    await emu?.close();
  });

  async function token(proxy: RunningProxy, name: string): Promise<string> {
    const c = emu.clients.find((x) => x.name === name)!;
    const res = await request(`${proxy.url}/oauth/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    return ((await res.body.json()) as { access_token: string }).access_token;
  }

  test('without a fault it is transparent: same status, ETag, 304, and locations pointing at the proxy', async () => {
    const t = await token(plain, 'admin');
    const direct = await request(`${emu.url}${P}/serviceproviderconfig`, { headers: { authorization: `Bearer ${t}` } });
    const via = await request(`${plain.url}${P}/serviceproviderconfig`, { headers: { authorization: `Bearer ${t}` } });
    const body = (await via.body.json()) as { meta: { location: string } };
    await direct.body.text();
    expect(via.statusCode).toBe(200);
    expect(via.headers.etag).toBe(direct.headers.etag);
    expect(body.meta.location.startsWith(plain.url)).toBe(true);
    const again = await request(`${plain.url}${P}/serviceproviderconfig`, { headers: { authorization: `Bearer ${t}`, 'if-none-match': String(via.headers.etag) } });
    expect(again.statusCode).toBe(304);
    expect(await again.body.text()).toBe('');
    expect(plain.stats.hits).toBe(0);
  });

  test('permissions-not-enforced serves the groups list to an identity without permissions', async () => {
    const t = await token(perms, 'none');
    const res = await request(`${perms.url}${P}/groups`, { headers: { authorization: `Bearer ${t}` } });
    await res.body.text();
    expect(res.statusCode).toBe(200);
    expect(perms.stats.hits).toBe(1);
    const direct = await request(`${emu.url}${P}/groups`, { headers: { authorization: `Bearer ${t}` } });
    await direct.body.text();
    expect(direct.statusCode).toBe(403);
  });
});

/**
 * Representative faults touching disjoint requests, checked in ONE conformance run (bin/conformance.ts with
 * --filter on their affected ids): importing the suite files dominates a run, so one run keeps this fast.
 */
const REPRESENTATIVE = ['spc-if-none-match-ignored', 'schema-list-filter-200', 'resource-types-missing-group', 'missing-token-accepted', 'etag-missing-on-user-get'];

test(
  'representative faults are killed by the suite',
  async () => {
    const faults = REPRESENTATIVE.map(fault);
    const combined = composeFaults(...faults);
    const ids = catalogue.map((b) => b.id).filter((id) => affects(combined, id));
    const out = await runSuite({ fault: combined, ids, dir: mkdtempSync(join(tmpdir(), 'scim-faults-fast-')), workers: 2 });
    expect(out.stats.errors).toEqual([]);
    expect(out.report, `no report: see ${out.dir}/run.log`).toBeDefined();
    const failed = out.report!.results.filter((r) => r.verdict === 'failed').map((r) => r.behaviour);
    const survivors = faults.filter((f) => !failed.some((id) => affects(f, id))).map((f) => f.id);
    expect(survivors).toEqual([]);
  },
  120_000,
);
