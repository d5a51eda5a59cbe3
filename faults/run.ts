/**
 * npm run mutation: proves the suite catches what it claims.
 *
 * 1. Baseline: emulator + transparent proxy, the whole suite; it must pass with zero failures.
 * 2. For each fault of faults/catalogue.ts: a fresh emulator + a proxy injecting that fault, the suite
 *    (restricted with --filter to the behaviours the fault `affects`, unless --full) run as a child
 *    process (`node --import tsx bin/conformance.ts`), its conformance-report.json read back.
 *    KILLED: at least one behaviour failed and one failing behaviour is in the fault's `affects`.
 *    SURVIVED otherwise, with the reason (no check yet, checks skipped, checks ran and passed, …).
 * 3. Prints the kill rate and every survivor; exits 1 when the baseline fails or the kill rate of the
 *    covered faults (those with at least one affected check in the suite) is below the threshold.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { startEmulator } from '../emulator/server.ts';
import { ledgerDirFor } from '../harness/runtime/ledger.ts';
import { embeddedOrgFixtures, LEDGER_ROOT, ROOT } from '../runner/paths.ts';
import { affects, affectsPattern, FAULTS } from './catalogue.ts';
import { startFaultProxy, type ProxyStats, type TransientFaults } from './proxy.ts';
import type { Fault } from './types.ts';

/** Minimum kill rate of the covered faults (faults with at least one affected check in the suite). */
export const DEFAULT_THRESHOLD = 0.9;
const CHILD_TIMEOUT_MS = 10 * 60_000;

const HELP = `Usage: npm run mutation -- [options]

Runs the conformance suite against the emulator behind a fault-injecting proxy, once per fault of
faults/catalogue.ts, and reports which faults the suite kills.

Options:
  --only <ids>          comma-separated fault ids (default: all)
  --full                run the whole suite per fault (default: only the behaviours the fault affects)
  --concurrency <n>     faults run at a time (default 2)
  --threshold <0..1>    minimum kill rate of covered faults (default ${DEFAULT_THRESHOLD})
  --no-baseline         skip the no-fault run (then every affected check is assumed present)
  --out <dir>           where per-fault reports go (default: a new temp directory)
  -h, --help            this help`;

interface ReportResult {
  behaviour: string;
  prefix: string;
  apiVersion: string;
  verdict: string;
  level?: string;
  note?: string;
  failures?: { message?: string }[];
}
interface Report {
  verdict?: string;
  summary: { failed: number; passed: number; skipped: number; blocked?: number };
  requests?: { sent: number; retried: number };
  results: ReportResult[];
}

export interface RunOutcome {
  exitCode: number | null;
  report?: Report;
  stats: ProxyStats;
  /** What the run left on the target: every resource a POST created that still answers (not 404) after the run. */
  leftovers: string[];
  durationMs: number;
  dir: string;
  timedOut: boolean;
}

export interface FaultResult {
  id: string;
  area: string;
  /** error: the fault or the run broke (no verdict); not counted in the kill rate, fails the mutation run. */
  status: 'killed' | 'survived' | 'error';
  /** covered: at least one affected behaviour has a check that runs (not pending, not skipped). */
  covered: boolean;
  reason: string;
  killedBy: string[];
  checked: string[];
  hits: number;
  durationMs: number;
  dir?: string;
}

function catalogueIds(): { id: string; status?: string }[] {
  const raw = JSON.parse(readFileSync(join(ROOT, 'catalogue/behaviours.json'), 'utf8')) as unknown;
  const list = Array.isArray(raw) ? raw : ((raw as { behaviours?: unknown[] }).behaviours ?? []);
  return (list as { id: string; status?: string }[]).map((b) => ({ id: b.id, status: b.status }));
}

