/**
 * The conformance report model: pure functions from test outcomes to verdicts, shared by the
 * reporter (which writes the report) and the CLI (which prints the summary and picks the exit code).
 * The format is documented by schemas/reports/conformance-report.schema.json.
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
}

export interface FailureDetail {
  test: string;
  /** `[ID] title (level; sources)`. */
  requirement: string;
  /** What was checked (absent when the test failed outside the harness, e.g. a timeout). */
  check?: string;
  expected?: string;
  actual?: string;
  message: string;
  exchange?: RecordedExchange;
  reproduce?: string;
}

export interface BehaviourResult {
  behaviour: string;
  title: string;
  level: string;
  resource: string;
  area: string;
  apiVersion: string;
  prefix: string;
  verdict: Verdict;
  tests: { passed: number; failed: number; skipped: number; knownFailures: number };
  /** HTTP requests its tests sent (including set-up and clean-up done inside the test). */
  requests?: number;
  /** Skip reason, known-failure reason, or why it did not run. */
  note?: string;
  skipKind?: SkipKind;
  failures?: FailureDetail[];
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

export type OverallVerdict = 'conformant' | 'not conformant' | 'incomplete';

export interface ConformanceReport {
  tool: 'scim-conformance';
  reportVersion: 2;
  suite: { name: string; version: string; commit: string };
  generatedAt: string;
  startedAt: string;
  durationMs: number;
  requests: { sent: number; retried: number };
  targets: ReportTarget[];
  summary: {
    behaviours: number;
    passed: number;
    failed: number;
    skipped: number;
    knownFailures: number;
    notRun: number;
    mustFailed: number;
    /** SHOULD behaviours that failed: warnings, unless the run is strict (SCIM_STRICT), where they count like MUST. */
    shouldFailed: number;
    /** MUST behaviours skipped because the run lacked something (writes, limited identity, org fixture). */
    mustSkippedForConfiguration: number;
  };
  /**
   * Counted over the required (MUST) behaviours that apply to the API version:
   * not conformant when one failed; incomplete when none failed but some could not run for lack of
   * configuration; conformant otherwise. Behaviours the server declares unsupported are skipped, not failed.
   */
  verdict: OverallVerdict;
  results: BehaviourResult[];
  /** sha256 over the canonical JSON of everything above; see bin/verify-report.ts. */
  integrity?: { algorithm: 'sha256'; hash: string };
}

const ORDER: Record<TestVerdict, number> = { failed: 3, 'known-failure': 2, passed: 1, skipped: 0 };

/** The failure detail of a failed test, from the failure data the harness recorded (never from the message text). */
function failureDetail(o: TestOutcome, entry: Behaviour | undefined): FailureDetail {
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

export interface BuildOptions {
  now?: Date;
  startedAt?: Date;
  suite?: ConformanceReport['suite'];
  /** Include catalogue behaviours that did not run (pending, filtered out) as not-run rows. */
  includeNotRun?: boolean;
}

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
  const results: BehaviourResult[] = [];
  for (const list of groups.values()) {
    const first = list[0];
    const count = (v: Verdict) => list.filter((o) => o.verdict === v).length;
    const tests = { passed: count('passed'), failed: count('failed'), skipped: count('skipped'), knownFailures: count('known-failure') };
    // A behaviour fails if any of its tests (rows) fails; it is skipped only if all were skipped.
    const verdict = list.reduce<TestVerdict>((acc, o) => (ORDER[o.verdict] > ORDER[acc] ? o.verdict : acc), 'skipped');
    const failed = list.filter((o) => o.verdict === 'failed');
    const noted = list.find((o) => o.verdict === verdict && o.note);
    const entry = byId.get(first.behaviour);
    results.push({
      behaviour: first.behaviour,
      title: entry?.title ?? first.test,
      level: first.level,
      resource: first.resource,
      area: entry?.area ?? '?',
      apiVersion: first.apiVersion,
      prefix: first.prefix,
      verdict,
      tests,
      requests: list.reduce((n, o) => n + (o.requests ?? 0), 0),
      note: noted?.note,
      skipKind: verdict === 'skipped' ? list.find((o) => o.skipKind)?.skipKind : undefined,
      failures: failed.length ? failed.map((o) => failureDetail(o, entry)) : undefined,
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
            apiVersion: t.apiVersion,
            prefix,
            verdict: 'not-run',
            tests: { passed: 0, failed: 0, skipped: 0, knownFailures: 0 },
            note: b.status === 'pending' ? 'no test yet (pending in the catalogue)' : 'not selected in this run',
          });
        }
      }
    }
  }
  results.sort((a, b) => a.apiVersion.localeCompare(b.apiVersion) || a.behaviour.localeCompare(b.behaviour) || a.prefix.localeCompare(b.prefix));
  const ran = results.filter((r) => r.verdict !== 'not-run');
  // SHOULD failures are warnings; a strict run (SCIM_STRICT=true) counts them like MUST failures.
  const strict = targets.some(([, t]) => t.strict === true);
  const required = (level: string) => level === 'MUST' || (strict && level === 'SHOULD');
  const summary = {
    behaviours: ran.length,
    passed: ran.filter((r) => r.verdict === 'passed').length,
    failed: ran.filter((r) => r.verdict === 'failed').length,
    skipped: ran.filter((r) => r.verdict === 'skipped').length,
    knownFailures: ran.filter((r) => r.verdict === 'known-failure').length,
    notRun: results.length - ran.length,
    mustFailed: ran.filter((r) => r.verdict === 'failed' && r.level === 'MUST').length,
    shouldFailed: ran.filter((r) => r.verdict === 'failed' && r.level === 'SHOULD').length,
    mustSkippedForConfiguration: ran.filter((r) => r.verdict === 'skipped' && required(r.level) && r.skipKind === 'configuration').length,
  };
  const requiredFailed = ran.filter((r) => r.verdict === 'failed' && required(r.level)).length;
  const verdict: OverallVerdict =
    requiredFailed > 0 ? 'not conformant' : summary.mustSkippedForConfiguration > 0 ? 'incomplete' : 'conformant';
  const startedAt = options.startedAt ?? now;
  const report: ConformanceReport = {
    tool: 'scim-conformance',
    reportVersion: 2,
    suite: options.suite ?? { name: 'scim-conformance', version: '0.0.0', commit: 'unknown' },
    generatedAt: now.toISOString(),
    startedAt: startedAt.toISOString(),
    durationMs: Math.max(0, now.getTime() - startedAt.getTime()),
    requests: {
      sent: outcomes.reduce((n, o) => n + (o.requests ?? 0), 0),
      retried: outcomes.reduce((n, o) => n + (o.retries ?? 0), 0),
    },
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
    summary,
    verdict,
    results,
  };
  return sealReport(report);
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

