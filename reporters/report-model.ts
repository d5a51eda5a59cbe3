/**
 * The conformance report model: pure functions from test outcomes to verdicts, shared by the
 * reporter (which writes the report) and the CLI (which prints the summary and picks the exit code).
 * The format is documented by schemas/reports/conformance-report.schema.json; every rendering (text,
 * Markdown, HTML, JUnit) is drawn from one view of it (reporters/view-model.ts).
 */
import { createHash } from 'node:crypto';
import { inProfile, loadCatalogue, type Behaviour } from '../harness/config/catalogue.ts';
import type { ResolvedTarget } from '../harness/config/target.ts';
import { curlFor, type RecordedExchange } from '../harness/runtime/http.ts';
import type { FailureData, SkipKind, TestVerdict, Verdict } from '../harness/runtime/results.ts';

export type { SkipKind, Verdict };

export interface TestOutcome {
  behaviour: string;
  prefix: string;
  project: string;
  apiVersion: string;
  test: string;
  level: string;
  resource: string;
  verdict: TestVerdict;
  note?: string;
  skipKind?: SkipKind;
  /** The failure message as vitest reports it (for people). */
  message?: string;
  /** The failure as data (harness/runtime/results.ts): what the report's failure detail is built from. */
  failure?: FailureData;
  requests?: number;
  retries?: number;
  durationMs?: number;
  /** What the test's clean-up could not remove (left for the end-of-run sweep): never a failure. */
  cleanup?: string[];
  /** How long the check waited for its writes to show in lists and filters (ctx.eventually). */
  indexWait?: { waitedMs: number; polls: number; settled: boolean };
}

export interface FailureDetail {
  test: string;
  /** `[ID] title (level; sources)`. */
  requirement: string;
  check?: string;
  expected?: string;
  actual?: string;
  message: string;
  exchange?: RecordedExchange;
  reproduce?: string;
}

/** One test (one case-table row) of a behaviour on a prefix. */
export interface CaseResult {
  test: string;
  verdict: TestVerdict;
  /** Skip reason or known-failure reason. */
  note?: string;
  skipKind?: SkipKind;
  /** The error a known failure raised (its first lines). */
  message?: string;
  durationMs?: number;
}

export interface BehaviourResult {
  behaviour: string;
  title: string;
  level: string;
  resource: string;
  area: string;
  /** Where the behaviour comes from (catalogue `sources`: seed docs, reference notes, RFC sections; see docs/SOURCES.md). */
  sources?: string[];
  apiVersion: string;
  prefix: string;
  verdict: Verdict;
  tests: { passed: number; failed: number; skipped: number; knownFailures: number; blocked: number };
  /** HTTP requests its tests sent (including set-up and clean-up done inside the test). */
  requests?: number;
  /** Skip reason, known-failure reason, or why it did not run. */
  note?: string;
  skipKind?: SkipKind;
  failures?: FailureDetail[];
  /** Every test of the behaviour on this prefix (one per case-table row). */
  cases?: CaseResult[];
}

export interface ReportTarget {
  project: string;
  name: string;
  baseUrl: string;
  embedded: boolean;
  apiVersion: string;
  profile: string;
  /** SCIM_STRICT: SHOULD failures count like MUST failures. */
  strict?: boolean;
  prefixes: string[];
  runId: string;
  capabilities: unknown;
  capabilitiesNote?: string;
}

export type OverallVerdict = 'conformant' | 'not conformant' | 'incomplete' | 'partial';

/** How a run was narrowed (CLI --id / --filter / --file, or a vitest test-name pattern), or cut short by a signal. */
export interface RunSelection {
  ids?: string[];
  filter?: string;
  /** --file: only these suite files ran. */
  files?: string[];
  testNamePattern?: string;
  /** The run was interrupted (SIGINT/SIGTERM): what had not run yet never did. */
  interrupted?: boolean;
}

