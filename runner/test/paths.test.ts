import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import config from '../../vitest.config.ts';
import { allureResultsDir, REPORTS_DIR, reportDir, ROOT } from '../paths.ts';

const run = promisify(execFile);

describe('one allure results directory for npm test, npm run conformance and npm run report', () => {
  test('is <report dir>/allure-results, the report dir being SCIM_REPORT_DIR (resolved) or reports/', () => {
    expect(reportDir({})).toBe(REPORTS_DIR);
    expect(allureResultsDir({})).toBe(join(ROOT, 'reports', 'allure-results'));
    expect(allureResultsDir({ SCIM_REPORT_DIR: '/tmp/x' })).toBe('/tmp/x/allure-results');
    expect(allureResultsDir({ SCIM_REPORT_DIR: 'out/r' })).toBe(join(process.cwd(), 'out', 'r', 'allure-results'));
  });

  test('vitest.config.ts writes the allure results there', () => {
    const reporters = (config as { test?: { reporters?: unknown[] } }).test?.reporters ?? [];
    const allure = reporters.find((r): r is [string, { resultsDir: string }] => Array.isArray(r) && r[0] === 'allure-vitest/reporter');
    expect(allure?.[1].resultsDir).toBe(allureResultsDir());
  });

  test('npm run report reads them there', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scimct-allure-'));
    const r = await run(process.execPath, ['--import', 'tsx', 'bin/report.ts'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', SCIM_REPORT_DIR: dir } }).catch((e) => e);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`No allure results in ${join(dir, 'allure-results')}`);
  });
});
