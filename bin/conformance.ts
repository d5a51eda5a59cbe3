/**
 * npm run conformance: the suite against the configured target, or against the embedded emulator
 * when nothing is configured. Validates the configuration first (one clear message, no request
 * sent), checks that the target answers and speaks SCIM (runner/preflight.ts), runs vitest with
 * progress, prints the behaviour × prefix summary, and exits 0 only when every MUST behaviour passed.
 * --list prints what a run would check without running it; --id, --filter and --file narrow a run,
 * which is then reported as partial. SIGINT/SIGTERM stop the run safely (Interruption, below).
 */
import { existsSync, readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { config as loadDotenv } from 'dotenv';
import type { Vitest } from 'vitest/node';
import { ConfigError, CONFIG_KEYS, loadConfig } from '../harness/config/env.ts';
import { closePools, fetchClientCredentialsToken, TokenError } from '../harness/runtime/http.ts';
import { reportDir, resetAllureResults, ROOT } from '../runner/paths.ts';
import { preflight } from '../runner/preflight.ts';
import { removeReports } from '../reporters/conformance-reporter.ts';
import { exitCodeOf, type ConformanceReport } from '../reporters/report-model.ts';
import { renderText } from '../reporters/render.ts';
import { plan, renderPlan, resolveIds, SelectionError, testNamePattern } from '../runner/selection.ts';

const HELP = `Usage: npm run conformance -- [options]

Runs the SCIM conformance suite. With no SCIM_BASE_URL configured it starts the embedded
emulator on a free 127.0.0.1 port and runs against it.

Options:
  --dotenv <path>       read configuration from this file (default: .env when present)
  --api-version <v>     2021 (default) or 2019; same as SCIM_API_VERSION
  --prefix <p>          check only this prefix (repeatable); same as SCIM_PREFIXES
  --id <ID>             check only this behaviour (exact id; repeatable): --id USR-LIST runs USR-LIST,
                        not USR-LIST-DEFAULT-ACTIVE
  --filter <pattern>    check only tests whose name ([ID] statement › row) matches <pattern>, a regular
                        expression (with --id: tests matching both)
  --file <path>         run only this suite file (repeatable), e.g. suites/users/create.test.ts
  --list                print the behaviours a run with these options would check (id, level, versions,
                        title) and whether each would run or why not; sends no request
  --workers <n>         parallel test files (default 2 against the emulator, 1 elsewhere)
  -h, --help            this help

Configuration keys (environment or .env):
${Object.entries(CONFIG_KEYS)
  .map(([k, v]) => `  ${k.padEnd(28)} ${v}`)
  .join('\n')}

Exit codes: 0 every required (MUST) behaviour passed; 1 a MUST behaviour failed or the run broke;
2 bad configuration (an unknown --id included); 3 incomplete: nothing failed, but MUST behaviours were
skipped for lack of configuration (writes not allowed, no limited identity, org fixtures missing).
A run narrowed by --id or --filter is partial: its verdict reads "partial: N of M selected behaviour×prefix
results passed", never "conformant" (exit 0 when nothing failed, 3 when MUST behaviours were skipped for
lack of configuration, 1 when one failed).
The target must answer and speak SCIM before any check runs: GET ServiceProviderConfig on each prefix;
no answer, 401, or no SCIM answer anywhere (404, HTML) exits 2 with one message; a server error on every
prefix exits 1. No report is written then.
Ctrl-C (SIGINT) or SIGTERM: the running checks finish with their clean-up, what the run created is
removed, a report of what ran is written marked interrupted (partial), exit 130. A second signal exits at
once: what the run created stays in its ledger (reports/.ledger), and the next run on the target sweeps it.
Reports (in SCIM_REPORT_DIR, default reports/): conformance-report.{json,md,html}, junit.xml, and
allure-results/ (npm run report builds the Allure HTML report from it).`;

function fail(message: string, code = 2): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

/**
 * SIGINT (Ctrl-C) and SIGTERM, from the very start of the process. The first signal stops the run: vitest is
 * cancelled (no new check starts; the running ones end with their own clean-up; vitest's workers ignore a first
 * SIGINT for that: runner/worker-signals.ts), the runner's teardown sweeps the run's ledger, the reporter writes a
 * report of what ran marked interrupted, and the process exits 130. Before vitest exists nothing was created: exit
 * 130 at once. A second signal exits at once; the run's lock then names a dead process, so the next run on the
 * target sweeps its ledger.
 */
class Interruption {
  signal: NodeJS.Signals | undefined;
  private vitest: Vitest | undefined;
  private readonly handler = (signal: NodeJS.Signals) => this.on(signal);

  install(): this {
    process.on('SIGINT', this.handler);
    process.on('SIGTERM', this.handler);
    return this;
  }

  /** vitest installs its own handlers (they exit within a millisecond): only ours stay. */
  attach(vitest: Vitest): void {
    this.vitest = vitest;
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      for (const l of process.listeners(signal)) if (l !== this.handler) process.off(signal, l);
    }
    if (this.signal) this.cancel();
  }

  private on(signal: NodeJS.Signals): void {
    if (this.signal) {
      process.stderr.write(`\n${signal} again: exiting now. What this run created stays in its ledger (reports/.ledger); the next run on this target sweeps it.\n`);
      process.exit(130);
    }
    this.signal = signal;
    if (!this.vitest) {
      process.stderr.write(`\n${signal}: stopped before any check ran; nothing was created.\n`);
      process.exit(130);
    }
    process.stderr.write(`\n${signal}: stopping. The running checks finish and clean up, then what this run created is removed (${signal === 'SIGINT' ? 'Ctrl-C' : 'SIGTERM'} again to exit at once)…\n`);
    this.cancel();
  }

  private cancel(): void {
    const vitest = this.vitest!;
    // A run that starts right after the signal resets vitest's cancel flag (Vitest.isCancelling: internal, stable in
    // the pinned vitest 4.1): cancel again until it holds. Cancelling twice would force-kill the workers.
    const again = () => {
      if (!(vitest as unknown as { isCancelling: boolean }).isCancelling) void vitest.cancelCurrentRun('keyboard-input');
    };
    again();
    setInterval(again, 250).unref();
  }
}

