/**
 * What a check's run amounts to, decided from what it threw and the exchanges it made (clean-up included), before
 * the target's known-failure expectations apply:
 *
 * - housekeeping requests (the check's clean-up, settling a lost create: http.ts `housekeeping`) are counted but never
 *   judged: a clean-up that fails never fails or blocks a check (what it left is swept and reported);
 * - a final server error anywhere else (a 5xx that was not retried away; 501 Not Implemented is an answer, not an
 *   error) fails the check that got it, whatever the check expected and whatever else happened;
 * - a skip the check decided stands;
 * - a set-up step that failed (SetupFailure), an unreachable target, or any failure after a write whose answer is
 *   ambiguous (an attempt got no answer, and the harness could not settle it) blocks the check: it could not judge
 *   its behaviour (under ideal conditions, the embedded emulator that must pass 100%, that is a failure). A check blocked by an
 *   ambiguous write is `rerun`: its state may be the lost attempt's doing, so outcome.ts runs it again;
 * - any other error fails it; no error passes it.
 */
import type { RecordedExchange } from '../http.ts';
import { TransportError } from '../http.ts';
import type { FailureData } from '../results.ts';
import { ConformanceFailure, formatExchange, SetupFailure } from '../verify.ts';

export type Judgement =
  | { kind: 'passed' }
  /** The check skipped itself: rethrow what it threw. */
  | { kind: 'skipped' }
  /** `rerun`: blocked by an ambiguous write, so running the check again may judge it. */
  | { kind: 'blocked'; reason: string; failure: FailureData; rerun?: boolean }
  /** `error` is what the test throws (its message is the failure message). */
  | { kind: 'failed'; failure: FailureData; error: Error };

export interface JudgeInput {
  thrown: unknown;
  exchanges: readonly RecordedExchange[];
  /** `[ID] title (level; sources)`. */
  requirement: string;
  /** The check called ctx.skip. */
  skipped: boolean;
  /**
   * Ideal conditions (config/target.ts isIdeal: the embedded emulator outside its live-org profile): nothing may be
   * blocked there. The live-org profile loses answers like a real org, so its ambiguous writes block and run again.
   */
  ideal: boolean;
}

export function judge(input: JudgeInput): Judgement {
  const { thrown, requirement } = input;
  const judged = input.exchanges.filter((x) => !x.housekeeping);
  const serverError = finalServerError(judged, requirement);
  if (serverError) return { kind: 'failed', failure: serverError, error: new ConformanceFailure(serverError) };
  if (thrown === undefined) return { kind: 'passed' };
  if (input.skipped) return { kind: 'skipped' };
  const failure = failureData(thrown, judged, requirement);
  const ambiguous = judged.find((x) => x.ambiguous && !x.settled);
  if (ambiguous && !input.ideal && !unreachable(thrown)) {
    return { kind: 'blocked', reason: ambiguousReason(ambiguous), failure: thrown instanceof ConformanceFailure ? failure : { ...failure, exchange: ambiguous }, rerun: true };
  }
  if (blocks(thrown) && !input.ideal) return { kind: 'blocked', reason: blockedReason(thrown, failure), failure };
  let error = thrown instanceof Error ? thrown : new Error(String(thrown));
  if (!(thrown instanceof ConformanceFailure) && failure.exchange) {
    // An unexpected error (e.g. reading a field of a missing body): keep the evidence with it.
    error.message = `${error.message}\nLast exchange:\n${formatExchange(failure.exchange)}`;
  }
  if (thrown instanceof TransportError) error = new ConformanceFailure(failure);
  return { kind: 'failed', failure, error };
}

/**
 * The first answer that is a server error and final (not retried): a 5xx is never a conformant answer, to a valid or
 * an invalid request, in a check's set-up and clean-up too. 501 Not Implemented is how RFC 7644 says "not supported"
 * (/Me, /.search, /Bulk): an answer, not an error.
 */
export function finalServerError(exchanges: readonly RecordedExchange[], requirement: string): FailureData | undefined {
  const ex = exchanges.find((x) => x.response && x.response.status >= 500 && x.response.status !== 501 && !x.retried);
  if (!ex?.response) return undefined;
  const path = ex.request.url.replace(/^https?:\/\/[^/]+/, '');
  return {
    requirement,
    check: 'every answer is free of server errors: a 5xx (but 501 Not Implemented) is never a conformant answer, to a valid or an invalid request',
    expected: 'no 5xx answer (503 and gateway errors are retried, and only fail when they persist)',
    actual: `${ex.response.status} to ${ex.request.method} ${path}`,
    exchange: ex,
  };
}

/** What failed, as report data: the parts of a ConformanceFailure, a request without answer, or an unexpected error. */
function failureData(e: unknown, exchanges: readonly RecordedExchange[], requirement: string): FailureData {
  if (e instanceof ConformanceFailure) return e.data();
  if (e instanceof TransportError) {
    return {
      requirement,
      check: 'the target answers the request (after the retries runtime/retry.ts allows)',
      expected: 'an HTTP answer',
      actual: `no answer: ${e.exchange.error ?? e.message}`,
      exchange: e.exchange,
    };
  }
  const exchange = exchanges.at(-1);
  const error = e instanceof Error ? `${e.name}: ${e.message.split('\n')[0]}` : String(e);
  return { requirement, check: 'the check runs to completion', expected: 'no error', actual: error, ...(exchange ? { exchange } : {}) };
}

const UNREACHABLE = /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH)\b/;

const unreachable = (e: unknown): boolean => e instanceof TransportError && UNREACHABLE.test(e.exchange.error ?? '');

/** Whether an error stops a check from judging its behaviour rather than proving it wrong. */
function blocks(e: unknown): boolean {
  // An unreachable target blocks the check; a server that resets or times out on this request, again and again
  // after the retries, fails it (a request must never freeze or crash the server).
  return e instanceof SetupFailure || unreachable(e);
}

function blockedReason(e: unknown, failure: FailureData): string {
  if (e instanceof TransportError) return `the target did not answer: ${failure.actual}`;
  return `${failure.check}: expected ${failure.expected}, got ${failure.actual}`;
}

/** A write answered only after an attempt that got no answer may have been applied twice: what followed proves nothing. */
function ambiguousReason(ex: RecordedExchange): string {
  const path = ex.request.url.replace(/^https?:\/\/[^/]+/, '');
  return `${ex.request.method} ${path} was answered ${ex.response?.status ?? '(no answer)'} only after an attempt that got no answer, so the server may have applied it twice`;
}
