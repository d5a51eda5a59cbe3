/**
 * behaviour(id, statement, fn): one vitest test per configured prefix, titled `[ID] statement`, tied to its
 * catalogue entry (an unknown id fails the file), not registered at all for a behaviour of another profile.
 * behaviour.for(id, statement, rows, fn) is the case-table form (test.for).
 */
import { describe, test } from 'vitest';
import { getBehaviour, inProfile } from '../../config/catalogue.ts';
import { getTarget, type BehaviourContext } from './context.ts';
import { hasExpectation, runBehaviour } from './outcome.ts';

export interface BehaviourOptions {
  timeout?: number;
}

/** Registers one test per configured prefix for behaviour `id`. */
export function behaviour(id: string, statement: string, fn: (ctx: BehaviourContext) => Promise<void>, options: BehaviourOptions = {}): void {
  const b = getBehaviour(id);
  const target = getTarget();
  // A behaviour of another profile is not registered at all (genesys runs never see RFC-* behaviours and vice versa).
  if (!inProfile(b, target.profile)) return;
  for (const prefix of target.prefixes) {
    describe(prefix, () => {
      test(`[${id}] ${statement}`, { timeout: options.timeout }, (tctx) => runBehaviour(b, prefix, tctx, fn));
    });
  }
}

/** Case-table form: one test per row and prefix; every row has a `name` shown in the title. */
behaviour.for = function behaviourFor<Row extends { name: string }>(
  id: string,
  statement: string,
  rows: readonly Row[],
  fn: (row: Row, ctx: BehaviourContext) => Promise<void>,
  options: BehaviourOptions = {},
): void {
  const b = getBehaviour(id);
  const target = getTarget();
  if (!inProfile(b, target.profile)) return;
  const spread = target.cases === 'spread' && !hasExpectation(target, id);
  for (const prefix of target.prefixes) {
    describe(prefix, () => {
      test.for(rows as Row[])(`[${id}] ${statement} › $name`, { timeout: options.timeout }, (row, tctx) => {
        const under = spread ? rowPrefix(target.prefixes, rows.indexOf(row), rows.length) : undefined;
        return runBehaviour(b, prefix, tctx, (ctx) => fn(row, ctx), under === undefined || under === prefix ? {} : { sentUnder: under });
      });
    });
  }
};

/**
 * SCIM_CASES=spread: the prefix a case-table row is sent under, or undefined for every prefix. Row i goes under prefix
 * i mod n: every row is sent once per run, and each prefix sends at least one row of the table (so the behaviour is
 * judged under each), unless the table has fewer rows than there are prefixes: then every row goes under every prefix.
 */
export function rowPrefix(prefixes: readonly string[], index: number, rows: number): string | undefined {
  if (prefixes.length < 2 || rows < prefixes.length) return undefined;
  return prefixes[index % prefixes.length];
}
