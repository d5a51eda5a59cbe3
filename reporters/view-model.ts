/**
 * The one view of a conformance report that every rendering draws: the text summary, Markdown, HTML and JUnit
 * (reporters/render.ts, html.ts, junit.ts) only lay out what is decided here — the mark of every cell and test,
 * its explanation, the titles, the failures grouped by behaviour — so they cannot disagree.
 * It reads the report model only (FailureDetail, CaseResult), never a failure message.
 */
import type { RecordedExchange } from '../harness/runtime/http.ts';
import {
  countsInVerdict,
  isStrict,
  type BehaviourResult,
  type CaseResult,
  type ConformanceReport,
  type FailureDetail,
  type OverallVerdict,
  type SkipKind,
  type Verdict,
} from './report-model.ts';

/** What a cell or a test shows: a failed SHOULD/MAY reads "warn" (it does not count in the verdict) unless the run is strict. */
export type Mark = 'pass' | 'FAIL' | 'warn' | 'skip' | 'known' | 'blocked' | '-';

export function markOf(verdict: Verdict | undefined, level: string, strict: boolean): Mark {
  switch (verdict) {
    case 'passed':
      return 'pass';
    case 'failed':
      return countsInVerdict(level, strict) ? 'FAIL' : 'warn';
    case 'skipped':
      return 'skip';
    case 'known-failure':
      return 'known';
    case 'blocked':
      return 'blocked';
    default:
      return '-';
  }
}

export interface FailureView {
  apiVersion: string;
  prefix: string;
  /** The test title (`[ID] statement › row`). */
  test: string;
  /** The case-table row, when the test is one. */
  row?: string;
  requirement: string;
  check?: string;
  expected?: string;
  actual?: string;
  /** Request line, headers (redacted) and a body excerpt. */
  request?: string;
  /** Status, headers and a body excerpt (or why there was no response). */
  response?: string;
  curl?: string;
  /** The whole failure message, for failures that carry no Expected/Actual. */
  message: string;
}

export interface CaseView {
  /** The test title (`[ID] statement › row`). */
  test: string;
  row?: string;
  verdict: Exclude<Verdict, 'not-run'>;
  mark: Mark;
  /** Why it was skipped (`[kind] reason`), or why it is a known failure. */
  explanation?: string;
  /** The error a known failure raised. */
  detail?: string;
  durationMs?: number;
  failure?: FailureView;
}

export interface CellView {
  prefix: string;
  verdict: Verdict;
  mark: Mark;
  skipKind?: SkipKind;
  /** What the mark means here, e.g. "skipped (configuration): needs …", "known failure: …", "2 of 5 tests failed". */
  explanation: string;
  cases: CaseView[];
}

export interface RowView {
  apiVersion: string;
  behaviour: string;
  title: string;
  level: string;
  resource: string;
  area: string;
  cells: CellView[];
  /** The distinct notes of its cells (skip reasons, known-failure reasons, why it did not run). */
  notes: string[];
  /** false when no cell ran (the behaviour was not selected, or has no test yet). */
  ran: boolean;
  /** Anchor of its failure group, when it has one. */
  failureAnchor?: string;
}

export interface FailureGroupView {
  behaviour: string;
  title: string;
  level: string;
  sources: string[];
  anchor: string;
  items: FailureView[];
}

export interface ReportView {
  verdict: OverallVerdict;
  /** The verdict as printed: for a partial run "partial: N of M selected behaviour×prefix results passed". */
  verdictText: string;
  /** Why the run is partial (its selection), when it is. */
  partialText?: string;
  summaryLine: string;
  strict: boolean;
  /** Label/value lines about the run (suite, targets, integrity). */
  facts: [string, string][];
  prefixes: string[];
  rows: RowView[];
  /** Failures that count in the verdict, one group per behaviour. */
  failures: FailureGroupView[];
  /** SHOULD/MAY failures that do not count in the verdict (non-strict runs), one group per behaviour. */
  warnings: FailureGroupView[];
}

const EXCERPT = 800;
const excerpt = (s: string) => (s.length > EXCERPT ? `${s.slice(0, EXCERPT)}… (${s.length} bytes)` : s);
const headerLines = (headers: Record<string, string>) => Object.entries(headers).map(([k, v]) => `${k}: ${v}`);

function requestOf(ex: RecordedExchange): string {
  return [`${ex.request.method} ${ex.request.url}`, ...headerLines(ex.request.headers), ...(ex.request.body ? ['', excerpt(ex.request.body)] : [])].join('\n');
}

function responseOf(ex: RecordedExchange): string {
  if (!ex.response) return `no response: ${ex.error ?? 'unknown error'}`;
  return [`${ex.response.status} (${ex.durationMs} ms)`, ...headerLines(ex.response.headers), '', ex.response.body ? excerpt(ex.response.body) : '(empty body)'].join('\n');
}

/** The case-table row of a test title `[ID] statement › row`. */
function rowOf(test: string): string | undefined {
  const at = test.indexOf(' › ');
  return at < 0 ? undefined : test.slice(at + 3);
}

