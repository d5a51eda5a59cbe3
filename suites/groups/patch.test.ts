/*
 * Group PATCH. The member and displayName cases (valid and invalid) are rows of fixtures/cases/group-patch.json.
 * Every check works on the subject group (harness/checks/group-subject.ts): on 2021 one group of the run shared by the
 * write checks, each check stating the members it starts from (a PUT sets them only when the group does not hold them
 * already); on 2019 the configured scratch group, locked for the test and restored afterwards.
 *
 * The behaviours are registered in an order in which one row often leaves the group as the next one needs it
 * (e.g. an add of m2 to [m1], then a remove of m1 from [m1, m2]), so few prerequisite requests are sent; each row
 * still establishes its own precondition, so any subset of them runs alone. Refusals come last: they change nothing.
 */
import {
  assertEveryRowUsed,
  behaviour,
  caseTable,
  CLIENT_ERRORS,
  fillRow,
  groupMembers,
  idSet,
  memberIds,
  onSubjectGroup,
  PATCH_OP_URN,
  renamedSubject,
  replaceDisplayName,
  rowsOf,
  unknownId,
  verifyCurrentIfMatchApplied,
  verifyNewEtag,
  verifyStaleIfMatchRefused,
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

/** The member users, by the labels of the table (m1, m2). */
async function memberLabels(ctx: BehaviourContext): Promise<Record<string, string>> {
  const [m1, m2] = await groupMembers(ctx);
  return { m1, m2 };
}

async function runRow(row: PatchRow, ctx: BehaviourContext): Promise<void> {
  const { verify, names } = ctx;
  const users = await memberLabels(ctx);
  const members = row.members?.map((m) => users[m]);
  // A refusal that is not read back does not rely on the group's state: nothing is read for it.
  const known = row.expect.status === undefined || row.expect.unchanged === true;
  await onSubjectGroup(ctx, 'patch', { members, known }, async (g) => {
    const before = known ? g.body : undefined;
    const vars = { ...users, newName: names.displayName('patched'), unknownId: unknownId() };
    const body = row.body !== undefined ? fillRow(ctx, TABLE, row.body, vars) : { schemas: [PATCH_OP_URN], Operations: fillRow(ctx, TABLE, row.operations, vars) };
    const res = await g.patch(body);

    if (row.expect.status !== undefined) {
      verify.scimError(res, row.expect.status === '4xx' ? CLIENT_ERRORS : row.expect.status, row.expect.scimType);
      if (row.expect.unchanged) {
        const after = await g.read('read the group back after the refused PATCH');
        verify.equal(after, after.body.displayName, before!.displayName, 'displayName is unchanged: no operation of the refused PATCH was applied');
        verify.equal(after, memberIds(after.body), memberIds(before), 'members are unchanged: no operation of the refused PATCH was applied');
      }
      return;
    }

    // The docs return the group (200); RFC 7644 §3.5.2 also allows 204, whose result is then read back.
    verify.status(res, [200, 204]);
    const state = res.status === 200 ? res : await g.read('read the group back after the PATCH (204)');
    verify.schema(state, 'ScimV2Group');
    const wantMembers = row.expect.members ? idSet(row.expect.members.map((m) => users[m])) : memberIds(before);
    verify.equal(state, memberIds(state.body), wantMembers, row.expect.members ? 'members after the PATCH (exactly these, no duplicates)' : 'members are unchanged');
    const wantName = row.expect.displayName !== undefined ? fillRow(ctx, TABLE, row.expect.displayName, vars) : before!.displayName;
    verify.equal(state, state.body.displayName, wantName, row.expect.displayName !== undefined ? 'displayName after the PATCH' : 'displayName is unchanged');
  });
}

/** The rows of one behaviour (each row is used by exactly one behaviour.for below). */
const caseRows = (id: string): PatchRow[] => rowsOf(TABLE, id);

behaviour('GRP-PATCH-200', 'answers a PATCH with 200 and the full group', async (ctx) => {
  const { verify } = ctx;
  // One PATCH of displayName on the group holding a member, judged here and by GRP-PATCH-ETAG-CHANGES.
  const { res, before, displayName } = await renamedSubject(ctx, 'PATCH');
  verify.status(res, 200);
  verify.contentType(res);
  verify.schema(res, 'ScimV2Group');
  verify.equal(res, res.body.id, before.id, 'id is the id of the patched group');
  verify.equal(res, res.body.displayName, displayName, 'displayName is returned with its new value');
  verify.equal(res, memberIds(res.body), memberIds(before), 'members are returned too (the full resource, not only what changed)');
  verify.equal(res, res.body.meta?.resourceType, 'Group', 'meta.resourceType');
});

behaviour('GRP-PATCH-ETAG-CHANGES', 'answers a modifying PATCH with a new ETag equal to meta.version', (ctx) => verifyNewEtag(ctx, 'PATCH'));

behaviour('GRP-PATCH-IF-MATCH-CURRENT', 'applies a PATCH whose If-Match holds the current ETag', (ctx) => verifyCurrentIfMatchApplied(ctx, 'PATCH'));

behaviour('GRP-PATCH-IF-MATCH-STALE-400', 'refuses a PATCH with a stale If-Match with 400 invalidVers and leaves the group unchanged', (ctx) =>
  verifyStaleIfMatchRefused(ctx, 'PATCH'),
);

// Rows, in an order that chains the members one row leaves to those the next needs.
behaviour.for('GRP-PATCH-REPLACE-DISPLAYNAME', 'sets displayName with replace', caseRows('GRP-PATCH-REPLACE-DISPLAYNAME'), runRow);
behaviour.for('GRP-PATCH-MEMBERS-ADD-EXISTING', 'accepts adding an existing member without duplicating it', caseRows('GRP-PATCH-MEMBERS-ADD-EXISTING'), runRow);
behaviour.for('GRP-PATCH-ATOMIC', 'applies no operation of a PATCH in which one operation fails', caseRows('GRP-PATCH-ATOMIC'), runRow);
behaviour.for('GRP-PATCH-MEMBERS-ADD', 'adds a member with add on path members', caseRows('GRP-PATCH-MEMBERS-ADD'), runRow);
behaviour.for('GRP-PATCH-MEMBERS-REMOVE-FILTER', 'removes only the member named by a members[value eq] path', caseRows('GRP-PATCH-MEMBERS-REMOVE-FILTER'), runRow);
behaviour.for('GRP-PATCH-MEMBERS-ADD-NO-PATH', 'adds members with a path-less add of {members}', caseRows('GRP-PATCH-MEMBERS-ADD-NO-PATH'), runRow);
behaviour.for('GRP-PATCH-MEMBERS-REMOVE-VALUE', 'removes only the members listed in the value of a remove on members', caseRows('GRP-PATCH-MEMBERS-REMOVE-VALUE'), runRow);
behaviour.for('GRP-PATCH-OP-CASE', 'accepts op values in any case', caseRows('GRP-PATCH-OP-CASE'), runRow);
behaviour.for('GRP-PATCH-MEMBERS-REMOVE-ALL', 'removes every member with remove on path members', caseRows('GRP-PATCH-MEMBERS-REMOVE-ALL'), runRow);
behaviour.for('GRP-PATCH-MEMBERS-REPLACE', 'sets exactly the given members with replace on members', caseRows('GRP-PATCH-MEMBERS-REPLACE'), runRow);
behaviour.for('GRP-PATCH-REMOVE-NO-PATH-400', 'refuses a remove without path with 400 noTarget', caseRows('GRP-PATCH-REMOVE-NO-PATH-400'), runRow);
behaviour.for('GRP-PATCH-MEMBER-UNKNOWN-400', 'refuses a member that is no user or group with 400 invalidValue', caseRows('GRP-PATCH-MEMBER-UNKNOWN-400'), runRow);
behaviour.for('GRP-PATCH-INVALID-PATH-400', 'refuses a path naming an unknown attribute with 400 invalidPath', caseRows('GRP-PATCH-INVALID-PATH-400'), runRow);
behaviour.for('GRP-PATCH-READONLY-400', 'refuses a PATCH of id or meta with 400 mutability', caseRows('GRP-PATCH-READONLY-400'), runRow);
behaviour.for('GRP-PATCH-INVALID-SYNTAX-400', 'refuses a body that is not a PatchOp with 400 invalidSyntax', caseRows('GRP-PATCH-INVALID-SYNTAX-400'), runRow);

assertEveryRowUsed(TABLE);

behaviour('GRP-PATCH-UNKNOWN-404', 'answers a PATCH of an unknown group with 404', async ({ scim, verify, names }) => {
  const res = await scim.patch(`/groups/${unknownId()}`, replaceDisplayName(names.displayName('patch-unknown')));
  verify.scimError(res, 404);
});
