/**
 * The rfc7644 profile against a server it has not seen, conformant as far as it goes, whose filters are `eq` only
 * and whose SCIM root is the host root (runner/test/eq-only/server.ts), run through the CLI like a user would:
 * no false failure. Operators it declines are skipped as capabilities with the server's own detail, its lists are
 * judged without any filter to scope them, and the host-root SCIM root gets its report (column "/").
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runRfc7644, verdictDrift, type Rfc7644Run } from './rfc7644-run.ts';
import { startEqOnly, type RunningEqOnly } from './eq-only/server.ts';

let server: RunningEqOnly;
let r: Rfc7644Run;

beforeAll(async () => {
  server = await startEqOnly();
  r = await runRfc7644(server.root, server.token, 'eq-only');
}, 170_000);

afterAll(async () => {
  await server?.close();
});

const result = (id: string) => r.report.results.find((x) => x.behaviour === id);

describe('the rfc7644 profile against an eq-only server at the host root', () => {
  test('no failure at all: the verdict is conformant, exit code 0', () => {
    expect(verdictDrift(r, 'eq-only'), `${r.stdout.slice(-4000)}\n${r.stderr.slice(-2000)}`).toEqual([]);
    expect(r.report.summary.failed).toBe(0);
    expect(r.report.verdict).toBe('conformant');
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
  });

  test('the SCIM root at the host root is the prefix "", shown as "/" in the reports', () => {
    expect(r.report.targets[0]).toMatchObject({ profile: 'rfc7644', name: 'eq-only', prefixes: [''] });
    expect(new Set(r.report.results.map((x) => x.prefix))).toEqual(new Set(['']));
    const md = readFileSync(join(r.reportDir, 'conformance-report.md'), 'utf8');
    expect(md).toContain('| behaviour | title | version | level | / | note |');
    expect(r.stdout).toMatch(/RFC-FILTER-EQ\s+2021\s+MUST\s+pass/);
  });

  test('eq is judged; every other operator is a capability the server declines, with its own detail', () => {
    expect(result('RFC-FILTER-EQ')?.verdict).toBe('passed');
    expect(result('RFC-FILTER-CASE-INSENSITIVE-NAMES')?.verdict).toBe('passed');
    for (const id of ['RFC-FILTER-NE', 'RFC-FILTER-CO', 'RFC-FILTER-SW', 'RFC-FILTER-GT', 'RFC-FILTER-PR', 'RFC-FILTER-AND', 'RFC-FILTER-OR', 'RFC-FILTER-NOT', 'RFC-FILTER-NOT-AND', 'RFC-FILTER-PRECEDENCE']) {
      expect(result(id), id).toMatchObject({ verdict: 'skipped', skipKind: 'capability' });
      expect(result(id)?.note, id).toMatch(/the server declines .* 400 invalidFilter: "the operator .* is not supported/);
      expect(result(id)?.note, id).toMatch(/RFC 7644 §3\.4\.2\.2 lets a provider decline/);
    }
  });

  test('lists and paging are judged without sw or any filter; only the page walk needs a scope', () => {
    for (const id of ['RFC-LIST-RESPONSE', 'RFC-PAGE-START-INDEX-BELOW-1', 'RFC-PAGE-COUNT-ZERO', 'RFC-PAGE-ITEMS-PER-PAGE', 'RFC-PAGE-START-INDEX-PAST-END', 'RFC-PAGE-MAX-RESULTS', 'RFC-SEARCH-POST']) {
      expect(result(id)?.verdict, id).toBe('passed');
    }
    expect(result('RFC-PAGE-WALK')).toMatchObject({ verdict: 'skipped', skipKind: 'capability' });
    expect(result('RFC-PAGE-WALK')?.note).toMatch(/no filter selects exactly the run's users: userName sw → 400/);
  });

  test('the new error and write checks pass on a server that gets them right', () => {
    for (const id of ['RFC-USER-UNIQUENESS-CASE', 'RFC-USER-REPLACE-UNIQUENESS', 'RFC-USER-DELETE-AGAIN', 'RFC-PATCH-UNKNOWN-OP', 'RFC-PATCH-INVALID-PATH', 'RFC-PATCH-READONLY', 'RFC-ERROR-BODY', 'RFC-ATTRIBUTE-URN-NAMES']) {
      expect(result(id)?.verdict, id).toBe('passed');
    }
  });

  test('it removes everything it created', () => {
    expect(server.userNames().filter((n) => n.startsWith('scimct-'))).toEqual([]);
  });
});

describe('the same server with or between eq clauses (a --id run)', () => {
  let orServer: RunningEqOnly;
  let run: Rfc7644Run;

  beforeAll(async () => {
    orServer = await startEqOnly({ or: true });
    const ids = ['RFC-PAGE-WALK', 'RFC-LIST-RESPONSE', 'RFC-FILTER-NE', 'RFC-FILTER-OR'].flatMap((id) => ['--id', id]);
    run = await runRfc7644(orServer.root, orServer.token, 'eq-only', {}, ids);
  }, 170_000);

  afterAll(async () => {
    await orServer?.close();
  });

  test('an or of userName eq scopes the lists, so the page walk is judged', () => {
    const of = (id: string) => run.report.results.find((x) => x.behaviour === id);
    expect(of('RFC-PAGE-WALK')?.verdict, run.stdout.slice(-3000)).toBe('passed');
    expect(of('RFC-LIST-RESPONSE')?.verdict).toBe('passed');
    expect(of('RFC-FILTER-OR')?.verdict).toBe('passed');
    // ne inside the scope needs and, and ne alone is declined: a capability, with the probe that shows it.
    expect(of('RFC-FILTER-NE')).toMatchObject({ verdict: 'skipped', skipKind: 'capability' });
    expect(of('RFC-FILTER-NE')?.note).toMatch(/declines ne on displayName/);
    expect(run.report.verdict).toBe('partial');
    expect(orServer.userNames().filter((n) => n.startsWith('scimct-'))).toEqual([]);
  });
});