export interface ConformanceReport {
  tool: 'scim-conformance';
  reportVersion: 3;
  suite: { name: string; version: string; commit: string };
  generatedAt: string;
  startedAt: string;
  durationMs: number;
  /**
   * Lists and filters that lagged the run's writes (a search index): how many checks waited for their writes to show,
   * the extra requests it cost, the longest wait, and how many checks gave up waiting (SCIM_INDEX_WAIT_MS ran out).
   */
  indexLag?: { checksThatWaited: number; polls: number; longestWaitMs: number; unsettled: number; waitLimitMs: number };
  /** Every SCIM request of the run (schemas/reports/conformance-report.schema.json); `runner` is included in `sent`. */
  requests: { sent: number; retried: number; runner?: { atStart: number; atEnd?: number } };
  targets: ReportTarget[];
  /**
   * partial: the run checked only part of the catalogue (narrowed by --id/--filter or a test-name pattern, or
   * behaviours that apply did not run at all, e.g. a test file that failed to load). A partial run never
   * certifies conformance.
   */
  selection: RunSelection & { partial: boolean; missing?: number };
  summary: {
    behaviours: number;
    passed: number;
    failed: number;
    skipped: number;
    knownFailures: number;
    /** Behaviour×prefix results whose check could not judge (a set-up step failed, the target did not answer). */
    blocked: number;
    notRun: number;
    mustFailed: number;
    /** SHOULD behaviours that failed: warnings, unless the run is strict (SCIM_STRICT), where they count like MUST. */
    shouldFailed: number;
    /** MUST behaviours skipped because the run lacked something (writes, limited identity, org fixture). */
    mustSkippedForConfiguration: number;
    /** Required behaviours that are listed known failures (expectations/<target>.json): the target is not conformant. */
    mustKnownFailures: number;
    /** Required behaviours whose check was blocked: the verdict cannot be conformant. */
    mustBlocked: number;
  };
  /**
   * Counted over the required (MUST) behaviours that apply to the API version:
   * not conformant when one failed or is a listed known failure; partial when none failed but the run was partial;
   * incomplete when none failed but some could not run for lack of configuration or were blocked (a set-up step
   * failed, the target did not answer); conformant otherwise. Behaviours the server declares unsupported are
   * skipped, not failed.
   */
  verdict: OverallVerdict;
  results: BehaviourResult[];
  /**
   * What the run could not remove. `steps`: a test's clean-up that failed (the end-of-run sweep retried it; never a
   * failure of the check); `leftBehind`: what the end-of-run sweep could not remove either: still on the target, and
   * in the ledger (reports/.ledger) for the next run's sweep.
   */
  cleanup?: { steps: string[]; leftBehind: string[] };
  /** sha256 over the canonical JSON of everything above; see bin/verify-report.ts. */
  integrity?: { algorithm: 'sha256'; hash: string };
}

/** Whether a failure at this level counts in the verdict: MUST always; SHOULD in a strict run (SCIM_STRICT); MAY never. */
export function countsInVerdict(level: string, strict: boolean): boolean {
  return level === 'MUST' || (strict && level === 'SHOULD');
}

/** A run is strict when its target is (SCIM_STRICT=true). */
export function isStrict(report: Pick<ConformanceReport, 'targets'>): boolean {
  return report.targets.some((t) => t.strict === true);
}

const ORDER: Record<TestVerdict, number> = { failed: 4, 'known-failure': 3, blocked: 2, passed: 1, skipped: 0 };

/**
 * The verdict of several tests of one behaviour on one prefix: any failure fails it; a blocked test leaves it blocked
 * unless one failed; skipped only if all were skipped.
 */
function combinedVerdict(verdicts: TestVerdict[]): TestVerdict {
  return verdicts.reduce<TestVerdict>((acc, v) => (ORDER[v] > ORDER[acc] ? v : acc), 'skipped');
}

