/** npm run report: builds the Allure HTML report from allure-results/ (allure-commandline, needs Java). */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const results = process.env.SCIM_REPORT_DIR ? `${process.env.SCIM_REPORT_DIR}/allure-results` : `${root}allure-results`;
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
