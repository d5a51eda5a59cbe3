/**
 * The conformance report: one verdict per behaviour × prefix (× API version project), with the
 * exchange that proved each failure. Written at the end of every run to <report dir>/conformance-report.json
 * (machine-readable), .md, .html and junit.xml, all drawn from one view (reporters/view-model.ts).
 * Secrets never reach it: exchanges are redacted when recorded and identities are left out.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Reporter, TestModule, TestCase, Vitest } from 'vitest/node';
import { renderHtml } from './html.ts';
import type { ResolvedTarget } from '../harness/config/target.ts';
import { renderJunit } from './junit.ts';
import { buildReport, withEndOfRunRequests, type ConformanceReport, type RunSelection, type TestOutcome } from './report-model.ts';
import { renderMarkdown } from './render.ts';

export interface ConformanceReporterOptions {
  outputDir?: string;
  /** How the CLI narrowed the run (--id, --filter); vitest.config.ts passes it on from SCIM_CONFORMANCE_SELECTION. */
  selection?: RunSelection;
}

function outcomeOf(tc: TestCase): TestOutcome | undefined {
  const meta = tc.meta();
  // A SCIM root at the host root has the prefix '' (not a missing one).
  if (!meta.behaviour || meta.prefix === undefined) return undefined;
  const result = tc.result();
  let target: ResolvedTarget | undefined;
  try {
    target = tc.project.getProvidedContext().scimTarget as ResolvedTarget | undefined;
  } catch {
    target = undefined;
  }
  const base: Omit<TestOutcome, 'verdict'> = {
    behaviour: meta.behaviour,
    prefix: meta.prefix,
    project: tc.project.name,
    apiVersion: target?.apiVersion ?? '?',
    test: tc.name,
    level: meta.level ?? '?',
    resource: meta.resource ?? '?',
  };
  Object.assign(base, { requests: meta.requests, retries: meta.retries, durationMs: tc.diagnostic()?.duration, indexWait: meta.indexWait });
  // Skip kinds and failure parts are data the harness put in the task meta (harness/runtime/results.ts).
  if (result.state === 'skipped' && meta.blocked) {
    return { ...base, verdict: 'blocked', note: meta.blocked.reason, failure: meta.blocked.failure, message: `blocked: ${meta.blocked.reason}` };
  }
  if (result.state === 'skipped') return { ...base, verdict: 'skipped', note: meta.skip?.reason ?? result.note ?? 'skipped', skipKind: meta.skip?.kind };
  if (result.state === 'failed') {
    const message = result.errors?.map((e) => e.message).join('\n') ?? 'failed';
    return { ...base, verdict: 'failed', message, failure: meta.failure };
  }
  if (result.state === 'passed' && meta.knownFailure) {
    const f = meta.knownFailure.failure;
    return { ...base, verdict: 'known-failure', note: meta.knownFailure.reason, failure: f, message: `${f.check}: expected ${f.expected}, got ${f.actual}` };
  }
  if (result.state === 'passed') return { ...base, verdict: 'passed' };
  return undefined;
}

function suiteInfo(): { name: string; version: string; commit: string } {
  const root = new URL('..', import.meta.url);
  let version = '0.0.0';
  let name = 'scim-conformance';
  try {
    const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
    version = pkg.version;
    name = pkg.name;
  } catch {
    /* keep defaults */
  }
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (dirty) commit += '+modified';
  } catch {
    /* not a git checkout */
  }
  return { name, version, commit };
}

export default class ConformanceReporter implements Reporter {
  private readonly dir: string;
  private selection: RunSelection;
  private startedAt = new Date();
  constructor(options: ConformanceReporterOptions = {}) {
    this.dir = options.outputDir ?? 'reports';
    this.selection = options.selection ?? {};
  }

  onInit(vitest: Vitest): void {
    // A run narrowed by a test-name pattern (vitest -t, or the CLI's --id/--filter) is partial.
    const pattern = vitest.config.testNamePattern;
    if (pattern) this.selection = { ...this.selection, testNamePattern: String(pattern) };
  }

  onTestRunStart(): void {
    this.startedAt = new Date();
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const outcomes: TestOutcome[] = [];
    const targets = new Map<string, ResolvedTarget>();
    for (const mod of testModules) {
      for (const tc of mod.children.allTests()) {
        const o = outcomeOf(tc);
        if (!o) continue;
        outcomes.push(o);
        if (!targets.has(tc.project.name)) {
          try {
            const t = tc.project.getProvidedContext().scimTarget as ResolvedTarget | undefined;
            if (t) targets.set(tc.project.name, t);
          } catch {
            /* not a suite project */
          }
        }
      }
    }
    if (outcomes.length === 0) return;
    const report = buildReport(outcomes, [...targets.entries()], { startedAt: this.startedAt, suite: suiteInfo(), includeNotRun: true, selection: this.selection });
    writeReports(this.dir, report);
  }
}

/** Writes conformance-report.{json,md,html} and junit.xml into `dir`, all from one report. */
export function writeReports(dir: string, report: ConformanceReport): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/conformance-report.json`, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(`${dir}/conformance-report.md`, renderMarkdown(report));
  writeFileSync(`${dir}/conformance-report.html`, renderHtml(report));
  writeFileSync(`${dir}/junit.xml`, renderJunit(report));
}

/**
 * The runner's end-of-run clean-up happens after the report was written: add its requests to the report in `dir`
 * (when there is one) and write every rendering again. Synchronous, so two projects ending together cannot interleave.
 */
export function addEndOfRunRequests(dir: string, atEnd: number): void {
  const path = `${dir}/conformance-report.json`;
  if (atEnd === 0 || !existsSync(path)) return;
  writeReports(dir, withEndOfRunRequests(JSON.parse(readFileSync(path, 'utf8')) as ConformanceReport, atEnd));
}