/** The failure detail of a failed test, from the failure data the harness recorded (never from the message text). */
export function failureDetailOf(o: TestOutcome, entry: Behaviour | undefined = undefined): FailureDetail {
  const f = o.failure;
  const exchange = f?.exchange;
  return {
    test: o.test,
    // A test that failed outside the harness (e.g. a timeout) has no failure data: the catalogue names the requirement.
    requirement: f?.requirement ?? (entry ? `[${entry.id}] ${entry.title} (${entry.level}; ${entry.sources.join('; ')})` : `[${o.behaviour}]`),
    ...(f ? { check: f.check, expected: f.expected, actual: f.actual } : {}),
    message: o.message ?? '',
    exchange,
    reproduce: exchange ? curlFor(exchange) : undefined,
  };
}

const definedOnly = <T extends object>(o: T): Partial<T> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

export interface BuildOptions {
  now?: Date;
  startedAt?: Date;
  suite?: ConformanceReport['suite'];
  /** Include catalogue behaviours that did not run (pending, filtered out) as not-run rows. */
  includeNotRun?: boolean;
  /** How the run was narrowed, if it was. */
  selection?: RunSelection;
}

const INTERRUPTED = 'not run: the run was interrupted before it got there';

const NOT_SELECTED = 'not selected in this run';
const PENDING = 'no test yet (pending in the catalogue)';
const MISSING = 'no test result: its test file may have failed to load';

