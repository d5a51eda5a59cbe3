import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, test } from 'vitest';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeReports, REPORT_FILES, writeReports } from '../conformance-reporter.ts';
import { buildReport, exitCodeOf, withEndOfRun, type TestOutcome } from '../report-model.ts';
import { renderText } from '../render.ts';
import { fixtureReport } from './fixture.ts';

const base = { project: 'suites-2021', apiVersion: '2021', level: 'MUST', resource: 'service-provider-config' };

function outcome(o: Partial<TestOutcome> & Pick<TestOutcome, 'behaviour' | 'prefix' | 'verdict'>): TestOutcome {
  return { ...base, test: `[${o.behaviour}] x`, ...o };
}

describe('conformance report model', () => {
  test('one verdict per behaviour and prefix; any failing row fails the behaviour', () => {
    const report = buildReport(
      [
        outcome({ behaviour: 'RT-GET', prefix: '/a', verdict: 'passed' }),
        outcome({ behaviour: 'RT-GET', prefix: '/a', verdict: 'failed', message: 'boom' }),
        outcome({ behaviour: 'RT-GET', prefix: '/b', verdict: 'passed' }),
        outcome({ behaviour: 'RT-GET', prefix: '/b', verdict: 'skipped', note: 'n/a' }),
        outcome({ behaviour: 'SPC-GET', prefix: '/a', verdict: 'skipped', note: 'not documented' }),
        outcome({ behaviour: 'SPC-META', prefix: '/a', verdict: 'known-failure', note: 'ticket 1', level: 'SHOULD' }),
      ],
      [],
    );
    const v = Object.fromEntries(report.results.map((r) => [`${r.behaviour} ${r.prefix}`, r.verdict]));
    expect(v).toEqual({ 'RT-GET /a': 'failed', 'RT-GET /b': 'passed', 'SPC-GET /a': 'skipped', 'SPC-META /a': 'known-failure' });
    expect(report.summary).toMatchObject({ behaviours: 4, passed: 1, failed: 1, skipped: 1, knownFailures: 1, mustFailed: 1 });
    expect(report.verdict).toBe('not conformant');
    expect(report.results.find((r) => r.behaviour === 'SPC-GET')?.note).toBe('not documented');
    expect(renderText(report)).toMatch(/RT-GET\s+2021\s+MUST\s+FAIL\s+pass/);
  });

  test('a failing SHOULD does not make the target non-conformant', () => {
    const report = buildReport([outcome({ behaviour: 'AUTH-ERROR-BODY', prefix: '/a', verdict: 'failed', level: 'SHOULD' })], []);
    expect(report.verdict).toBe('conformant');
    expect(report.summary.mustFailed).toBe(0);
  });
});

describe('the report format', () => {
  test('reports with every kind of result, whole or partial, validate against schemas/reports/conformance-report.schema.json', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    (((addFormatsModule as any).default ?? addFormatsModule) as (a: Ajv) => void)(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(new URL('../../schemas/reports/conformance-report.schema.json', import.meta.url), 'utf8')));
    const interrupted = withEndOfRun(fixtureReport(false, { selection: { interrupted: true, files: ['suites/users/create.test.ts'] } }), { requests: 3, leftBehind: ['users/u-9 (x): DELETE answered 500'] });
    for (const report of [fixtureReport(false), fixtureReport(true, { selection: { ids: ['SPC-GET'], filter: 'x' } }), interrupted]) {
      validate(report);
      expect(validate.errors ?? []).toEqual([]);
    }
    // the schema is not vacuous: an unknown verdict is refused
    expect(validate({ ...fixtureReport(false), verdict: 'certified' })).toBe(false);
  });
});

