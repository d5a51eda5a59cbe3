/**
 * behaviour(id, statement, fn): one vitest test per configured prefix, titled `[ID] statement`, tied to its
 * catalogue entry (an unknown id fails the file), not registered at all for a behaviour of another profile.
 * behaviour.for(id, statement, rows, fn) is the case-table form (test.for).
 */
import { describe, test } from 'vitest';
import { getBehaviour, inProfile } from '../../config/catalogue.ts';
import { getTarget, type BehaviourContext } from './context.ts';
import { runBehaviour } from './outcome.ts';

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
  for (const prefix of target.prefixes) {
    describe(prefix, () => {
      test.for(rows as Row[])(`[${id}] ${statement} › $name`, { timeout: options.timeout }, (row, tctx) =>
        runBehaviour(b, prefix, tctx, (ctx) => fn(row, ctx)),
      );
    });
  }
};
