import { defineConfig } from 'vitest/config';
import type { TestProjectInlineConfiguration } from 'vitest/config';

/**
 * Projects:
 *  - harness, emulator: the project's own unit and integration tests
 *  - suites-2021, suites-2019: the conformance suite against the embedded emulator, once per API version
 *  - conformance: the suite against the target configured through bin/conformance.ts (npm run conformance)
 */
const fromCli = Boolean(process.env.SCIM_CONFORMANCE_CONFIG);
/** Where reports go (default reports/); nested runs (fault injection) write elsewhere. */
const reportDir = process.env.SCIM_REPORT_DIR ?? 'reports';

const suite = (name: string): TestProjectInlineConfiguration => ({
  test: {
    name,
    include: ['suites/**/*.test.ts'],
    globalSetup: ['runner/global-setup.ts'],
    setupFiles: ['allure-vitest/setup'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

const own: TestProjectInlineConfiguration[] = [
  { test: { name: 'harness', include: ['harness/test/**/*.test.ts', 'catalogue/**/*.test.ts', 'reporters/test/**/*.test.ts', 'runner/test/**/*.test.ts'] } },
  { test: { name: 'emulator', include: ['emulator/test/**/*.test.ts'] } },
  suite('suites-2021'),
  suite('suites-2019'),
];

export default defineConfig({
  test: {
    projects: fromCli ? [suite('conformance')] : own,
    reporters: [
      'default',
      ['./reporters/conformance-reporter.ts', { outputDir: reportDir }],
      ['json', { outputFile: `${reportDir}/vitest-results.json` }],
      ['junit', { outputFile: `${reportDir}/junit.xml` }],
      ['allure-vitest/reporter', { resultsDir: process.env.SCIM_REPORT_DIR ? `${reportDir}/allure-results` : 'allure-results' }],
    ],
  },
});
