import { describe, expect, test } from 'vitest';
import type { ResolvedTarget } from '../../harness/config/target.ts';
import { buildReport, type TestOutcome } from '../report-model.ts';
import { renderText } from '../render.ts';
import { summaryLine } from '../view-model.ts';

const outcome = (behaviour: string, level: string, verdict: TestOutcome['verdict']): TestOutcome => ({
  behaviour,
  prefix: '/scim/v2',
  project: 'conformance',
  apiVersion: '2021',
  test: `[${behaviour}] x`,
  level,
  resource: 'users',
  verdict,
});

const target = (strict: boolean): ResolvedTarget =>
  ({
    baseUrl: 'http://h',
    targetName: 't',
    embedded: false,
    prefixes: ['/scim/v2'],
    apiVersion: '2021',
    profile: 'rfc7644',
    strict,
    identities: { primary: { auth: { kind: 'token', token: 'x' }, permissions: [] } },
    allowWrites: true,
    rateLimitPerMinute: 0,
    workers: 1,
    timeoutMs: 1000,
    indexWaitMs: 0,
    capabilities: {},
    org: {},
    run: { runId: 'r', runPrefix: 'scimct-r-', ledgerDir: '/tmp', startedAt: new Date().toISOString() },
  }) as ResolvedTarget;

describe('the rfc7644 profile in the report', () => {
  const outcomes = [outcome('RFC-USER-GET', 'MUST', 'passed'), outcome('RFC-ME-501-OR-200', 'SHOULD', 'failed')];

  test('a failed SHOULD is a warning: the verdict stays conformant', () => {
    const r = buildReport(outcomes, [['conformance', target(false)]]);
    expect(r.verdict).toBe('conformant');
    expect(r.summary).toMatchObject({ failed: 1, mustFailed: 0, shouldFailed: 1 });
    expect(summaryLine(r)).toMatch(/1 SHOULD as warnings/);
    expect(renderText(r)).toMatch(/RFC-ME-501-OR-200 .* warn/);
    expect(r.targets[0]).toMatchObject({ profile: 'rfc7644', strict: false });
  });

  test('the behaviours of the profile that did not run are listed (none of the other profile), and make the run partial', () => {
    const r = buildReport(outcomes, [['conformance', target(false)]], { includeNotRun: true });
    expect(r.results.filter((x) => !x.behaviour.startsWith('RFC-'))).toEqual([]);
    expect(r.summary.notRun).toBeGreaterThan(0);
    expect(r.verdict).toBe('partial');
    expect(r.selection).toMatchObject({ partial: true, missing: r.summary.notRun });
  });

  test('SCIM_STRICT=true counts a failed SHOULD like a MUST', () => {
    expect(buildReport(outcomes, [['conformance', target(true)]]).verdict).toBe('not conformant');
  });
});
