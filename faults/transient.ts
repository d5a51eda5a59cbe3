/**
 * npm run faults:transient: proves that transient faults say nothing about conformance. The same suite runs twice,
 * at the same time, each against a fresh emulator behind the fault proxy (faults/proxy.ts): once clean (a transparent
 * proxy), once with a seeded fraction of SCIM requests (default 10 %) answered 429 or 503 with Retry-After 0 or 1,
 * reset before they reach the emulator, or reset after the emulator applied them (the answer is lost).
 *
 * Accepted when the faulted run gives the clean run's verdict, and every behaviour × prefix verdict equal to the
 * clean run's, with nothing left on the emulator by either run. What makes it hold (docs/ARCHITECTURE.md, "Run
 * safety"): retries (harness/runtime/retry.ts), a lost create settled by name (runtime/behaviour/creates.ts), a check
 * blocked by an ambiguous write run again (runtime/behaviour/outcome.ts), and housekeeping never judged.
 *
 * `npm test` runs a smaller variant (faults/test/transient.test.ts: the users and groups create, get, list, patch,
 * delete and lifecycle files); this script runs the whole genesys suite by default.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { TRANSIENT_KINDS, type TransientFaults } from './proxy.ts';
import { runSuite, type RunOutcome } from './run.ts';

export interface AcceptanceOptions {
  transient: TransientFaults;
  /** Suite files (default: the whole genesys suite). */
  files?: string[];
  apiVersion?: '2021' | '2019';
  workers?: number;
  dir: string;
}

export interface AcceptanceOutcome {
  clean: RunOutcome;
  faulted: RunOutcome;
  /** Everything that differs from the clean run, or that broke; empty when accepted. */
  differences: string[];
}

type Verdicts = Map<string, string>;
const verdictsOf = (o: RunOutcome): Verdicts => new Map((o.report?.results ?? []).map((r) => [`${r.apiVersion} ${r.behaviour} ${r.prefix}`, r.verdict]));

/** What keeps the faulted run from being the clean run's twin. */
export function differencesOf(clean: RunOutcome, faulted: RunOutcome): string[] {
  const out: string[] = [];
  for (const [label, o] of [['clean', clean], ['faulted', faulted]] as const) {
    if (!o.report) out.push(`the ${label} run produced no report (exit ${o.exitCode}${o.timedOut ? ', timed out' : ''}; ${o.dir}/run.log)`);
    if (o.stats.errors.length) out.push(`the ${label} run's proxy failed: ${o.stats.errors[0]!.split('\n')[0]}`);
    for (const l of o.leftovers) out.push(`the ${label} run left ${l} on the emulator`);
  }
  if (!clean.report || !faulted.report) return out;
  if (clean.report.verdict !== faulted.report.verdict) out.push(`verdict: clean "${clean.report.verdict}", faulted "${faulted.report.verdict}"`);
  const [a, b] = [verdictsOf(clean), verdictsOf(faulted)];
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    if (a.get(key) !== b.get(key)) {
      const note = faulted.report.results.find((r) => `${r.apiVersion} ${r.behaviour} ${r.prefix}` === key);
      const why = (note?.failures?.[0]?.message ?? note?.note ?? '').split('\n').slice(0, 3).join(' | ');
      out.push(`${key}: clean ${a.get(key) ?? 'absent'}, faulted ${b.get(key) ?? 'absent'}${why ? ` (${why})` : ''}`);
    }
  }
  return out;
}

export async function transientAcceptance(opts: AcceptanceOptions): Promise<AcceptanceOutcome> {
  const common = { files: opts.files, apiVersion: opts.apiVersion, workers: opts.workers ?? 1 };
  const [clean, faulted] = await Promise.all([
    // Names of this invocation only: runSuite clears its target's ledger directory, which another run may be using.
    runSuite({ ...common, name: `transient-clean-${process.pid}`, dir: join(opts.dir, 'clean') }),
    runSuite({ ...common, name: `transient-faulted-${process.pid}`, dir: join(opts.dir, 'faulted'), transient: opts.transient }),
  ]);
  return { clean, faulted, differences: differencesOf(clean, faulted) };
}

export function summary(o: AcceptanceOutcome, t: TransientFaults): string {
  const line = (label: string, r: RunOutcome) =>
    `${label}: ${r.report ? `${r.report.verdict}; ${r.report.summary.passed} passed, ${r.report.summary.failed} failed, ${r.report.summary.skipped} skipped, ${r.report.summary.blocked ?? 0} blocked` : 'no report'}; ` +
    `${r.stats.requests} requests at the proxy, ${r.report?.requests?.retried ?? '?'} retried by the suite; ${(r.durationMs / 1000).toFixed(1)} s`;
  const injected = TRANSIENT_KINDS.map((k) => `${o.faulted.stats.transient[k]}× ${k}`).join(', ');
  return [
    line('clean  ', o.clean),
    line('faulted', o.faulted),
    `injected (rate ${t.rate}, seed ${t.seed}): ${injected}`,
    o.differences.length ? `NOT ACCEPTED: ${o.differences.length} difference(s):\n${o.differences.map((d) => `  ${d}`).join('\n')}` : 'accepted: the faulted run gives the clean run\'s verdict, behaviour by behaviour, and leaves nothing behind',
  ].join('\n');
}

const HELP = `Usage: npm run faults:transient -- [options]

Runs the suite twice at once against fresh emulators: clean, and with a fraction of requests answered 429/503
(Retry-After 0 or 1) or reset before or after the emulator applied them. Exits 0 when both give the same verdicts.

Options:
  --rate <0..1>       fraction of SCIM requests faulted (default 0.1)
  --seed <n>          seed of the fault choice (default: random, printed; replay with it)
  --file <path>       a suite file to run (repeatable; default: the whole genesys suite)
  --api-version <v>   2021 (default) or 2019
  --workers <n>       test files at a time per run (default 1)
  --out <dir>         where the two runs' reports go (default: a new temp directory)
  -h, --help          this help`;

async function main(): Promise<number> {
  const { values: args } = parseArgs({
    options: {
      rate: { type: 'string' },
      seed: { type: 'string' },
      file: { type: 'string', multiple: true },
      'api-version': { type: 'string' },
      workers: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (args.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const rate = Number(args.rate ?? 0.1);
  if (!(rate >= 0 && rate <= 1)) throw new Error(`--rate must be between 0 and 1 (got ${args.rate})`);
  const seed = args.seed !== undefined ? Number(args.seed) : Math.floor(Math.random() * 2 ** 31);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer (got ${args.seed})`);
  const apiVersion = args['api-version'] === '2019' ? '2019' : '2021';
  const dir = args.out ?? mkdtempSync(join(tmpdir(), 'scim-transient-'));
  mkdirSync(dir, { recursive: true });
  const transient: TransientFaults = { rate, seed };
  process.stdout.write(`clean and faulted runs (rate ${rate}, seed ${seed}) …\n`);
  const outcome = await transientAcceptance({ transient, files: args.file, apiVersion, workers: Number(args.workers ?? 1) || 1, dir });
  const text = summary(outcome, transient);
  process.stdout.write(`${text}\nReports under ${dir}\n`);
  writeFileSync(join(dir, 'transient-acceptance.txt'), `${text}\n`);
  return outcome.differences.length ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`transient fault run failed: ${(e as Error).stack ?? e}\n`);
      process.exit(1);
    },
  );
}