export function buildReport(outcomes: TestOutcome[], targets: [string, ResolvedTarget][], options: BuildOptions = {}): ConformanceReport {
  const now = options.now ?? new Date();
  const catalogue = loadCatalogue();
  const byId = new Map(catalogue.map((b) => [b.id, b]));
  const groups = new Map<string, TestOutcome[]>();
  for (const o of outcomes) {
    const key = `${o.apiVersion}\u0000${o.behaviour}\u0000${o.prefix}`;
    const list = groups.get(key) ?? [];
    list.push(o);
    groups.set(key, list);
  }
  const selection: RunSelection = definedOnly(options.selection ?? {});
  const narrowed = Boolean(selection.ids?.length || selection.filter || selection.files?.length || selection.testNamePattern);
  const results: BehaviourResult[] = [];
  for (const list of groups.values()) {
    const first = list[0];
    const count = (v: Verdict) => list.filter((o) => o.verdict === v).length;
    const tests = { passed: count('passed'), failed: count('failed'), skipped: count('skipped'), knownFailures: count('known-failure'), blocked: count('blocked') };
    const verdict = combinedVerdict(list.map((o) => o.verdict));
    // Failures, and what blocked a check (the step that failed), both with their evidence.
    const failed = list.filter((o) => o.verdict === 'failed' || o.verdict === 'blocked');
    const noted = list.find((o) => o.verdict === verdict && o.note);
    const entry = byId.get(first.behaviour);
    results.push({
      behaviour: first.behaviour,
      title: entry?.title ?? first.test,
      level: first.level,
      resource: first.resource,
      area: entry?.area ?? '?',
      sources: entry ? [...entry.sources] : undefined,
      apiVersion: first.apiVersion,
      prefix: first.prefix,
      verdict,
      tests,
      requests: list.reduce((n, o) => n + (o.requests ?? 0), 0),
      note: noted?.note,
      skipKind: verdict === 'skipped' ? list.find((o) => o.skipKind)?.skipKind : undefined,
      failures: failed.length ? failed.map((o) => failureDetailOf(o, entry)) : undefined,
      cases: list.map((o) =>
        definedOnly({
          test: o.test,
          verdict: o.verdict,
          note: o.note,
          skipKind: o.verdict === 'skipped' ? o.skipKind : undefined,
          message: o.verdict === 'known-failure' ? o.message : undefined,
          durationMs: o.durationMs,
        }) as CaseResult,
      ),
    });
  }
  if (options.includeNotRun) {
    for (const [, t] of targets) {
      for (const b of catalogue) {
        if (!b.versions.includes(t.apiVersion) || !inProfile(b, t.profile)) continue;
        for (const prefix of t.prefixes) {
          if (groups.has(`${t.apiVersion}\u0000${b.id}\u0000${prefix}`)) continue;
          results.push({
            behaviour: b.id,
            title: b.title,
            level: b.level,
            resource: b.resource,
            area: b.area,
            sources: [...b.sources],
            apiVersion: t.apiVersion,
            prefix,
            verdict: 'not-run',
            tests: { passed: 0, failed: 0, skipped: 0, knownFailures: 0, blocked: 0 },
            note: b.status === 'pending' ? PENDING : narrowed ? NOT_SELECTED : selection.interrupted ? INTERRUPTED : MISSING,
          });
        }
      }
    }
  }
  results.sort((a, b) => a.apiVersion.localeCompare(b.apiVersion) || a.behaviour.localeCompare(b.behaviour) || a.prefix.localeCompare(b.prefix));
  const ran = results.filter((r) => r.verdict !== 'not-run');
  // SHOULD failures are warnings; a strict run (SCIM_STRICT=true) counts them like MUST failures.
  const strict = targets.some(([, t]) => t.strict === true);
  const required = (level: string) => countsInVerdict(level, strict);
  const summary = {
    behaviours: ran.length,
    passed: ran.filter((r) => r.verdict === 'passed').length,
    failed: ran.filter((r) => r.verdict === 'failed').length,
    skipped: ran.filter((r) => r.verdict === 'skipped').length,
    knownFailures: ran.filter((r) => r.verdict === 'known-failure').length,
    blocked: ran.filter((r) => r.verdict === 'blocked').length,
    notRun: results.length - ran.length,
    mustFailed: ran.filter((r) => r.verdict === 'failed' && r.level === 'MUST').length,
    shouldFailed: ran.filter((r) => r.verdict === 'failed' && r.level === 'SHOULD').length,
    mustSkippedForConfiguration: ran.filter((r) => r.verdict === 'skipped' && required(r.level) && r.skipKind === 'configuration').length,
    mustKnownFailures: ran.filter((r) => r.verdict === 'known-failure' && required(r.level)).length,
    mustBlocked: ran.filter((r) => r.verdict === 'blocked' && required(r.level)).length,
  };
  // Behaviours that apply but did not run although nothing narrowed the run: the run is partial all the same.
  const missing = results.filter((r) => r.note === MISSING).length;
  const partial = narrowed || missing > 0 || selection.interrupted === true;
  const requiredFailed = ran.filter((r) => r.verdict === 'failed' && required(r.level)).length;
  // A known failure is still a failure: it never makes a target conformant (the CLI may still exit 0 when every
  // required failure is a known one, so CI catches regressions only). Blocked checks leave the verdict incomplete.
  const verdict: OverallVerdict =
    requiredFailed > 0 || summary.mustKnownFailures > 0
      ? 'not conformant'
      : partial
        ? 'partial'
        : summary.mustSkippedForConfiguration > 0 || summary.mustBlocked > 0
          ? 'incomplete'
          : 'conformant';
  const startedAt = options.startedAt ?? now;
  const report: ConformanceReport = {
    tool: 'scim-conformance',
    reportVersion: 3,
    suite: options.suite ?? { name: 'scim-conformance', version: '0.0.0', commit: 'unknown' },
    generatedAt: now.toISOString(),
    startedAt: startedAt.toISOString(),
    durationMs: Math.max(0, now.getTime() - startedAt.getTime()),
    requests: requestTotals(outcomes, targets.map(([, t]) => t)),
    ...indexLagOf(outcomes, targets.map(([, t]) => t)),
    targets: targets.map(([project, t]) => ({
      project,
      name: t.targetName,
      baseUrl: t.baseUrl,
      embedded: t.embedded,
      apiVersion: t.apiVersion,
      profile: t.profile ?? 'genesys',
      ...(t.strict !== undefined ? { strict: t.strict } : {}),
      prefixes: t.prefixes,
      runId: t.run.runId,
      capabilities: t.capabilities,
      capabilitiesNote: t.capabilitiesNote,
    })),
    selection: { partial, ...selection, ...(missing ? { missing } : {}) },
    summary,
    verdict,
    results,
  };
  const steps = outcomes.flatMap((o) => (o.cleanup ?? []).map((c) => `${o.test} on ${o.prefix}: ${c}`));
  if (steps.length) report.cleanup = { steps, leftBehind: [] };
  return sealReport(report);
}

