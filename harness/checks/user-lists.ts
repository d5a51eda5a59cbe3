/**
 * Shared by the users list, paging and filter checks (suites/users/list, paging, filter): they create the users a
 * check pages or filters through, so every check knows exactly which users must come back, on any org. Assertions
 * go through `verify`.
 */
import type { BehaviourContext } from '../runtime/behaviour/context.ts';
import type { HttpResult } from '../runtime/http.ts';
import { CORE_USER_URN, ENTERPRISE_URN } from '../oracles/urns.ts';
import { idsOf } from './lists.ts';
import { needWrites } from './needs.ts';

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

export interface OwnUser {
  id: string;
  userName: string;
  body: Record<string, any>;
  created: HttpResult;
  /** `userName eq "<userName>"` (RFC form, quoted): selects exactly this user. */
  query: Query;
}

/** Creates one user (minimal template unless a body is given) and a filter that selects exactly it. */
export async function ownUser(ctx: BehaviourContext, label: string, body?: Record<string, any>): Promise<OwnUser> {
  needWrites(ctx, 'its own users (a user to list)');
  needFilter(ctx);
  const b = body ?? ctx.build.user(label);
  const created = await ctx.create('users', b);
  ctx.verify.status(created, 201, 'the user the check lists is created (POST /users)');
  ctx.verify.schema(created, 'ScimV2User');
  const userName = String(created.body.userName);
  return { id: String(created.body.id), userName, body: b, created, query: { filter: `userName eq "${userName}"` } };
}

export interface OwnReports {
  managerId: string;
  ids: string[];
  /** `manager eq <managerId>` (the documented unquoted form): selects exactly the reports. */
  query: Query;
}

/** A body for a user whose enterprise manager is `managerId`, from a template (keeps the template's enterprise fields). */
export function reportBody(ctx: BehaviourContext, label: string, managerId: string, template: 'minimal' | 'full' = 'minimal'): Record<string, any> {
  const body = ctx.build.user(label, template);
  const schemas: string[] = Array.isArray(body.schemas) ? body.schemas : [CORE_USER_URN];
  return {
    ...body,
    schemas: schemas.includes(ENTERPRISE_URN) ? schemas : [...schemas, ENTERPRISE_URN],
    [ENTERPRISE_URN]: { ...(body[ENTERPRISE_URN] ?? {}), manager: { value: managerId } },
  };
}

/**
 * Creates a manager and `n` users reporting to it: a private set of users that `manager eq <id>` selects on
 * any org (nobody else reports to a manager the run just created).
 */
export async function ownReports(ctx: BehaviourContext, n: number, label: string): Promise<OwnReports> {
  needWrites(ctx, 'its own users (a manager and users reporting to it)');
  needFilter(ctx);
  const manager = await ctx.create('users', ctx.build.user(`${label}-mgr`));
  ctx.verify.status(manager, 201, 'the manager the reports point at is created (POST /users)');
  ctx.verify.schema(manager, 'ScimV2User');
  const managerId = String(manager.body.id);
  const ids: string[] = [];
  for (let i = 1; i <= n; i++) {
    const r = await ctx.create('users', reportBody(ctx, `${label}-r${i}`, managerId));
    ctx.verify.status(r, 201, 'a user reporting to the manager is created (POST /users)');
    ctx.verify.schema(r, 'ScimV2User');
    ids.push(String(r.body.id));
  }
  return { managerId, ids, query: { filter: `manager eq ${managerId}` } };
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
