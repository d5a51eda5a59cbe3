/** Case-table rows inside a check: a row whose placeholder has no value on this target is skipped with the reason. */
import { fillCase, MissingValues, type CaseTable } from '../config/cases.ts';
import type { BehaviourContext } from '../runtime/behaviour/context.ts';

/**
 * fillCase for a row of `table`; a placeholder without a value (an org fixture not configured, data the target does
 * not hold) skips the test (kind configuration) instead of running the row with part of it left out.
 */
export function fillRow<T>(ctx: BehaviourContext, table: CaseTable, template: T, vars: Record<string, unknown>, options: { single?: boolean } = {}): T {
  try {
    return fillCase(template, vars, table.file, options);
  } catch (e) {
    if (e instanceof MissingValues) {
      return ctx.skip(`the row needs ${e.names.join(', ')}, which this target does not provide (an org fixture, or data it does not hold)`, 'configuration');
    }
    throw e;
  }
}
