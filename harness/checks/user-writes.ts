/**
 * Shared by the user write, lifecycle and permission checks (suites/users/create, replace, delete, lifecycle,
 * permissions). Assertions go through `verify`.
 */
import type { BehaviourContext } from '../runtime/behaviour/context.ts';
import type { HttpResult } from '../runtime/http.ts';
import { PATCH_OP_URN } from '../oracles/urns.ts';

/** A PatchOp body with one operation. */
export function patchOp(op: 'add' | 'replace' | 'remove', path: string, value?: unknown): Record<string, unknown> {
  return { schemas: [PATCH_OP_URN], Operations: [{ op, path, ...(value !== undefined ? { value } : {}) }] };
}

/**
 * POST /users with request options ctx.create cannot pass (Content-Type, a raw body), registering anything
 * that comes back with an id so the test removes it, exactly as ctx.create does.
 */
export async function postUserWith(
  ctx: BehaviourContext,
  body: unknown,
  opts: { contentType?: string; rawBody?: string } = {},
): Promise<HttpResult> {
  const res = await ctx.scim.request('POST', '/users', { body, ...opts });
  trackIfCreated(ctx, res);
  return res;
}

/** Registers a user a response unexpectedly created (2xx with an id) for removal when the test ends. */
export function trackIfCreated(ctx: BehaviourContext, res: HttpResult): void {
  const created = res.body as { id?: unknown; userName?: unknown } | undefined;
  if (res.status >= 200 && res.status < 300 && created && typeof created === 'object' && typeof created.id === 'string') {
    ctx.track('users', created.id, typeof created.userName === 'string' ? created.userName : '');
  }
}

/** A full replacement body (PUT) for an existing user: a fresh template body that keeps the user's userName. */
export function replacementBody(ctx: BehaviourContext, userName: string, label: string, overrides: Record<string, unknown> = {}) {
  return ctx.build.user(label, 'minimal', { userName, ...overrides });
}

/** The version a response announces: its ETag header, else meta.version (seed 000: "Returned as header and meta.version"). */
export function etagFrom(ctx: BehaviourContext, res: HttpResult): string {
  const etag = res.headers.etag ?? (typeof res.body?.meta?.version === 'string' ? res.body.meta.version : undefined);
  if (etag === undefined) ctx.verify.fail('the response announces the resource version', 'an ETag header or meta.version', '(neither)', res);
  return etag as string;
}

/** Digits of a phone number, so E.164 and tel: URI renderings of the same number compare equal (reference §4.1). */
export function phoneDigits(v: unknown): string {
  return typeof v === 'string' ? v.replace(/^tel:/i, '').split(';')[0].replace(/\D/g, '') : '';
}

/** Lower-cased role names of a user body. */
export function roleNames(user: any): string[] {
  return Array.isArray(user?.roles) ? user.roles.map((r: { value?: unknown }) => String(r?.value ?? '').toLowerCase()) : [];
}

export interface ListScan {
  /** The list entry with the id, when seen. */
  found?: Record<string, any>;
  /** True when every entry of the list was seen (so "not found" is conclusive). */
  complete: boolean;
  total: number;
  /** The last list response read. */
  last: HttpResult;
}

const PAGE = 25;
const MAX_PAGES = 5;

/**
 * Looks for a user id in a users list (a query without startIndex/count), reading at most 5 pages of 25: the
 * first page, then backwards from the end (new users tend to be listed last). Every page must be a valid
 * ScimUserListResponse. `complete` says whether the whole list was seen.
 */
export async function scanUserList(ctx: BehaviourContext, query: Record<string, string>, id: string): Promise<ListScan> {
  const { scim, verify } = ctx;
  const read = async (startIndex: number) => {
    const res = await scim.get('/users', { query: { ...query, startIndex: String(startIndex), count: String(PAGE) } });
    verify.status(res, 200);
    verify.schema(res, 'ScimUserListResponse');
    const resources: Record<string, any>[] = res.body.Resources ?? [];
    return { res, resources, found: resources.find((u) => u.id === id) };
  };
  const first = await read(1);
  const total: number = first.res.body.totalResults;
  const size = Math.max(1, first.resources.length);
  if (first.found) return { found: first.found, complete: true, total, last: first.res };
  let seenUpTo = first.resources.length; // entries 1..seenUpTo were read
  let end = total; // entries from end+1 to total were read
  let last = first.res;
  for (let page = 1; page < MAX_PAGES && end > seenUpTo; page++) {
    const start = Math.max(seenUpTo + 1, end - size + 1);
    const r = await read(start);
    last = r.res;
    if (r.found) return { found: r.found, complete: true, total, last };
    if (r.resources.length === 0) break;
    end = start - 1;
  }
  return { complete: end <= seenUpTo, total, last };
}

/** The skip reason when a bounded scan could not see the whole list. */
export function incompleteScanReason(scan: ListScan, what: string): string {
  return `${what} holds ${scan.total} users, more than the ${MAX_PAGES} pages of ${PAGE} this check may read within the request budget; the result is inconclusive`;
}

