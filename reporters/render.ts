/**
 * The text summary (printed at the end of npm run conformance) and the Markdown report: layouts of the one
 * report view (reporters/view-model.ts).
 */
import type { ConformanceReport } from './report-model.ts';
import { viewOf, type FailureGroupView, type FailureView, type RowView } from './view-model.ts';

/** The distinct reasons of rows that did not run, with how many rows each. */
function notRunReasons(rows: RowView[]): string {
  const counts = new Map<string, number>();
  for (const r of rows) for (const n of r.notes.length ? r.notes : ['not run']) counts.set(n, (counts.get(n) ?? 0) + 1);
  return [...counts].map(([n, c]) => `${c}× ${n}`).join('; ');
}

export function renderText(report: ConformanceReport): string {
  const view = viewOf(report);
  const shown = view.rows.filter((r) => r.ran);
  const hidden = view.rows.filter((r) => !r.ran);
  const idWidth = Math.max(10, ...shown.map((r) => r.behaviour.length));
  const width = (p: string) => Math.max(5, p.length);
  const lines: string[] = [];
  lines.push(`${'behaviour'.padEnd(idWidth)}  ver   level   ${view.prefixes.map((p) => p.padEnd(width(p))).join('  ')}  title — note`);
  for (const r of shown) {
    const marks = r.cells.map((c) => c.mark.padEnd(width(c.prefix))).join('  ');
    lines.push(`${r.behaviour.padEnd(idWidth)}  ${r.apiVersion.padEnd(4)}  ${r.level.padEnd(6)}  ${marks}  ${r.title}${r.notes.length ? ` — ${r.notes.join('; ')}` : ''}`);
  }
  if (hidden.length) lines.push('', `${hidden.length} behaviour rows did not run (${notRunReasons(hidden)}); the Markdown and HTML reports list them.`);
  lines.push('', view.summaryLine);
  if (report.summary.mustSkippedForConfiguration) {
    lines.push(`${report.summary.mustSkippedForConfiguration} MUST behaviour×prefix results were skipped for lack of configuration (see the notes above).`);
  }
  for (const [label, value] of view.facts) if (label === 'clean-up' || label === 'left behind') lines.push(`${label}: ${value}`);
  return lines.join('\n');
}

const escapeCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** A code span or, for several lines, a fenced block, with a fence no content can close. */
function code(text: string, lang = '', block = text.includes('\n')): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  if (!block) {
    const ticks = '`'.repeat(longest + 1);
    return `${ticks}${longest ? ' ' : ''}${text}${longest ? ' ' : ''}${ticks}`;
  }
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `\n\n${fence}${lang}\n${text}\n${fence}\n`;
}

function failureItemMd(f: FailureView): string[] {
  const out = [`#### ${f.prefix} (API ${f.apiVersion})${f.row ? ` › ${f.row}` : ''}`, ''];
  if (f.check) out.push(`- Check: ${f.check}`);
  if (f.expected !== undefined) out.push(`- Expected: ${code(f.expected)}`);
  if (f.actual !== undefined) out.push(`- Actual: ${code(f.actual)}`);
  if (f.expected === undefined && f.actual === undefined) out.push(`- Error: ${code(f.message)}`);
  if (f.request) out.push('', `Request:${code(f.request, 'http')}`);
  if (f.response) out.push(`Response (excerpt):${code(f.response, 'http')}`);
  if (f.curl) out.push(`Reproduce:${code(f.curl, 'sh', true)}`);
  out.push('');
  return out;
}

function failureGroupsMd(heading: string, groups: FailureGroupView[]): string[] {
  if (!groups.length) return [];
  const out = ['', `## ${heading} (${groups.length} behaviour${groups.length === 1 ? '' : 's'})`, ''];
  for (const g of groups) {
    out.push(`<a id="${g.anchor}"></a>`, '', `### ${g.behaviour} — ${g.title}`, '', `**${g.level}** · sources: ${g.sources.join('; ') || '(none)'}`, '');
    for (const f of g.items) out.push(...failureItemMd(f));
  }
  return out;
}

export function renderMarkdown(report: ConformanceReport): string {
  const view = viewOf(report);
  const out: string[] = ['# SCIM conformance report', ''];
  for (const [label, value] of view.facts) out.push(`- **${label}**: ${value}`);
  out.push('', `**Verdict: ${view.verdictText}** — ${view.summaryLine}`, '');
  out.push(`| behaviour | title | version | level | ${view.prefixes.join(' | ')} | note |`, `|---|---|---|---|${view.prefixes.map(() => '---|').join('')}---|`);
  for (const r of view.rows) {
    const id = r.failureAnchor ? `[${r.behaviour}](#${r.failureAnchor})` : r.behaviour;
    out.push(`| ${id} | ${escapeCell(r.title)} | ${r.apiVersion} | ${r.level} | ${r.cells.map((c) => c.mark).join(' | ')} | ${escapeCell(r.notes.join('; '))} |`);
  }
  out.push(...failureGroupsMd('Failures', view.failures));
  out.push(...failureGroupsMd('Warnings: SHOULD/MAY failures, not counted in the verdict', view.warnings));
  return `${out.join('\n')}\n`;
}
