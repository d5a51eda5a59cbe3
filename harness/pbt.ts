/**
 * Property-based checks against a SCIM target: the run budget (SCIM_PBT_RUNS, defaults per target kind), exact
 * replay of one case (SCIM_PBT_SEED + SCIM_PBT_PATH), and a failure message that names the seed, the path and the
 * shrunk sequence as the literal HTTP requests it sent.
 *
 * Budget: the embedded emulator gets PBT_DEFAULTS.embedded (many sequences, shrinking on failure); a real org gets
 * PBT_DEFAULTS.remote (a few sequences, no shrinking: every shrink step would be more requests against the org).
 */
import fc from 'fast-check';
import type { HttpResult } from './http.ts';
import type { Verify } from './verify.ts';

export const PBT_DEFAULTS = {
  /** Against the embedded emulator. */
  embedded: { runs: 100, maxSteps: 5 },
  /** Against a real org: modest, see README "Property-based PATCH checks" for the request count. */
  remote: { runs: 3, maxSteps: 3 },
} as const;

export interface PbtSettings {
  /** Sequences to generate. */
  runs: number;
  /** Most requests per sequence. */
  maxSteps: number;
  seed?: number;
  path?: string;
  /** true: replay exactly the case at seed + path. */
  replay: boolean;
  /** Shrink a failing case (embedded only, unless replaying). */
  shrink: boolean;
}

type Env = Record<string, string | undefined>;
const val = (env: Env, key: string) => {
  const v = env[key]?.trim();
  return v === undefined || v === '' ? undefined : v;
};

/** Problems with the SCIM_PBT_* keys (reported with the rest of the configuration, before any request). */
export function pbtEnvProblems(env: Env = process.env): string[] {
  const problems: string[] = [];
  const runs = val(env, 'SCIM_PBT_RUNS');
  if (runs !== undefined && (!/^\d+$/.test(runs) || Number(runs) < 1)) problems.push(`SCIM_PBT_RUNS must be an integer ≥ 1 (got "${runs}")`);
  const seed = val(env, 'SCIM_PBT_SEED');
  if (seed !== undefined && (!/^-?\d+$/.test(seed) || !Number.isSafeInteger(Number(seed)))) problems.push(`SCIM_PBT_SEED must be an integer (got "${seed}")`);
  const path = val(env, 'SCIM_PBT_PATH');
  if (path !== undefined) {
    if (!/^\d+(:\d+)*$/.test(path)) problems.push(`SCIM_PBT_PATH is a fast-check path such as 12:0:3 (got "${path}")`);
    if (seed === undefined) problems.push('SCIM_PBT_PATH needs SCIM_PBT_SEED (both come from the failure message)');
  }
  return problems;
}

