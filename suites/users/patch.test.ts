/**
 * Successful user PATCH (RFC 7644 §3.5.2; the Genesys and Entra shapes of the reference notes §7). The operations,
 * the state each row starts from and the expected resulting state are data in fixtures/cases/user-patch.json
 * ("valid"). Every row runs on the write subject of its prefix (harness/checks/user-subject.ts), which the rows change
 * in turn: the behaviours are in the order of the table, so that most rows start where the row before left it.
 */
import { behaviour, currentVersion, PATCH_OP_URN, runValid, validRows, writeSubject, writeTo } from '../../harness/index.ts';

/** Top-level attribute names and, for extension objects, theirs; unassigned values (null, []) do not count. */
function attributeNames(resource: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(resource ?? {})) {
    if (v === null || v === undefined || (Array.isArray(v) && v.length === 0)) continue;
    out.push(k);
    if (k.startsWith('urn:') && v && typeof v === 'object' && !Array.isArray(v)) {
      for (const [sk, sv] of Object.entries(v)) if (sv !== null && !(Array.isArray(sv) && sv.length === 0)) out.push(`${k}:${sk}`);
    }
  }
  return out.sort();
}

behaviour.for('USR-PATCH-200', 'answers a successful PATCH with 200 and the full user', validRows('USR-PATCH-200'), async (row, ctx) => {
  const { patched, fetched } = await runValid(row, ctx, { readBack: true });
  // The whole resource (RFC 7644 §3.5.2), not just the changed attributes: the same attributes a GET returns.
  ctx.verify.equal(
    patched,
    attributeNames(patched.body),
    attributeNames(fetched!.body),
    'the PATCH response holds the same attributes as a GET of the user',
  );
  ctx.verify.equal(patched, patched.body.meta?.version, fetched!.body.meta?.version, 'the PATCH response is the current version (meta.version as in a GET)');
});

behaviour.for('USR-PATCH-PASSWORD', 'replace of password is accepted and the password is not returned', validRows('USR-PATCH-PASSWORD'), async (row, ctx) => {
  await runValid(row, ctx);
});

behaviour.for('USR-PATCH-REPLACE-PATH', 'replace with a simple path sets that value', validRows('USR-PATCH-REPLACE-PATH'), async (row, ctx) => {
  await runValid(row, ctx);
});

behaviour.for('USR-PATCH-REPLACE-NO-PATH', 'replace without a path sets every attribute of the value object and keeps the others', validRows('USR-PATCH-REPLACE-NO-PATH'), async (row, ctx) => {
  await runValid(row, ctx);
});

behaviour.for('USR-PATCH-ENTERPRISE-PATH', 'replace of an enterprise extension attribute by its URN path sets that value', validRows('USR-PATCH-ENTERPRISE-PATH'), async (row, ctx) => {
  await runValid(row, ctx);
});

behaviour.for('USR-PATCH-NO-PATH-PATH-KEYS', 'applies each key of a path-less replace whose value keys are paths', validRows('USR-PATCH-NO-PATH-PATH-KEYS'), async (row, ctx) => {
  await runValid(row, ctx);
});

behaviour.for('USR-PATCH-EMAIL-WORK-PATH', 'replace of emails[type eq "work"].value updates the work email', validRows('USR-PATCH-EMAIL-WORK-PATH'), async (row, ctx) => {
  await runValid(row, ctx);
});

behaviour.for('USR-PATCH-ROLES-REMOVE', 'remove of roles[value eq "<role name>"] unassigns only that role', validRows('USR-PATCH-ROLES-REMOVE'), async (row, ctx) => {
  await runValid(row, ctx);
});

behaviour.for('USR-PATCH-ROLES-ADD', 'add of roles [{"value": <role name>}] assigns that role', validRows('USR-PATCH-ROLES-ADD'), async (row, ctx) => {
  await runValid(row, ctx);
});

behaviour.for('USR-PATCH-MANAGER-PATH', 'replace of the enterprise manager with a user id sets manager.value', validRows('USR-PATCH-MANAGER-PATH'), async (row, ctx) => {
  await runValid(row, ctx);
});

behaviour.for('USR-PATCH-ADD-PATH', 'add with a simple path sets that value', validRows('USR-PATCH-ADD-PATH'), async (row, ctx) => {
  await runValid(row, ctx);
});

behaviour.for('USR-PATCH-ROUTING-SKILLS', 'add of genesys routingSkills assigns those skills', validRows('USR-PATCH-ROUTING-SKILLS'), async (row, ctx) => {
  await runValid(row, ctx);
});

behaviour.for('USR-PATCH-ROUTING-LANGUAGES', 'add of genesys routingLanguages assigns those languages', validRows('USR-PATCH-ROUTING-LANGUAGES'), async (row, ctx) => {
  await runValid(row, ctx);
});

