/**
 * Settings of the property-based checks: the run budget (SCIM_PBT_RUNS, defaults per target kind) and exact replay of
 * one case (SCIM_PBT_SEED + SCIM_PBT_PATH). The keys are read here and nowhere else (config/env.ts validates them with
 * the rest of the configuration, before any request).
 *
 * Budget: the embedded emulator gets PBT_DEFAULTS.embedded (many sequences, shrinking on failure, the resource read
 * back after every request); a real org (and the embedded emulator in its live-org profile) gets PBT_DEFAULTS.remote
 * (a few short sequences, no shrinking: every shrink step would be more requests against the org; the resource read back
 * after every refused request and after the last one).
 */
import { type Env, isIdeal, value } from './values.ts';

/**
 * When a sequence reads its resource back (GET): after every request, or after every refused request and after the last
 * one (an applied PATCH answers with the whole resource, compared with the model all the same).
 */
export type ReadBack = 'every-step' | 'refusals-and-last';

export const PBT_DEFAULTS = {
  /** Against the embedded emulator. */
  embedded: { runs: 100, maxSteps: 5, readBack: 'every-step' },
  /** Against a real org: modest, see README "Property-based PATCH checks" for the request count. */
  remote: { runs: 1, maxSteps: 3, readBack: 'refusals-and-last' },
} as const satisfies Record<string, { runs: number; maxSteps: number; readBack: ReadBack }>;

export interface PbtSettings {
  /** Sequences to generate. */
  runs: number;
  /** Most requests per sequence. */
  maxSteps: number;
  /** When the resource is read back. */
  readBack: ReadBack;
  seed?: number;
  path?: string;
  /** true: replay exactly the case at seed + path. */
  replay: boolean;
  /** Shrink a failing case (embedded only, unless replaying). */
  shrink: boolean;
}

/** Problems with the SCIM_PBT_* keys (reported with the rest of the configuration, before any request). */
export function pbtEnvProblems(env: Env = process.env): string[] {
  const problems: string[] = [];
  const runs = value(env, 'SCIM_PBT_RUNS');
  if (runs !== undefined && (!/^\d+$/.test(runs) || Number(runs) < 1)) problems.push(`SCIM_PBT_RUNS must be an integer ≥ 1 (got "${runs}")`);
  const seed = value(env, 'SCIM_PBT_SEED');
  if (seed !== undefined && (!/^-?\d+$/.test(seed) || !Number.isSafeInteger(Number(seed)))) problems.push(`SCIM_PBT_SEED must be an integer (got "${seed}")`);
  const path = value(env, 'SCIM_PBT_PATH');
  if (path !== undefined) {
    if (!/^\d+(:\d+)*$/.test(path)) problems.push(`SCIM_PBT_PATH is a fast-check path such as 12:0:3 (got "${path}")`);
    if (seed === undefined) problems.push('SCIM_PBT_PATH needs SCIM_PBT_SEED (both come from the failure message)');
  }
  return problems;
}

export interface PbtOptions {
  /** Sequences per run when SCIM_PBT_RUNS is not set (default PBT_DEFAULTS). */
  runs?: { embedded: number; remote: number };
  env?: Env;
}

/** The settings for this target. */
export function pbtSettings(target: { embedded: boolean; live?: boolean }, options: PbtOptions = {}): PbtSettings {
  const env = options.env ?? process.env;
  // The embedded emulator in its live-org profile gets a real org's budget: that is what the profile is for.
  const ideal = isIdeal(target);
  const problems = pbtEnvProblems(env);
  if (problems.length) throw new Error(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  const base = ideal ? PBT_DEFAULTS.embedded : PBT_DEFAULTS.remote;
  const defaultRuns = options.runs ? (ideal ? options.runs.embedded : options.runs.remote) : base.runs;
  const runs = value(env, 'SCIM_PBT_RUNS');
  const seed = value(env, 'SCIM_PBT_SEED');
  const path = value(env, 'SCIM_PBT_PATH');
  return {
    runs: runs === undefined ? defaultRuns : Number(runs),
    maxSteps: base.maxSteps,
    readBack: base.readBack,
    seed: seed === undefined ? undefined : Number(seed),
    path,
    replay: path !== undefined,
    shrink: ideal && path === undefined,
  };
}

/**
 * Requests one sequence costs at most: the create, then per step the PATCH and the GET that reads it back (when every
 * request is read back, or every one is refused), then the delete at the end of the test.
 */
export function requestsPerSequence(maxSteps: number): number {
  return 1 + 2 * maxSteps + 1;
}

/** A generous test timeout for a property run (real orgs are paced by the rate limit). */
export function pbtTimeoutMs(settings: PbtSettings, embedded: boolean): number {
  const requests = settings.runs * requestsPerSequence(settings.maxSteps);
  return embedded ? 300_000 + requests * 50 : 120_000 + requests * 2_000;
}
