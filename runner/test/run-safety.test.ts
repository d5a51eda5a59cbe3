/**
 * Run safety, end to end, with real child processes (`node --import tsx bin/conformance.ts`, in their own process
 * group, signalled like a terminal's Ctrl-C signals a whole group):
 * - SIGINT mid-run, against the embedded emulator and against an external one: exit 130, a report marked interrupted
 *   (whole, never truncated), and nothing the run created left on the server;
 * - SIGKILL mid-run: what the run left is swept by the next run on the target;
 * - two runs at once on one target, the second starting while the first holds live resources: both pass, and the
 *   second's start-up sweep leaves the first's ledger alone.
 * "Left on the server" is judged exactly: the fault proxy in front of the emulator notes every resource a POST
 * created (its answer delivered or not: faults/proxy.ts stats.created), and each is read back from the emulator
 * afterwards (404 = gone).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../emulator/server.ts';
import { startFaultProxy, type RunningProxy } from '../../faults/proxy.ts';
import { leftoversOf } from '../../faults/run.ts';
import type { Fault } from '../../faults/types.ts';
import { ledgerDirFor } from '../../harness/runtime/ledger.ts';
import type { ConformanceReport } from '../../reporters/report-model.ts';
import { newRunInfo } from '../../harness/config/target.ts';
import { RunLedger } from '../../harness/runtime/ledger.ts';
import { removeDeadEmbeddedLedgers } from '../global-setup.ts';
import { LEDGER_ROOT } from '../paths.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * A transparent proxy in front of the emulator: `proxy.stats.created` notes every resource a POST created, whether or
 * not its answer reached the client. `hold()`: while it says true, the requests of the bearer tokens seen before it
 * first said so (the first run's) wait.
 */