/** The observed lag of lists and filters behind the run's writes (absent when no check had to wait). */
function indexLagOf(outcomes: TestOutcome[], targets: ResolvedTarget[]): Pick<ConformanceReport, 'indexLag'> {
  const waits = outcomes.flatMap((o) => (o.indexWait ? [o.indexWait] : []));
  if (waits.length === 0) return {};
  return {
    indexLag: {
      checksThatWaited: waits.length,
      polls: waits.reduce((n, w) => n + w.polls, 0),
      longestWaitMs: Math.max(...waits.map((w) => w.waitedMs)),
      unsettled: waits.filter((w) => !w.settled).length,
      waitLimitMs: Math.max(0, ...targets.map((t) => t.indexWaitMs ?? 0)),
    },
  };
}

/** The run's requests: the checks' (clean-up included) and what the runner sent at the start (per target). */
function requestTotals(outcomes: TestOutcome[], targets: ResolvedTarget[]): ConformanceReport['requests'] {
  const atStart = targets.reduce((n, t) => n + (t.runnerRequests?.atStart ?? 0), 0);
  return {
    sent: outcomes.reduce((n, o) => n + (o.requests ?? 0), 0) + atStart,
    retried: outcomes.reduce((n, o) => n + (o.retries ?? 0), 0),
    ...(targets.some((t) => t.runnerRequests) ? { runner: { atStart } } : {}),
  };
}

/**
 * Adds what happened when the run ended, after the report was written (the end-of-run clean-up): the requests the
 * runner sent, and what it could not remove; seals the report again.
 */
export function withEndOfRun(report: ConformanceReport, end: { requests: number; leftBehind?: string[] }): ConformanceReport {
  const runner = { atStart: report.requests.runner?.atStart ?? 0, atEnd: (report.requests.runner?.atEnd ?? 0) + end.requests };
  const leftBehind = [...(report.cleanup?.leftBehind ?? []), ...(end.leftBehind ?? [])];
  const cleanup = report.cleanup || leftBehind.length ? { steps: report.cleanup?.steps ?? [], leftBehind } : undefined;
  return sealReport({ ...report, requests: { ...report.requests, sent: report.requests.sent + end.requests, runner }, ...(cleanup ? { cleanup } : {}) });
}

/** Canonical JSON: keys sorted at every level, no whitespace. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function reportHash(report: ConformanceReport): string {
  const { integrity: _ignored, ...content } = report;
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

export function sealReport(report: ConformanceReport): ConformanceReport {
  const { integrity: _ignored, ...content } = report;
  return { ...content, integrity: { algorithm: 'sha256', hash: reportHash(report) } };
}

export function verifyReport(report: ConformanceReport): { ok: boolean; expected?: string; actual: string } {
  const actual = reportHash(report);
  return { ok: report.integrity?.hash === actual, expected: report.integrity?.hash, actual };
}

/**
 * 0 conformant; 1 not conformant; 3 incomplete; a partial run: 0, or 3 when MUST behaviours were skipped for lack of
 * configuration. A target whose only required failures are listed known failures is "not conformant", but exits as
 * it would without them (0, or 3 when MUST behaviours were blocked or skipped for lack of configuration): CI fails on
 * what changed, not on what the expectations file already says, and known failures never hide an incomplete run.
 */
export function exitCodeOf(report: ConformanceReport): number {
  const strict = report.targets.some((t) => t.strict);
  const unexpected = report.summary.mustFailed + (strict ? report.summary.shouldFailed : 0);
  if (report.verdict === 'not conformant' && unexpected === 0 && report.summary.mustKnownFailures > 0) {
    return report.summary.mustBlocked > 0 || report.summary.mustSkippedForConfiguration > 0 ? 3 : 0;
  }
  switch (report.verdict) {
    case 'conformant':
      return 0;
    case 'incomplete':
      return 3;
    case 'partial':
      return report.summary.mustSkippedForConfiguration > 0 ? 3 : 0;
    default:
      return 1;
  }
}