/** Env of the child conformance run against the proxy (nothing inherited but PATH/HOME/temp dirs). */
export function childEnv(proxyUrl: string, clients: { name: string; clientId: string; clientSecret: string }[], targetName: string, reportDir: string, apiVersion: string): Record<string, string> {
  const admin = clients.find((c) => c.name === 'admin');
  const none = clients.find((c) => c.name === 'none');
  if (!admin || !none) throw new Error('the emulator has no "admin" and "none" demo clients (fixtures/emulator/clients.json)');
  const org = embeddedOrgFixtures();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
    SCIM_BASE_URL: proxyUrl,
    SCIM_CLIENT_ID: admin.clientId,
    SCIM_CLIENT_SECRET: admin.clientSecret,
    SCIM_TOKEN_URL: `${proxyUrl}/oauth/token`,
    SCIM_LIMITED_CLIENT_ID: none.clientId,
    SCIM_LIMITED_CLIENT_SECRET: none.clientSecret,
    SCIM_LIMITED_PERMISSIONS: '',
    SCIM_ALLOW_WRITES: 'true',
    SCIM_RATE_LIMIT: '0',
    SCIM_TIMEOUT_MS: '15000',
    SCIM_API_VERSION: apiVersion,
    SCIM_TARGET_NAME: targetName,
    SCIM_REPORT_DIR: reportDir,
  };
  const orgEnv: Record<string, string | undefined> = {
    SCIM_ORG_GROUP_ID: org.groupId,
    SCIM_ORG_NON_SCIM_GROUP_ID: org.nonScimGroupId,
    SCIM_ORG_DIVISION: org.division,
    SCIM_ORG_ROLE: org.role,
    SCIM_ORG_ROUTING_SKILL: org.routingSkill,
    SCIM_ORG_ROUTING_LANGUAGE: org.routingLanguage,
  };
  for (const [k, v] of Object.entries(orgEnv)) if (v) env[k] = v;
  return env;
}

/** vitest test-name pattern selecting exactly these behaviour ids (`[ID] statement`). */
export function filterFor(ids: string[]): string {
  return `\\[(?:${ids.map((id) => id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})\\]`;
}

type DemoClients = { name: string; clientId: string; clientSecret: string }[];

