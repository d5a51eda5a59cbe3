/**
 * vitest globalSetup of the suite projects: the one place that knows both the emulator and the
 * harness. It resolves the target (the embedded emulator unless the CLI passed a configured one),
 * reads the server's capabilities, sweeps leftovers of interrupted runs, provides the target to the
 * test workers, and removes what the run created when it ends.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { describeLive, liveOptionsFromEnv } from '../emulator/live.ts';
import { startEmulator } from '../emulator/server.ts';
import { cliConfig, ConfigError, loadConfig, type ApiVersion, type TargetConfig } from '../harness/config/env.ts';
import { closePools, fetchClientCredentialsToken, HttpClient, ScimClient, tokenSource, TokenError } from '../harness/runtime/http.ts';
import { cleanupLedger, ledgerFiles } from '../harness/runtime/ledger.ts';
import { collectionPath, newRunInfo, type Capabilities, type ResolvedTarget } from '../harness/config/target.ts';
import { RateLimiter } from '../harness/runtime/rate-limit.ts';
import { addEndOfRunRequests } from '../reporters/conformance-reporter.ts';
import { LEDGER_ROOT, embeddedOrgFixtures, reportDir } from './paths.ts';

/** The configured target (set by bin/conformance.ts), or the embedded emulator for `npm test`. */
function configFor(project: TestProject): TargetConfig {
  const fromCli = cliConfig();
  if (fromCli) return fromCli;
  const version = /2019/.test(project.name) ? '2019' : '2021';
  return loadConfig({ SCIM_API_VERSION: version });
}

async function readCapabilities(client: ScimClient, path = '/serviceproviderconfig'): Promise<{ capabilities: Capabilities; note?: string }> {
  try {
    const res = await client.get(path);
    if (res.status !== 200 || !res.body || typeof res.body !== 'object') {
      const what = res.status === 200 ? `a body that is not a JSON object (content-type ${res.headers['content-type'] ?? 'none'})` : String(res.status);
      return { capabilities: {}, note: `GET ${path.slice(1)} answered ${what}; capabilities unknown, nothing skipped for them` };
    }
    const flag = (k: string): boolean | undefined => {
      const v = res.body[k]?.supported;
      return typeof v === 'boolean' ? v : undefined;
    };
    return {
      capabilities: {
        etag: flag('etag'),
        patch: flag('patch'),
        filter: flag('filter'),
        sort: flag('sort'),
        bulk: flag('bulk'),
        changePassword: flag('changePassword'),
      },
    };
  } catch (e) {
    return { capabilities: {}, note: `GET serviceproviderconfig failed: ${(e as Error).message}` };
  }
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
  let target: ResolvedTarget;
  // The embedded emulator lives and dies with the run, so its ledger is private to the run (concurrent
  // runs never share it); a remote target's ledger is kept under reports/.ledger to sweep interrupted runs.
  const run = newRunInfo(config.embedded ? mkdtempSync(join(tmpdir(), 'scimct-ledger-')) : LEDGER_ROOT);

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
      capabilities: {},
      org: embeddedOrgFixtures(),
      run,
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
      userPassword: config.userPassword,
      capabilities: {},
      org: config.org,
      run,
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
  const caps = await readCapabilities(clientFor(target.prefixes[0]), target.profile === 'rfc7644' ? '/ServiceProviderConfig' : undefined);
  target.capabilities = caps.capabilities;
  target.capabilitiesNote = caps.note;

  const canDelete = (resource: 'users' | 'groups') => resource === 'users' || target.apiVersion === '2021' || target.profile === 'rfc7644';
  const path = (resource: 'users' | 'groups') => collectionPath(target, resource);
  if (!target.embedded) {
    for (const file of ledgerFiles(LEDGER_ROOT, target.targetName)) {
      const outcome = await cleanupLedger(file, clientFor, { canDelete, path });
      const n = outcome.removed.length + outcome.alreadyGone.length;
      if (n || outcome.kept.length) {
        console.log(`[scim-conformance] swept ${n} leftover resource(s) of an interrupted run (${file})`);
        for (const k of outcome.kept) console.log(`[scim-conformance]   kept: ${k}`);
      }
    }
  }

  target.runnerRequests = { atStart: runnerRequests };
  project.provide('scimTarget', target);

  return async () => {
    const before = runnerRequests;
    try {
      for (const file of ledgerFiles(run.ledgerDir, target.targetName)) {
        if (!file.includes(run.runId)) continue;
        const outcome = await cleanupLedger(file, clientFor, { canDelete, path });
        if (outcome.removed.length || outcome.kept.length) {
          console.log(`[scim-conformance] cleanup: removed ${outcome.removed.length} resource(s) still in the run ledger (shared fixtures, and anything a test could not delete)`);
          for (const k of outcome.kept) console.log(`[scim-conformance]   kept: ${k}`);
        }
      }
      addEndOfRunRequests(reportDir(), runnerRequests - before);
    } finally {
      await closePools();
      await emulator?.close();
      if (target.embedded) rmSync(run.ledgerDir, { recursive: true, force: true });
    }
  };
}

export function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}
