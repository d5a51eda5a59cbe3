/**
 * Shared by the group checks (suites/groups/create, delete, replace, patch, permissions, and the readers).
 *
 * The group a check works on ("subject group"):
 * - where the API creates groups (2021) every check creates its own with ctx.create (deleted when the test ends);
 * - where it cannot (2019) the checks use the configured scratch group (target.org.groupId, requirement org:group).
 *   The PUT and PATCH checks live in different files, and files run in parallel, so every check that may write the
 *   scratch group holds a cross-process lock on it for the whole test (a directory in the OS temp dir: no two checks
 *   ever change it at the same time). It is read first, and when any PUT/PATCH/DELETE of the test to it was not
 *   refused with a 4xx, its displayName, externalId and members are restored at the end (PUT, PATCH as a fallback).
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BehaviourContext } from '../runtime/behaviour/context.ts';
import { SCRATCH_GROUP_MISSING } from '../runtime/behaviour/skips.ts';
import type { HttpResult } from '../runtime/http.ts';
import { CORE_GROUP_URN, PATCH_OP_URN } from '../oracles/urns.ts';

/** Every 4xx status, for checks whose requirement is "refused with a 4xx". */
export const CLIENT_ERRORS: readonly number[] = Array.from({ length: 100 }, (_, i) => 400 + i);

/** An id that names no resource. */
export const unknownId = (): string => randomUUID();

/** Member values of a group representation, lower-cased and sorted; duplicates are kept (so they can be seen). */
export function memberIds(body: unknown): string[] {
  const members = (body as { members?: unknown } | undefined)?.members;
  if (!Array.isArray(members)) return [];
  return members.map((m) => String((m as { value?: unknown } | null)?.value ?? '').toLowerCase()).sort();
}

/** Ids as memberIds would show them. */
export const idSet = (ids: readonly string[]): string[] => ids.map((id) => id.toLowerCase()).sort();

/** The version a response carries: its ETag header, else meta.version. */
export function versionOf(res: HttpResult): string | undefined {
  return res.headers.etag ?? res.body?.meta?.version ?? undefined;
}

export interface SubjectGroup {
  id: string;
  /** '/groups/<id>' */
  path: string;
  /** The group before the check acts (a validated ScimV2Group). */
  body: Record<string, any>;
  /** true: the configured scratch group (2019), restored at the end. */
  scratch: boolean;
}

/** A PUT body rebuilt from a representation: displayName, externalId and members are kept unless changed. */
export function putBody(current: Record<string, any>, changes: { displayName?: string; members?: readonly string[] } = {}): Record<string, unknown> {
  const body: Record<string, unknown> = { schemas: [CORE_GROUP_URN], displayName: changes.displayName ?? current.displayName };
  // A PUT replaces the resource: an omitted externalId could be cleared, so it is sent back as it was.
  if (typeof current.externalId === 'string' && current.externalId !== '') body.externalId = current.externalId;
  body.members = changes.members
    ? changes.members.map((value) => ({ value }))
    : (Array.isArray(current.members) ? current.members : []).map((m: { value: string; type?: string }) =>
        m.type ? { value: m.value, type: m.type } : { value: m.value },
      );
  return body;
}

/** GET a group: 200 and a valid ScimV2Group. */
export async function readGroup(ctx: BehaviourContext, id: string, check = 'GET the group'): Promise<HttpResult> {
  const res = await ctx.scim.get(`/groups/${encodeURIComponent(id)}`);
  ctx.verify.status(res, 200, `${check}: HTTP status`);
  ctx.verify.schema(res, 'ScimV2Group', res.body, `${check}: body is a valid ScimV2Group`);
  return res;
}

/** Creates `count` users (minimal template) to serve as group members; returns their ids. */
export async function memberUsers(ctx: BehaviourContext, label: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 1; i <= count; i++) {
    const res = await ctx.create('users', ctx.build.user(`${label}-m${i}`));
    ctx.verify.status(res, [200, 201], `prerequisite: POST /users creates member user ${i}`);
    ctx.verify.that(res, typeof res.body?.id === 'string' && res.body.id !== '', 'prerequisite: the created user has an id', 'an id', res.body?.id);
    ids.push(res.body.id);
  }
  return ids;
}

/**
 * A group id that checks may read but do not change: on 2021 a group created for the test, on 2019 the scratch
 * group (read-only use needs no lock).
 */
export async function readableGroupId(ctx: BehaviourContext, label: string): Promise<string> {
  if (canCreateGroups(ctx)) return (await createSubject(ctx, label, undefined)).id;
  return scratchGroupId(ctx);
}

/**
 * The group the check works on, holding `members` (ids) when given. 2021: created for the test. 2019: the scratch
 * group, locked for the test, read, and restored at the end if the test wrote to it; when `members` is given it is
 * first set to exactly those members (PUT).
 */
export async function subjectGroup(ctx: BehaviourContext, label: string, members?: readonly string[]): Promise<SubjectGroup> {
  if (canCreateGroups(ctx)) return createSubject(ctx, label, members);

  const id = scratchGroupId(ctx);
  const path = `/groups/${encodeURIComponent(id)}`;
  const release = await lockScratchGroup(ctx, id);
  ctx.defer(release); // registered first: runs last (deferred steps run in reverse order)
  const before = await readGroup(ctx, id, 'prerequisite: GET the scratch group (SCIM_ORG_GROUP_ID)');
  const snapshot = before.body as Record<string, any>;
  ctx.defer(() => restoreScratchGroup(ctx, id, snapshot));
  if (members === undefined) return { id, path, body: snapshot, scratch: true };
  const set = await ctx.scim.put(path, putBody(snapshot, { members }));
  ctx.verify.status(set, 200, 'prerequisite: PUT sets the members of the scratch group');
  ctx.verify.schema(set, 'ScimV2Group', set.body, 'prerequisite: PUT answers with a valid ScimV2Group');
  ctx.verify.equal(set, memberIds(set.body), idSet(members), 'prerequisite: the scratch group holds the members the check starts from');
  return { id, path, body: set.body, scratch: true };
}

