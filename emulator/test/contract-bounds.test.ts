/**
 * Contract mode stays bounded whatever a connector sends: every unknown `attributes` name is a violation, and a
 * client sending thousands of them per request for thousands of requests used to grow the report past what
 * JSON.stringify can hold (a 500 after ~2,000 requests) and the process out of memory (~10,000). The summary must
 * still count every request and violation.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { ContractRecorder, foldViolations, RECORD_LIMITS, type ContractReport } from '../contract/recorder.ts';
import { violation } from '../contract/rules.ts';
import { buildEmulatorApp } from '../server.ts';
import { basic } from './helpers.ts';

const REQUESTS = 10_500;
const NAMES_PER_REQUEST = 10;
const LONG = 'x'.repeat(5000);

type App = Awaited<ReturnType<typeof buildEmulatorApp>>;
let emu: App;
let token: string;

beforeAll(async () => {
  emu = await buildEmulatorApp({ contract: { enabled: true }, rateLimitPerMinute: 0 });
  await emu.app.ready();
  const admin = emu.clients.find((c) => c.name === 'admin')!;
  const res = await emu.app.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: { authorization: basic(admin.clientId, admin.clientSecret), 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'grant_type=client_credentials',
  });
  token = JSON.parse(res.body).access_token;
  return () => emu.app.close();
});

describe('a connector flooding contract mode with unknown attributes names', () => {
  let report: ContractReport;
  let json: string;

  beforeAll(async () => {
    const names = [...Array.from({ length: NAMES_PER_REQUEST }, (_, i) => `unknownAttribute${i}`), LONG].join(',');
    const url = `/api/v2/scim/v2/users?count=0&attributes=${names}&x-${LONG}=${LONG}`;
    const headers = { authorization: `Bearer ${token}`, 'x-long-header': LONG };
    for (let i = 0; i < REQUESTS; i++) {
      const res = await emu.app.inject({ method: 'GET', url, headers });
      if (res.statusCode !== 200) throw new Error(`request ${i}: ${res.statusCode} ${res.body}`);
    }
    const res = await emu.app.inject({ method: 'GET', url: '/contract/report' });
    expect(res.statusCode).toBe(200);
    json = res.body;
    report = JSON.parse(json) as ContractReport;
  }, 120_000);

  test('the report endpoint answers valid JSON of bounded size', () => {
    expect(report.format).toBe('scim-emulator-contract-report/1');
    expect(json.length).toBeLessThan(4 * RECORD_LIMITS.bytes);
  });

  test('the summary counts every request and every violation', () => {
    expect(report.summary.requests).toBe(REQUESTS);
    expect(report.summary.requestsWithErrors).toBe(REQUESTS);
    const unknown = report.summary.byRule.find((r) => r.rule === 'query.attribute-unknown')!;
    expect(unknown.count).toBe(REQUESTS * (NAMES_PER_REQUEST + 1));
    expect(report.summary.errors).toBe(report.summary.byRule.filter((r) => r.severity === 'error').reduce((a, r) => a + r.count, 0));
    expect(report.verdict).toBe('fail');
  });

  test('requests beyond the caps are counted, not listed', () => {
    expect(report.requests.length).toBeLessThanOrEqual(RECORD_LIMITS.entries);
    expect(report.requests.length + report.droppedEntries).toBe(REQUESTS);
    expect(report.droppedEntries).toBeGreaterThan(0);
  });

  test('each listed request keeps a few violations per rule, the rest folded with their count', () => {
    const entry = report.requests[0]!;
    const unknown = entry.violations.filter((v) => v.rule === 'query.attribute-unknown');
    expect(unknown).toHaveLength(RECORD_LIMITS.violationsPerRule + 1);
    expect(unknown.reduce((a, v) => a + (v.count ?? 1), 0)).toBe(NAMES_PER_REQUEST + 1);
    expect(unknown.at(-1)).toMatchObject({
      message: 'further query.attribute-unknown violations in this request, not listed',
      count: NAMES_PER_REQUEST + 1 - RECORD_LIMITS.violationsPerRule,
    });
  });

  test('client strings are cut, saying how much was left out', () => {
    const entry = report.requests[0]!;
    const cut = RECORD_LIMITS.text + ' more characters)'.length + 10;
    for (const value of [...Object.values(entry.query).flat(), ...Object.values(entry.headers), ...entry.violations.map((v) => v.message)]) {
      expect(value.length).toBeLessThan(cut);
    }
    expect(entry.headers['x-long-header']).toMatch(/^x{256}… \(4744 more characters\)$/);
    for (const name of Object.keys(entry.query)) expect(name.length).toBeLessThan(RECORD_LIMITS.name + 40);
  });

  test('the markdown summary renders', async () => {
    const res = await emu.app.inject({ method: 'GET', url: '/contract/report?format=text' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/counted but not listed/);
    expect(res.body).toContain(`further query.attribute-unknown violations in this request, not listed (×${NAMES_PER_REQUEST + 1 - RECORD_LIMITS.violationsPerRule})`);
  });
});

describe('ContractRecorder bounds', () => {
  const base = { method: 'GET', path: '/api/v2/scim/v2/users', status: 200, headers: {}, query: {} };

  test('the size budget stops listing before the entry cap', () => {
    const r = new ContractRecorder('2021', Date.now, 1000, 20_000);
    for (let i = 0; i < 100; i++) r.record({ ...base, headers: { 'x-a': 'a'.repeat(300) }, violations: [] });
    const report = r.report();
    expect(report.requests.length).toBeGreaterThan(10);
    expect(report.requests.length).toBeLessThan(100);
    expect(report.requests.length + report.droppedEntries).toBe(100);
    expect(report.summary.requests).toBe(100);
  });

  test('identical violations merge, counts add up, folded counts carry over', () => {
    const v = violation('query.attribute-unknown', 'same');
    const folded = foldViolations([v, v, v, { ...v, message: 'other', count: 5 }, violation('query.attribute-unknown', 'a'), violation('query.attribute-unknown', 'b')]);
    expect(folded.map((x) => [x.message, x.count])).toEqual([['same', 3], ['other', 5], ['a', undefined], ['further query.attribute-unknown violations in this request, not listed', 1]]);
    const r = new ContractRecorder('2021');
    r.record({ ...base, violations: folded });
    expect(r.report().summary.byRule[0]!.count).toBe(10);
  });

  test('query values and headers beyond their caps are counted in omitted', () => {
    const r = new ContractRecorder('2021');
    const headers = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`x-h${i}`, 'v']));
    const e = r.record({ ...base, headers, query: { a: Array.from({ length: 30 }, () => 'v'), b: 'w' }, violations: [] });
    expect(Object.keys(e.headers)).toHaveLength(RECORD_LIMITS.headers);
    expect(e.query.a).toHaveLength(RECORD_LIMITS.queryValues);
    expect(e.query.b).toBeUndefined();
    expect(e.omitted).toEqual({ headers: 10, queryValues: 11 });
  });
});
