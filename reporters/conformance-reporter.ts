/**
 * The conformance report: one verdict per behaviour × prefix (× API version project), with the
 * exchange that proved each failure. Written at the end of every run to <report dir>/conformance-report.json
 * (machine-readable), .md, .html and junit.xml, all drawn from one view (reporters/view-model.ts).
 * Secrets never reach it: exchanges are redacted when recorded and identities are left out.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { Reporter, TestModule, TestCase, Vitest } from 'vitest/node';
import { renderHtml } from './html.ts';
import type { ResolvedTarget } from '../harness/config/target.ts';
import { renderJunit } from './junit.ts';
import { buildReport, withEndOfRun, type ConformanceReport, type RunSelection, type TestOutcome } from './report-model.ts';
import { renderMarkdown } from './render.ts';

export interface ConformanceReporterOptions {
  outputDir?: string;
  /** How the CLI narrowed the run (--id, --filter); vitest.config.ts passes it on from SCIM_CONFORMANCE_SELECTION. */
  selection?: RunSelection;
}

function outcomeOf(tc: TestCase, interrupted: boolean): TestOutcome | undefined {
  const meta = tc.meta();
  // A SCIM root at the host root has the prefix '' (not a missing one).
  if (!meta.behaviour || meta.prefix === undefined) return undefined;
  const result = tc.result();
  // A check cut short by the interruption (its worker stopped before it ended: no request count) judged nothing.
  if (interrupted && result.state !== 'passed' && result.state !== 'skipped' && meta.requests === undefined) return undefined;
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
  Object.assign(base, { requests: meta.requests, retries: meta.retries, durationMs: tc.diagnostic()?.duration, indexWait: meta.indexWait, ...(meta.cleanupProblems?.length ? { cleanup: meta.cleanupProblems } : {}) });
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

  onTestRunEnd(testModules: ReadonlyArray<TestModule>, _errors: unknown, reason?: string): void {
    const outcomes: TestOutcome[] = [];
    const targets = new Map<string, ResolvedTarget>();
    // Cancelled (bin/conformance.ts on SIGINT/SIGTERM): a report of what ran, marked interrupted (partial).
    const interrupted = reason === 'interrupted';
    for (const mod of testModules) {
      for (const tc of mod.children.allTests()) {
        const o = outcomeOf(tc, interrupted);
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
    const selection = interrupted ? { ...this.selection, interrupted: true } : this.selection;
    const report = buildReport(outcomes, [...targets.entries()], { startedAt: this.startedAt, suite: suiteInfo(), includeNotRun: true, selection });
    writeReports(this.dir, report);
  }
}

/** The files a run writes into its report directory (the CLI removes them before a run: none is ever stale). */
export const REPORT_FILES = ['conformance-report.json', 'conformance-report.md', 'conformance-report.html', 'junit.xml'] as const;

/**
 * Writes conformance-report.{json,md,html} and junit.xml into `dir`, all from one report. Each file is written to a
 * temporary name and renamed into place, so a process stopped mid-write (a second Ctrl-C) never leaves an empty or
 * truncated report: a file is either complete or absent.
 */
export function writeReports(dir: string, report: ConformanceReport): void {
  mkdirSync(dir, { recursive: true });
  const contents: Record<(typeof REPORT_FILES)[number], string> = {
    'conformance-report.json': `${JSON.stringify(report, null, 2)}\n`,
    'conformance-report.md': renderMarkdown(report),
    'conformance-report.html': renderHtml(report),
    'junit.xml': renderJunit(report),
  };
  for (const [name, text] of Object.entries(contents)) {
    const tmp = `${dir}/.${name}.${process.pid}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, `${dir}/${name}`);
  }
}

export function removeReports(dir: string): void {
  for (const name of REPORT_FILES) rmSync(`${dir}/${name}`, { force: true });
}

/**
 * The runner's end-of-run clean-up happens after the report was written: add its requests and what it could not
 * remove to the report in `dir` (when there is one) and write every rendering again. Synchronous, so two projects
 * ending together cannot interleave.
 */
export function addEndOfRun(dir: string, end: { requests: number; leftBehind: string[] }): void {
  const path = `${dir}/conformance-report.json`;
  if ((end.requests === 0 && end.leftBehind.length === 0) || !existsSync(path)) return;
  writeReports(dir, withEndOfRun(JSON.parse(readFileSync(path, 'utf8')) as ConformanceReport, end));
}
