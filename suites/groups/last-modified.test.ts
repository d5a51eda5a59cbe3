/** meta.lastModified follows writes (RFC 7643 §3.1), checked through a write, not only by format. */
import { behaviour, onSubjectGroup, PATCH_OP_URN, TICK_MS } from '../../harness/index.ts';

behaviour('GRP-META-LAST-MODIFIED-ADVANCES', 'moves meta.lastModified forward when a PATCH changes the group', async (ctx) => {
  const { verify, names } = ctx;
  // The subject group of the write checks, as last seen (read when in doubt); the PATCH goes more than a second after.
  await onSubjectGroup(ctx, 'last-modified', {}, async (g) => {
    const stamp: unknown = g.body.meta?.lastModified;
    const before = Date.parse(String(stamp));
    verify.that(undefined, Number.isFinite(before), 'meta.lastModified of the group before the PATCH is a date-time', 'a date-time', stamp);
    // Servers may keep second precision: a PATCH more than a second after the last state seen must get a later stamp.
    if (g.knownForMs < TICK_MS) await new Promise((r) => setTimeout(r, TICK_MS - g.knownForMs));
    const rename = { schemas: [PATCH_OP_URN], Operations: [{ op: 'replace', path: 'displayName', value: names.displayName('last-modified-renamed') }] };
    const written = await g.patch(rename);
    verify.status(written, 200);
    verify.schema(written, 'ScimV2Group');
    const after = Date.parse(written.body.meta?.lastModified);
    verify.that(
      written,
      Number.isFinite(after) && after > before,
      `meta.lastModified after a PATCH ${TICK_MS} ms or more after the last change seen is later than before`,
      `later than ${String(stamp)}`,
      written.body.meta?.lastModified,
    );
  });
});
