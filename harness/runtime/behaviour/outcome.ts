/**
 * Running one behaviour test and accounting for its outcome: the skip decided from the catalogue, the target's
 * known-failure expectations (a listed failure is recorded as known, a listed pass fails), requests and retries, and
 * what the conformance reporter reads from the task meta.
 */
import type { TestContext } from 'vitest';
import type { Behaviour } from '../../config/catalogue.ts';
import { findExpectation, loadExpectations, type ExpectationsFile } from '../../config/expectations.ts';
import type { ResolvedTarget } from '../../config/target.ts';
import type { FailureData } from '../results.ts';
import { ConformanceFailure, formatExchange } from '../verify.ts';
import { attachFailingExchange, exchangesToAllure, labelForAllure } from './allure.ts';
import { getTarget, makeContext, type BehaviourContext } from './context.ts';
import { requirementSkip } from './skips.ts';

let expectations: ExpectationsFile | undefined | null = null;
function targetExpectations(target: ResolvedTarget): ExpectationsFile | undefined {
  // The embedded emulator must pass its own (genesys) profile 100%; its rfc7644 run has documented differences.
  if (expectations === null) expectations = target.embedded && target.profile !== 'rfc7644' ? undefined : loadExpectations(target.targetName);
  return expectations;
}

export async function runBehaviour(b: Behaviour, prefix: string, tctx: TestContext, body: (ctx: BehaviourContext) => Promise<void>): Promise<void> {
  const target = getTarget();
  const meta = tctx.task.meta;
  meta.behaviour = b.id;
  meta.prefix = prefix;
  meta.level = b.level;
  meta.resource = b.resource;
  await labelForAllure(b, prefix, target);
  const skip = requirementSkip(b, target);
  if (skip) {
    meta.skip = skip;
    tctx.skip(skip.reason);
    return;
  }
  const ctx = makeContext(b, prefix, tctx);
  const expected = findExpectation(targetExpectations(target), b.id, prefix);
  const account = async () => {
    meta.requests = ctx.exchanges.length;
    meta.retries = ctx.exchanges.filter((x) => (x.attempt ?? 0) > 0).length;
    await exchangesToAllure(ctx.exchanges);
  };
  try {
    await body(ctx);
    await account();
  } catch (e) {
    await account();
    if (meta.skip) throw e;
    const failure = failureData(e, ctx);
    if (expected) {
      meta.knownFailure = { reason: expected.reason, failure };
      tctx.annotate(`known failure (expectations/${target.targetName}.json): ${expected.reason}`);
      return;
    }
    meta.failure = failure;
    if (failure.exchange) await attachFailingExchange(failure.exchange);
    if (!(e instanceof ConformanceFailure) && failure.exchange) {
      // An unexpected error (e.g. reading a field of a missing body): keep the evidence with it.
      (e as Error).message = `${(e as Error).message}\nLast exchange:\n${formatExchange(failure.exchange)}`;
    }
    throw e;
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

/** What failed, as report data: the parts of a ConformanceFailure, or an unexpected error with the last exchange. */
function failureData(e: unknown, ctx: BehaviourContext): FailureData {
  if (e instanceof ConformanceFailure) return e.data();
  const exchange = ctx.exchanges.at(-1);
  const error = e instanceof Error ? `${e.name}: ${e.message.split('\n')[0]}` : String(e);
  return {
    requirement: ctx.verify.requirement,
    check: 'the check runs to completion',
    expected: 'no error',
    actual: error,
    ...(exchange ? { exchange } : {}),
  };
}
