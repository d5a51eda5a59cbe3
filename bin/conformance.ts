/**
 * npm run conformance: the suite against the configured target, or against the embedded emulator
 * when nothing is configured. Validates the configuration first (one clear message, no request
 * sent), runs vitest with progress, prints the behaviour × prefix summary, and exits 0 only when
 * every MUST behaviour passed.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { config as loadDotenv } from 'dotenv';
import { ConfigError, CONFIG_KEYS, loadConfig } from '../harness/config/env.ts';
import { fetchClientCredentialsToken, TokenError } from '../harness/runtime/http.ts';
import { REPORTS_DIR, ROOT } from '../runner/paths.ts';
import { renderText, type ConformanceReport } from '../reporters/report-model.ts';

const HELP = `Usage: npm run conformance -- [options]

Runs the SCIM conformance suite. With no SCIM_BASE_URL configured it starts the embedded
emulator on a free 127.0.0.1 port and runs against it.

Options:
  --dotenv <path>       read configuration from this file (default: .env when present)
  --api-version <v>     2021 (default) or 2019; same as SCIM_API_VERSION
  --prefix <p>          check only this prefix (repeatable); same as SCIM_PREFIXES
  --filter <text>       run only tests whose name contains <text> (e.g. a behaviour id)
  --workers <n>         parallel test files (default 2 against the emulator, 1 elsewhere)
  -h, --help            this help

Configuration keys (environment or .env):
${Object.entries(CONFIG_KEYS)
  .map(([k, v]) => `  ${k.padEnd(28)} ${v}`)
  .join('\n')}

Exit codes: 0 every required (MUST) behaviour passed; 1 a MUST behaviour failed or the run broke;
2 bad configuration; 3 incomplete: nothing failed, but MUST behaviours were skipped for lack of
configuration (writes not allowed, no limited identity, org fixtures missing).
Reports: reports/conformance-report.{json,md,html}, reports/junit.xml, allure-results/ (npm run report).`;

function fail(message: string, code = 2): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      options: {
        'dotenv': { type: 'string' },
        'api-version': { type: 'string' },
        prefix: { type: 'string', multiple: true },
        filter: { type: 'string' },
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
  // Credentials that do not work are a configuration problem: one clear message, before any SCIM request.
  for (const [label, identity] of [['main identity', config.primary], ['limited identity', config.limited]] as const) {
    if (identity?.auth.kind !== 'client-credentials') continue;
    try {
      await fetchClientCredentialsToken(identity.auth, config.timeoutMs);
    } catch (e) {
      fail(`${label}: ${e instanceof TokenError ? e.message : (e as Error).message}\n\nCheck SCIM_CLIENT_ID/SCIM_CLIENT_SECRET (or the SCIM_LIMITED_* keys) and SCIM_REGION or SCIM_TOKEN_URL.`);
    }
  }
  process.env.SCIM_CONFORMANCE_CONFIG = JSON.stringify(config);
  // vitest.config.ts picks the suite directories of the profile from this.
  process.env.SCIM_CONFORMANCE_PROFILE = config.profile;
  const where = config.embedded ? 'the embedded emulator' : config.baseUrl;
  const scope =
    config.profile === 'rfc7644'
      ? `profile rfc7644, SCIM root ${config.prefixes[0] || '/'}${config.strict ? ', strict (SHOULD counts like MUST)' : ''}`
      : `API version ${config.apiVersion}, prefixes ${config.prefixes.join(' ')}`;
  process.stdout.write(
    `SCIM conformance: ${where}, ${scope}` +
      `${config.embedded || config.allowWrites ? '' : ' (read-only: SCIM_ALLOW_WRITES is not true)'}\n`,
  );

  const reportDir = process.env.SCIM_REPORT_DIR ? resolve(process.env.SCIM_REPORT_DIR) : REPORTS_DIR;
  process.env.SCIM_REPORT_DIR = reportDir;
  const reportPath = `${reportDir}/conformance-report.json`;
  rmSync(reportPath, { force: true });
  // Allure results describe one run: start empty (the default directory only; SCIM_REPORT_DIR runs start in their own).
  rmSync(process.env.SCIM_REPORT_DIR ? `${reportDir}/allure-results` : `${ROOT}allure-results`, { recursive: true, force: true });
  const { startVitest } = await import('vitest/node');
  const vitest = await startVitest(
    'test',
    args.filter ? [] : [],
    {
      root: ROOT,
      config: `${ROOT}vitest.config.ts`,
      run: true,
      watch: false,
      testNamePattern: args.filter,
      maxWorkers: workers ?? (config.embedded ? 2 : 1),
      passWithNoTests: false,
    },
  );
  let interrupted = false;
  const onSignal = async () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write('\nInterrupted: stopping and removing what this run created…\n');
    await vitest?.close();
    process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  await vitest?.close();

  if (!existsSync(reportPath)) fail('the run produced no conformance report (see the errors above)', 1);
  const report = JSON.parse(readFileSync(reportPath, 'utf8')) as ConformanceReport;
  process.stdout.write(`\n${renderText(report)}\nReports: ${reportDir}/conformance-report.{json,md,html}, ${reportDir}/junit.xml\n`);
  process.stdout.write(`Integrity: sha256 ${report.integrity?.hash} (npm run verify-report -- ${reportPath})\n`);
  const broken = (process.exitCode ?? 0) !== 0 && report.summary.failed === 0;
  if (broken) process.exit(1);
  process.exit(report.verdict === 'conformant' ? 0 : report.verdict === 'incomplete' ? 3 : 1);
}

main().catch((e) => fail(`conformance run failed: ${(e as Error).message}`, 1));