const MARK: Record<Verdict, string> = { passed: 'pass', failed: 'FAIL', skipped: 'skip', 'known-failure': 'known', 'not-run': '-' };

export interface SummaryRow {
  apiVersion: string;
  behaviour: string;
  level: string;
  cells: Record<string, Verdict>;
  notes: string[];
}

/** A behaviour × prefix table, one row per behaviour and API version. */
export function summaryRows(report: ConformanceReport, includeNotRun = false): SummaryRow[] {
  const rows = new Map<string, SummaryRow>();
  for (const r of report.results) {
    if (!includeNotRun && r.verdict === 'not-run') continue;
    const key = `${r.apiVersion} ${r.behaviour}`;
    const row = rows.get(key) ?? { apiVersion: r.apiVersion, behaviour: r.behaviour, level: r.level, cells: {}, notes: [] };
    row.cells[r.prefix] = r.verdict;
    if (r.note && !row.notes.includes(r.note)) row.notes.push(r.note);
    rows.set(key, row);
  }
  return [...rows.values()];
}

export function prefixesOf(report: ConformanceReport): string[] {
  return [...new Set(report.results.map((r) => r.prefix))].sort();
}

export function summaryLine(report: ConformanceReport): string {
  const s = report.summary;
  const warnings = s.shouldFailed && !report.targets.some((t) => t.strict) ? `, ${s.shouldFailed} SHOULD as warnings` : '';
  return `${s.behaviours} behaviour×prefix results: ${s.passed} passed, ${s.failed} failed (${s.mustFailed} MUST${warnings}), ${s.skipped} skipped, ${s.knownFailures} known failures; ${report.requests.sent} requests (${report.requests.retried} retried) → ${report.verdict}`;
}

