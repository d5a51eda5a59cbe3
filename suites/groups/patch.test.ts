/*
 * Group PATCH. The member and displayName cases (valid and invalid) are rows of fixtures/cases/group-patch.json.
 * On 2021 every check creates its own group; on 2019 the checks use the configured scratch group, which
 * harness/checks/group-subject.ts locks for the test (no other check changes it meanwhile) and restores afterwards.
 */
import {
  assertEveryRowUsed,
  behaviour,
  caseTable,
  CLIENT_ERRORS,
  fillRow,
  idSet,
  memberIds,
  memberUsers,
  PATCH_OP_URN,
  readGroup,
  rowsOf,
  subjectGroup,
  unknownId,
  versionOf,
  type BehaviourContext,
} from '../../harness/index.ts';

interface PatchRow {
  name: string;
  behaviour: string;
  /** Member labels (m1, m2) the group holds before the PATCH. */
  members?: string[];
  operations?: unknown[];
  body?: unknown;
  expect: { members?: string[]; displayName?: string; status?: number | '4xx'; scimType?: string; unchanged?: boolean };
}

const TABLE = caseTable<PatchRow>('group-patch');

const replaceDisplayName = (value: string) => ({
  schemas: [PATCH_OP_URN],
  Operations: [{ op: 'replace', path: 'displayName', value }],
});

/** Member labels a row uses: in `members`, `expect.members` and {{mN}} placeholders. */
function memberLabels(row: PatchRow): string[] {
  const labels = new Set<string>([...(row.members ?? []), ...(row.expect.members ?? [])]);
  for (const m of JSON.stringify([row.operations, row.body]).matchAll(/\{\{(m\d+)\}\}/g)) labels.add(m[1]);
  return [...labels].sort();
}

async function runRow(row: PatchRow, ctx: BehaviourContext): Promise<void> {
  const { scim, verify, names } = ctx;
  const labels = memberLabels(row);
  const ids = await memberUsers(ctx, 'patch', labels.length);
  const users: Record<string, string> = Object.fromEntries(labels.map((l, i) => [l, ids[i]]));
  const g = await subjectGroup(ctx, 'patch', row.members?.map((m) => users[m]));
  const vars = { ...users, newName: names.displayName('patched'), unknownId: unknownId() };
  const body = row.body !== undefined ? fillRow(ctx, TABLE, row.body, vars) : { schemas: [PATCH_OP_URN], Operations: fillRow(ctx, TABLE, row.operations, vars) };
  const res = await scim.patch(g.path, body);

  if (row.expect.status !== undefined) {
    verify.scimError(res, row.expect.status === '4xx' ? CLIENT_ERRORS : row.expect.status, row.expect.scimType);
    if (row.expect.unchanged) {
      const after = await readGroup(ctx, g.id, 'read the group back after the refused PATCH');
      verify.equal(after, after.body.displayName, g.body.displayName, 'displayName is unchanged: no operation of the refused PATCH was applied');
      verify.equal(after, memberIds(after.body), memberIds(g.body), 'members are unchanged: no operation of the refused PATCH was applied');
    }
    return;
  }

  // The docs return the group (200); RFC 7644 §3.5.2 also allows 204, whose result is then read back.
  verify.status(res, [200, 204]);
  const state = res.status === 200 ? res : await readGroup(ctx, g.id, 'read the group back after the PATCH (204)');
  verify.schema(state, 'ScimV2Group');
  const wantMembers = row.expect.members ? idSet(row.expect.members.map((m) => users[m])) : memberIds(g.body);
  verify.equal(state, memberIds(state.body), wantMembers, row.expect.members ? 'members after the PATCH (exactly these, no duplicates)' : 'members are unchanged');
  const wantName = row.expect.displayName !== undefined ? fillRow(ctx, TABLE, row.expect.displayName, vars) : g.body.displayName;
  verify.equal(state, state.body.displayName, wantName, row.expect.displayName !== undefined ? 'displayName after the PATCH' : 'displayName is unchanged');
}

/** The rows of one behaviour (each row is used by exactly one behaviour.for below). */
const caseRows = (id: string): PatchRow[] => rowsOf(TABLE, id);

