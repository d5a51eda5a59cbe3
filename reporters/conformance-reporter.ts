/**
 * The conformance report: one verdict per behaviour × prefix (× API version project), with the
 * exchange that proved each failure. Written at the end of every run to <report dir>/conformance-report.json
 * (machine-readable), .md, .html and junit.xml, all drawn from one view (reporters/view-model.ts).
 * Secrets never reach it: exchanges are redacted when recorded and identities are left out.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Reporter, TestModule, TestCase, Vitest } from 'vitest/node';
import { renderHtml } from './html.ts';
import type { RecordedExchange } from '../harness/http.ts';
import type { ResolvedTarget } from '../harness/target.ts';
import { renderJunit } from './junit.ts';
import { buildReport, type FailureParts, type RunSelection, type TestOutcome } from './report-model.ts';
import { renderMarkdown } from './render.ts';

export interface ConformanceReporterOptions {
  outputDir?: string;
  /** How the CLI narrowed the run (--id, --filter); vitest.config.ts passes it on from SCIM_CONFORMANCE_SELECTION. */
  selection?: RunSelection;
}

/**
 * The failure as data, when the harness hands it over in the task meta (`meta.failure`: requirement, check,
 * expected, actual, exchange); without it the report reads the parts from the failure message.
 */
function structuredFailure(meta: object): { parts: FailureParts; exchange?: RecordedExchange } | undefined {
  const f = (meta as { failure?: Record<string, unknown> }).failure;
  if (!f || typeof f !== 'object') return undefined;
  const text = (v: unknown) => (v === undefined ? undefined : typeof v === 'string' ? v : JSON.stringify(v));
  return {
    parts: { requirement: text(f.requirement), check: text(f.check), expected: text(f.expected), actual: text(f.actual) },
    exchange: f.exchange as RecordedExchange | undefined,
  };
}

function outcomeOf(tc: TestCase): TestOutcome | undefined {
  const meta = tc.meta();
  if (!meta.behaviour || !meta.prefix) return undefined;
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
  Object.assign(base, { requests: meta.requests, retries: meta.retries, durationMs: tc.diagnostic()?.duration });
  if (result.state === 'skipped') return { ...base, verdict: 'skipped', note: result.note ?? meta.skipReason ?? 'skipped', skipKind: meta.skipKind };
  if (result.state === 'failed') {
    const message = result.errors?.map((e) => e.message).join('\n') ?? 'failed';
    const structured = structuredFailure(meta);
    return { ...base, verdict: 'failed', message, failure: structured?.parts, exchange: structured?.exchange ?? (meta.failureExchange as RecordedExchange | undefined) };
  }
  if (result.state === 'passed' && meta.knownFailure) {
    return { ...base, verdict: 'known-failure', note: meta.knownFailure.reason, message: meta.knownFailure.error };
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
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(`${this.dir}/conformance-report.json`, `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(`${this.dir}/conformance-report.md`, renderMarkdown(report));
    writeFileSync(`${this.dir}/conformance-report.html`, renderHtml(report));
    writeFileSync(`${this.dir}/junit.xml`, renderJunit(report));
  }
}
