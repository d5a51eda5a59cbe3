/**
 * Transient faults (429/503 with Retry-After, connection resets before and after the target applied a request) are
 * injected as they should be, and a run through 10 % of them gives the clean run's verdict, behaviour by behaviour,
 * leaving nothing behind. The whole suite: `npm run faults:transient` (README, "Run safety").
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../emulator/server.ts';
import { makeRequest, startFaultProxy, transientInjector, TRANSIENT_KINDS, type RunningProxy } from '../proxy.ts';
import { differencesOf, summary, transientAcceptance } from '../transient.ts';
import { demoToken, type RunOutcome } from '../run.ts';

const P = '/api/v2/scim/v2';

describe('the transient fault injector', () => {
  test('faults about the given fraction of SCIM requests, every kind, reproducibly from its seed', () => {
    const pick = transientInjector({ rate: 0.1, seed: 7 });
    const kinds = Array.from({ length: 4000 }, (_, i) => pick(makeRequest('GET', `${P}/users/${i}`)));
    const faulted = kinds.filter(Boolean);
    expect(faulted.length / kinds.length).toBeGreaterThan(0.08);
    expect(faulted.length / kinds.length).toBeLessThan(0.12);
    expect(new Set(faulted)).toEqual(new Set(TRANSIENT_KINDS));
    const again = transientInjector({ rate: 0.1, seed: 7 });
    expect(Array.from({ length: 4000 }, (_, i) => again(makeRequest('GET', `${P}/users/${i}`)))).toEqual(kinds);
  });

  test('a request retried after two faults in a row goes through (a transient fault is transient)', () => {
    const pick = transientInjector({ rate: 1, seed: 1 });
    const req = () => makeRequest('POST', `${P}/users`, { 'content-type': 'application/scim+json' }, '{"userName":"a"}');
    expect([pick(req()), pick(req()), pick(req())].map(Boolean)).toEqual([true, true, false]);
    expect(pick(req())).toBeDefined();
  });

  test('never the token endpoint, never a list page over 25 (its 429 is judged as the server\'s own)', () => {
    const pick = transientInjector({ rate: 1, seed: 1 });
    expect(pick(makeRequest('POST', '/oauth/token'))).toBeUndefined();
    expect(pick(makeRequest('GET', `${P}/users?count=26`))).toBeUndefined();
    expect(pick(makeRequest('GET', `${P}/users?count=25`))).toBeDefined();
  });
});

describe('transient faults at the proxy', () => {
  let emu: RunningEmulator;
  let token: string;
  const proxies: RunningProxy[] = [];
  beforeAll(async () => {
    emu = await startEmulator({ rateLimitPerMinute: 0 });
    token = await demoToken(emu.url, emu.clients);
  });
  afterAll(async () => {
    for (const p of proxies) await p.close();
    await emu?.close();
  });
  const proxyWith = async (kind: (typeof TRANSIENT_KINDS)[number]) => {
    const p = await startFaultProxy({ target: emu.url, clients: emu.clients, transient: { rate: 1, seed: 3, kinds: [kind], maxConsecutive: 1 } });
    proxies.push(p);
    return p;
  };
  const post = (p: RunningProxy, userName: string) =>
    request(`${p.url}${P}/users`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' }, body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, displayName: 'Transient Fault', active: true }) });

  test('429 and 503 come with Retry-After 0 or 1 and a SCIM error body, and never reach the target', async () => {
    for (const kind of ['429', '503'] as const) {
      const p = await proxyWith(kind);
      const res = await post(p, `transient-${kind}@example.com`);
      expect(res.statusCode).toBe(Number(kind));
      expect(String(res.headers['retry-after'])).toMatch(/^[01]$/);
      expect(await res.body.json()).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: kind });
      expect(p.stats.created).toEqual([]);
    }
  });

  test('a reset before the target: no answer, nothing created; a reset after: no answer, but the target applied it', async () => {
    const before = await proxyWith('reset');
    await expect(post(before, 'transient-reset@example.com')).rejects.toThrow();
    expect(before.stats.created).toEqual([]);
    const after = await proxyWith('reset-after');
    await expect(post(after, 'transient-reset-after@example.com')).rejects.toThrow();
    expect(after.stats.created).toHaveLength(1);
    // the second attempt goes through (maxConsecutive 1): the name is taken by the lost attempt
    expect((await post(after, 'transient-reset-after@example.com')).statusCode).toBe(409);
    expect(after.stats.transient).toMatchObject({ 'reset-after': 1 });
  });
});

test('the acceptance compares every behaviour × prefix verdict and what each run left', () => {
  const run = (verdicts: [string, string][], leftovers: string[] = []): RunOutcome => ({
    exitCode: 0,
    report: { verdict: 'conformant', summary: { failed: 0, passed: 1, skipped: 0 }, results: verdicts.map(([behaviour, verdict]) => ({ behaviour, verdict, prefix: P, apiVersion: '2021' })) },
    stats: { requests: 1, hits: 0, samples: [], errors: [], transient: { '429': 0, '503': 0, reset: 0, 'reset-after': 0 }, created: [] },
    leftovers,
    durationMs: 1,
    dir: '/tmp',
    timedOut: false,
  });
  expect(differencesOf(run([['USR-GET', 'passed']]), run([['USR-GET', 'passed']]))).toEqual([]);
  expect(differencesOf(run([['USR-GET', 'passed']]), run([['USR-GET', 'blocked']]))).toEqual([`2021 USR-GET ${P}: clean passed, faulted blocked`]);
  expect(differencesOf(run([['USR-GET', 'passed']]), run([['USR-GET', 'passed']], [`${P}/users/x (200)`]))).toEqual([`the faulted run left ${P}/users/x (200) on the emulator`]);
});

/**
 * 10 % of the requests of the users create/delete/list/patch checks faulted (429, 503, reset before, reset after the
 * emulator applied it), against the same checks run clean at the same time.
 */
const FILES = ['suites/users/create.test.ts', 'suites/users/delete.test.ts', 'suites/users/list.test.ts', 'suites/users/patch.test.ts'];

test(
  'a run through 10 % transient faults gives the clean run\'s verdict, behaviour by behaviour, and leaves nothing behind',
  async () => {
    const transient = { rate: 0.1, seed: 20261204 };
    const outcome = await transientAcceptance({ transient, files: FILES, workers: 2, dir: mkdtempSync(join(tmpdir(), 'scim-transient-')) });
    const text = summary(outcome, transient);
    expect(outcome.differences, text).toEqual([]);
    // the faults were there, and the suite rode them out
    for (const kind of TRANSIENT_KINDS) expect(outcome.faulted.stats.transient[kind], text).toBeGreaterThan(0);
    expect(outcome.faulted.report?.requests?.retried, text).toBeGreaterThan(0);
    expect(outcome.clean.report?.summary.passed, text).toBeGreaterThan(50);
  },
  300_000,
);
