/**
 * vitest globalSetup of the suite projects: the one place that knows both the emulator and the
 * harness. It resolves the target (the embedded emulator unless the CLI passed a configured one),
 * checks that it answers and speaks SCIM (preflight.ts), holds the run's lock (ledger liveness),
 * sweeps leftovers of dead runs on the same target identity, provides the target to the test
 * workers, and removes what the run created when it ends.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { describeLive, liveOptionsFromEnv } from '../emulator/live.ts';
import { startEmulator } from '../emulator/server.ts';
import { cliConfig, cliPreflight, ConfigError, loadConfig, type ApiVersion, type TargetConfig } from '../harness/config/env.ts';
import { closePools, fetchClientCredentialsToken, HttpClient, ScimClient, tokenSource, TokenError } from '../harness/runtime/http.ts';
import { ledgerDirFor, ledgerFileOf, ledgerFiles, lockFileOf, readLedger, RunLedger, RunLock, runLiveness } from '../harness/runtime/ledger.ts';
import { cleanupLedger, type CleanupOutcome, type SweepOptions } from '../harness/runtime/sweep.ts';
import { collectionPath, newRunInfo, sameIdentity, targetIdentity, type ResolvedTarget } from '../harness/config/target.ts';
import { RateLimiter } from '../harness/runtime/rate-limit.ts';
import { addEndOfRun } from '../reporters/conformance-reporter.ts';
import { LEDGER_ROOT, embeddedOrgFixtures, reportDir } from './paths.ts';
import { preflight } from './preflight.ts';

/** The configured target (set by bin/conformance.ts), or the embedded emulator for `npm test`. */
function configFor(project: TestProject): TargetConfig {
  const fromCli = cliConfig();
  if (fromCli) return fromCli;
  const version = /2019/.test(project.name) ? '2019' : '2021';
  return loadConfig({ SCIM_API_VERSION: version });
}

const EMBEDDED_LEDGERS = 'scimct-ledger-';

/**
 * Embedded runs keep their ledger in a private temp directory, removed when the run ends. One left by a killed run
 * (its lock names a dead process) holds nothing to sweep (its emulator died with it): remove the directory. Only
 * directories with a lock: one without is of an older version, whose liveness cannot be told (another checkout's run).
 */
export function removeDeadEmbeddedLedgers(root = tmpdir()): void {
  for (const name of readdirSync(root).filter((n) => n.startsWith(EMBEDDED_LEDGERS))) {
    const dir = join(root, name);
    try {
      const files = ledgerFiles(dir);
      if (files.length && files.every((f) => existsSync(lockFileOf(f)) && !runLiveness(f).alive)) rmSync(dir, { recursive: true, force: true });
    } catch {
      /* another run's directory, in use or already gone */
    }
  }
}

function log(line: string): void {
  console.log(`[scim-conformance] ${line}`);
}

function logSweep(outcome: CleanupOutcome, what: string): void {
  const n = outcome.removed.length + outcome.alreadyGone.length;
  if (n || outcome.kept.length) log(`${what}: removed ${outcome.removed.length}, already gone ${outcome.alreadyGone.length}, left ${outcome.kept.length} (${outcome.file})`);
  for (const k of outcome.kept) log(`  left: ${k}`);
}