describe('skips and failures come to the report as data', () => {
  const exchange = {
    request: { method: 'GET', url: 'http://h/api/v2/scim/v2/users/1', headers: { authorization: 'Bearer <redacted>' } },
    response: { status: 500, headers: {}, body: '' },
    durationMs: 3,
  };

  test('the failure detail is the harness failure data, whatever the message says', () => {
    const failure = { requirement: '[RT-GET] x (MUST; s)', check: 'HTTP status', expected: '200', actual: '500', exchange };
    const report = buildReport([outcome({ behaviour: 'RT-GET', prefix: '/a', verdict: 'failed', message: 'reworded: nothing here looks like Expected: 1', failure })], []);
    const [detail] = report.results[0].failures ?? [];
    expect(detail).toMatchObject({ requirement: failure.requirement, check: 'HTTP status', expected: '200', actual: '500', exchange });
    expect(detail.reproduce).toMatch(/^curl /);
  });

  test('a failure without data (e.g. a timeout) names the requirement from the catalogue and no expected/actual', () => {
    const report = buildReport([outcome({ behaviour: 'RT-GET', prefix: '/a', verdict: 'failed', message: 'Test timed out in 60000ms.' })], []);
    const [detail] = report.results[0].failures ?? [];
    expect(detail.requirement).toMatch(/^\[RT-GET\] .+ \(MUST; .+\)$/);
    expect(detail).not.toHaveProperty('expected');
    expect(detail.message).toBe('Test timed out in 60000ms.');
  });

  test('the verdict reads the skip kind, not the wording of the reason', () => {
    const skipped = (skipKind: TestOutcome['skipKind'], note: string) => buildReport([outcome({ behaviour: 'SPC-GET', prefix: '/a', verdict: 'skipped', note, skipKind })], []);
    expect(skipped('configuration', 'anything at all').verdict).toBe('incomplete');
    expect(skipped('capability', 'needs an org fixture: set SCIM_ORG_ROLE').verdict).toBe('conformant');
    expect(skipped('inconclusive', 'creates or changes data').verdict).toBe('conformant');
    expect(skipped('configuration', 'x').results[0].skipKind).toBe('configuration');
  });
});

describe('run safety in the report', () => {
  test('an interrupted run is partial, never conformant, and says so; what did not run is marked interrupted', () => {
    const report = buildReport([outcome({ behaviour: 'SPC-GET', prefix: '/a', verdict: 'passed' })], [], { selection: { interrupted: true }, includeNotRun: false });
    expect(report.verdict).toBe('partial');
    expect(report.selection).toMatchObject({ partial: true, interrupted: true });
    expect(renderText(report)).toMatch(/→ interrupted: 1 of 1 behaviour×prefix results that ran passed — partial run \(interrupted\): not a conformance verdict/);
  });

  test('a failed clean-up step is reported, never counted as a failure; what the end-of-run sweep left is named', () => {
    const report = buildReport([outcome({ behaviour: 'SPC-GET', prefix: '/a', verdict: 'passed', cleanup: ['users/u-1: DELETE answered 500 (left for the end-of-run sweep)'] })], []);
    expect(report.verdict).toBe('conformant');
    expect(report.cleanup).toEqual({ steps: ['[SPC-GET] x on /a: users/u-1: DELETE answered 500 (left for the end-of-run sweep)'], leftBehind: [] });
    const ended = withEndOfRun(report, { requests: 2, leftBehind: ['users/u-1 (scimct-…): DELETE answered 500'] });
    expect(ended.cleanup?.leftBehind).toEqual(['users/u-1 (scimct-…): DELETE answered 500']);
    expect(ended.requests.runner?.atEnd).toBe(2);
    expect(renderText(ended)).toMatch(/LEFT BEHIND on the target: 1 \(in the ledger for the next run's sweep\)/);
    expect(renderText(ended)).toMatch(/left behind: users\/u-1/);
  });

  test('reports are written whole or not at all: no temporary file stays, and removeReports leaves none of an earlier run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'reports-'));
    writeReports(dir, fixtureReport(false));
    expect(readdirSync(dir).sort()).toEqual([...REPORT_FILES].sort());
    removeReports(dir);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('exit code of a run', () => {
  const known = outcome({ behaviour: 'RT-GET', prefix: '/a', verdict: 'known-failure', note: 'ticket 1' });
  test.for([
    { name: 'conformant: 0', rows: [outcome({ behaviour: 'RT-GET', prefix: '/a', verdict: 'passed' })], code: 0 },
    { name: 'a MUST failure: 1', rows: [outcome({ behaviour: 'RT-GET', prefix: '/a', verdict: 'failed', message: 'x' })], code: 1 },
    { name: 'only known failures: 0 (CI fails on what changed)', rows: [known], code: 0 },
    { name: 'known failures and a blocked MUST: 3, as without them', rows: [known, outcome({ behaviour: 'SPC-GET', prefix: '/a', verdict: 'blocked', note: 'set-up failed' })], code: 3 },
    { name: 'a blocked MUST alone: 3', rows: [outcome({ behaviour: 'SPC-GET', prefix: '/a', verdict: 'blocked', note: 'set-up failed' })], code: 3 },
  ])('$name', ({ rows, code }) => {
    expect(exitCodeOf(buildReport(rows, []))).toBe(code);
  });
});
