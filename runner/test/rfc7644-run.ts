/**
 * Runs the CLI in the rfc7644 profile against a SCIM root and reads its report: shared by the SCIMMY and the
 * emulator tests, which assert that every verdict matches expectations/<target>.json.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadCatalogue, inProfile } from '../../harness/config/catalogue.ts';
import { loadExpectations } from '../../harness/config/expectations.ts';
import type { ConformanceReport } from '../../reporters/report-model.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

export interface Rfc7644Run {
  code: number;
  stdout: string;
  stderr: string;
  report: ConformanceReport;
  reportDir: string;
}

/** A fixed fast-check seed: the generated filters are the same from run to run, so a verdict never flickers. */
export const FILTER_SEED = '20240611';

export async function runRfc7644(root: string, token: string, targetName: string, extraEnv: Record<string, string> = {}, args: string[] = []): Promise<Rfc7644Run> {
  const reportDir = mkdtempSync(join(tmpdir(), `scimct-${targetName}-`));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    SCIM_PROFILE: 'rfc7644',
    SCIM_BASE_URL: root,
    SCIM_TOKEN: token,
    SCIM_ALLOW_WRITES: 'true',
    SCIM_RATE_LIMIT: '0',
    SCIM_TARGET_NAME: targetName,
    SCIM_REPORT_DIR: reportDir,
    SCIM_PBT_SEED: FILTER_SEED,
    ...extraEnv,
  };
  let out: { code: number; stdout: string; stderr: string };
  try {
    const r = await run(process.execPath, ['--import', 'tsx', 'bin/conformance.ts', '--dotenv', '/dev/null', '--workers', '2', ...args], {
      cwd: ROOT,
      env,
      timeout: 150_000,
      maxBuffer: 64 << 20,
    });
    out = { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e: any) {
    out = { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
  const report = JSON.parse(readFileSync(join(reportDir, 'conformance-report.json'), 'utf8')) as ConformanceReport;
  return { ...out, report, reportDir };
}

/** Everything that differs from expectations/<target>.json: a failure not listed, a listed one that did not fail, a behaviour that did not run. */
export function verdictDrift(r: Rfc7644Run, targetName: string): string[] {
  const expected = new Set((loadExpectations(targetName)?.failures ?? []).map((f) => f.id));
  const drift: string[] = [];
  const seen = new Set<string>();
  for (const res of r.report.results) {
    seen.add(res.behaviour);
    if (res.verdict === 'failed') drift.push(`${res.behaviour}: failed and not in expectations/${targetName}.json — ${res.failures?.[0]?.message.split('\n').slice(1, 4).join(' | ')}`);
    if (res.verdict === 'not-run') drift.push(`${res.behaviour}: did not run (${res.note})`);
    if (res.verdict === 'known-failure' && !expected.has(res.behaviour)) drift.push(`${res.behaviour}: known failure without an entry?`);
    if (expected.has(res.behaviour) && res.verdict !== 'known-failure') drift.push(`${res.behaviour}: listed as a known failure but ${res.verdict}`);
  }
  for (const b of loadCatalogue().filter((x) => inProfile(x, 'rfc7644'))) if (!seen.has(b.id)) drift.push(`${b.id}: missing from the report`);
  for (const id of expected) if (!seen.has(id)) drift.push(`${id}: listed in expectations/${targetName}.json but not in the report`);
  return drift;
}
