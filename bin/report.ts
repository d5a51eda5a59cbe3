/**
 * npm run report: builds the Allure HTML report from the allure results of the last run (allure-commandline,
 * needs Java). The results are where every run writes them: `<SCIM_REPORT_DIR or reports/>/allure-results`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { allureResultsDir, ROOT as root } from '../runner/paths.ts';

const results = allureResultsDir();
const out = `${root}allure-report`;
if (!existsSync(results) || readdirSync(results).length === 0) {
  process.stderr.write(`No allure results in ${results}: run npm run conformance (or npm test) first.\n`);
  process.exit(2);
}
try {
  execFileSync(`${root}node_modules/.bin/allure`, ['generate', results, '--clean', '-o', out], { stdio: ['ignore', 'ignore', 'inherit'] });
} catch (e) {
  process.stderr.write(`allure generate failed (${(e as Error).message}); it needs Java on the PATH.\n`);
  process.exit(1);
}
process.stdout.write(`Allure report: ${out}/index.html (serve it with: npx allure open ${out})\n`);
