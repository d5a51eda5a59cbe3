import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, test } from 'vitest';
import { buildReport, type TestOutcome } from '../report-model.ts';
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
    for (const report of [fixtureReport(false), fixtureReport(true, { selection: { ids: ['SPC-GET'], filter: 'x' } })]) {
      validate(report);
      expect(validate.errors ?? []).toEqual([]);
    }
    // the schema is not vacuous: an unknown verdict is refused
    expect(validate({ ...fixtureReport(false), verdict: 'certified' })).toBe(false);
  });
});

describe('failure details', () => {
  const message = ['[USR-GET] the requirement (MUST; seed 000)', 'Check:    the status', 'Expected: 200', 'Actual:   {"a":1,', '          "b":2}', 'Request:  GET http://h/u'].join('\n');

  test('are read from the failure message: the requirement, and each labelled part with its continuation lines', () => {
    const r = buildReport([outcome({ behaviour: 'USR-GET', prefix: '/a', verdict: 'failed', message })], []);
    expect(r.results[0].failures?.[0]).toMatchObject({ requirement: '[USR-GET] the requirement (MUST; seed 000)', check: 'the status', expected: '200', actual: '{"a":1,\n"b":2}' });
  });

  test('prefer the parts the harness hands over as data', () => {
    const r = buildReport([outcome({ behaviour: 'USR-GET', prefix: '/a', verdict: 'failed', message, failure: { expected: '201', check: undefined } })], []);
    expect(r.results[0].failures?.[0]).toMatchObject({ expected: '201', check: 'the status', actual: '{"a":1,\n"b":2}' });
  });
});