function failureView(r: BehaviourResult, f: FailureDetail): FailureView {
  return {
    apiVersion: r.apiVersion,
    prefix: prefixLabel(r.prefix),
    test: f.test,
    row: rowOf(f.test),
    requirement: f.requirement,
    check: f.check,
    expected: f.expected,
    actual: f.actual,
    request: f.exchange ? requestOf(f.exchange) : undefined,
    response: f.exchange ? responseOf(f.exchange) : undefined,
    curl: f.reproduce,
    message: f.message,
  };
}

function skipText(kind: SkipKind | undefined, note: string | undefined): string {
  return `skipped${kind ? ` (${kind})` : ''}: ${note ?? 'no reason given'}`;
}

function caseView(r: BehaviourResult, c: CaseResult, strict: boolean): CaseView {
  const failure = c.verdict === 'failed' || c.verdict === 'blocked' ? r.failures?.find((f) => f.test === c.test) : undefined;
  return {
    test: c.test,
    row: rowOf(c.test),
    verdict: c.verdict,
    mark: markOf(c.verdict, r.level, strict),
    explanation:
      c.verdict === 'skipped'
        ? skipText(c.skipKind, c.note)
        : c.verdict === 'known-failure'
          ? `known failure: ${c.note ?? ''}`
          : c.verdict === 'blocked'
            ? `blocked: ${c.note ?? ''}`
            : undefined,
    detail: c.message,
    durationMs: c.durationMs,
    failure: failure ? failureView(r, failure) : undefined,
  };
}

function explanationOf(r: BehaviourResult): string {
  const t = r.tests;
  const total = t.passed + t.failed + t.skipped + t.knownFailures + t.blocked;
  switch (r.verdict) {
    case 'failed':
      return `${t.failed} of ${total} test${total === 1 ? '' : 's'} failed`;
    case 'passed':
      return `${t.passed} of ${total} test${total === 1 ? '' : 's'} passed${t.skipped ? ` (${t.skipped} skipped)` : ''}`;
    case 'skipped':
      return skipText(r.skipKind, r.note);
    case 'known-failure':
      return `known failure: ${r.note ?? ''}`;
    case 'blocked':
      return `blocked: ${r.note ?? ''}`;
    default:
      return `not run: ${r.note ?? ''}`;
  }
}

const anchorOf = (apiVersion: string, behaviour: string) => `f-${apiVersion}-${behaviour}`;

/** The verdict as printed everywhere; a partial run never reads "conformant". */
export function verdictText(report: ConformanceReport): string {
  const known = report.summary.mustKnownFailures;
  if (report.verdict === 'not conformant' && known > 0) {
    const unexpected = report.summary.mustFailed;
    return `not conformant, ${known} known failure${known === 1 ? '' : 's'}${unexpected ? ` and ${unexpected} unexpected` : ' (none unexpected)'}`;
  }
  if (report.verdict === 'incomplete' && report.summary.mustBlocked > 0) {
    return `incomplete: ${report.summary.mustBlocked} required behaviour×prefix result${report.summary.mustBlocked === 1 ? '' : 's'} blocked`;
  }
  if (report.verdict !== 'partial') return report.verdict;
  if (report.selection.interrupted) return `interrupted: ${report.summary.passed} of ${report.summary.behaviours} behaviour×prefix results that ran passed`;
  return `partial: ${report.summary.passed} of ${report.summary.behaviours} selected behaviour×prefix results passed`;
}

/** Why a run is partial: its selection (--id, --filter, a test-name pattern) or the behaviours that did not run. */
export function partialText(report: ConformanceReport): string | undefined {
  const sel = report.selection;
  if (!sel?.partial) return undefined;
  const parts = [
    ...(sel.interrupted ? ['interrupted'] : []),
    ...(sel.ids ?? []).map((id) => `--id ${id}`),
    ...(sel.filter ? [`--filter ${sel.filter}`] : []),
    ...(sel.files ?? []).map((f) => `--file ${f}`),
    ...(sel.testNamePattern && !sel.ids?.length && !sel.filter ? [`test-name pattern ${sel.testNamePattern}`] : []),
    ...(sel.missing && !sel.interrupted ? [`${sel.missing} applicable behaviour×prefix results did not run`] : []),
  ];
  return `partial run (${parts.join(', ')}): not a conformance verdict`;
}

export function summaryLine(report: ConformanceReport): string {
  const s = report.summary;
  const warnings = s.shouldFailed && !isStrict(report) ? `, ${s.shouldFailed} SHOULD as warnings` : '';
  const partial = partialText(report);
  return (
    `${s.behaviours} behaviour×prefix results: ${s.passed} passed, ${s.failed} failed (${s.mustFailed} MUST${warnings}), ${s.skipped} skipped, ` +
    `${s.knownFailures} known failures${s.blocked ? `, ${s.blocked} blocked` : ''}; ${report.requests.sent} requests (${report.requests.retried} retried) → ${verdictText(report)}` +
    (partial ? ` — ${partial}` : '') +
    (report.cleanup?.leftBehind.length ? `; LEFT BEHIND on the target: ${report.cleanup.leftBehind.length} (in the ledger for the next run's sweep)` : '')
  );
}

