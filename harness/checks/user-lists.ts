/**
 * Shared by the users list, paging and filter checks (suites/users/list, paging, filter): they page and filter through
 * the run's read population (user-population.ts), so every check knows exactly which users must come back, on any org.
 * Assertions go through `verify`.
 */
import type { BehaviourContext } from '../runtime/behaviour/context.ts';
import type { HttpResult } from '../runtime/http.ts';
import { idsOf } from './lists.ts';

export type Query = Record<string, string>;

const sorted = (a: readonly string[]) => [...a].sort();

/** A list page holds exactly the given users (any order) and totalResults counts exactly them. */
export function expectExactly(ctx: BehaviourContext, res: HttpResult, ids: readonly string[], what: string): void {
  ctx.verify.equal(res, sorted(idsOf(res)), sorted(ids), `Resources are exactly ${what}`);
  ctx.verify.equal(res, res.body.totalResults, ids.length, `totalResults counts exactly ${what}`);
}

/** Skips when the check selects its users with a filter and the ServiceProviderConfig says filtering is unsupported. */
export function needFilter(ctx: BehaviourContext): void {
  if (ctx.target.capabilities.filter === false) ctx.skip("selects its users with a filter, and the server's ServiceProviderConfig says filter.supported is false", 'capability');
}

/**
 * The 2019 doc documents no filter attribute (only that `filter` is required), so a 2019 server refusing the
 * `manager` filter is not a paging fault: skip with the reason. On 2021 `manager eq` is documented; no skip.
 */
export function skipIf2019Refuses(ctx: BehaviourContext, res: HttpResult, filter: string): void {
  if (ctx.target.apiVersion === '2019' && res.status === 400) {
    ctx.skip(`this 2019 server refuses the filter "${filter}" (400), and the 2019 doc documents no filter that selects a set of users`, 'version');
  }
}