/** The matrix mark of a cell: a failed SHOULD/MAY reads "warn" unless the run is strict (SCIM_STRICT). */
function markOf(report: ConformanceReport, row: SummaryRow, verdict: Verdict | undefined): string {
  if (!verdict) return '-';
  if (verdict === 'failed' && row.level !== 'MUST' && !(row.level === 'SHOULD' && report.targets.some((t) => t.strict))) return 'warn';
  return MARK[verdict];
}

export function renderText(report: ConformanceReport): string {
  const prefixes = prefixesOf(report);
  const rows = summaryRows(report);
  const idWidth = Math.max(10, ...rows.map((r) => r.behaviour.length));
  const lines: string[] = [];
  lines.push(`${'behaviour'.padEnd(idWidth)}  ver   level   ${prefixes.map((p) => p.padEnd(16)).join(' ')}`);
  for (const r of rows) {
    lines.push(
      `${r.behaviour.padEnd(idWidth)}  ${r.apiVersion.padEnd(4)}  ${r.level.padEnd(6)}  ${prefixes.map((p) => markOf(report, r, r.cells[p]).padEnd(16)).join(' ')}${r.notes.length ? `  ${r.notes[0]}` : ''}`,
    );
  }
  lines.push('', summaryLine(report));
  if (report.summary.mustSkippedForConfiguration) {
    lines.push(`${report.summary.mustSkippedForConfiguration} MUST behaviour×prefix results were skipped for lack of configuration (see the notes above).`);
  }
  return lines.join('\n');
}

const escapeMd = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderMarkdown(report: ConformanceReport): string {
  const prefixes = prefixesOf(report);
  const out: string[] = [];
  out.push('# SCIM conformance report', '');
  out.push(`- suite ${report.suite.name} ${report.suite.version} (commit ${report.suite.commit}), generated ${report.generatedAt}, took ${(report.durationMs / 1000).toFixed(1)} s`);
  for (const t of report.targets) {
    out.push(`- target **${t.name}** (${t.embedded ? 'embedded emulator' : t.baseUrl}), API version ${t.apiVersion}, profile ${t.profile}, prefixes ${t.prefixes.join(', ')}, run ${t.runId}`);
    out.push(`  - ServiceProviderConfig says: ${JSON.stringify(t.capabilities)}${t.capabilitiesNote ? ` (${t.capabilitiesNote})` : ''}`);
  }
  out.push('', `**Verdict: ${report.verdict}** — ${summaryLine(report)}`, '');
  out.push(`Integrity: sha256 ${report.integrity?.hash ?? '(none)'} — check with \`npm run verify-report -- conformance-report.json\``, '');
  out.push(`| behaviour | version | level | ${prefixes.join(' | ')} | note |`, `|---|---|---|${prefixes.map(() => '---|').join('')}---|`);
  for (const r of summaryRows(report, true)) {
    out.push(`| ${r.behaviour} | ${r.apiVersion} | ${r.level} | ${prefixes.map((p) => markOf(report, r, r.cells[p])).join(' | ')} | ${escapeMd(r.notes.join('; '))} |`);
  }
  const failures = report.results.filter((r) => r.failures?.length);
  if (failures.length) {
    out.push('', '## Failures', '');
    for (const r of failures) {
      for (const f of r.failures ?? []) {
        out.push(`### ${r.behaviour} on ${r.prefix} (${r.apiVersion})`, '', '```', f.message, '```', '');
      }
    }
  }
  return `${out.join('\n')}\n`;
}
