/** Preconditions a check states inline (beyond its catalogue `requires`), each skipping with its kind when unmet. */
import type { BehaviourContext } from '../runtime/behaviour/context.ts';

/** Skips (configuration) when the check must create what it judges and the target does not allow writes. */
export function needWrites(ctx: BehaviourContext, what: string): void {
  if (!ctx.target.allowWrites) ctx.skip(`creates ${what}: set SCIM_ALLOW_WRITES=true to run it against this target`, 'configuration');
}
