/**
 * Property-based checks against a SCIM target: runs a fast-check property whose cases send requests, and on failure
 * builds one verify failure that names the seed, the path and the (shrunk) sequence as the literal HTTP requests it
 * sent. The budget and replay settings come from config/pbt.ts (SCIM_PBT_*).
 */
import fc from 'fast-check';
import type { PbtSettings } from '../config/pbt.ts';
import type { HttpResult } from '../runtime/http.ts';
import { ConformanceFailure, formatCheck, type Verify } from '../runtime/verify.ts';

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

/** The Check/Expected/Actual lines of a failure inside a sequence (its exchange is attached to the outer failure). */
function innerFailure(e: unknown): string {
  if (e instanceof ConformanceFailure) return formatCheck(e.parts);
  return e instanceof Error ? e.message : String(e);
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
