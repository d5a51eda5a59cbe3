/**
 * junit.xml for CI systems, drawn from the report view (reporters/view-model.ts) like the text, Markdown and HTML
 * reports: one <testsuite> per API version and prefix, one <testcase> per test (case-table row), classname
 * `<resource>.<area>`, name `[ID] statement › row on <prefix>`.
 * - FAIL (counts in the verdict): <failure type="MUST"> (or "SHOULD" in a strict run) with the requirement,
 *   Expected/Actual, the request, a response excerpt and a curl line;
 * - warn (a SHOULD/MAY failure that does not count in the verdict): <failure type="SHOULD warning">, so dashboards
 *   show it; the exit code and the verdict, not the JUnit counts, are the gate;
 * - skip: <skipped message="skipped (kind): reason"/>, the kind being version | capability | configuration | row;
 * - known failure (listed in expectations/<target>.json): <skipped message="known failure: reason"> with the error it
 *   raised — it did not pass, and it does not fail the run;
 * - blocked (a set-up step failed, the target did not answer): <skipped message="blocked: reason"> with the step's
 *   evidence — the check could not judge its behaviour.
 * Behaviours that did not run (not selected) have no test, so no testcase; the report lists them.
 */
import type { ConformanceReport } from './report-model.ts';
import { viewOf, type CaseView, type FailureView, type RowView } from './view-model.ts';

/** Characters XML 1.0 does not allow, even escaped (control characters in a response body). */
const INVALID_XML = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const xml = (s: string) =>
  s.replace(INVALID_XML, '\uFFFD').replace(/[&<>"'\n\r\t]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\n': '&#10;', '\r': '&#13;', '\t': '&#9;' })[c]!);
const text = (s: string) => s.replace(INVALID_XML, '\uFFFD').replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!);
const attrs = (a: Record<string, string | number>) => Object.entries(a).map(([k, v]) => ` ${k}="${xml(String(v))}"`).join('');

function failureText(f: FailureView): string {
  const lines = [f.requirement];
  if (f.check) lines.push(`Check:    ${f.check}`);
  if (f.expected !== undefined) lines.push(`Expected: ${f.expected}`);
  if (f.actual !== undefined) lines.push(`Actual:   ${f.actual}`);
  if (f.expected === undefined && f.actual === undefined) lines.push(f.message);
  if (f.request) lines.push('', 'Request:', f.request);
  if (f.response) lines.push('', 'Response (excerpt):', f.response);
  if (f.curl) lines.push('', 'Reproduce:', f.curl);
  return lines.join('\n');
}

function outcomeXml(row: RowView, c: CaseView, strict: boolean): string {
  switch (c.mark) {
    case 'FAIL':
    case 'warn': {
      const f = c.failure;
      const summary = f?.expected !== undefined || f?.actual !== undefined ? `Expected: ${f?.expected ?? '?'} | Actual: ${f?.actual ?? '?'}` : (f?.message.split('\n')[0] ?? 'failed');
      const type = c.mark === 'FAIL' ? row.level : `${row.level} warning${strict ? '' : ' (not counted in the verdict)'}`;
      return `<failure${attrs({ message: summary, type })}>${text(f ? failureText(f) : 'failed')}</failure>`;
    }
    case 'skip':
      return `<skipped${attrs({ message: c.explanation ?? 'skipped' })}/>`;
    case 'known':
      return `<skipped${attrs({ message: c.explanation ?? 'known failure' })}>${text(c.detail ?? '')}</skipped>`;
    case 'blocked':
      return `<skipped${attrs({ message: c.explanation ?? 'blocked' })}>${text(c.failure ? failureText(c.failure) : '')}</skipped>`;
    default:
      return '';
  }
}

interface Suite {
  name: string;
  properties: Record<string, string>;
  cases: string[];
  counts: { tests: number; failures: number; skipped: number; time: number };
}

export function renderJunit(report: ConformanceReport): string {
  const view = viewOf(report);
  const suites = new Map<string, Suite>();
  for (const row of view.rows) {
    const target = report.targets.find((t) => t.apiVersion === row.apiVersion);
    for (const cell of row.cells) {
      if (!cell.cases.length) continue;
      const key = `${row.apiVersion} ${cell.prefix}`;
      let suite = suites.get(key);
      if (!suite) {
        suite = {
          name: `API ${row.apiVersion} ${cell.prefix}${target ? ` (${target.name})` : ''}`,
          properties: {
            ...(target ? { target: target.name, baseUrl: target.baseUrl, profile: target.profile } : {}),
            apiVersion: row.apiVersion,
            prefix: cell.prefix,
            verdict: view.verdictText,
            ...(view.partialText ? { selection: view.partialText } : {}),
            integrity: `sha256 ${report.integrity?.hash ?? '(none)'}`,
          },
          cases: [],
          counts: { tests: 0, failures: 0, skipped: 0, time: 0 },
        };
        suites.set(key, suite);
      }
      for (const c of cell.cases) {
        const seconds = (c.durationMs ?? 0) / 1000;
        suite.counts.tests++;
        suite.counts.time += seconds;
        if (c.mark === 'FAIL' || c.mark === 'warn') suite.counts.failures++;
        if (c.mark === 'skip' || c.mark === 'known' || c.mark === 'blocked') suite.counts.skipped++;
        const open = `<testcase${attrs({ classname: `${row.resource}.${row.area}`, name: `${c.test} on ${cell.prefix}`, time: seconds.toFixed(3) })}`;
        const inner = outcomeXml(row, c, view.strict);
        suite.cases.push(inner ? `${open}>${inner}</testcase>` : `${open}/>`);
      }
    }
  }
  const all = [...suites.values()];
  const total = (k: keyof Suite['counts']) => all.reduce((n, s) => n + s.counts[k], 0);
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({ name: `SCIM conformance: ${view.verdictText}`, tests: total('tests'), failures: total('failures'), errors: 0, skipped: total('skipped'), time: total('time').toFixed(3), timestamp: report.startedAt })}>`,
  ];
  for (const s of all) {
    out.push(
      `  <testsuite${attrs({ name: s.name, tests: s.counts.tests, failures: s.counts.failures, errors: 0, skipped: s.counts.skipped, time: s.counts.time.toFixed(3), timestamp: report.startedAt })}>`,
      '    <properties>',
      ...Object.entries(s.properties).map(([name, value]) => `      <property${attrs({ name, value })}/>`),
      '    </properties>',
      ...s.cases.map((c) => `    ${c}`),
      '  </testsuite>',
    );
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}
