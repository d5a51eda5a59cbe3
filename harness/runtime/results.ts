/**
 * What a behaviour test's result carries to the report, as data: why it was skipped (a kind and a reason) and what
 * failed (the requirement, the check, expected, actual and the exchange that proved it). The harness writes it into
 * the vitest task meta; reporters/ read it from there. Nothing is recovered from message text, so rewording a skip
 * reason or a failure message never changes a verdict. One definition, shared by harness/ and reporters/.
 */
import type { RecordedExchange } from './http.ts';

/** Why a test did not run. Only `configuration` makes a run's verdict incomplete (README "Verdict"). */
export const SKIP_KINDS = {
  /** The behaviour (or the case-table row) is not documented for the target's API version. */
  version: 'not documented for the API version',
  /** The server says it does not support it: its ServiceProviderConfig, Schemas or ResourceTypes (or a 501). */
  capability: 'the server declares it unsupported',
  /** The run lacks something it could be given: writes, the limited identity, an org fixture, a prefix. */
  configuration: 'the run lacks configuration',
  /** A case-table row that does not apply to this target (another resource type, another starting state). */
  row: 'the case-table row does not apply',
  /** The target's data or answer left nothing to judge: too few resources, a list too long to scan in budget. */
  inconclusive: 'nothing to judge on this target',
  /**
   * A case-table row sent under another prefix only (SCIM_CASES=spread, the default against a real org): every row is
   * sent once per run, each prefix sending at least one, so the behaviour is still judged under each.
   */
  economy: 'sent under another prefix (request economy)',
} as const;
export type SkipKind = keyof typeof SKIP_KINDS;

export interface Skip {
  kind: SkipKind;
  reason: string;
}

/**
 * The outcome of one test. `blocked`: the check could not judge its behaviour because something it needed first
 * failed (a resource it creates was refused, the target did not answer, a write's answer was ambiguous after a lost
 * connection); the step that failed is in its failure data. A blocked MUST behaviour makes a verdict incomplete,
 * never "not conformant": the behaviour whose step failed is judged by its own check.
 */
export type TestVerdict = 'passed' | 'failed' | 'skipped' | 'known-failure' | 'blocked';
/** The outcome of a behaviour × prefix in the report: a test verdict, or not run at all. */
export type Verdict = TestVerdict | 'not-run';

/** A failed check as the harness saw it: `expected` and `actual` are the values it compared. */
export interface FailureParts {
  /** `[ID] title (level; sources)`. */
  requirement: string;
  /** What was checked, e.g. "HTTP status". */
  check: string;
  expected: unknown;
  actual: unknown;
  /** The exchange that proved it (redacted). */
  exchange?: RecordedExchange;
}

/** A failure as data for the report: FailureParts with expected and actual rendered as text. */
export interface FailureData {
  requirement: string;
  check: string;
  expected: string;
  actual: string;
  exchange?: RecordedExchange;
}

declare module 'vitest' {
  interface TaskMeta {
    behaviour?: string;
    prefix?: string;
    level?: string;
    resource?: string;
    /** Why the test was skipped. */
    skip?: Skip;
    /** What failed (absent when the test passed, or failed outside the harness, e.g. a timeout). */
    failure?: FailureData;
    /** Why the check could not judge its behaviour, and the step that failed (see TestVerdict). */
    blocked?: { reason: string; failure: FailureData };
    /** Resources the test created that its clean-up could not remove (left in the ledger for the end-of-run sweep). */
    cleanupProblems?: string[];
    /** Set when a listed known failure failed as expected: the reason of the listing and the failure. */
    knownFailure?: { reason: string; failure: FailureData };
    /** How long the check waited for its writes to show in lists and filters (ctx.eventually), and the polls it took. */
    indexWait?: { waitedMs: number; polls: number; settled: boolean };
    /** HTTP requests this test sent (its clean-up included), and how many of them were retries (runtime/retry.ts). */
    requests?: number;
    retries?: number;
  }
}