/** How a prefix reads in the report's columns: a SCIM root at the host root (prefix '') is "/". */
export function prefixLabel(prefix: string): string {
  return prefix === '' ? '/' : prefix;
}

export function prefixesOf(report: ConformanceReport): string[] {
  return [...new Set(report.results.map((r) => r.prefix))].sort();
}

function factsOf(report: ConformanceReport): [string, string][] {
  const facts: [string, string][] = [
    ['suite', `${report.suite.name} ${report.suite.version} (commit ${report.suite.commit})`],
    ['generated', `${report.generatedAt}, took ${(report.durationMs / 1000).toFixed(1)} s, ${report.requests.sent} requests (${report.requests.retried} retried)`],
  ];
  const lag = report.indexLag;
  if (lag) {
    facts.push([
      'index lag',
      `${lag.checksThatWaited} check(s) waited for their writes to show in lists and filters (longest ${(lag.longestWaitMs / 1000).toFixed(1)} s, ${lag.polls} extra requests${lag.unsettled ? `, ${lag.unsettled} still not shown after ${(lag.waitLimitMs / 1000).toFixed(1)} s` : ''})`,
    ]);
  }
  for (const t of report.targets) {
    const strict = t.strict ? ', strict (SHOULD counts like MUST)' : '';
    facts.push(['target', `${t.name} (${t.embedded ? 'embedded emulator' : t.baseUrl}), API version ${t.apiVersion}, profile ${t.profile}${strict}, prefixes ${t.prefixes.map(prefixLabel).join(', ')}, run ${t.runId}`]);
    facts.push(['ServiceProviderConfig', `${JSON.stringify(t.capabilities)}${t.capabilitiesNote ? ` (${t.capabilitiesNote})` : ''}`]);
  }
  const partial = partialText(report);
  if (partial) facts.push(['selection', partial]);
  if (report.cleanup) {
    const { steps, leftBehind } = report.cleanup;
    facts.push(['clean-up', `${steps.length} clean-up step(s) of the checks failed (retried by the end-of-run sweep; never a failure of the check); ${leftBehind.length ? `${leftBehind.length} left behind on the target, kept in the ledger for the next run's sweep` : 'nothing left behind'}`]);
    for (const l of leftBehind) facts.push(['left behind', l]);
  }
  facts.push(['integrity', `sha256 ${report.integrity?.hash ?? '(none)'} (check with npm run verify-report -- conformance-report.json)`]);
  return facts;
}

export function viewOf(report: ConformanceReport): ReportView {
  const strict = isStrict(report);
  const prefixes = prefixesOf(report);
  const byRow = new Map<string, BehaviourResult[]>();
  for (const r of report.results) {
    const key = `${r.apiVersion} ${r.behaviour}`;
    byRow.set(key, [...(byRow.get(key) ?? []), r]);
  }
  const rows: RowView[] = [];
  const failures: FailureGroupView[] = [];
  const warnings: FailureGroupView[] = [];
  for (const results of byRow.values()) {
    const first = results[0];
    const cells = prefixes.map((prefix): CellView => {
      const r = results.find((x) => x.prefix === prefix);
      const label = prefixLabel(prefix);
      if (!r) return { prefix: label, verdict: 'not-run', mark: '-', explanation: 'not run: the behaviour was not checked on this prefix', cases: [] };
      return {
        prefix: label,
        verdict: r.verdict,
        mark: markOf(r.verdict, r.level, strict),
        skipKind: r.skipKind,
        explanation: explanationOf(r),
        cases: (r.cases ?? []).map((c) => caseView(r, c, strict)),
      };
    });
    const failed = results.filter((r) => r.failures?.length);
    const anchor = anchorOf(first.apiVersion, first.behaviour);
    if (failed.length) {
      const group: FailureGroupView = {
        behaviour: first.behaviour,
        title: first.title,
        level: first.level,
        sources: first.sources ?? [],
        anchor,
        items: failed.flatMap((r) => (r.failures ?? []).map((f) => failureView(r, f))),
      };
      (countsInVerdict(first.level, strict) ? failures : warnings).push(group);
    }
    const notes: string[] = [];
    for (const r of results) if (r.note && !notes.includes(r.note)) notes.push(r.note);
    rows.push({
      apiVersion: first.apiVersion,
      behaviour: first.behaviour,
      title: first.title,
      level: first.level,
      resource: first.resource,
      area: first.area,
      cells,
      notes,
      ran: cells.some((c) => c.verdict !== 'not-run'),
      failureAnchor: failed.length ? anchor : undefined,
    });
  }
  return {
    verdict: report.verdict,
    verdictText: verdictText(report),
    partialText: partialText(report),
    summaryLine: summaryLine(report),
    strict,
    facts: factsOf(report),
    prefixes: prefixes.map(prefixLabel),
    rows,
    failures,
    warnings,
  };
}
