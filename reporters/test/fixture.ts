/**
 * A conformance report with every kind of cell: MUST/SHOULD/MAY failures, a known failure, skips of every kind
 * (version, capability, configuration, row), case-table rows, and not-run rows, on two API versions and two prefixes.
 */
import type { RecordedExchange } from '../../harness/runtime/http.ts';
import type { ResolvedTarget } from '../../harness/config/target.ts';
import { formatFailure } from '../../harness/runtime/verify.ts';
import { buildReport, type BuildOptions, type ConformanceReport, type TestOutcome } from '../report-model.ts';

/** In the order of the report's columns (sorted). */
export const PREFIXES = ['/api/v2/scim', '/api/v2/scim/v2'];
const [V1, V2] = PREFIXES;

export function target(apiVersion: '2021' | '2019', strict = false): ResolvedTarget {
  return {
    baseUrl: 'http://127.0.0.1:9',
    targetName: `fixture-${apiVersion}`,
    embedded: false,
    prefixes: PREFIXES,
    apiVersion,
    profile: 'genesys',
    strict,
    identities: { primary: { auth: { kind: 'token', token: 'x' }, permissions: [] } },
    allowWrites: false,
    rateLimitPerMinute: 0,
    workers: 1,
    timeoutMs: 1000,
    indexWaitMs: 0,
    capabilities: { etag: false },
    org: {},
    run: { runId: 'r1', runPrefix: 'scimct-r1-', ledgerDir: '/tmp', startedAt: '2026-01-01T00:00:00.000Z' },
  };
}

export function exchange(status: number, body: string): RecordedExchange {
  return {
    request: { method: 'GET', url: `http://127.0.0.1:9${V2}/users/u-1`, headers: { accept: 'application/scim+json', authorization: 'Bearer <redacted>' } },
    response: { status, headers: { 'content-type': 'application/scim+json', etag: '"7"' }, body },
    durationMs: 3,
  };
}

function failed(behaviour: string, level: string, prefix: string, test: string, expected: unknown, actual: unknown, apiVersion = '2021'): TestOutcome {
  const ex = exchange(500, '{"detail":"boom <b>|`x`"}');
  const requirement = `[${behaviour}] the requirement (${level}; seed 000)`;
  const message = formatFailure({ requirement, check: 'the status', expected, actual, exchange: ex });
  const text = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  const failure = { requirement, check: 'the status', expected: text(expected), actual: text(actual), exchange: ex };
  return { behaviour, prefix, project: `suites-${apiVersion}`, apiVersion, test, level, resource: 'users', verdict: 'failed', message, failure, durationMs: 12 };
}

function outcome(behaviour: string, level: string, prefix: string, verdict: TestOutcome['verdict'], extra: Partial<TestOutcome> = {}, apiVersion = '2021'): TestOutcome {
  return { behaviour, prefix, project: `suites-${apiVersion}`, apiVersion, test: `[${behaviour}] a statement`, level, resource: 'users', verdict, durationMs: 5, ...extra };
}

export function outcomes(): TestOutcome[] {
  return [
    outcome('SPC-GET', 'MUST', V2, 'passed'),
    outcome('SPC-GET', 'MUST', V1, 'passed'),
    // MUST failure on one prefix
    failed('USR-GET', 'MUST', V2, '[USR-GET] returns the user', 200, 500),
    outcome('USR-GET', 'MUST', V1, 'passed', { test: '[USR-GET] returns the user' }),
    // SHOULD failures (a warning unless strict), one with a multi-line expectation
    failed('AUTH-ERROR-BODY', 'SHOULD', V2, '[AUTH-ERROR-BODY] answers 401 with a SCIM error', { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'] }, 'line one\nline two'),
    failed('AUTH-ERROR-BODY', 'SHOULD', V1, '[AUTH-ERROR-BODY] answers 401 with a SCIM error', 'a SCIM error', 'an HTML page'),
    // MAY failure (never counts)
    failed('USR-META-LOCATION-PREFIX', 'MAY', V1, '[USR-META-LOCATION-PREFIX] echoes the prefix', V1, V2),
    outcome('USR-META-LOCATION-PREFIX', 'MAY', V2, 'passed'),
    // known failure
    outcome('SPC-META', 'MUST', V2, 'known-failure', { note: 'meta.location is relative (TICKET-9)', message: '[SPC-META] …\nExpected: absolute' }),
    outcome('SPC-META', 'MUST', V1, 'passed'),
    // skips of every kind
    outcome('SPC-IF-NONE-MATCH-304', 'MUST', V2, 'skipped', { note: "the server's ServiceProviderConfig says etag.supported is false", skipKind: 'capability' }),
    outcome('SPC-IF-NONE-MATCH-304', 'MUST', V1, 'skipped', { note: "the server's ServiceProviderConfig says etag.supported is false", skipKind: 'capability' }),
    outcome('SPC-NO-PERMISSION', 'MUST', V2, 'skipped', { note: 'needs a second, limited identity: set SCIM_LIMITED_TOKEN', skipKind: 'configuration' }),
    outcome('SPC-NO-PERMISSION', 'MUST', V1, 'skipped', { note: 'needs a second, limited identity: set SCIM_LIMITED_TOKEN', skipKind: 'configuration' }),
    outcome('SCH-LIST', 'MUST', V2, 'skipped', { note: 'not documented for API version 2019 (documented for 2021)', skipKind: 'version' }, '2019'),
    outcome('SCH-LIST', 'MUST', V1, 'skipped', { note: 'not documented for API version 2019 (documented for 2021)', skipKind: 'version' }, '2019'),
    // a case table: rows passed, one row skipped (row), and on the other prefix one row failed
    outcome('RT-GET', 'MUST', V2, 'passed', { test: '[RT-GET] returns the resource type › User' }),
    outcome('RT-GET', 'MUST', V2, 'skipped', { test: '[RT-GET] returns the resource type › Schema', note: 'the row does not apply', skipKind: 'row' }),
    outcome('RT-GET', 'MUST', V1, 'passed', { test: '[RT-GET] returns the resource type › User' }),
    failed('RT-GET', 'MUST', V1, '[RT-GET] returns the resource type › Group', 200, 404),
    // the 2019 project ran one behaviour fully
    outcome('SPC-GET', 'MUST', V2, 'passed', {}, '2019'),
    outcome('SPC-GET', 'MUST', V1, 'passed', {}, '2019'),
  ];
}

export function fixtureReport(strict = false, options: BuildOptions = {}): ConformanceReport {
  return buildReport(
    outcomes(),
    [
      ['suites-2021', target('2021', strict)],
      ['suites-2019', target('2019', strict)],
    ],
    { includeNotRun: true, now: new Date('2026-01-01T00:01:00.000Z'), startedAt: new Date('2026-01-01T00:00:00.000Z'), ...options },
  );
}
