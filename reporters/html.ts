/**
 * A self-contained HTML conformance report: inline CSS, inline script, the report JSON embedded;
 * it needs no network to view. The matrix is rendered by the inline script from the embedded JSON
 * (a test opens it in headless Chromium and checks the rendered DOM).
 */
import type { ConformanceReport } from './report-model.ts';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const CSS = `
body{font:14px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#1b1f23;background:#fff}
h1{font-size:22px;margin:0 0 8px} h2{font-size:17px;margin:24px 0 8px}
.verdict{display:inline-block;padding:4px 10px;border-radius:4px;font-weight:600;color:#fff}
.v-conformant{background:#1a7f37}.v-not{background:#cf222e}.v-incomplete{background:#9a6700}
table{border-collapse:collapse;margin-top:8px;width:100%} th,td{border:1px solid #d0d7de;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f6f8fa;position:sticky;top:0} td.c{text-align:center;font-weight:600;white-space:nowrap}
.passed{background:#dafbe1;color:#116329}.failed{background:#ffebe9;color:#a40e26}.skipped{background:#f6f8fa;color:#57606a}
.known-failure{background:#fff8c5;color:#7d4e00}.not-run{color:#8c959f}
pre{background:#f6f8fa;padding:8px;overflow:auto;white-space:pre-wrap;font-size:12px}
.meta td{border:none;padding:1px 8px 1px 0} .filter{margin:8px 0} .small{color:#57606a;font-size:12px}`;

const SCRIPT = `
(function(){
  var report = JSON.parse(document.getElementById('report-data').textContent);
  var prefixes = Array.from(new Set(report.results.map(function(r){return r.prefix}))).sort();
  var rows = new Map();
  report.results.forEach(function(r){
    var key = r.apiVersion + ' ' + r.behaviour;
    var row = rows.get(key) || {apiVersion:r.apiVersion, behaviour:r.behaviour, title:r.title, level:r.level, cells:{}, notes:[]};
    row.cells[r.prefix] = r.verdict;
    if (r.note && row.notes.indexOf(r.note) < 0) row.notes.push(r.note);
    rows.set(key, row);
  });
  var table = document.getElementById('matrix');
  var head = '<tr><th>behaviour</th><th>version</th><th>level</th>' + prefixes.map(function(p){return '<th>'+esc(p)+'</th>'}).join('') + '<th>note</th></tr>';
  var mark = {passed:'pass', failed:'FAIL', skipped:'skip', 'known-failure':'known', 'not-run':'–'};
  var body = Array.from(rows.values()).map(function(row){
    return '<tr data-verdicts="' + Object.values(row.cells).join(' ') + '"><td title="' + esc(row.title) + '">' + esc(row.behaviour) + '</td><td>' + row.apiVersion + '</td><td>' + row.level + '</td>' +
      prefixes.map(function(p){ var v = row.cells[p] || 'not-run'; return '<td class="c ' + v + '">' + mark[v] + '</td>'; }).join('') +
      '<td class="small">' + esc(row.notes.join('; ')) + '</td></tr>';
  }).join('');
  table.innerHTML = '<thead>' + head + '</thead><tbody>' + body + '</tbody>';
  table.setAttribute('data-rendered', String(rows.size));
  document.getElementById('only-failed').addEventListener('change', function(e){
    table.querySelectorAll('tbody tr').forEach(function(tr){
      tr.style.display = e.target.checked && tr.getAttribute('data-verdicts').indexOf('failed') < 0 ? 'none' : '';
    });
  });
  function esc(s){ return String(s).replace(/[&<>"']/g, function(c){ return {'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c]; }); }
})();`;

export function renderHtml(report: ConformanceReport): string {
  const verdictClass = report.verdict === 'conformant' ? 'v-conformant' : report.verdict === 'incomplete' ? 'v-incomplete' : 'v-not';
  const s = report.summary;
  const targets = report.targets
    .map(
      (t) =>
        `<tr><td>target</td><td><b>${esc(t.name)}</b> ${t.embedded ? '(embedded emulator)' : esc(t.baseUrl)} · API ${esc(t.apiVersion)} · profile ${esc(t.profile)} · prefixes ${esc(t.prefixes.join(', '))} · run ${esc(t.runId)}</td></tr>` +
        `<tr><td>ServiceProviderConfig</td><td>${esc(JSON.stringify(t.capabilities))}${t.capabilitiesNote ? ` (${esc(t.capabilitiesNote)})` : ''}</td></tr>`,
    )
    .join('');
  const failures = report.results
    .filter((r) => r.failures?.length)
    .flatMap((r) =>
      (r.failures ?? []).map(
        (f) => `<h3>${esc(r.behaviour)} on ${esc(r.prefix)} (${esc(r.apiVersion)})</h3><pre>${esc(f.message)}</pre>`,
      ),
    )
    .join('');
  // </script> inside the JSON would end the script element early.
  const data = JSON.stringify(report).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>SCIM conformance report — ${esc(report.verdict)}</title>
<meta name="viewport" content="width=device-width,initial-scale=1"><style>${CSS}</style></head>
<body>
<h1>SCIM conformance report</h1>
<p><span id="verdict" class="verdict ${verdictClass}">${esc(report.verdict)}</span>
 ${s.passed} passed · ${s.failed} failed (${s.mustFailed} MUST) · ${s.skipped} skipped · ${s.knownFailures} known failures · ${s.notRun} not run</p>
<table class="meta">
<tr><td>suite</td><td>${esc(report.suite.name)} ${esc(report.suite.version)} (commit ${esc(report.suite.commit)})</td></tr>
<tr><td>generated</td><td>${esc(report.generatedAt)} · took ${(report.durationMs / 1000).toFixed(1)} s · ${report.requests.sent} requests (${report.requests.retried} retried)</td></tr>
${targets}
<tr><td>integrity</td><td><code>sha256 ${esc(report.integrity?.hash ?? '(none)')}</code> (npm run verify-report -- conformance-report.json)</td></tr>
</table>
<h2>Behaviour × prefix</h2>
<label class="filter"><input type="checkbox" id="only-failed"> only failures</label>
<table id="matrix"><tbody><tr><td>The matrix needs JavaScript; the same data is in conformance-report.json and .md.</td></tr></tbody></table>
<h2>Failures</h2>
${failures || '<p>None.</p>'}
<script type="application/json" id="report-data">${data}</script>
<script>${SCRIPT}</script>
</body></html>
`;
}
