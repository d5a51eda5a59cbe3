/**
 * The conformance report model: pure functions from test outcomes to verdicts, shared by the
 * reporter (which writes the report) and the CLI (which prints the summary and picks the exit code).
 */
import { loadCatalogue } from '../harness/catalogue.ts';
import type { RecordedExchange } from '../harness/http.ts';
import type { ResolvedTarget } from '../harness/target.ts';
import { formatExchange } from '../harness/verify.ts';

export type Verdict = 'passed' | 'failed' | 'skipped' | 'known-failure';

export interface TestOutcome {
  behaviour: string;
  prefix: string;
  project: string;
  apiVersion: string;
  test: string;
  level: string;
  resource: string;
  verdict: Verdict;
  note?: string;
  message?: string;
  exchange?: RecordedExchange;
}

export interface BehaviourResult {
  behaviour: string;
  title: string;
  level: string;
  resource: string;
  apiVersion: string;
  prefix: string;
  verdict: Verdict;
  tests: { passed: number; failed: number; skipped: number; knownFailures: number };
  /** Skip reason or known-failure reason. */
  note?: string;
  failures?: { test: string; message: string; exchange?: RecordedExchange; reproduce?: string }[];
}

export interface ConformanceReport {
  tool: 'scim-conformance';
  reportVersion: 1;
  generatedAt: string;
  targets: { project: string; name: string; baseUrl: string; embedded: boolean; apiVersion: string; prefixes: string[]; runId: string; capabilities: unknown; capabilitiesNote?: string }[];
  summary: { behaviours: number; passed: number; failed: number; skipped: number; knownFailures: number; mustFailed: number };
  /** conformant: no MUST behaviour failed. */
  verdict: 'conformant' | 'not conformant';
  results: BehaviourResult[];
}

const ORDER: Record<Verdict, number> = { failed: 3, 'known-failure': 2, passed: 1, skipped: 0 };

export function buildReport(outcomes: TestOutcome[], targets: [string, ResolvedTarget][], now = new Date()): ConformanceReport {
  const titles = new Map(loadCatalogue().map((b) => [b.id, b.title]));
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
    const verdict = list.reduce<Verdict>((acc, o) => (ORDER[o.verdict] > ORDER[acc] ? o.verdict : acc), 'skipped');
    const failed = list.filter((o) => o.verdict === 'failed');
    const noted = list.find((o) => o.verdict === verdict && o.note);
    results.push({
      behaviour: first.behaviour,
      title: titles.get(first.behaviour) ?? first.test,
      level: first.level,
      resource: first.resource,
      apiVersion: first.apiVersion,
      prefix: first.prefix,
      verdict,
      tests,
      note: noted?.note,
      failures: failed.length
        ? failed.map((o) => ({ test: o.test, message: o.message ?? '', exchange: o.exchange, reproduce: o.exchange ? formatExchange(o.exchange).split('Reproduce:\n  ')[1] : undefined }))
        : undefined,
    });
  }
  results.sort((a, b) => a.apiVersion.localeCompare(b.apiVersion) || a.behaviour.localeCompare(b.behaviour) || a.prefix.localeCompare(b.prefix));
  const summary = {
    behaviours: results.length,
    passed: results.filter((r) => r.verdict === 'passed').length,
    failed: results.filter((r) => r.verdict === 'failed').length,
    skipped: results.filter((r) => r.verdict === 'skipped').length,
    knownFailures: results.filter((r) => r.verdict === 'known-failure').length,
    mustFailed: results.filter((r) => r.verdict === 'failed' && r.level === 'MUST').length,
  };
  return {
    tool: 'scim-conformance',
    reportVersion: 1,
    generatedAt: now.toISOString(),
    targets: targets.map(([project, t]) => ({
      project,
      name: t.targetName,
      baseUrl: t.baseUrl,
      embedded: t.embedded,
      apiVersion: t.apiVersion,
      prefixes: t.prefixes,
      runId: t.run.runId,
      capabilities: t.capabilities,
      capabilitiesNote: t.capabilitiesNote,
    })),
    summary,
    verdict: summary.mustFailed === 0 ? 'conformant' : 'not conformant',
    results,
  };
}

const MARK: Record<Verdict, string> = { passed: 'pass', failed: 'FAIL', skipped: 'skip', 'known-failure': 'known' };

/** A behaviour × prefix table, one row per behaviour and API version. */
export function summaryRows(report: ConformanceReport): { apiVersion: string; behaviour: string; level: string; cells: Record<string, Verdict>; notes: string[] }[] {
  const rows = new Map<string, { apiVersion: string; behaviour: string; level: string; cells: Record<string, Verdict>; notes: string[] }>();
  for (const r of report.results) {
    const key = `${r.apiVersion} ${r.behaviour}`;
    const row = rows.get(key) ?? { apiVersion: r.apiVersion, behaviour: r.behaviour, level: r.level, cells: {}, notes: [] };
    row.cells[r.prefix] = r.verdict;
    if (r.note && !row.notes.includes(r.note)) row.notes.push(r.note);
    rows.set(key, row);
  }
  return [...rows.values()];
}

export function renderText(report: ConformanceReport): string {
  const prefixes = [...new Set(report.results.map((r) => r.prefix))];
  const rows = summaryRows(report);
  const idWidth = Math.max(10, ...rows.map((r) => r.behaviour.length));
  const lines: string[] = [];
  lines.push(`${'behaviour'.padEnd(idWidth)}  ver   level   ${prefixes.map((p) => p.padEnd(16)).join(' ')}`);
  for (const r of rows) {
    lines.push(
      `${r.behaviour.padEnd(idWidth)}  ${r.apiVersion.padEnd(4)}  ${r.level.padEnd(6)}  ${prefixes.map((p) => (r.cells[p] ? MARK[r.cells[p]] : '-').padEnd(16)).join(' ')}${r.notes.length ? `  ${r.notes[0]}` : ''}`,
    );
  }
  const s = report.summary;
  lines.push('');
  lines.push(
    `${s.behaviours} behaviour×prefix results: ${s.passed} passed, ${s.failed} failed (${s.mustFailed} MUST), ${s.skipped} skipped, ${s.knownFailures} known failures → ${report.verdict}`,
  );
  return lines.join('\n');
}

export function renderMarkdown(report: ConformanceReport): string {
  const prefixes = [...new Set(report.results.map((r) => r.prefix))];
  const out: string[] = [];
  out.push('# SCIM conformance report', '');
  for (const t of report.targets) {
    out.push(`- target **${t.name}** (${t.embedded ? 'embedded emulator' : t.baseUrl}), API version ${t.apiVersion}, run ${t.runId}`);
  }
  const s = report.summary;
  out.push('', `**Verdict: ${report.verdict}** (${s.passed} passed, ${s.failed} failed of which ${s.mustFailed} MUST, ${s.skipped} skipped, ${s.knownFailures} known failures)`, '');
  out.push(`| behaviour | version | level | ${prefixes.join(' | ')} | note |`, `|---|---|---|${prefixes.map(() => '---|').join('')}---|`);
  for (const r of summaryRows(report)) {
    out.push(`| ${r.behaviour} | ${r.apiVersion} | ${r.level} | ${prefixes.map((p) => (r.cells[p] ? MARK[r.cells[p]] : '-')).join(' | ')} | ${r.notes.join('; ').replace(/\|/g, '\\|')} |`);
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