/**
 * For checks that only read the scratch group but need it not to change meanwhile (e.g. read its displayName, then
 * filter by it): holds the same lock as the write checks until the test ends. No-op where groups are created.
 * The lock is not re-entrant: do not combine with subjectGroup in one test.
 */
export async function holdScratchGroup(ctx: BehaviourContext): Promise<void> {
  if (canCreateGroups(ctx)) return;
  ctx.defer(await lockScratchGroup(ctx, scratchGroupId(ctx)));
}

function canCreateGroups(ctx: BehaviourContext): boolean {
  return ctx.target.apiVersion === '2021' && ctx.target.allowWrites;
}

/** The configured scratch group (SCIM_ORG_GROUP_ID); skips (configuration) when none is configured. */
export function scratchGroupId(ctx: BehaviourContext): string {
  const id = ctx.target.org.groupId;
  // The catalogue's org:group requirement usually skips the check before it gets here.
  if (!id) return ctx.skip(SCRATCH_GROUP_MISSING, 'configuration');
  return id;
}

async function createSubject(ctx: BehaviourContext, label: string, members: readonly string[] | undefined): Promise<SubjectGroup> {
  const overrides = members && members.length > 0 ? { members: members.map((value) => ({ value })) } : {};
  const res = await ctx.create('groups', ctx.build.group(label, 'minimal', overrides));
  ctx.verify.status(res, [200, 201], 'prerequisite: POST /groups creates the group under test');
  ctx.verify.schema(res, 'ScimV2Group', res.body, 'prerequisite: POST /groups answers with a valid ScimV2Group');
  const id = res.body.id as string;
  const path = `/groups/${encodeURIComponent(id)}`;
  if (members === undefined || isDeepEqual(memberIds(res.body), idSet(members))) return { id, path, body: res.body, scratch: false };
  // The POST did not keep the members (GRP-POST-MEMBERS judges that): set them with a PUT.
  const set = await ctx.scim.put(path, putBody(res.body, { members }));
  ctx.verify.status(set, 200, 'prerequisite: PUT sets the members of the group under test');
  ctx.verify.schema(set, 'ScimV2Group', set.body, 'prerequisite: PUT answers with a valid ScimV2Group');
  ctx.verify.equal(set, memberIds(set.body), idSet(members), 'prerequisite: the group holds the members the check starts from');
  return { id, path, body: set.body, scratch: false };
}

function isDeepEqual(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Puts the scratch group back as it was, if a write of this test to it may have changed it. */
async function restoreScratchGroup(ctx: BehaviourContext, id: string, snapshot: Record<string, any>): Promise<void> {
  const needle = `/groups/${encodeURIComponent(id)}`.toLowerCase();
  const wrote = ctx.exchanges.some((ex) => {
    if (!['PUT', 'PATCH', 'DELETE'].includes(ex.request.method)) return false;
    if (!ex.request.url.toLowerCase().split('?')[0].endsWith(needle)) return false;
    const status = ex.response?.status;
    return status === undefined || status < 400 || status >= 500;
  });
  if (!wrote) return;
  const path = `/groups/${encodeURIComponent(id)}`;
  const body = putBody(snapshot);
  const put = await ctx.scim.put(path, body);
  if (put.status >= 200 && put.status < 300) return;
  const patch = await ctx.scim.patch(path, {
    schemas: [PATCH_OP_URN],
    Operations: [
      { op: 'replace', path: 'displayName', value: body.displayName },
      { op: 'replace', path: 'members', value: body.members },
    ],
  });
  if (patch.status >= 200 && patch.status < 300) return;
  throw new Error(
    `could not restore the scratch group ${id} (PUT answered ${put.status}, PATCH ${patch.status}); restore it by hand to ${JSON.stringify(body)}`,
  );
}

const LOCK_WAIT_MS = 45_000;
const LOCK_STALE_MS = 180_000;

/** Cross-process lock on the scratch group of this target; returns the release function. */
async function lockScratchGroup(ctx: BehaviourContext, id: string): Promise<() => void> {
  const key = createHash('sha256').update(`${ctx.target.baseUrl}|${id}`).digest('hex').slice(0, 20);
  const dir = join(tmpdir(), `scimct-scratch-group-${key}.lock`);
  const owner = join(dir, 'owner');
  const token = `${process.pid}-${randomUUID()}`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(owner, token);
      return () => {
        try {
          if (readFileSync(owner, 'utf8') === token) rmSync(dir, { recursive: true, force: true });
        } catch {
          /* already gone */
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    try {
      // A holder that died without releasing: its lock is stale after LOCK_STALE_MS.
      if (Date.now() - statSync(dir).mtimeMs > LOCK_STALE_MS) rmSync(dir, { recursive: true, force: true });
    } catch {
      /* released meanwhile */
    }
    if (Date.now() > deadline) {
      throw new Error(`the scratch group ${id} stayed in use by another check for ${LOCK_WAIT_MS / 1000} s (lock ${dir})`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

