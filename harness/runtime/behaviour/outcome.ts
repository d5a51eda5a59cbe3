/**
 * Running one behaviour test and accounting for its outcome: the skip decided from the catalogue, the target's
 * known-failure expectations (a listed failure is recorded as known, a listed pass fails), requests and retries, and
 * what the conformance reporter reads from the task meta.
 */
import type { TestContext } from 'vitest';
import type { Behaviour } from '../../config/catalogue.ts';
import { findExpectation, loadExpectations, type ExpectationsFile } from '../../config/expectations.ts';
import { isIdeal, type ResolvedTarget } from '../../config/target.ts';
import { ConformanceFailure } from '../verify.ts';
import { ALLURE_STEPS_OF_A_PASS, attachFailingExchange, exchangesToAllure, labelForAllure } from './allure.ts';
import { getTarget, makeContext, type BehaviourContext } from './context.ts';
import { judge } from './judge.ts';
import type { RecordedExchange } from '../http.ts';
import { requirementSkip } from './skips.ts';

let expectations: ExpectationsFile | undefined | null = null;
function targetExpectations(target: ResolvedTarget): ExpectationsFile | undefined {
  // The embedded emulator must pass its own (genesys) profile 100%; its rfc7644 run has documented differences.
  if (expectations === null) expectations = target.embedded && target.profile !== 'rfc7644' ? undefined : loadExpectations(target.targetName);
  return expectations;
}

/**
 * The target's expectations file lists behaviour `id` (under any prefix): its case-table rows are all sent under every
 * prefix, so a listed failure is met where it is listed (SCIM_CASES=spread never turns it into an unexpected pass).
 */
export function hasExpectation(target: ResolvedTarget, id: string): boolean {
  return targetExpectations(target)?.failures.some((f) => f.id === id) ?? false;
}

/** A check blocked by an ambiguous write (judge.ts `rerun`) runs at most this often in all. */
export const MAX_ATTEMPTS = 4;

/** One run of a check: its body, then its clean-up (inside the test, so its requests are counted). */
async function runOnce(b: Behaviour, prefix: string, tctx: TestContext, body: (ctx: BehaviourContext) => Promise<void>) {
  const { ctx, finish } = makeContext(b, prefix, tctx);
  let thrown: unknown;
  try {
    await body(ctx);
  } catch (e) {
    thrown = e;
  }
  const cleanupProblems = await finish();
  const outcome = judge({ thrown, exchanges: ctx.exchanges, requirement: ctx.verify.requirement, skipped: tctx.task.meta.skip !== undefined, ideal: isIdeal(getTarget()) });
  return { ctx, thrown, outcome, cleanupProblems };
}

export interface RunOptions {
  /** SCIM_CASES=spread: this case-table row is sent under that prefix only (skipped here, kind `economy`). */
  sentUnder?: string;
}

export async function runBehaviour(
  b: Behaviour,
  prefix: string,
  tctx: TestContext,
  body: (ctx: BehaviourContext) => Promise<void>,
  options: RunOptions = {},
): Promise<void> {
  const target = getTarget();
  const meta = tctx.task.meta;
  meta.behaviour = b.id;
  meta.prefix = prefix;
  meta.level = b.level;
  meta.resource = b.resource;
  await labelForAllure(b, prefix, target);
  const skip =
    requirementSkip(b, target) ??
    (options.sentUnder === undefined
      ? undefined
      : { kind: 'economy' as const, reason: `this row is sent under ${options.sentUnder || '(the root)'} only (SCIM_CASES=spread: every row once per run; SCIM_CASES=all sends it here too)` });
  if (skip) {
    meta.skip = skip;
    tctx.skip(skip.reason);
    return;
  }
  const expected = findExpectation(targetExpectations(target), b.id, prefix);
  const exchanges: RecordedExchange[] = [];
  const cleanupProblems: string[] = [];
  let run: Awaited<ReturnType<typeof runOnce>>;
  for (let attempt = 1; ; attempt++) {
    run = await runOnce(b, prefix, tctx, body);
    exchanges.push(...run.ctx.exchanges);
    cleanupProblems.push(...run.cleanupProblems);
    // Blocked by a write whose answer was lost and could not be settled: run the check again, with fresh resources.
    if (run.outcome.kind !== 'blocked' || !run.outcome.rerun || attempt >= MAX_ATTEMPTS) break;
    tctx.annotate(`run again (attempt ${attempt + 1} of at most ${MAX_ATTEMPTS}): ${run.outcome.reason}`);
  }
  const { ctx, thrown, outcome } = run;
  if (cleanupProblems.length) {
    // Never a failure: what the clean-up could not remove stays in the ledger for the end-of-run sweep.
    meta.cleanupProblems = cleanupProblems;
    tctx.annotate(`clean-up: ${cleanupProblems.join('; ')}`);
  }
  const sent = exchanges.filter((x) => !x.reused);
  meta.requests = sent.length;
  meta.retries = sent.filter((x) => (x.attempt ?? 0) > 0).length;
  await exchangesToAllure(exchanges, outcome.kind === 'passed' && !expected ? ALLURE_STEPS_OF_A_PASS : Infinity);

  if (outcome.kind === 'skipped') throw thrown;
  delete meta.skip;
  if (outcome.kind === 'blocked') {
    meta.blocked = { reason: outcome.reason, failure: outcome.failure };
    tctx.skip(`blocked: ${outcome.reason}`);
    return;
  }
  if (outcome.kind === 'failed') {
    const { failure } = outcome;
    if (expected) {
      meta.knownFailure = { reason: expected.reason, failure };
      tctx.annotate(`known failure (expectations/${target.targetName}.json): ${expected.reason}`);
      return;
    }
    meta.failure = failure;
    if (failure.exchange) await attachFailingExchange(failure.exchange);
    throw outcome.error;
  }
  if (expected) {
    const unexpectedPass = new ConformanceFailure({
      requirement: ctx.verify.requirement,
      check: `expectations/${target.targetName}.json lists it as a known failure: remove the entry`,
      expected: `a failure ("${expected.reason}")`,
      actual: 'it passes (unexpected pass)',
    });
    meta.failure = unexpectedPass.data();
    throw unexpectedPass;
  }
}
