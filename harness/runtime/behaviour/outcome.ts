/**
 * Running one behaviour test and accounting for its outcome: the skip decided from the catalogue, the target's
 * known-failure expectations (a listed failure is recorded as known, a listed pass fails), requests and retries, and
 * what the conformance reporter reads from the task meta.
 */
import type { TestContext } from 'vitest';
import type { Behaviour } from '../../config/catalogue.ts';
import { findExpectation, loadExpectations, type ExpectationsFile } from '../../config/expectations.ts';
import type { ResolvedTarget } from '../../config/target.ts';
import type { RecordedExchange } from '../http.ts';
import { ConformanceFailure, formatExchange } from '../verify.ts';
import { attachFailingExchange, exchangesToAllure, labelForAllure } from './allure.ts';
import { getTarget, makeContext, type BehaviourContext } from './context.ts';
import { skipKindOf, skipReason, type SkipKind } from './skips.ts';

declare module 'vitest' {
  interface TaskMeta {
    behaviour?: string;
    prefix?: string;
    level?: string;
    resource?: string;
    /** Set when a listed known failure failed as expected. */
    knownFailure?: { reason: string; error: string };
    skipReason?: string;
    /** version: not documented for the API version; capability: the server says it does not support it;
     *  configuration: the run lacks something (writes, limited identity, org fixture); row: a case-table row does not apply. */
    skipKind?: SkipKind;
    /** The exchange that proved a failure (redacted). */
    failureExchange?: RecordedExchange;
    /** HTTP requests this test sent, and how many of them were retries after a 429. */
    requests?: number;
    retries?: number;
  }
}

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
  const reason = skipReason(b, target);
  if (reason) {
    meta.skipReason = reason;
    meta.skipKind = skipKindOf(reason);
    tctx.skip(reason);
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
    if (meta.skipReason) throw e;
    const exchange = e instanceof ConformanceFailure ? e.exchange : ctx.exchanges.at(-1);
    if (expected) {
      meta.knownFailure = { reason: expected.reason, error: (e as Error).message.split('\n').slice(0, 4).join('\n') };
      tctx.annotate(`known failure (expectations/${target.targetName}.json): ${expected.reason}`);
      return;
    }
    if (exchange) {
      meta.failureExchange = exchange;
      await attachFailingExchange(exchange);
    }
    if (!(e instanceof ConformanceFailure) && exchange) {
      // An unexpected error (e.g. reading a field of a missing body): keep the evidence with it.
      (e as Error).message = `${(e as Error).message}\nLast exchange:\n${formatExchange(exchange)}`;
    }
    throw e;
  }
  if (expected) {
    throw new ConformanceFailure(
      `[${b.id}] unexpected pass: expectations/${target.targetName}.json lists it as a known failure ("${expected.reason}") but it passes now. Remove the entry.`,
    );
  }
}