export default async function setup(project: TestProject) {
  let config: TargetConfig;
  try {
    config = configFor(project);
  } catch (e) {
    if (e instanceof ConfigError) throw new Error(e.message);
    throw e;
  }
  const workers = Number(project.config.maxWorkers) || 1;

  let emulator: Awaited<ReturnType<typeof startEmulator>> | undefined;
  let target: Omit<ResolvedTarget, 'run'>;

  if (config.embedded) {
    // The live profile gives the embedded emulator a live org's conditions (latency, rate limit, 503s, index lag).
    const live = config.emulatorProfile === 'live' ? liveOptionsFromEnv(config.emulatorLive) : undefined;
    emulator = await startEmulator({ apiVersion: config.apiVersion as ApiVersion, rateLimitPerMinute: 0, ...(live ? { live } : {}) });
    if (emulator.live) console.log(`[scim-conformance] embedded emulator: ${describeLive(emulator.live)}`);
    const admin = emulator.clients.find((c) => c.name === 'admin');
    const none = emulator.clients.find((c) => c.name === 'none');
    if (!admin || !none) throw new Error('the emulator has no "admin" and "none" demo clients (fixtures/emulator/clients.json)');
    const tokenUrl = `${emulator.url}/oauth/token`;
    target = {
      baseUrl: emulator.url,
      // The rfc7644 profile on the emulator has known differences (expectations/emulator-rfc7644.json).
      targetName: config.profile === 'rfc7644' ? 'emulator-rfc7644' : `emulator-${config.apiVersion}`,
      embedded: true,
      prefixes: config.prefixes,
      apiVersion: config.apiVersion,
      profile: config.profile,
      strict: config.strict,
      identities: {
        primary: { auth: { kind: 'client-credentials', clientId: admin.clientId, clientSecret: admin.clientSecret, tokenUrl }, permissions: admin.permissions },
        limited: { auth: { kind: 'client-credentials', clientId: none.clientId, clientSecret: none.clientSecret, tokenUrl }, permissions: none.permissions },
      },
      allowWrites: true,
      rateLimitPerMinute: config.rateLimitPerMinute,
      live: live !== undefined,
      workers,
      timeoutMs: config.timeoutMs,
      indexWaitMs: config.indexWaitMs,
      cases: config.cases,
      capabilities: {},
      org: embeddedOrgFixtures(),
    };
  } else {
    if (!config.primary) throw new Error('no credentials for the main identity');
    target = {
      baseUrl: config.baseUrl,
      targetName: config.targetName,
      embedded: false,
      prefixes: config.prefixes,
      apiVersion: config.apiVersion,
      profile: config.profile,
      strict: config.strict,
      identities: { primary: config.primary, limited: config.limited },
      allowWrites: config.allowWrites,
      rateLimitPerMinute: config.rateLimitPerMinute,
      workers,
      timeoutMs: config.timeoutMs,
      indexWaitMs: config.indexWaitMs,
      cases: config.cases,
      userPassword: config.userPassword,
      capabilities: {},
      org: config.org,
    };
  }

  // Fail early, with one clear message, when the credentials do not work.
  for (const [name, id] of Object.entries(target.identities)) {
    if (id?.auth.kind === 'client-credentials') {
      try {
        await fetchClientCredentialsToken(id.auth, target.timeoutMs);
      } catch (e) {
        await emulator?.close();
        throw new Error(`${name} identity: ${e instanceof TokenError ? e.message : (e as Error).message}`);
      }
    }
  }

  // The run's ledger: what it creates, matched by the target's full identity. The embedded emulator lives and dies
  // with the run, so its ledger is private (a temp directory); a remote target's is kept under reports/.ledger, where
  // the next run sweeps what an interrupted run left.
  const identity = targetIdentity(target);
  if (target.embedded) removeDeadEmbeddedLedgers();
  const ledgerDir = target.embedded ? mkdtempSync(join(tmpdir(), EMBEDDED_LEDGERS)) : ledgerDirFor(LEDGER_ROOT, target.targetName, identity);
  const run = newRunInfo(ledgerDir, new Date(), identity);
  const resolved: ResolvedTarget = { ...target, run };
  // The lock first: from now on a concurrent run's sweep sees this run alive and leaves its ledger alone.
  const lock = new RunLock(run).acquire();
  new RunLedger(run, target.targetName).open();

  // The runner's own SCIM requests are paced like the checks' and counted in the report (requests.runner).
  let runnerRequests = 0;
  const http = new HttpClient({
    origin: target.baseUrl,
    timeoutMs: target.timeoutMs,
    limiter: new RateLimiter(target.rateLimitPerMinute),
    onExchange: () => void runnerRequests++,
  });
  const primaryTokens = tokenSource(target.identities.primary.auth, target.timeoutMs);
  const clientFor = (prefix: string) => new ScimClient(http, prefix, primaryTokens);
  const sweepOptions = (): SweepOptions => ({
    clientFor,
    canDelete: (resource) => resource === 'users' || target.apiVersion === '2021' || target.profile === 'rfc7644',
    path: (resource) => collectionPath(resolved, resource),
    filter: resolved.capabilities.filter !== false,
    // `sw` is RFC 7644's, not documented by Genesys: the run-prefix net is cast on rfc7644 targets that filter.
    prefixSweep: target.profile === 'rfc7644' && resolved.capabilities.filter === true,
    prefixes: target.prefixes,
  });

  try {
    // Does the target answer and speak SCIM? (The CLI asked already, before starting vitest, and says what it read.)
    const checked = cliPreflight() ?? (await preflight({ ...target, auth: target.identities.primary.auth }));
    if ('ok' in checked && !checked.ok) throw new Error(checked.message);
    runnerRequests += checked.requests;
    resolved.capabilities = checked.capabilities;
    resolved.capabilitiesNote = checked.note;

    if (!target.embedded) await sweepDeadRuns(resolved, sweepOptions());
  } catch (e) {
    lock.release();
    rmSync(ledgerFileOf(run), { force: true });
    await closePools();
    await emulator?.close();
    if (target.embedded) rmSync(run.ledgerDir, { recursive: true, force: true });
    throw e;
  }

  resolved.runnerRequests = { atStart: runnerRequests };
  project.provide('scimTarget', resolved);

  return async () => {
    const before = runnerRequests;
    try {
      // Shared fixtures, what a test could not remove, and creates whose answer was lost.
      const outcome = await cleanupLedger(ledgerFileOf(run), sweepOptions());
      logSweep(outcome, 'end-of-run clean-up');
      addEndOfRun(reportDir(), { requests: runnerRequests - before, leftBehind: outcome.kept });
    } finally {
      // Released last: until here the run is alive, and nobody else sweeps its ledger.
      lock.release();
      await closePools();
      await emulator?.close();
      if (target.embedded) rmSync(run.ledgerDir, { recursive: true, force: true });
    }
  };
}

