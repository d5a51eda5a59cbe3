import { defineConfig } from 'vitest/config';
import type { TestProjectInlineConfiguration } from 'vitest/config';
import { allureResultsDir, cliConfig, cliProfile, cliSelection, reportDir as reportDirOf } from './harness/config/env.ts';

/**
 * Projects:
 *  - harness, emulator: the project's own unit and integration tests
 *  - suites-2021, suites-2019: the conformance suite against the embedded emulator, once per API version
 *  - conformance: the suite against the target configured through bin/conformance.ts (npm run conformance)
 */
const fromCli = cliConfig() !== undefined;
/**
 * The profile of a CLI run (bin/conformance.ts sets SCIM_CONFORMANCE_PROFILE): genesys runs the Genesys suite
 * directories, rfc7644 runs suites/rfc7644/ only. The npm test projects run the genesys suites.
 */
const profile = cliProfile();
const SUITE_FILES = {
  genesys: { include: ['suites/**/*.test.ts'], exclude: ['suites/rfc7644/**'] },
  rfc7644: { include: ['suites/rfc7644/**/*.test.ts'], exclude: [] as string[] },
};
/** Where reports go (SCIM_REPORT_DIR, default reports/); nested runs (fault injection) write elsewhere. */
const reportDir = reportDirOf();

const suite = (name: string, files = SUITE_FILES.genesys): TestProjectInlineConfiguration => ({
  test: {
    name,
    include: files.include,
    exclude: ['**/node_modules/**', ...files.exclude],
    globalSetup: ['runner/global-setup.ts'],
    // runner/worker-signals.ts: a first Ctrl-C lets the running check end with its clean-up (bin/conformance.ts).
    setupFiles: ['allure-vitest/setup', 'runner/worker-setup.ts', 'runner/worker-signals.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // One module graph per worker, not per file: the client-side rate limit, the token cache, shared fixtures and
    // shared reads (harness/runtime/behaviour/context.ts) are then the worker's, across its files. With a module graph
    // per file each file had its own rate limiter, and a run sent more than SCIM_RATE_LIMIT per minute.
    isolate: false,
  },
});

const own: TestProjectInlineConfiguration[] = [
  { test: { name: 'harness', include: ['harness/test/**/*.test.ts', 'catalogue/**/*.test.ts', 'reporters/test/**/*.test.ts', 'runner/test/**/*.test.ts', 'faults/test/**/*.test.ts'] } },
  { test: { name: 'emulator', include: ['emulator/test/**/*.test.ts'] } },
  suite('suites-2021'),
  suite('suites-2019'),
];

export default defineConfig({
  test: {
    projects: fromCli ? [suite('conformance', SUITE_FILES[profile])] : own,
    reporters: [
      'default',
      // The conformance reporter writes conformance-report.{json,md,html} and junit.xml (one testcase per check, skips with
      // their reasons); npm test also gets vitest's own JUnit of every project (unit tests included) as vitest-junit.xml.
      ['./reporters/conformance-reporter.ts', { outputDir: reportDir, selection: cliSelection() }],
      ['json', { outputFile: `${reportDir}/vitest-results.json` }],
      ...(fromCli ? [] : [['junit', { outputFile: `${reportDir}/vitest-junit.xml` }] satisfies ['junit', object]]),
      ['allure-vitest/reporter', { resultsDir: allureResultsDir() }],
    ],
  },
});
