// Prints "N passed, N failed" from vitest's JSON reporter output (reports/vitest-results.json).
import { existsSync, readFileSync } from 'node:fs';

const file = process.argv[2] ?? 'reports/vitest-results.json';
if (!existsSync(file)) {
  console.log('0 passed, 1 failed');
  console.error(`${file} was not written: vitest did not finish`);
  process.exit(1);
}
const results = JSON.parse(readFileSync(file, 'utf8'));
let passed = 0;
let failed = 0;
for (const suite of results.testResults ?? []) {
  for (const t of suite.assertionResults ?? []) {
    if (t.status === 'passed') passed++;
    else if (t.status === 'failed') failed++;
  }
  // A file that failed to load has no assertions but is a failure.
  if ((suite.assertionResults ?? []).length === 0 && suite.status === 'failed') failed++;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