/**
 * The start-up sweep: ledgers of the same target identity whose run is dead (ledger.ts runLiveness). A ledger whose
 * run is still going is never touched, and neither is one of another identity (another port, SCIM root or org).
 */
async function sweepDeadRuns(target: ResolvedTarget, options: SweepOptions): Promise<void> {
  const own = ledgerFileOf(target.run);
  const identity = target.run.identity;
  // Version-1 ledgers (before identities) sit in the target-name directory and name their base URL only.
  const legacy = ledgerFiles(ledgerDirFor(LEDGER_ROOT, target.targetName)).filter((f) => readLedger(f).header?.baseUrl === identity?.baseUrl);
  for (const file of [...ledgerFiles(target.run.ledgerDir).filter((f) => f !== own), ...legacy]) {
    const liveness = runLiveness(file);
    if (liveness.alive) {
      log(`left alone: the ledger of a run still going (${liveness.why}): ${file}`);
      continue;
    }
    const header = readLedger(file).header;
    if (header?.identity && !sameIdentity(header.identity, identity)) {
      log(`left alone: a ledger of another target identity: ${file}`);
      continue;
    }
    const outcome = await cleanupLedger(file, { ...options, prefixes: undefined });
    logSweep(outcome, `swept the leftovers of a dead run (${liveness.why})`);
    // The lock of a dead run is stale: the ledger's next sweep (if something was left) needs none.
    rmSync(lockFileOf(file), { force: true });
  }
}

export function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}
