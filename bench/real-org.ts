/**
 * npm run bench -- --case real-org [--api-version 2021] [--ideal] [--filter <regex of test names>]
 * (SCIM_LIVE_* and SCIM_INDEX_WAIT_MS in the environment change the live-org conditions, e.g. SCIM_LIVE_INDEX_LAG_MS=6000)
 *
 * The whole suite against the embedded emulator in its live-org profile (SCIM_EMULATOR_PROFILE=live: latency, a
 * 300 requests/min per-token limit, occasional 503, lists lagging writes), run through the CLI as a user would, with
 * a real org's settings (client rate limit 300/min, index wait, property-test budget). Prints the requests sent (every
 * one: the checks, their clean-up, the runner's), the wall time, the floor the rate limit sets (requests / rate) and
 * the ratio to it, the observed index lag and the verdict. With --ideal it also runs the default (ideal) emulator and
 * says whether both runs gave the same verdict on every behaviour × prefix.
 * Budget for a full 2021 run (issue 12): at most 800 requests and 240 s.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { ConformanceReport } from '../reporters/report-model.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RATE = 300;
const BUDGET = { requests: 800, seconds: 240 };

interface Run {
  report: ConformanceReport;
  reportDir: string;
  seconds: number;
  code: number;
}

function conformance(env: Record<string, string>, apiVersion: string, filter?: string): Promise<Run> {
  const reportDir = mkdtempSync(join(tmpdir(), 'scimct-bench-real-org-'));
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', 'bin/conformance.ts', '--dotenv', '/dev/null', '--api-version', apiVersion, ...(filter ? ['--filter', filter] : [])],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', SCIM_REPORT_DIR: reportDir, ...env }, maxBuffer: 256 << 20 },
      (error) => {
        const seconds = (performance.now() - started) / 1000;
        try {
          const report = JSON.parse(readFileSync(join(reportDir, 'conformance-report.json'), 'utf8')) as ConformanceReport;
          resolve({ report, reportDir, seconds, code: typeof error?.code === 'number' ? error.code : 0 });
        } catch (e) {
          reject(new Error(`the run wrote no report (${(e as Error).message}); exit ${error?.code ?? 0}`));
        }
      },
    );
    child.stderr?.pipe(process.stderr);
  });
}

const verdicts = (r: ConformanceReport) => new Map(r.results.map((x) => [`${x.behaviour} ${x.prefix}`, x.verdict]));

export async function realOrg(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { 'api-version': { type: 'string', default: '2021' }, ideal: { type: 'boolean', default: false }, filter: { type: 'string' }, case: { type: 'string' } } });
  const apiVersion = values['api-version'] ?? '2021';
  console.log(`bench real-org: the whole ${apiVersion} suite against the live-org emulator (rate limit ${RATE}/min), through npm run conformance`);
  // Other live-org conditions (a longer index lag, more latency, …) pass through: SCIM_LIVE_* and SCIM_INDEX_WAIT_MS.
  const conditions = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => /^SCIM_(LIVE_|INDEX_WAIT_MS$)/.test(e[0]) && e[1] !== undefined));
  if (Object.keys(conditions).length) console.log(`  conditions: ${JSON.stringify(conditions)}`);
  const live = await conformance({ SCIM_EMULATOR_PROFILE: 'live', SCIM_RATE_LIMIT: String(RATE), ...conditions }, apiVersion, values.filter);
  const r = live.report;
  const floor = (r.requests.sent / RATE) * 60;
  console.log(`  requests: ${r.requests.sent} (${r.requests.retried} retried; runner ${JSON.stringify(r.requests.runner ?? {})}) — budget ${BUDGET.requests}`);
  console.log(`  wall time: ${live.seconds.toFixed(0)} s — budget ${BUDGET.seconds} s; the rate limit's floor for these requests is ${floor.toFixed(0)} s (ratio ${(live.seconds / floor).toFixed(2)})`);
  if (r.indexLag) console.log(`  index lag: ${JSON.stringify(r.indexLag)}`);
  console.log(`  verdict: ${r.verdict} (exit ${live.code}); ${r.summary.failed} failed, ${r.summary.blocked} blocked, ${r.summary.skipped} skipped`);
  for (const x of r.results.filter((x) => x.verdict === 'failed' || x.verdict === 'blocked')) {
    console.log(`    ${x.verdict} ${x.behaviour} ${x.prefix}: ${x.failures?.[0]?.check ?? x.note ?? ''} — ${x.failures?.[0]?.actual ?? ''}`.slice(0, 400));
  }
  const byArea = new Map<string, { results: number; requests: number }>();
  for (const x of r.results) {
    const key = `${x.resource}/${x.area}`;
    const e = byArea.get(key) ?? { results: 0, requests: 0 };
    e.results++;
    e.requests += x.requests ?? 0;
    byArea.set(key, e);
  }
  console.log(`  requests by resource/area (results, requests): ${[...byArea].sort((a, b) => b[1].requests - a[1].requests).map(([k, v]) => `${k} ${v.results}/${v.requests}`).join(', ')}`);
  console.log(`  report: ${live.reportDir}/conformance-report.json`);
  const top = [...r.results].sort((a, b) => (b.requests ?? 0) - (a.requests ?? 0)).slice(0, 15);
  console.log(`  most requests: ${top.map((x) => `${x.behaviour}${x.prefix.endsWith('v2') ? '' : ' (v1)'} ${x.requests}`).join(', ')}`);
  if (values.ideal) {
    const ideal = await conformance({}, apiVersion, values.filter);
    const a = verdicts(r);
    const b = verdicts(ideal.report);
    const differ = [...b].filter(([k, v]) => a.get(k) !== v).map(([k, v]) => `${k}: ideal ${v}, live ${a.get(k) ?? 'absent'}`);
    console.log(`  ideal emulator: ${ideal.report.verdict}, ${ideal.report.requests.sent} requests in ${ideal.seconds.toFixed(0)} s; ` +
      `${differ.length ? `${differ.length} behaviour×prefix verdicts differ:\n    ${differ.join('\n    ')}` : 'every behaviour×prefix verdict is the same'}`);
  }
}
