/**
 * npm run verify-report -- <conformance-report.json>: recomputes the report's sha256 over its canonical
 * JSON and compares it with the recorded one. A match proves the file is the one whose hash was published
 * (the hash is printed at the end of every run and shown in the .md and .html reports); share the hash
 * through a separate channel (e.g. the CI log) so a reader can compare it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { verifyReport, type ConformanceReport } from '../reporters/report-model.ts';

const file = process.argv[2] ?? 'reports/conformance-report.json';
if (!existsSync(file)) {
  process.stderr.write(`${file} does not exist\nUsage: npm run verify-report -- <conformance-report.json> [expected-sha256]\n`);
  process.exit(2);
}
let report: ConformanceReport;
try {
  report = JSON.parse(readFileSync(file, 'utf8'));
} catch (e) {
  process.stderr.write(`${file} is not JSON: ${(e as Error).message}\n`);
  process.exit(2);
}
const published = process.argv[3];
const { ok, expected, actual } = verifyReport(report);
if (!ok) {
  process.stdout.write(`MODIFIED: ${file} hashes to ${actual}, but records ${expected ?? '(no hash)'}\n`);
  process.exit(1);
}
if (published && published !== actual) {
  process.stdout.write(`MISMATCH: ${file} is intact (sha256 ${actual}) but is not the report with the published hash ${published}\n`);
  process.exit(1);
}
process.stdout.write(`OK: ${file} is unmodified (sha256 ${actual}); verdict ${report.verdict}\n`);
