import { describe, expect, test } from 'vitest';
import { judge } from '../runtime/behaviour/judge.ts';
import { TransportError, type RecordedExchange } from '../runtime/http.ts';
import { ConformanceFailure, SetupFailure } from '../runtime/verify.ts';

const requirement = '[USR-GET] returns a user (MUST; seed 000)';
const exchange = (status: number | undefined, extra: Partial<RecordedExchange> = {}): RecordedExchange => ({
  request: { method: 'GET', url: 'http://h/api/v2/scim/v2/users/1', headers: {} },
  ...(status === undefined ? { error: 'connect ECONNREFUSED 127.0.0.1:1 (ECONNREFUSED)' } : { response: { status, headers: {}, body: '' } }),
  durationMs: 1,
  ...extra,
});
const failure = (ex?: RecordedExchange) => new ConformanceFailure({ requirement, check: 'HTTP status', expected: 200, actual: 404, exchange: ex });
const setup = (ex?: RecordedExchange) => new SetupFailure({ requirement, check: 'set-up: POST /users creates the user the check needs', expected: 'a 2xx answer', actual: 400, exchange: ex });
const base = { requirement, skipped: false, ideal: false };

describe('judge: what a check run amounts to', () => {
  test('no error and no server error passes', () => {
    expect(judge({ ...base, thrown: undefined, exchanges: [exchange(200), exchange(404)] }).kind).toBe('passed');
  });

  test('a final 5xx anywhere fails the check, even when the check itself passed or skipped', () => {
    for (const input of [
      { ...base, thrown: undefined },
      { ...base, thrown: new Error('skip'), skipped: true },
      { ...base, thrown: setup() },
    ]) {
      const j = judge({ ...input, exchanges: [exchange(200), exchange(500), exchange(404)] });
      expect(j.kind).toBe('failed');
      if (j.kind === 'failed') {
        expect(j.failure.actual).toBe('500 to GET /api/v2/scim/v2/users/1');
        expect(j.error).toBeInstanceOf(ConformanceFailure);
      }
    }
  });

  test('a 5xx that was retried away, and 501 Not Implemented, fail nothing', () => {
    expect(judge({ ...base, thrown: undefined, exchanges: [exchange(503, { retried: '503' }), exchange(200)] }).kind).toBe('passed');
    expect(judge({ ...base, thrown: undefined, exchanges: [exchange(501)] }).kind).toBe('passed');
  });

  test('a skip the check decided stands', () => {
    expect(judge({ ...base, thrown: new Error('skip'), skipped: true, exchanges: [exchange(400)] }).kind).toBe('skipped');
  });

  test('a set-up failure blocks the check, with the step that failed', () => {
    const j = judge({ ...base, thrown: setup(exchange(400)), exchanges: [exchange(400)] });
    expect(j).toMatchObject({ kind: 'blocked', failure: { check: 'set-up: POST /users creates the user the check needs', actual: '400' } });
    if (j.kind === 'blocked') expect(j.reason).toMatch(/^set-up: POST \/users .* got 400$/);
  });

  test('under ideal conditions (the embedded emulator) nothing is blocked: a set-up failure fails', () => {
    expect(judge({ ...base, ideal: true, thrown: setup(exchange(400)), exchanges: [exchange(400)] }).kind).toBe('failed');
  });

  test('an unreachable target blocks; a request the server never answers fails', () => {
    const refused = exchange(undefined);
    expect(judge({ ...base, thrown: new TransportError('GET failed', refused), exchanges: [refused] }).kind).toBe('blocked');
    const hung = exchange(undefined, { error: 'Headers Timeout Error (UND_ERR_HEADERS_TIMEOUT)' });
    const j = judge({ ...base, thrown: new TransportError('GET failed', hung), exchanges: [hung] });
    expect(j.kind).toBe('failed');
    if (j.kind === 'failed') expect(j.failure).toMatchObject({ check: expect.stringMatching(/the target answers/), actual: expect.stringMatching(/TIMEOUT/) });
  });

  test('a failure proven by an ambiguous answer (a write sent again after a lost connection) blocks, and asks for a re-run', () => {
    const ambiguous = exchange(409, { ambiguous: true });
    const j = judge({ ...base, thrown: failure(ambiguous), exchanges: [exchange(undefined, { retried: 'transport' }), ambiguous] });
    expect(j).toMatchObject({ kind: 'blocked', rerun: true, reason: expect.stringMatching(/only after an attempt that got no answer/) });
  });

  test('any failure after an unsettled ambiguous write blocks (the state may be the lost attempt\'s doing); a settled one does not', () => {
    const patch = exchange(200, { ambiguous: true, request: { method: 'PATCH', url: 'http://h/api/v2/scim/v2/users/1', headers: {} } });
    const later = exchange(200);
    expect(judge({ ...base, thrown: failure(later), exchanges: [patch, later] })).toMatchObject({ kind: 'blocked', rerun: true });
    expect(judge({ ...base, thrown: failure(later), exchanges: [{ ...patch, settled: true }, later] }).kind).toBe('failed');
    // nothing failed: an ambiguous write changes nothing
    expect(judge({ ...base, thrown: undefined, exchanges: [patch, later] }).kind).toBe('passed');
    // on the embedded emulator nothing is blocked
    expect(judge({ ...base, ideal: true, thrown: failure(later), exchanges: [patch, later] }).kind).toBe('failed');
  });

  test('housekeeping requests (clean-up, settling a lost create) are counted but never judged: a failed clean-up fails nothing', () => {
    const cleanup = exchange(500, { housekeeping: true, request: { method: 'DELETE', url: 'http://h/api/v2/scim/v2/users/1', headers: {} } });
    expect(judge({ ...base, thrown: undefined, exchanges: [exchange(200), cleanup] }).kind).toBe('passed');
    expect(judge({ ...base, thrown: undefined, exchanges: [exchange(200), { ...cleanup, housekeeping: undefined }] }).kind).toBe('failed');
  });

  test('any other error fails, with the last exchange as evidence', () => {
    const j = judge({ ...base, thrown: new TypeError("Cannot read properties of undefined (reading 'id')"), exchanges: [exchange(200)] });
    expect(j.kind).toBe('failed');
    if (j.kind === 'failed') {
      expect(j.failure).toMatchObject({ check: 'the check runs to completion', actual: expect.stringMatching(/^TypeError/) });
      expect(j.error.message).toMatch(/Last exchange:/);
    }
  });
});
