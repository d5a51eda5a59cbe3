/**
 * The rfc7644 profile proven against a third-party implementation: SCIMMY (runner/test/scimmy/server.ts), run
 * through the CLI like a user would. Every verdict must match expectations/scimmy.json: SCIMMY's genuine deviations
 * are known failures there (each argued from the RFC text); a new failure, or a listed one that passes, fails here.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runRfc7644, verdictDrift, type Rfc7644Run } from './rfc7644-run.ts';
import { startScimmy, type RunningScimmy } from './scimmy/server.ts';

let server: RunningScimmy;
let r: Rfc7644Run;

beforeAll(async () => {
  server = await startScimmy();
  r = await runRfc7644(server.root, server.token, 'scimmy');
}, 170_000);

afterAll(async () => {
  await server?.close();
});

describe('the rfc7644 profile against SCIMMY', () => {
  test('every verdict matches expectations/scimmy.json', () => {
    expect(verdictDrift(r, 'scimmy'), `${r.stdout.slice(-4000)}\n${r.stderr.slice(-2000)}`).toEqual([]);
  });

  test('the run ends with its report: not conformant because of the known failures only, exit code 0', () => {
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    // Known failures never certify a target: "not conformant", with no failure beyond the listed ones (exit code 0).
    expect(r.report.verdict).toBe('not conformant');
    expect(r.report.summary.mustFailed).toBe(0);
    expect(r.report.targets[0]).toMatchObject({ profile: 'rfc7644', name: 'scimmy', prefixes: ['/scim/v2'] });
    expect(r.report.summary.knownFailures).toBeGreaterThan(0);
    expect(r.report.summary.passed).toBeGreaterThan(30);
  });

  test('no genesys behaviour runs in the rfc7644 profile', () => {
    expect(r.report.results.filter((x) => !x.behaviour.startsWith('RFC-')).map((x) => x.behaviour)).toEqual([]);
  });

  test('what SCIMMY declares unsupported is skipped with that reason, never failed', () => {
    const etag = r.report.results.find((x) => x.behaviour === 'RFC-ETAG-IF-MATCH-412');
    expect(etag).toMatchObject({ verdict: 'skipped', skipKind: 'capability' });
    expect(etag?.note).toMatch(/etag\.supported is false/);
  });

  test('it removes everything it created', async () => {
    const res = await fetch(`${server.root}/Users?filter=${encodeURIComponent('userName sw "scimct-"')}`, { headers: { authorization: `Bearer ${server.token}` } });
    expect((await res.json()).totalResults).toBe(0);
  });
});