behaviour.for('USR-PATCH-EXTERNAL-IDS-PATH', 'replace of genesys externalIds[authority eq "microsoftteams"].value sets that external id', validRows('USR-PATCH-EXTERNAL-IDS-PATH'), async (row, ctx) => {
  await runValid(row, ctx);
});

behaviour.for('USR-PATCH-FILTER-SINGLE-QUOTES', 'accepts single-quoted values in path filters like double-quoted ones', validRows('USR-PATCH-FILTER-SINGLE-QUOTES'), async (row, ctx) => {
  await runValid(row, ctx);
});

behaviour.for('USR-PATCH-PHONE-TYPE-PATH', 'replace of phoneNumbers[type eq "<type>"].value updates the number of that type', validRows('USR-PATCH-PHONE-TYPE-PATH'), async (row, ctx) => {
  await runValid(row, ctx);
});

behaviour.for('USR-PATCH-ADD-NO-PATH', 'add without a path merges the value object into the user', validRows('USR-PATCH-ADD-NO-PATH'), async (row, ctx) => {
  await runValid(row, ctx);
});

behaviour.for('USR-PATCH-ADD-VALUE-FILTER-CREATES', 'add with a value-filter path matching nothing creates that value with that type', validRows('USR-PATCH-ADD-VALUE-FILTER-CREATES'), async (row, ctx) => {
  await runValid(row, ctx);
});

behaviour.for('USR-PATCH-REMOVE-VALUE-FILTER', 'remove with a value-filter path removes only the matching value', validRows('USR-PATCH-REMOVE-VALUE-FILTER'), async (row, ctx) => {
  await runValid(row, ctx);
});

behaviour.for('USR-PATCH-OPERATIONS-IN-ORDER', 'applies the operations of a PATCH in order', validRows('USR-PATCH-OPERATIONS-IN-ORDER'), async (row, ctx) => {
  await runValid(row, ctx);
});

behaviour.for('USR-PATCH-ADD-MULTI-VALUED', 'add to phoneNumbers appends the new values and keeps the existing ones', validRows('USR-PATCH-ADD-MULTI-VALUED'), async (row, ctx) => {
  await runValid(row, ctx);
});

behaviour.for('USR-PATCH-REMOVE-PATH', 'remove with a simple path unassigns that attribute', validRows('USR-PATCH-REMOVE-PATH'), async (row, ctx) => {
  await runValid(row, ctx);
});

behaviour.for('USR-PATCH-OP-CASE', 'accepts op values in any case ("Replace", "Add", "Remove")', validRows('USR-PATCH-OP-CASE'), async (row, ctx) => {
  await runValid(row, ctx);
});

behaviour.for('USR-PATCH-STRING-BOOLEAN', 'applies active given as the string "False" / "True" as a boolean', validRows('USR-PATCH-STRING-BOOLEAN'), async (row, ctx) => {
  await runValid(row, ctx);
});

behaviour.for('USR-PATCH-DIVISION-PATH', 'replace of the enterprise division with a division name moves the user there', validRows('USR-PATCH-DIVISION-PATH'), async (row, ctx) => {
  await runValid(row, ctx);
});

const titlePatch = (title: string) => ({ schemas: [PATCH_OP_URN], Operations: [{ op: 'replace', path: 'title', value: title }] });

behaviour('USR-PATCH-IF-MATCH-CURRENT', 'applies a PATCH whose If-Match carries the current ETag', async (ctx) => {
  const { scim, verify } = ctx;
  const subject = await writeSubject(ctx);
  const etag = await currentVersion(ctx, subject);
  verify.that(subject.answer, etag !== undefined, 'setup: the user has a version (ETag header or meta.version)', 'a version', etag ?? '(none)');
  const title = `If-Match Title ${Date.now()}`;
  const res = await writeTo(subject, (p) => scim.patch(p, titlePatch(title), { headers: { 'if-match': etag! } }));
  verify.status(res, 200);
  verify.schema(res, 'ScimV2User');
  verify.equal(res, res.body.title, title, 'title after the conditional PATCH');
});

behaviour('USR-PATCH-ETAG-CHANGES', 'answers a modifying PATCH with a new ETag equal to meta.version', async (ctx) => {
  const { scim, verify } = ctx;
  const subject = await writeSubject(ctx);
  const before = await currentVersion(ctx, subject);
  verify.that(subject.answer, before !== undefined, 'setup: the user has a version (ETag header or meta.version)', 'a version', before ?? '(none)');
  const res = await writeTo(subject, (p) => scim.patch(p, titlePatch(`ETag Title ${Date.now()}`)));
  verify.status(res, 200);
  verify.schema(res, 'ScimV2User');
  const etag = verify.header(res, 'etag', /^(W\/)?"[^"]*"$/);
  verify.equal(res, res.body.meta?.version, etag, 'meta.version equals the ETag header');
  verify.that(res, etag !== before, 'the ETag changed with the modification', `anything but ${String(before)}`, etag);
});