behaviour.for('GRP-PATCH-REPLACE-DISPLAYNAME', 'sets displayName with replace', caseRows('GRP-PATCH-REPLACE-DISPLAYNAME'), runRow);
behaviour.for('GRP-PATCH-MEMBERS-ADD', 'adds a member with add on path members', caseRows('GRP-PATCH-MEMBERS-ADD'), runRow);
behaviour.for('GRP-PATCH-MEMBERS-ADD-NO-PATH', 'adds members with a path-less add of {members}', caseRows('GRP-PATCH-MEMBERS-ADD-NO-PATH'), runRow);
behaviour.for('GRP-PATCH-MEMBERS-ADD-EXISTING', 'accepts adding an existing member without duplicating it', caseRows('GRP-PATCH-MEMBERS-ADD-EXISTING'), runRow);
behaviour.for('GRP-PATCH-MEMBERS-REMOVE-FILTER', 'removes only the member named by a members[value eq] path', caseRows('GRP-PATCH-MEMBERS-REMOVE-FILTER'), runRow);
behaviour.for('GRP-PATCH-MEMBERS-REMOVE-VALUE', 'removes only the members listed in the value of a remove on members', caseRows('GRP-PATCH-MEMBERS-REMOVE-VALUE'), runRow);
behaviour.for('GRP-PATCH-MEMBERS-REMOVE-ALL', 'removes every member with remove on path members', caseRows('GRP-PATCH-MEMBERS-REMOVE-ALL'), runRow);
behaviour.for('GRP-PATCH-MEMBERS-REPLACE', 'sets exactly the given members with replace on members', caseRows('GRP-PATCH-MEMBERS-REPLACE'), runRow);
behaviour.for('GRP-PATCH-MEMBER-UNKNOWN-400', 'refuses a member that is no user or group with 400 invalidValue', caseRows('GRP-PATCH-MEMBER-UNKNOWN-400'), runRow);
behaviour.for('GRP-PATCH-OP-CASE', 'accepts op values in any case', caseRows('GRP-PATCH-OP-CASE'), runRow);
behaviour.for('GRP-PATCH-ATOMIC', 'applies no operation of a PATCH in which one operation fails', caseRows('GRP-PATCH-ATOMIC'), runRow);
behaviour.for('GRP-PATCH-REMOVE-NO-PATH-400', 'refuses a remove without path with 400 noTarget', caseRows('GRP-PATCH-REMOVE-NO-PATH-400'), runRow);
behaviour.for('GRP-PATCH-INVALID-PATH-400', 'refuses a path naming an unknown attribute with 400 invalidPath', caseRows('GRP-PATCH-INVALID-PATH-400'), runRow);
behaviour.for('GRP-PATCH-READONLY-400', 'refuses a PATCH of id or meta with 400 mutability', caseRows('GRP-PATCH-READONLY-400'), runRow);
behaviour.for('GRP-PATCH-INVALID-SYNTAX-400', 'refuses a body that is not a PatchOp with 400 invalidSyntax', caseRows('GRP-PATCH-INVALID-SYNTAX-400'), runRow);

assertEveryRowUsed(TABLE);

behaviour('GRP-PATCH-200', 'answers a PATCH with 200 and the full group', async (ctx) => {
  const { scim, verify, names } = ctx;
  const [member] = await memberUsers(ctx, 'patch-200', 1);
  const g = await subjectGroup(ctx, 'patch-200', [member]);
  const displayName = names.displayName('patch-200-patched');
  const res = await scim.patch(g.path, replaceDisplayName(displayName));
  verify.status(res, 200);
  verify.contentType(res);
  verify.schema(res, 'ScimV2Group');
  verify.equal(res, res.body.id, g.id, 'id is the id of the patched group');
  verify.equal(res, res.body.displayName, displayName, 'displayName is returned with its new value');
  verify.equal(res, memberIds(res.body), idSet([member]), 'members are returned too (the full resource, not only what changed)');
  verify.equal(res, res.body.meta?.resourceType, 'Group', 'meta.resourceType');
});

behaviour('GRP-PATCH-UNKNOWN-404', 'answers a PATCH of an unknown group with 404', async ({ scim, verify, names }) => {
  const res = await scim.patch(`/groups/${unknownId()}`, replaceDisplayName(names.displayName('patch-unknown')));
  verify.scimError(res, 404);
});

behaviour('GRP-PATCH-IF-MATCH-CURRENT', 'applies a PATCH whose If-Match holds the current ETag', async (ctx) => {
  const { scim, verify, names } = ctx;
  const g = await subjectGroup(ctx, 'patch-if-match');
  const current = await readGroup(ctx, g.id, 'prerequisite: GET the group for its ETag');
  const etag = verify.header(current, 'etag');
  const displayName = names.displayName('patch-if-match-patched');
  const res = await scim.patch(g.path, replaceDisplayName(displayName), { headers: { 'if-match': etag } });
  verify.status(res, 200);
  verify.schema(res, 'ScimV2Group');
  verify.equal(res, res.body.displayName, displayName, 'displayName after the conditional PATCH');
});

behaviour('GRP-PATCH-IF-MATCH-STALE-400', 'refuses a PATCH with a stale If-Match with 400 invalidVers and leaves the group unchanged', async (ctx) => {
  const { scim, verify, names } = ctx;
  const g = await subjectGroup(ctx, 'patch-if-match-stale');
  const first = await readGroup(ctx, g.id, 'prerequisite: GET the group for its ETag');
  const stale = verify.header(first, 'etag');
  // A real earlier version: change the group, then present the version it had before.
  const kept = names.displayName('patch-stale-first');
  const changed = await scim.patch(g.path, replaceDisplayName(kept));
  verify.status(changed, 200, 'prerequisite: an unconditional PATCH changes the group');
  verify.that(changed, versionOf(changed) !== stale, 'prerequisite: the change gives the group a new version', `not ${stale}`, versionOf(changed));
  const res = await scim.patch(g.path, replaceDisplayName(names.displayName('patch-stale-second')), { headers: { 'if-match': stale } });
  verify.scimError(res, 400, 'invalidVers');
  const after = await readGroup(ctx, g.id);
  verify.equal(after, after.body.displayName, kept, 'displayName is the one before the refused PATCH');
});

behaviour('GRP-PATCH-ETAG-CHANGES', 'answers a modifying PATCH with a new ETag equal to meta.version', async (ctx) => {
  const { scim, verify, names } = ctx;
  const g = await subjectGroup(ctx, 'patch-etag');
  const before = await readGroup(ctx, g.id, 'prerequisite: GET the group for its ETag');
  const previous = verify.header(before, 'etag');
  const res = await scim.patch(g.path, replaceDisplayName(names.displayName('patch-etag-patched')));
  verify.status(res, 200);
  verify.schema(res, 'ScimV2Group');
  const etag = verify.header(res, 'etag');
  verify.equal(res, res.body.meta?.version, etag, 'meta.version equals the ETag header');
  verify.that(res, etag !== previous, 'the ETag changed with the PATCH', `not ${previous}`, etag);
});