/** A bearer token of one of the emulator's demo clients (default the one with every permission). */
export async function demoToken(target: string, clients: DemoClients, name = 'admin'): Promise<string> {
  const client = clients.find((c) => c.name === name);
  if (!client) throw new Error(`no "${name}" demo client`);
  const res = await fetch(`${target}/oauth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

/** Item paths (`/api/v2/scim/v2/users/<id>`, from ProxyStats.created) that still answer on the target: not 404. */
export async function leftoversOf(target: string, clients: DemoClients, paths: string[]): Promise<string[]> {
  const token = await demoToken(target, clients);
  const left: string[] = [];
  for (const path of new Set(paths)) {
    const res = await fetch(`${target}${path}`, { headers: { authorization: `Bearer ${token}` } });
    await res.arrayBuffer();
    if (res.status !== 404) left.push(`${path} (${res.status})`);
  }
  return left;
}

/** One conformance run (child process) against a fresh emulator behind the proxy. */
export async function runSuite(opts: {
  fault?: Fault;
  ids?: string[];
  /** Suite files (--file): a run of part of the suite that imports only those files. */
  files?: string[];
  dir: string;
  workers?: number;
  apiVersion?: '2021' | '2019';
  /** Transient faults (429, 503, resets) on a fraction of requests: faults/transient.ts. */
  transient?: TransientFaults;
  /** SCIM_TARGET_NAME (default fault-<id>): runs that may go on at the same time need distinct names. */
  name?: string;
}): Promise<RunOutcome> {
  const started = Date.now();
  const apiVersion = opts.fault?.apiVersion ?? opts.apiVersion ?? '2021';
  const targetName = opts.name ?? `fault-${opts.fault?.id ?? `none-${apiVersion}`}`;
  mkdirSync(opts.dir, { recursive: true });
  const ledgerDir = ledgerDirFor(LEDGER_ROOT, targetName);
  rmSync(ledgerDir, { recursive: true, force: true });
  const emulator = await startEmulator({ apiVersion, rateLimitPerMinute: 0 });
  const proxy = await startFaultProxy({ target: emulator.url, fault: opts.fault, clients: emulator.clients, transient: opts.transient });
  let timedOut = false;
  let exitCode: number | null = null;
  let leftovers: string[] = [];
  try {
    const args = ['--import', 'tsx', 'bin/conformance.ts', '--dotenv', '/dev/null', '--workers', String(opts.workers ?? 1)];
    if (opts.ids) args.push('--filter', filterFor(opts.ids));
    for (const f of opts.files ?? []) args.push('--file', f);
    const log = createWriteStream(join(opts.dir, 'run.log'));
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: childEnv(proxy.url, emulator.clients, targetName, opts.dir, apiVersion),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, CHILD_TIMEOUT_MS);
    exitCode = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    clearTimeout(timer);
    await new Promise<void>((r) => log.end(r));
    leftovers = await leftoversOf(emulator.url, emulator.clients, proxy.stats.created);
  } finally {
    await proxy.close();
    await emulator.close();
    rmSync(ledgerDir, { recursive: true, force: true });
  }
  let report: Report | undefined;
  try {
    report = JSON.parse(readFileSync(join(opts.dir, 'conformance-report.json'), 'utf8')) as Report;
  } catch {
    report = undefined;
  }
  return { exitCode, report, stats: proxy.stats, leftovers, durationMs: Date.now() - started, dir: opts.dir, timedOut };
}

const ran = (r: ReportResult) => r.verdict === 'passed' || r.verdict === 'failed' || r.verdict === 'known-failure';

/** Classifies one fault run. `present`: behaviours whose checks ran in the baseline; `skipped`: id → skip note. */
export function judge(fault: Fault, outcome: RunOutcome | undefined, ctx: { catalogue: { id: string; status?: string }[]; present?: Set<string>; skipped: Map<string, string> }): Omit<FaultResult, 'durationMs' | 'dir'> {
  const candidates = ctx.catalogue.map((b) => b.id).filter((id) => affects(fault, id));
  const checked = ctx.present ? candidates.filter((id) => ctx.present!.has(id)) : candidates;
  const base = { id: fault.id, area: fault.area, killedBy: [] as string[], checked, hits: outcome?.stats.hits ?? 0 };
  if (checked.length === 0) {
    const skipped = candidates.filter((id) => ctx.skipped.has(id));
    const reason = skipped.length
      ? `affected checks are skipped: ${skipped.map((id) => `${id} (${ctx.skipped.get(id)})`).join('; ')}`
      : `no check yet: none of ${fault.affects.join(', ')} has a test in the suite` +
        (candidates.length ? ` (catalogue: ${[...new Set(candidates.map((id) => ctx.catalogue.find((b) => b.id === id)?.status ?? '?'))].join('/')})` : ' (no such behaviour in the catalogue)');
    return { ...base, status: 'survived', covered: false, reason };
  }
  if (!outcome) return { ...base, status: 'error', covered: true, reason: 'not run' };
  if (outcome.stats.errors.length) {
    return { ...base, status: 'error', covered: true, reason: `fault implementation error (fix the fault): ${outcome.stats.errors[0]!.split('\n')[0]}` };
  }
  if (!outcome.report) {
    return { ...base, status: 'error', covered: true, reason: `the run broke (${outcome.timedOut ? 'timed out' : `exit ${outcome.exitCode}`}, no report; see ${outcome.dir}/run.log)` };
  }
  const failed = outcome.report.results.filter((r) => r.verdict === 'failed');
  const killers = [...new Set(failed.map((r) => r.behaviour).filter((id) => affects(fault, id)))];
  if (killers.length) return { ...base, killedBy: killers, status: 'killed', covered: true, reason: `failed: ${killers.join(', ')}` };
  const ranIds = [...new Set(outcome.report.results.filter(ran).map((r) => r.behaviour))].filter((id) => affects(fault, id));
  if (failed.length) {
    return { ...base, status: 'survived', covered: true, reason: `caught only by behaviours outside affects: ${[...new Set(failed.map((r) => r.behaviour))].join(', ')}` };
  }
  if (outcome.stats.hits === 0) {
    return { ...base, status: 'survived', covered: true, reason: `never triggered: the checks that ran (${ranIds.join(', ') || 'none'}) sent no request the fault changes (npm run mutation -- --only ${fault.id} --full lets the whole suite drive it)` };
  }
  return {
    ...base,
    status: 'survived',
    covered: true,
    reason: `checks ran and passed although the fault changed ${outcome.stats.hits} exchange(s) (e.g. ${outcome.stats.samples[0]}): ${ranIds.join(', ')}`,
  };
}

/** Runs tasks with at most `n` at a time, in order of the input. */
async function pool<T, R>(items: T[], n: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  });
  await Promise.all(workers);
  return out;
}

function pct(n: number, d: number): string {
  return d === 0 ? 'n/a' : `${((100 * n) / d).toFixed(1)}%`;
}

async function main(): Promise<number> {
  const { values: args } = parseArgs({
    options: {
      only: { type: 'string' },
      full: { type: 'boolean' },
      concurrency: { type: 'string' },
      threshold: { type: 'string' },
      'no-baseline': { type: 'boolean' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (args.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const concurrency = Math.max(1, Number(args.concurrency ?? 2) || 2);
  const threshold = args.threshold !== undefined ? Number(args.threshold) : DEFAULT_THRESHOLD;
  if (!(threshold >= 0 && threshold <= 1)) throw new Error(`--threshold must be between 0 and 1 (got ${args.threshold})`);
  const only = args.only?.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = only?.filter((id) => !FAULTS.some((f) => f.id === id)) ?? [];
  if (unknown.length) throw new Error(`unknown fault id(s): ${unknown.join(', ')}`);
  const faults = only ? FAULTS.filter((f) => only.includes(f.id)) : FAULTS;
  const root = args.out ?? mkdtempSync(join(tmpdir(), 'scim-faults-'));
  mkdirSync(root, { recursive: true });
  const catalogue = catalogueIds();
  const t0 = Date.now();

  for (const f of faults) {
    const dead = f.affects.filter((a) => !catalogue.some((b) => affectsPattern(a).test(b.id)));
    if (dead.length) process.stdout.write(`warning: ${f.id}: affects entries matching no catalogue id: ${dead.join(', ')}\n`);
  }

  // 1. the no-fault baseline, once per API version the faults use: the whole suite through the transparent proxy
  const versions = [...new Set(faults.map((f) => f.apiVersion ?? '2021'))].sort().reverse();
  const present = new Map<string, Set<string>>();
  const skipped = new Map<string, Map<string, string>>();
  let baselineOk = true;
  const baselineNotes: string[] = [];
  if (!args['no-baseline']) {
    for (const version of versions) {
      process.stdout.write(`baseline ${version} (no fault, whole suite) …\n`);
      const base = await runSuite({ dir: join(root, `baseline-${version}`), workers: 2, apiVersion: version });
      const failed = base.report?.results.filter((r) => r.verdict === 'failed') ?? [];
      const ids = new Set(base.report?.results.filter(ran).map((r) => r.behaviour) ?? []);
      const skips = new Map<string, string>();
      for (const r of base.report?.results ?? []) if (r.verdict === 'skipped' && !ids.has(r.behaviour)) skips.set(r.behaviour, r.note ?? 'skipped');
      present.set(version, ids);
      skipped.set(version, skips);
      const ok = Boolean(base.report) && failed.length === 0 && base.stats.errors.length === 0;
      baselineOk &&= ok;
      const line = `baseline ${version}: ${ok ? 'PASS' : 'FAIL'} — ${base.report ? `${base.report.summary.passed} passed, ${base.report.summary.failed} failed, ${base.report.summary.skipped} skipped behaviour×prefix results; ${ids.size} behaviours with checks` : `no report (exit ${base.exitCode}; ${base.dir}/run.log)`} (${(base.durationMs / 1000).toFixed(1)} s, ${base.stats.requests} requests)`;
      baselineNotes.push(line);
      process.stdout.write(`${line}\n`);
      for (const r of failed) process.stdout.write(`  false failure: ${r.behaviour} ${r.prefix} (${r.apiVersion}): ${(r.failures?.[0]?.message ?? '').split('\n').slice(0, 3).join(' | ')}\n`);
      for (const e of base.stats.errors) process.stdout.write(`  proxy error: ${e.split('\n')[0]}\n`);
    }
  }

  // 2. one run per fault
  const results = await pool(faults, concurrency, async (fault) => {
    const version = fault.apiVersion ?? '2021';
    const ctx = { catalogue, present: present.get(version), skipped: skipped.get(version) ?? new Map<string, string>() };
    const pre = judge(fault, undefined, ctx);
    if (!pre.covered) {
      process.stdout.write(`  SURVIVED ${fault.id} (not run): ${pre.reason}\n`);
      return { ...pre, durationMs: 0 } satisfies FaultResult;
    }
    const dir = join(root, fault.id);
    const outcome = await runSuite({ fault, ids: args.full ? undefined : pre.checked, dir });
    const res: FaultResult = { ...judge(fault, outcome, ctx), durationMs: outcome.durationMs, dir };
    process.stdout.write(`  ${{ killed: 'KILLED  ', survived: 'SURVIVED', error: 'ERROR   ' }[res.status]} ${fault.id} (${(outcome.durationMs / 1000).toFixed(1)} s): ${res.reason}\n`);
    return res;
  });

  // 3. summary
  const errors = results.filter((r) => r.status === 'error');
  const judged = results.filter((r) => r.status !== 'error');
  const killed = judged.filter((r) => r.status === 'killed');
  const covered = judged.filter((r) => r.covered);
  const coveredKilled = covered.filter((r) => r.status === 'killed');
  const survivors = judged.filter((r) => r.status === 'survived');
  const rate = covered.length ? coveredKilled.length / covered.length : 1;
  const lines: string[] = [];
  lines.push(
    '',
    `Faults: ${results.length}; killed ${killed.length}, survived ${survivors.length}${errors.length ? `, ${errors.length} broken runs (not counted)` : ''}; ` +
      `kill rate ${pct(killed.length, judged.length)} overall, ${pct(coveredKilled.length, covered.length)} of the ${covered.length} covered faults (threshold ${pct(threshold, 1)})`,
  );
  const areas = [...new Set(judged.map((r) => r.area))];
  lines.push(`By area: ${areas.map((a) => `${a} ${judged.filter((r) => r.area === a && r.status === 'killed').length}/${judged.filter((r) => r.area === a).length}`).join(', ')}`);
  if (survivors.length) {
    lines.push('', 'Surviving faults:');
    for (const s of survivors) lines.push(`  ${s.id} [${s.area}]${s.covered ? '' : ' (uncovered)'}: ${s.reason}`);
  }
  if (errors.length) {
    lines.push('', 'Broken runs (no verdict; rerun with --only):');
    for (const e of errors) lines.push(`  ${e.id}: ${e.reason}`);
  }
  const total = (Date.now() - t0) / 1000;
  lines.push('', ...baselineNotes.map((l) => `${l.charAt(0).toUpperCase()}${l.slice(1)}`));
  lines.push(`Baseline: ${args['no-baseline'] ? 'not run' : baselineOk ? 'passed (zero failures)' : 'FAILED'}; total ${total.toFixed(0)} s; reports under ${root}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  writeFileSync(
    join(root, 'mutation-report.json'),
    `${JSON.stringify({ generatedAt: new Date().toISOString(), threshold, baselineOk, durationMs: Date.now() - t0, killRate: killed.length / (judged.length || 1), coveredKillRate: rate, results }, null, 2)}\n`,
  );
  if (!baselineOk) {
    process.stderr.write('mutation: the no-fault baseline has failures (false failures of the suite or the proxy)\n');
    return 1;
  }
  if (errors.length) {
    process.stderr.write(`mutation: ${errors.length} fault run(s) broke without a verdict: ${errors.map((e) => e.id).join(', ')}\n`);
    return 1;
  }
  if (rate < threshold) {
    process.stderr.write(`mutation: kill rate of covered faults ${pct(coveredKilled.length, covered.length)} is below the threshold ${pct(threshold, 1)}\n`);
    return 1;
  }
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`mutation run failed: ${(e as Error).stack ?? e}\n`);
      process.exit(1);
    },
  );
}