async function recordingProxy(emu: RunningEmulator, hold: () => boolean = () => false): Promise<RunningProxy> {
  /** The bearer tokens seen before holding began: the first run's (its pre-check's and its workers'). */
  const first = new Set<string>();
  const fault: Fault = {
    id: 'hold-first-run',
    area: 'errors',
    description: 'holds the first run while told to (changes nothing)',
    affects: [],
    request: async (req) => {
      const auth = req.headers.authorization;
      if (!auth?.startsWith('Bearer ')) return;
      if (!hold()) first.add(auth);
      for (let waited = 0; first.has(auth) && hold() && waited < 60_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    },
  };
  return startFaultProxy({ target: emu.url, fault, clients: emu.clients });
}

/** What the runs through this proxy left on the emulator (read back by id: 404 = gone). */
const stillThere = (emu: RunningEmulator, proxy: RunningProxy) => leftoversOf(emu.url, emu.clients, proxy.stats.created);

interface Child {
  proc: ChildProcess;
  out: () => string;
  exit: Promise<number | null>;
}

function cli(args: string[], env: Record<string, string>): Child {
  let out = '';
  const proc = spawn(process.execPath, ['--import', 'tsx', 'bin/conformance.ts', '--dotenv', '/dev/null', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exit = new Promise<number | null>((resolve) => proc.on('close', (code, signal) => resolve(code ?? (signal ? -1 : null))));
  return { proc, out: () => out, exit };
}

/** Signals the child's whole process group, as a terminal does. */
const signalGroup = (c: Child, signal: NodeJS.Signals) => process.kill(-c.proc.pid!, signal);

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 90_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The ledger files under a directory (recursively). */
function ledgers(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) => join(dir, f));
}

/** The ledgers of embedded runs (private temp directories). */
const embeddedLedgers = () =>
  readdirSync(tmpdir())
    .filter((d) => d.startsWith('scimct-ledger-'))
    .flatMap((d) => ledgers(join(tmpdir(), d)));

/** A ledger of this process with at least `n` created resources not deleted yet (the run is mid-way). */
function busyLedger(files: string[] | string, pid: number, n: number): string | undefined {
  for (const file of typeof files === 'string' ? ledgers(files) : files) {
    if (!existsSync(file)) continue;
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    if (lines[0]?.pid !== pid) continue;
    const open = new Set<string>();
    for (const l of lines) {
      if (l.event === 'created') open.add(l.id);
      if (l.event === 'deleted') open.delete(l.id);
    }
    if (open.size >= n) return file;
  }
  return undefined;
}

function remoteEnv(proxy: RunningProxy, emu: RunningEmulator, targetName: string, reportDir: string): Record<string, string> {
  const admin = emu.clients.find((c) => c.name === 'admin')!;
  return {
    SCIM_BASE_URL: proxy.url,
    SCIM_CLIENT_ID: admin.clientId,
    SCIM_CLIENT_SECRET: admin.clientSecret,
    SCIM_TOKEN_URL: `${proxy.url}/oauth/token`,
    SCIM_ALLOW_WRITES: 'true',
    SCIM_RATE_LIMIT: '0',
    SCIM_TARGET_NAME: targetName,
    SCIM_REPORT_DIR: reportDir,
  };
}

function readReport(dir: string): ConformanceReport | undefined {
  const file = join(dir, 'conformance-report.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ConformanceReport) : undefined;
}

/** An interrupted run's artifacts: a report marked interrupted whose JUnit is whole, or no report at all. */
function expectWholeInterruptedReport(dir: string): void {
  const report = readReport(dir);
  if (!report) {
    expect(existsSync(join(dir, 'junit.xml'))).toBe(false);
    return;
  }
  expect(report.selection).toMatchObject({ partial: true, interrupted: true });
  expect(report.verdict).toBe('partial');
  const junit = readFileSync(join(dir, 'junit.xml'), 'utf8');
  expect(XMLValidator.validate(junit)).toBe(true);
  expect(junit).toMatch(/<testsuites name="SCIM conformance: interrupted: \d+ of \d+/);
  expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
}

/**
 * A remote run (through a recording proxy, its own target name) stopped by `signal` to its process group once it holds
 * live resources; `then` judges the aftermath. The proxy and the target's ledger directory go afterwards.
 */
async function stopMidRun(
  label: string,
  signal: NodeJS.Signals,
  files: string[],
  then: (r: { proxy: RunningProxy; out: string; name: string; ledger: string; child: Child; code: number | null }) => Promise<void>,
): Promise<void> {
  const proxy = await recordingProxy(emu);
  const out = mkdtempSync(join(tmpdir(), `scimct-${label}-`));
  const name = `run-safety-${label}-${process.pid}`;
  try {
    const child = cli(files.flatMap((f) => ['--file', f]), remoteEnv(proxy, emu, name, out));
    const ledger = await waitFor('the run to hold live resources', () => busyLedger(ledgerDirFor(LEDGER_ROOT, name), child.proc.pid!, 2));
    signalGroup(child, signal);
    const code = await child.exit;
    await then({ proxy, out, name, ledger, child, code });
  } finally {
    await proxy.close();
    rmSync(ledgerDirFor(LEDGER_ROOT, name), { recursive: true, force: true });
  }
}

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({ rateLimitPerMinute: 0 });
});
afterAll(async () => {
  await emu?.close();
});

describe('Ctrl-C (SIGINT to the process group) mid-run', () => {
  test('against the embedded emulator: exit 130, a whole report marked interrupted, the run ledger removed', async () => {
    const out = mkdtempSync(join(tmpdir(), 'scimct-sigint-embedded-'));
    const child = cli(['--file', 'suites/users/patch.test.ts', '--file', 'suites/users/lifecycle.test.ts', '--file', 'suites/groups/create.test.ts'], { SCIM_REPORT_DIR: out });
    const ledger = await waitFor('the embedded run to create resources', () => busyLedger(embeddedLedgers(), child.proc.pid!, 1));
    signalGroup(child, 'SIGINT');
    const code = await child.exit;
    expect(code, child.out().slice(-3000)).toBe(130);
    expect(child.out()).toMatch(/SIGINT: stopping/);
    expect(child.out()).toMatch(/Nothing this run created was left behind/);
    expectWholeInterruptedReport(out);
    expect(readReport(out)?.cleanup?.leftBehind ?? []).toEqual([]);
    // the private ledger of an embedded run goes with it
    expect(existsSync(join(ledger, '..'))).toBe(false);
  }, 120_000);

  test('against an external emulator: exit 130, and nothing the run created is left on the server', async () => {
    await stopMidRun('sigint', 'SIGINT', ['suites/users/patch.test.ts', 'suites/users/attributes.test.ts', 'suites/groups/create.test.ts'], async ({ proxy, out, name, child, code }) => {
      expect(code, child.out().slice(-3000)).toBe(130);
      expect(proxy.stats.created.length).toBeGreaterThan(1);
      expect(await stillThere(emu, proxy)).toEqual([]);
      expect(ledgers(ledgerDirFor(LEDGER_ROOT, name))).toEqual([]);
      expectWholeInterruptedReport(out);
    });
  }, 120_000);
});

test('SIGKILL mid-run: what the run left is swept by the next run on the target, and only then', async () => {
  await stopMidRun('sigkill', 'SIGKILL', ['suites/users/attributes.test.ts', 'suites/users/patch.test.ts'], async ({ proxy, out, name, ledger }) => {
    const left = await stillThere(emu, proxy);
    expect(left.length, 'a killed run leaves what it held').toBeGreaterThan(0);
    expect(existsSync(ledger)).toBe(true);

    const before = existsSync(ledger) ? readFileSync(ledger, 'utf8') : '';
    const next = cli(['--file', 'suites/service-provider-config/read.test.ts', '--id', 'SPC-GET'], remoteEnv(proxy, emu, name, out));
    expect(await next.exit, next.out().slice(-3000)).toBe(0);
    expect(next.out()).toMatch(/swept the leftovers of a dead run \(its process \d+ on .* is gone\)/);
    expect(await stillThere(emu, proxy), `${before}\n${next.out()}`).toEqual([]);
    // open intents not found on the server may stay (lists may lag), nothing else
    if (existsSync(ledger)) {
      const lines = readFileSync(ledger, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
      const open = new Set(lines.filter((l) => l.event === 'created').map((l) => l.id));
      for (const l of lines) if (l.event === 'deleted') open.delete(l.id);
      expect([...open]).toEqual([]);
    }
  });
}, 180_000);

test('two runs at once on one target: the second starts while the first holds live resources; both pass, nothing is left', async () => {
  // The first run waits (its requests held by the proxy) until the second has decided what its start-up sweep touches.
  let holding = false;
  let b: Child | undefined;
  let bEnded = false;
  const proxy = await recordingProxy(emu, () => holding && !bEnded && !/left alone|swept the leftovers/.test(b?.out() ?? ''));
  const name = 'emulator-rfc7644'; // its known differences (expectations/emulator-rfc7644.json) apply to both runs
  const env = (dir: string) => ({ ...remoteEnv(proxy, emu, name, dir), SCIM_PROFILE: 'rfc7644', SCIM_BASE_URL: `${proxy.url}/api/v2/scim/v2` });
  const outA = mkdtempSync(join(tmpdir(), 'scimct-concurrent-a-'));
  const outB = mkdtempSync(join(tmpdir(), 'scimct-concurrent-b-'));
  const dir = ledgerDirFor(LEDGER_ROOT, name);
  try {
    // filter.test.ts and list.test.ts share a population of five users, alive until the run ends.
    const files = ['--file', 'suites/rfc7644/filter.test.ts', '--file', 'suites/rfc7644/list.test.ts'];
    const a = cli(files, env(outA));
    // The first run's shared fixtures (five users) live until it ends: the second's start-up sweep must not touch them.
    await waitFor('the first run to hold live resources', () => busyLedger(dir, a.proc.pid!, 3));
    holding = true;
    b = cli(files, env(outB));
    void b.exit.then(() => (bEnded = true));
    const [codeA, codeB] = await Promise.all([a.exit, b.exit]);
    expect(codeA, a.out().slice(-3000)).toBe(0);
    expect(codeB, b.out().slice(-3000)).toBe(0);
    expect(b.out()).toMatch(/left alone: the ledger of a run still going \(process \d+ on .* is running/);
    const [ra, rb] = [readReport(outA)!, readReport(outB)!];
    for (const r of [ra, rb]) expect(r.summary).toMatchObject({ failed: 0, mustFailed: 0, blocked: 0 });
    const verdicts = (r: ConformanceReport) => Object.fromEntries(r.results.map((x) => [`${x.behaviour} ${x.prefix}`, x.verdict]));
    expect(verdicts(rb)).toEqual(verdicts(ra));
    expect(await stillThere(emu, proxy)).toEqual([]);
    expect(ledgers(dir).filter((f) => f.includes(ra.targets[0]!.runId) || f.includes(rb.targets[0]!.runId))).toEqual([]);
  } finally {
    await proxy.close();
  }
}, 180_000);

test('a killed embedded run\'s private ledger is removed by the next embedded run; a live one, or one of an older version, is not', () => {
  const root = mkdtempSync(join(tmpdir(), 'scimct-embedded-root-'));
  const make = (name: string, pid: number) => {
    const run = newRunInfo(join(root, name));
    new RunLedger(run, 'emulator-2021').open();
    writeFileSync(join(run.ledgerDir, `${run.runId}.lock`), JSON.stringify({ runId: run.runId, pid, hostname: hostname(), startedAt: run.startedAt }));
    return run.ledgerDir;
  };
  const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
  const dead = make('scimct-ledger-dead', gone);
  const live = make('scimct-ledger-live', process.pid);
  mkdirSync(join(root, 'scimct-ledger-v1'));
  // an older version's ledger (no lock), last written long ago: its run cannot be told dead, so it stays
  writeFileSync(join(root, 'scimct-ledger-v1', 'old.jsonl'), '{"event":"run","runId":"old","runPrefix":"scimct-000000000000-ab-"}\n');
  const past = new Date(Date.now() - 3_600_000);
  utimesSync(join(root, 'scimct-ledger-v1', 'old.jsonl'), past, past);
  removeDeadEmbeddedLedgers(root);
  expect(existsSync(dead)).toBe(false);
  expect(existsSync(live)).toBe(true);
  expect(existsSync(join(root, 'scimct-ledger-v1'))).toBe(true);
});
