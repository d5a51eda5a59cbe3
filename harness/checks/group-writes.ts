/**
 * Group write checks PUT and PATCH share (suites/groups/replace.test.ts, patch.test.ts): the conditional writes and the
 * new ETag of a write, on the subject group (group-subject.ts), with the write made by either method.
 */
import type { BehaviourContext } from '../runtime/behaviour/context.ts';
import type { HttpResult, RequestOptions } from '../runtime/http.ts';
import { PATCH_OP_URN } from '../oracles/urns.ts';
import { groupMembers, onSubjectGroup, putBody, versionOf, type SubjectGroup } from './group-subject.ts';
import { sharedEvidence } from './shared-answers.ts';

/** How a check changes the group: PUT of the whole group, or PATCH replace of displayName. */
export type WriteMethod = 'PUT' | 'PATCH';

/** A PATCH body replacing displayName. */
export const replaceDisplayName = (value: string) => ({
  schemas: [PATCH_OP_URN],
  Operations: [{ op: 'replace', path: 'displayName', value }],
});

/** Gives the subject group a new displayName by `method` (a PUT keeps everything else as last seen). */
export function rename(g: SubjectGroup, method: WriteMethod, displayName: string, opts?: RequestOptions): Promise<HttpResult> {
  return method === 'PUT' ? g.put(putBody(g.body, { displayName }), opts) : g.patch(replaceDisplayName(displayName), opts);
}

/** One write of a new displayName and what its judges need: the group and its version before, the name sent. */
export interface Renamed {
  res: HttpResult;
  before: Record<string, any>;
  previous?: string;
  displayName: string;
}

/**
 * One rename of the subject group (holding a member, so a full answer shows members) by `method` on this prefix, the
 * evidence of several checks (e.g. GRP-PATCH-200 and GRP-PATCH-ETAG-CHANGES): sent by whichever of them runs first,
 * judged by each.
 */
export function renamedSubject(ctx: BehaviourContext, method: WriteMethod): Promise<Renamed> {
  const label = `${method.toLowerCase()}-renamed`;
  return sharedEvidence(ctx, `grp:${label}`, async () => {
    const [member] = await groupMembers(ctx);
    return onSubjectGroup(ctx, label, { members: [member] }, async (g) => {
      // The version before, as the group reads (a write's answer could carry a wrong one: the change is judged from it).
      if (!g.versionRead) await g.readForSetUp('GET the group for its version before the write');
      const before = g.body;
      const previous = g.version;
      const displayName = ctx.names.displayName(label);
      return { res: await rename(g, method, displayName), before, previous, displayName };
    });
  });
}

/** A modifying write answers with a new ETag equal to meta.version (GRP-PUT-ETAG-CHANGES, GRP-PATCH-ETAG-CHANGES). */
export async function verifyNewEtag(ctx: BehaviourContext, method: WriteMethod): Promise<void> {
  const { verify } = ctx;
  const { res, previous } = await renamedSubject(ctx, method);
  verify.that(undefined, previous !== undefined, `prerequisite: the group had a version (ETag or meta.version) before the ${method}`, 'a version', previous);
  verify.status(res, 200);
  verify.schema(res, 'ScimV2Group');
  const etag = verify.header(res, 'etag');
  verify.equal(res, res.body.meta?.version, etag, 'meta.version equals the ETag header');
  verify.that(res, etag !== previous, `the ETag changed with the ${method}`, `not ${previous}`, etag);
}

/** A write whose If-Match holds the current version is applied (GRP-PUT-IF-MATCH-CURRENT, GRP-PATCH-IF-MATCH-CURRENT). */
export async function verifyCurrentIfMatchApplied(ctx: BehaviourContext, method: WriteMethod): Promise<void> {
  const { verify } = ctx;
  const label = `${method.toLowerCase()}-if-match`;
  // A PATCH of displayName does not rely on the rest of the group; a PUT sends it back as last seen.
  await onSubjectGroup(ctx, label, { known: method === 'PUT' }, async (g) => {
    const displayName = ctx.names.displayName(label);
    const res = await g.conditional((etag) => rename(g, method, displayName, { headers: { 'if-match': etag } }));
    verify.status(res, 200);
    verify.schema(res, 'ScimV2Group');
    verify.equal(res, res.body.displayName, displayName, `displayName after the conditional ${method}`);
  });
}

/**
 * A write whose If-Match holds a version the group had before its last change is refused with 400 invalidVers, and
 * the group is left unchanged (GRP-PUT-IF-MATCH-STALE-400, GRP-PATCH-IF-MATCH-STALE-400).
 */
export async function verifyStaleIfMatchRefused(ctx: BehaviourContext, method: WriteMethod): Promise<void> {
  const { verify, names } = ctx;
  const label = `${method.toLowerCase()}-if-match-stale`;
  await onSubjectGroup(ctx, label, {}, async (g) => {
    // A real earlier version: one the group had before its last change; else change it first.
    if (g.staleVersion === undefined) {
      const changed = await rename(g, method, names.displayName(`${label}-first`));
      verify.status(changed, 200, `prerequisite: an unconditional ${method} changes the group`);
      verify.that(changed, g.staleVersion !== undefined, 'prerequisite: the change gives the group a new version', 'a new version', versionOf(changed));
    }
    const stale = g.staleVersion!;
    const kept = g.body.displayName;
    const res = await rename(g, method, names.displayName(`${label}-second`), { headers: { 'if-match': stale } });
    verify.scimError(res, 400, 'invalidVers');
    const after = await g.read();
    verify.equal(after, after.body.displayName, kept, `displayName is the one before the refused ${method}`);
  });
}