// Output piped into a command that stops reading early (… --list | head) is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

async function main(): Promise<void> {
  const interruption = new Interruption().install();
  let args;
  try {
    args = parseArgs({
      options: {
        'dotenv': { type: 'string' },
        'api-version': { type: 'string' },
        prefix: { type: 'string', multiple: true },
        filter: { type: 'string' },
        id: { type: 'string', multiple: true },
        list: { type: 'boolean' },
        file: { type: 'string', multiple: true },
        workers: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
    }).values;
  } catch (e) {
    fail(`${(e as Error).message}\n\n${HELP}`);
  }
  if (args.help) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const envFile = args['dotenv'];
  if (envFile && !existsSync(envFile)) fail(`--dotenv: ${envFile} does not exist`);
  loadDotenv({ path: envFile ?? `${ROOT}.env`, quiet: true });
  if (args['api-version']) process.env.SCIM_API_VERSION = args['api-version'];
  if (args.prefix?.length) process.env.SCIM_PREFIXES = args.prefix.join(',');
  let workers: number | undefined;
  if (args.workers !== undefined) {
    if (!/^[1-9]\d*$/.test(args.workers)) fail(`--workers must be a positive integer (got "${args.workers}")`);
    workers = Number(args.workers);
  }

  let config;
  try {
    config = loadConfig(process.env);
  } catch (e) {
    if (e instanceof ConfigError) fail(`${e.message}\n\nSee npm run conformance -- --help, .env.example and the README.`);
    throw e;
  }
  let ids: string[] = [];
  try {
    ids = resolveIds(args.id ?? [], config.profile).map((b) => b.id);
  } catch (e) {
    if (e instanceof SelectionError) fail(`${e.message}\n\nnpm run conformance -- --list shows the behaviours of this configuration.`);
    throw e;
  }
  const filter = args.filter;
  if (filter !== undefined) {
    try {
      new RegExp(filter);
    } catch (e) {
      fail(`--filter ${filter}: not a regular expression (${(e as Error).message})`);
    }
  }
  const files = (args.file ?? []).map((f) => relative(ROOT, resolve(f)));
  for (const f of files) {
    if (!/^suites\/.+\.test\.ts$/.test(f) || !existsSync(resolve(ROOT, f))) fail(`--file ${f}: not a suite file (suites/<resource>/<area>.test.ts)`);
    if ((config.profile === 'rfc7644') !== f.startsWith('suites/rfc7644/')) fail(`--file ${f}: not a suite file of the ${config.profile} profile`);
  }
  if (args.list) {
    process.stdout.write(`${renderPlan(config, plan(config, { ids, filter }), { ids, filter })}\n`);
    return;
  }
  // Credentials that do not work are a configuration problem: one clear message, before any SCIM request.
  for (const [label, identity] of [['main identity', config.primary], ['limited identity', config.limited]] as const) {
    if (identity?.auth.kind !== 'client-credentials') continue;
    try {
      await fetchClientCredentialsToken(identity.auth, config.timeoutMs);
    } catch (e) {
      fail(`${label}: ${e instanceof TokenError ? e.message : (e as Error).message}\n\nCheck SCIM_CLIENT_ID/SCIM_CLIENT_SECRET (or the SCIM_LIMITED_* keys) and SCIM_REGION or SCIM_TOKEN_URL.`);
    }
  }
  // Does the target answer and speak SCIM? One message instead of a flood of failed checks. (The embedded emulator
  // does not exist yet: the runner checks it when it starts it.) The runner reuses what this read.
  delete process.env.SCIM_CONFORMANCE_PREFLIGHT;
  if (!config.embedded && config.primary) {
    const checked = await preflight({ ...config, auth: config.primary.auth });
    await closePools();
    if (!checked.ok) fail(checked.message, checked.exitCode);
    process.env.SCIM_CONFORMANCE_PREFLIGHT = JSON.stringify({ capabilities: checked.capabilities, note: checked.note, requests: checked.requests });
  }
  process.env.SCIM_CONFORMANCE_CONFIG = JSON.stringify(config);
  // vitest.config.ts hands the selection to the conformance reporter: a narrowed run is reported as partial.
  const selection = { ...(ids.length ? { ids } : {}), ...(filter ? { filter } : {}), ...(files.length ? { files } : {}) };
  if (Object.keys(selection).length) process.env.SCIM_CONFORMANCE_SELECTION = JSON.stringify(selection);
  else delete process.env.SCIM_CONFORMANCE_SELECTION;
  // vitest.config.ts picks the suite directories of the profile from this.
  process.env.SCIM_CONFORMANCE_PROFILE = config.profile;
  const where = config.embedded ? 'the embedded emulator' : config.baseUrl;
  const scope =
    config.profile === 'rfc7644'
      ? `profile rfc7644, SCIM root ${config.prefixes[0] || '/'}${config.strict ? ', strict (SHOULD counts like MUST)' : ''}`
      : `API version ${config.apiVersion}, prefixes ${config.prefixes.join(' ')}`;
  const narrowed = [...ids.map((id) => `--id ${id}`), ...(filter ? [`--filter ${filter}`] : []), ...files.map((f) => `--file ${f}`)];
  process.stdout.write(
    `SCIM conformance: ${where}, ${scope}` +
      `${config.embedded || config.allowWrites ? '' : ' (read-only: SCIM_ALLOW_WRITES is not true)'}` +
      `${narrowed.length ? `; partial run: ${narrowed.join(' ')}` : ''}\n`,
  );

  const reports = reportDir();
  process.env.SCIM_REPORT_DIR = reports;
  const reportPath = `${reports}/conformance-report.json`;
  // Reports describe one run: none of an earlier run may pass for this one's (an interrupted run writes its own).
  removeReports(reports);
  // Allure results describe one run: start empty.
  resetAllureResults();
  const { createVitest } = await import('vitest/node');
  process.env.TEST = 'true';
  process.env.VITEST = 'true';
  process.env.NODE_ENV ??= 'test';
  const vitest = await createVitest('test', {
    root: ROOT,
    config: `${ROOT}vitest.config.ts`,
    run: true,
    watch: false,
    testNamePattern: testNamePattern(ids, filter),
    // One worker against anything remote, and against the embedded emulator in its live-org profile (it stands for a
    // real org): fixtures, shared answers, the learned index lag and the client rate limit are then the run's, not a
    // worker's each. The ideal emulator gets two.
    maxWorkers: workers ?? (config.embedded && config.emulatorProfile !== 'live' ? 2 : 1),
    passWithNoTests: false,
  });
  interruption.attach(vitest);
  try {
    await vitest.start(files);
  } catch (e) {
    process.exitCode = 1;
    vitest.logger.printError(e, { fullStack: true, type: 'Unhandled Error' });
  } finally {
    // Runs the runner's teardown: the end-of-run sweep of the ledger.
    await vitest.close();
  }

  if (interruption.signal) {
    const report = existsSync(reportPath) ? (JSON.parse(readFileSync(reportPath, 'utf8')) as ConformanceReport) : undefined;
    if (report) process.stdout.write(`\n${renderText(report)}\nReports (interrupted: what ran before ${interruption.signal}): ${reports}/conformance-report.{json,md,html}, ${reports}/junit.xml\n`);
    else process.stdout.write(`\nInterrupted by ${interruption.signal} before any check ended: no report was written.\n`);
    const left = report?.cleanup?.leftBehind ?? [];
    if (left.length) process.stdout.write(`Left behind (in the ledger for the next run's sweep): ${left.join('; ')}\n`);
    else if (report) process.stdout.write('Nothing this run created was left behind.\n');
    else process.stdout.write('What the clean-up could not remove (if anything) is listed in the [scim-conformance] lines above; it stays in the ledger for the next run\'s sweep.\n');
    process.exit(130);
  }
  if (!existsSync(reportPath)) fail('the run produced no conformance report (see the errors above)', 1);
  const report = JSON.parse(readFileSync(reportPath, 'utf8')) as ConformanceReport;
  process.stdout.write(`\n${renderText(report)}\nReports: ${reports}/conformance-report.{json,md,html}, ${reports}/junit.xml, ${reports}/allure-results (npm run report)\n`);
  process.stdout.write(`Integrity: sha256 ${report.integrity?.hash} (npm run verify-report -- ${reportPath})\n`);
  const broken = (process.exitCode ?? 0) !== 0 && report.summary.failed === 0;
  if (broken) process.exit(1);
  process.exit(exitCodeOf(report));
}

main().catch((e) => fail(`conformance run failed: ${(e as Error).message}`, 1));
