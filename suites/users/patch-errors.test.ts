/**
 * Refused user PATCH requests (RFC 7644 §3.5.2, §3.12; reference notes §6, §7). The invalid operations with their
 * expected status and scimType are data in fixtures/cases/user-patch.json ("invalid").
 */
import { randomUUID } from 'node:crypto';
import { behaviour, currentState, invalidRows, PATCH_OP_URN, readSubject, runInvalid, staleVersion, writeSubject, writeTo } from '../../harness/index.ts';
import operations from '../../fixtures/operations.json' with { type: 'json' };

behaviour.for('USR-PATCH-REPLACE-FILTER-NO-MATCH-400', 'refuses a replace whose value filter matches nothing with 400 noTarget', invalidRows('USR-PATCH-REPLACE-FILTER-NO-MATCH-400'), async (row, ctx) => {
  await runInvalid(row, ctx);
});

behaviour.for('USR-PATCH-INVALID-OP-400', 'refuses an unknown op with 400 invalidSyntax', invalidRows('USR-PATCH-INVALID-OP-400'), async (row, ctx) => {
  await runInvalid(row, ctx);
});

behaviour.for('USR-PATCH-REMOVE-NO-PATH-400', 'refuses a remove without a path with 400 noTarget', invalidRows('USR-PATCH-REMOVE-NO-PATH-400'), async (row, ctx) => {
  await runInvalid(row, ctx);
});

behaviour.for('USR-PATCH-INVALID-PATH-400', 'refuses a path naming an unknown attribute with 400 invalidPath', invalidRows('USR-PATCH-INVALID-PATH-400'), async (row, ctx) => {
  await runInvalid(row, ctx);
});

behaviour.for('USR-PATCH-MALFORMED-PATH-400', 'refuses a syntactically malformed path with 400 invalidPath', invalidRows('USR-PATCH-MALFORMED-PATH-400'), async (row, ctx) => {
  await runInvalid(row, ctx);
});

behaviour.for('USR-PATCH-INVALID-VALUE-400', 'refuses a value of the wrong type with 400 invalidValue', invalidRows('USR-PATCH-INVALID-VALUE-400'), async (row, ctx) => {
  await runInvalid(row, ctx);
});

behaviour.for('USR-PATCH-READONLY-400', 'refuses a PATCH modifying id or meta with 400 mutability', invalidRows('USR-PATCH-READONLY-400'), async (row, ctx) => {
  await runInvalid(row, ctx);
});

behaviour.for('USR-PATCH-GROUPS-400', "refuses a PATCH modifying the user's groups with 400 mutability", invalidRows('USR-PATCH-GROUPS-400'), async (row, ctx) => {
  await runInvalid(row, ctx);
});

behaviour.for('USR-PATCH-EMAIL-OTHER-400', 'refuses a PATCH modifying emails[type eq "other"].value with 400 mutability', invalidRows('USR-PATCH-EMAIL-OTHER-400'), async (row, ctx) => {
  await runInvalid(row, ctx);
});

behaviour.for('USR-PATCH-INVALID-SYNTAX-400', 'refuses a body without Operations or without the PatchOp schema with 400 invalidSyntax', invalidRows('USR-PATCH-INVALID-SYNTAX-400'), async (row, ctx) => {
  await runInvalid(row, ctx);
});

behaviour.for('USR-PATCH-UNKNOWN-ROLE-400', 'refuses the add of an unknown role name with 400 invalidValue', invalidRows('USR-PATCH-UNKNOWN-ROLE-400'), async (row, ctx) => {
  await runInvalid(row, ctx);
});

behaviour.for('USR-PATCH-USERNAME-TAKEN-409', 'refuses a change of userName to one already in use with 409 uniqueness', invalidRows('USR-PATCH-USERNAME-TAKEN-409'), async (row, ctx) => {
  await runInvalid(row, ctx);
});

behaviour.for('USR-PATCH-ATOMIC', 'applies none of the operations when one of them fails, and answers with an error', invalidRows('USR-PATCH-ATOMIC'), async (row, ctx) => {
  await runInvalid(row, ctx);
});

const titlePatch = (title: string) => ({ schemas: [PATCH_OP_URN], Operations: [{ op: 'replace', path: 'title', value: title }] });

behaviour('USR-PATCH-UNKNOWN-404', 'answers a PATCH of an unknown user id with 404', async ({ scim, verify }) => {
  const res = await scim.patch(`/users/${randomUUID()}`, titlePatch('Some Title'));
  verify.scimError(res, 404);
});

behaviour(
  'USR-PATCH-IF-MATCH-STALE-400',
  'refuses a PATCH with a stale If-Match with 400 invalidVers and leaves the user unchanged',
  async (ctx) => {
    const { scim, verify } = ctx;
    const subject = await writeSubject(ctx);
    const stale = await staleVersion(ctx, subject);
    const title = subject.state!.title;
    const res = await writeTo(subject, (p) => scim.patch(p, titlePatch(`Stale Title ${Date.now()}`), { headers: { 'if-match': stale } }));
    verify.scimError(res, 400, 'invalidVers');
    const after = await readSubject(ctx, subject);
    verify.status(after, 200);
    verify.schema(after, 'ScimV2User');
    verify.equal(after, after.body.title, title, 'title after the refused PATCH (unchanged)');
  },
);

type OperationsFile = {
  versions: Record<string, { operations: Record<string, { prefixes: Record<string, { permissions: string[] }> }> }>;
};

behaviour(
  'USR-PATCH-PERMISSION',
  'refuses PATCH user with 403 for an identity holding none of the documented permissions',
  async (ctx) => {
    const { verify, limited, target, prefix, skip } = ctx;
    const documented = (operations as unknown as OperationsFile).versions[target.apiVersion]?.operations.patchScimUser?.prefixes[prefix]?.permissions ?? [];
    const held = (target.identities.limited?.permissions ?? []).filter((p) => documented.includes(p));
    if (held.length > 0) skip(`the limited identity holds ${held.join(', ')}, which PATCH user accepts`, 'configuration');
    const client = limited();
    const subject = await writeSubject(ctx);
    const { title } = await currentState(ctx, subject);
    const res = await writeTo(subject, (p) => client.patch(p, titlePatch(`Refused Title ${Date.now()}`)));
    verify.status(res, 403);
    const after = await readSubject(ctx, subject);
    verify.status(after, 200);
    verify.schema(after, 'ScimV2User');
    verify.equal(after, after.body.title, title, 'title after the refused PATCH (unchanged)');
  },
);