/** The settings for this target. */
export function pbtSettings(target: { embedded: boolean }, env: Env = process.env): PbtSettings {
  const problems = pbtEnvProblems(env);
  if (problems.length) throw new Error(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  const base = target.embedded ? PBT_DEFAULTS.embedded : PBT_DEFAULTS.remote;
  const runs = val(env, 'SCIM_PBT_RUNS');
  const seed = val(env, 'SCIM_PBT_SEED');
  const path = val(env, 'SCIM_PBT_PATH');
  return {
    runs: runs === undefined ? base.runs : Number(runs),
    maxSteps: base.maxSteps,
    seed: seed === undefined ? undefined : Number(seed),
    path,
    replay: path !== undefined,
    shrink: target.embedded && path === undefined,
  };
}

/**
 * Requests one sequence costs at most: the create, then per step the PATCH and the GET that reads it back, then the
 * delete at the end of the test.
 */
export function requestsPerSequence(maxSteps: number): number {
  return 1 + 2 * maxSteps + 1;
}

/** A generous test timeout for a property run (real orgs are paced by the rate limit). */
export function pbtTimeoutMs(settings: PbtSettings, embedded: boolean): number {
  const requests = settings.runs * requestsPerSequence(settings.maxSteps);
  return embedded ? 300_000 + requests * 50 : 120_000 + requests * 2_000;
}

export interface LoggedRequest {
  method: string;
  /** Path and query relative to the origin. */
  path: string;
  body?: string;
  status?: number;
  /** Why it was not sent, or what it is. */
  note?: string;
}

/** What one sequence sent, for the failure message. */
export class SequenceRecorder {
  readonly log: LoggedRequest[] = [];
  last?: HttpResult;

  /** Records an exchange (as sent, redacted) and returns it. */
  sent(res: HttpResult, note?: string): HttpResult {
    const r = res.exchange.request;
    this.log.push({ method: r.method, path: r.url.replace(/^https?:\/\/[^/]+/, ''), body: r.body, status: res.status, note });
    this.last = res;
    return res;
  }

  /** Records a generated request that was not sent (its outcome is not determined). */
  skipped(method: string, path: string, body: unknown, why: string): void {
    this.log.push({ method, path, body: JSON.stringify(body), note: `not sent: ${why}` });
  }
}

export function formatRequests(log: readonly LoggedRequest[]): string {
  return log
    .map((r, i) => {
      const head = `${String(i + 1).padStart(2)}. ${r.method} ${r.path}`;
      const tail = r.status !== undefined ? `  → ${r.status}` : '';
      const note = r.note ? `  (${r.note})` : '';
      return `${head}${tail}${note}${r.body ? `\n      ${r.body}` : ''}`;
    })
    .join('\n');
}

/** The Check/Expected/Actual lines of a verify failure (its request part is attached separately). */
function innerFailure(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const lines = e.message.split('\n');
  const cut = lines.findIndex((l) => l.startsWith('Request:'));
  const body = (cut === -1 ? lines : lines.slice(0, cut)).filter((l, i) => !(i === 0 && l.startsWith('[')));
  return body.join('\n');
}

export interface SequenceCheck<T> {
  verify: Verify;
  settings: PbtSettings;
  arbitrary: fc.Arbitrary<T>;
  /** Runs one generated case; assertions through ctx.verify; every request recorded. */
  run(value: T, rec: SequenceRecorder): Promise<void>;
  /** What is checked, e.g. "generated PATCH sequences on a user match the model". */
  what: string;
  /** How to replay: the command after the SCIM_PBT_* variables. */
  replayCommand: string;
}

/**
 * Runs the property. On failure: one verify.fail naming the seed, the path, the replay command, the (shrunk) sequence as
 * literal HTTP requests, and the failed step with its exchange.
 */
export async function checkSequences<T>(c: SequenceCheck<T>): Promise<void> {
  let lastFailure: { error: unknown; rec: SequenceRecorder } | undefined;
  const property = fc.asyncProperty(c.arbitrary, async (value) => {
    const rec = new SequenceRecorder();
    try {
      await c.run(value, rec);
    } catch (error) {
      // The last failing execution is the reported (shrunk) counterexample.
      lastFailure = { error, rec };
      throw error;
    }
  });
  const details = await fc.check(property, {
    numRuns: c.settings.runs,
    seed: c.settings.seed,
    path: c.settings.path,
    endOnFailure: !c.settings.shrink,
  });
  if (!details.failed) return;
  const f = lastFailure;
  const path = details.counterexamplePath ?? '';
  const replay = `SCIM_PBT_SEED=${details.seed} SCIM_PBT_PATH=${path} ${c.replayCommand}`;
  const check = [
    `${c.what}: fast-check seed ${details.seed}, path ${path} (failed at run ${details.numRuns}, shrunk ${details.numShrinks} time(s))`,
    `Replay:   ${replay}`,
    `Sequence (${f?.rec.log.length ?? 0} request(s), as sent):`,
    f ? formatRequests(f.rec.log) : '(not recorded)',
    'Failed step:',
  ].join('\n');
  c.verify.fail(check, 'every response and read-back as the model predicts', f ? innerFailure(f.error) : String(details.errorInstance), f?.rec.last);
}
