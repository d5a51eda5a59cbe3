/**
 * A self-contained HTML conformance report: inline CSS, the report JSON embedded, no network needed to view it.
 * The matrix and the failures are rendered here from the report view (reporters/view-model.ts), the same view the
 * text and Markdown reports lay out; a few lines of inline script only filter the rows ("only failures").
 */
import type { ConformanceReport, OverallVerdict } from './report-model.ts';
import { viewOf, type FailureGroupView, type FailureView } from './view-model.ts';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const CSS = `
body{font:14px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#1b1f23;background:#fff}
h1{font-size:22px;margin:0 0 8px} h2{font-size:17px;margin:24px 0 8px} h3{font-size:15px;margin:18px 0 4px} h4{font-size:14px;margin:12px 0 4px}
.verdict{display:inline-block;padding:4px 10px;border-radius:4px;font-weight:600;color:#fff}
.v-conformant{background:#1a7f37}.v-not{background:#cf222e}.v-incomplete{background:#9a6700}.v-partial{background:#6e7781}
table{border-collapse:collapse;margin-top:8px;width:100%} th,td{border:1px solid #d0d7de;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f6f8fa;position:sticky;top:0} td.c{text-align:center;font-weight:600;white-space:nowrap}
.passed{background:#dafbe1;color:#116329}.failed{background:#ffebe9;color:#a40e26}.failed.warn{background:#fff1e5;color:#953800}
.skipped{background:#f6f8fa;color:#57606a}.known-failure{background:#fff8c5;color:#7d4e00}.blocked{background:#ddf4ff;color:#0550ae}.not-run{color:#8c959f}
pre{background:#f6f8fa;padding:8px;overflow:auto;white-space:pre-wrap;font-size:12px;margin:2px 0 8px}
.meta td{border:none;padding:1px 8px 1px 0} .filter{margin:8px 0} .small{color:#57606a;font-size:12px}
.item{border-left:3px solid #d0d7de;padding-left:10px;margin:8px 0} .ea th{width:7em;position:static}
#matrix{width:auto} #matrix td.id{white-space:nowrap;font-family:ui-monospace,monospace;font-size:12px} #matrix td.t{min-width:18em;max-width:32em}
#matrix td.n{min-width:14em;max-width:28em}`;

const SCRIPT = `
document.getElementById('only-failed').addEventListener('change', function (e) {
  document.querySelectorAll('#matrix tbody tr').forEach(function (tr) {
    tr.style.display = e.target.checked && !/\\b(FAIL|warn)\\b/.test(tr.getAttribute('data-marks')) ? 'none' : '';
  });
});`;

const VERDICT_CLASS: Record<OverallVerdict, string> = {
  conformant: 'v-conformant',
  'not conformant': 'v-not',
  incomplete: 'v-incomplete',
  partial: 'v-partial',
};

const pre = (label: string, text: string | undefined) => (text === undefined ? '' : `<div class="small">${esc(label)}</div><pre>${esc(text)}</pre>`);

function failureItemHtml(f: FailureView): string {
  const rows = [
    ['Check', f.check],
    ['Expected', f.expected],
    ['Actual', f.actual],
  ].filter((r): r is [string, string] => r[1] !== undefined);
  const parts = rows.length
    ? `<table class="ea">${rows.map(([k, v]) => `<tr><th>${k}</th><td><pre>${esc(v)}</pre></td></tr>`).join('')}</table>`
    : pre('Error', f.message);
  return (
    `<div class="item"><h4>${esc(f.prefix)} (API ${esc(f.apiVersion)})${f.row ? ` › ${esc(f.row)}` : ''}</h4>${parts}` +
    `${pre('Request', f.request)}${pre('Response (excerpt)', f.response)}${pre('Reproduce', f.curl)}` +
    `<details><summary class="small">the whole failure message</summary><pre>${esc(f.message)}</pre></details></div>`
  );
}

function failureGroupsHtml(heading: string, groups: FailureGroupView[], none: string): string {
  if (!groups.length) return none ? `<h2>${esc(heading)}</h2><p>${esc(none)}</p>` : '';
  return (
    `<h2>${esc(heading)} (${groups.length} behaviour${groups.length === 1 ? '' : 's'})</h2>` +
    groups
      .map(
        (g) =>
          `<section class="failure" id="${esc(g.anchor)}"><h3>${esc(g.behaviour)} — ${esc(g.title)}</h3>` +
          `<p class="small"><b>${esc(g.level)}</b> · sources: ${esc(g.sources.join('; ') || '(none)')}</p>${g.items.map(failureItemHtml).join('')}</section>`,
      )
      .join('')
  );
}

export function renderHtml(report: ConformanceReport): string {
  const view = viewOf(report);
  const s = report.summary;
  const facts = view.facts.map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(v)}</td></tr>`).join('\n');
  const head = `<tr><th>behaviour</th><th>title</th><th>version</th><th>level</th>${view.prefixes.map((p) => `<th>${esc(p)}</th>`).join('')}<th>note</th></tr>`;
  const body = view.rows
    .map((r) => {
      const id = r.failureAnchor ? `<a href="#${esc(r.failureAnchor)}">${esc(r.behaviour)}</a>` : esc(r.behaviour);
      const cells = r.cells
        .map((c) => `<td class="c ${c.verdict}${c.mark === 'warn' ? ' warn' : ''}" data-prefix="${esc(c.prefix)}" title="${esc(c.explanation)}">${c.mark}</td>`)
        .join('');
      return (
        `<tr data-key="${esc(`${r.apiVersion} ${r.behaviour}`)}" data-marks="${r.cells.map((c) => c.mark).join(' ')}">` +
        `<td class="id">${id}</td><td class="t">${esc(r.title)}</td><td>${esc(r.apiVersion)}</td><td>${esc(r.level)}</td>${cells}<td class="small n">${esc(r.notes.join('; '))}</td></tr>`
      );
    })
    .join('\n');
  // </script> inside the JSON would end the script element early.
  const data = JSON.stringify(report).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>SCIM conformance report — ${esc(view.verdictText)}</title>
<meta name="viewport" content="width=device-width,initial-scale=1"><style>${CSS}</style></head>
<body>
<h1>SCIM conformance report</h1>
<p><span id="verdict" class="verdict ${VERDICT_CLASS[view.verdict]}">${esc(view.verdictText)}</span>
 ${s.passed} passed · ${s.failed} failed (${s.mustFailed} MUST) · ${s.skipped} skipped · ${s.knownFailures} known failures · ${s.blocked} blocked · ${s.notRun} not run</p>
<p class="small">${esc(view.summaryLine)}</p>
<table class="meta">
${facts}
</table>
<h2>Behaviour × prefix</h2>
<label class="filter"><input type="checkbox" id="only-failed"> only failures and warnings</label>
<table id="matrix" data-rendered="${view.rows.length}"><thead>${head}</thead><tbody>
${body}
</tbody></table>
${failureGroupsHtml('Failures', view.failures, 'None.')}
${failureGroupsHtml('Warnings: SHOULD/MAY failures, not counted in the verdict', view.warnings, '')}
<script type="application/json" id="report-data">${data}</script>
<script>${SCRIPT}</script>
</body></html>
`;
}
