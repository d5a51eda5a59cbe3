/**
 * Deviations third-party servers were seen with, injected one by one into SCIMMY (runner/test/scimmy/server.ts,
 * ScimmyDeviations) and run through the CLI: each is flagged by the check that should flag it, nothing else fails
 * beyond SCIMMY's own known failures (expectations/scimmy.json), and what a Bulk request created is removed even
 * though its answer was lost.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runRfc7644, verdictDrift, type Rfc7644Run } from './rfc7644-run.ts';
import { startScimmy, type RunningScimmy } from './scimmy/server.ts';

let server: RunningScimmy;
let r: Rfc7644Run;

beforeAll(async () => {
  server = await startScimmy(undefined, {
    serverErrorOnExcludedAttributes: true,
    caseSensitiveUserNames: true,
    putClashApplied: 500,
    patchInvalidAnswered200: true,
    deleteAgain500: true,
    bareNotFound: true,
    bulkAppliedThen500: true,
  });
  // SCIMMY's own deviations stay known failures: only the injected ones may fail.
  r = await runRfc7644(server.root, server.token, 'scimmy');
}, 170_000);

afterAll(async () => {
  await server?.close();
});

/** Each injected deviation: the check that must flag it, and what its failure must say. */
const FLAGGED: Record<string, RegExp> = {
  // a 500 anywhere fails the check that got it
  'RFC-EXCLUDED-ATTRIBUTES': /Actual:\s+500 to GET .*excludedAttributes=/,
  // a userName differing only in case accepted with 201
  'RFC-USER-UNIQUENESS-CASE': /Expected: 409\s+Actual:\s+201/,
  // a PUT taking another user's userName answered 500, but applied: the 500 fails it, and so does the read-back
  'RFC-USER-REPLACE-UNIQUENESS': /Actual:\s+500 to PUT /,
  // PATCH with an unknown op / a malformed path / a replace of id answered 200
  'RFC-PATCH-UNKNOWN-OP': /Expected: 400\s+Actual:\s+200/,
  'RFC-PATCH-INVALID-PATH': /Expected: 400\s+Actual:\s+200/,
  'RFC-PATCH-READONLY': /Expected: 400\s+Actual:\s+200/,
  // a second DELETE answered 500
  'RFC-USER-DELETE-AGAIN': /Actual:\s+500 to DELETE /,
  // a bare, empty 404
  'RFC-ERROR-RESPONSE': /the response body is JSON[\s\S]*an empty body/,
  // POST /Bulk answered 500 after running its operations (both bulk checks sent one)
  'RFC-BULK-POST': /Actual:\s+500 to POST .*\/Bulk/,
  'RFC-BULK-BULKID': /Actual:\s+500 to POST .*\/Bulk/,
};

describe('injected deviations on SCIMMY', () => {
  test('each is flagged by its check, and nothing else fails', () => {
    const drift = verdictDrift(r, 'scimmy');
    const failed = r.report.results.filter((x) => x.verdict === 'failed').map((x) => x.behaviour).sort();
    expect(failed, drift.join('\n')).toEqual(Object.keys(FLAGGED).sort());
    // verdictDrift lists exactly those failures (they are not in expectations/scimmy.json), nothing more.
    expect(drift.map((d) => d.split(':')[0]).sort()).toEqual(Object.keys(FLAGGED).sort());
    for (const [id, said] of Object.entries(FLAGGED)) {
      const message = r.report.results.find((x) => x.behaviour === id)?.failures?.map((f) => f.message).join('\n') ?? '';
      expect(message, id).toMatch(said);
    }
  });

  test('the verdict is not conformant, exit code 1', () => {
    expect(r.report.verdict).toBe('not conformant');
    expect(r.report.summary.mustFailed).toBe(Object.keys(FLAGGED).length);
    expect(r.code).toBe(1);
  });

  test('it removes everything it created, the users and group the lost Bulk answers created included', async () => {
    for (const [path, attr] of [['Users', 'userName'], ['Groups', 'displayName']]) {
      const res = await fetch(`${server.root}/${path}?filter=${encodeURIComponent(`${attr} sw "scimct-"`)}`, { headers: { authorization: `Bearer ${server.token}` } });
      expect((await res.json()).totalResults, path).toBe(0);
    }
  });
});

describe('a PUT answered 409 uniqueness, but applied (a --id run)', () => {
  let lying: RunningScimmy;
  let run: Rfc7644Run;

  beforeAll(async () => {
    lying = await startScimmy(undefined, { putClashApplied: 409 });
    run = await runRfc7644(lying.root, lying.token, 'scimmy', {}, ['--id', 'RFC-USER-REPLACE-UNIQUENESS']);
  }, 170_000);

  afterAll(async () => {
    await lying?.close();
  });

  test('the read-back shows the change the answer denies', () => {
    const f = run.report.results.find((x) => x.behaviour === 'RFC-USER-REPLACE-UNIQUENESS');
    expect(f?.verdict, run.stdout.slice(-3000)).toBe('failed');
    expect(f?.failures?.[0].message).toMatch(/the user the PUT targeted keeps its userName \(the refused PUT changed nothing\)/);
    expect(run.report.verdict).toBe('not conformant');
  });
});
